import JSON
import YAML

/// Structural equality that, unlike `==`, tells `.int(1)` from `.double(1)` and compares key order.
func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case let (.bool(x), .bool(y)): return x == y
    case let (.int(x), .int(y)): return x == y
    case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
    case let (.string(x), .string(y)): return x == y
    case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { identical($0, $1) }
    case let (.object(x), .object(y)):
        return x.count == y.count && zip(x.members, y.members).allSatisfy { $0.key == $1.key && identical($0.value, $1.value) }
    default: return false
    }
}

/// The documents of a YAML text (test file name `test.yaml`).
func parse(_ text: String) throws(YAMLError) -> [YAMLDocument] {
    try YAML.documents(from: Array(text.utf8), fileName: "test.yaml")
}

/// The single document's value of a YAML text.
func value(_ text: String) throws -> JSONValue {
    let docs = try parse(text)
    guard docs.count == 1 else { throw TestFailure("expected one document, got \(docs.count)") }
    return docs[0].value
}

/// The error a YAML text produces, or nil when it parses.
func parseError(_ text: String) -> YAMLError? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error
    }
}

/// The error parsing raw bytes produces, or nil when they parse.
func parseError(bytes: [UInt8]) -> YAMLError? {
    do {
        _ = try YAML.documents(from: bytes, fileName: "test.yaml")
        return nil
    } catch {
        return error
    }
}

/// A failed expectation inside a helper.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
