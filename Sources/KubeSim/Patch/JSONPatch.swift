import Foundation
import JSON

/// RFC 6902 JSON patch (add, remove, replace, move, copy, test) with RFC 6901 pointers.
public enum JSONPatch {
    /// Why a patch could not be applied.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The patch document is not a list of operations.
        case malformed(String)
        /// An operation failed against the document (missing path, failed test, ...).
        case failed(String)

        public var description: String {
            switch self {
            case .malformed(let s), .failed(let s): return s
            }
        }
    }

    /// The document with every operation applied in order.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(Failure) -> JSONValue {
        guard let ops = patch.array else {
            throw .malformed("json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
        }
        var doc = document
        for op in ops {
            guard op.object != nil else { throw .malformed("json: cannot unmarshal \(op.typeName) into Go value of type jsonpatch.Operation") }
            guard let name = op["op"]?.string else { throw .failed("Unexpected kind: unknown") }
            guard let pathText = op["path"]?.string else { throw .failed("operation missing path") }
            let path = try pointer(pathText)
            switch name {
            case "add":
                guard let v = op["value"] else { throw .failed("missing value") }
                doc = try add(doc, path, v)
            case "remove":
                doc = try remove(doc, path).0
            case "replace":
                guard let v = op["value"] else { throw .failed("missing value") }
                _ = try get(doc, path, op: "replace")
                doc = try remove(doc, path).0
                doc = try add(doc, path, v)
            case "move":
                guard let fromText = op["from"]?.string else { throw .failed("operation missing from") }
                let (d, v) = try remove(doc, try pointer(fromText))
                doc = try add(d, path, v)
            case "copy":
                guard let fromText = op["from"]?.string else { throw .failed("operation missing from") }
                doc = try add(doc, path, try get(doc, try pointer(fromText), op: "copy"))
            case "test":
                let expected = op["value"] ?? .null
                let actual = try? get(doc, path, op: "test")
                if actual != expected { throw .failed("testing value \(pathText) failed: test failed") }
            default:
                throw .failed("Unexpected kind: \(name)")
            }
        }
        return doc
    }

    static func pointer(_ text: String) throws(Failure) -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw .failed("JSON pointer must be empty or start with a \"/\": \(text)") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ doc: JSONValue, _ path: [String], op: String) throws(Failure) -> JSONValue {
        var cur = doc
        for token in path {
            switch cur {
            case .object(let o):
                guard let v = o[token] else { throw .failed("\(op) operation does not apply: doc is missing path: /\(path.joined(separator: "/"))") }
                cur = v
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw .failed("\(op) operation does not apply: doc is missing path: /\(path.joined(separator: "/"))") }
                cur = a[i]
            default:
                throw .failed("\(op) operation does not apply: doc is missing path: /\(path.joined(separator: "/"))")
            }
        }
        return cur
    }

    static func add(_ doc: JSONValue, _ path: [String], _ value: JSONValue) throws(Failure) -> JSONValue {
        guard let first = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch doc {
        case .object(var o):
            if rest.isEmpty {
                o[first] = value
            } else {
                guard let child = o[first] else { throw .failed("add operation does not apply: doc is missing path: \"/\(path.joined(separator: "/"))\": missing value") }
                o[first] = try add(child, rest, value)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if first == "-" { a.append(value); return .array(a) }
                guard let i = Int(first), i >= 0, i <= a.count else { throw .failed("add operation does not apply: doc is missing path: \"/\(path.joined(separator: "/"))\": missing value") }
                a.insert(value, at: i)
                return .array(a)
            }
            guard let i = Int(first), a.indices.contains(i) else { throw .failed("add operation does not apply: doc is missing path: \"/\(path.joined(separator: "/"))\": missing value") }
            a[i] = try add(a[i], rest, value)
            return .array(a)
        default:
            throw .failed("add operation does not apply: doc is missing path: \"/\(path.joined(separator: "/"))\": missing value")
        }
    }

    static func remove(_ doc: JSONValue, _ path: [String]) throws(Failure) -> (JSONValue, JSONValue) {
        guard let first = path.first else { throw .failed("remove operation does not apply: doc is missing path: \"\"") }
        let rest = Array(path.dropFirst())
        let missing = Failure.failed("remove operation does not apply: doc is missing path: \"/\(path.joined(separator: "/"))\"")
        switch doc {
        case .object(var o):
            guard let child = o[first] else { throw missing }
            if rest.isEmpty {
                o.removeValue(forKey: first)
                return (.object(o), child)
            }
            let (c, v) = try remove(child, rest)
            o[first] = c
            return (.object(o), v)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing }
            if rest.isEmpty {
                let v = a.remove(at: i)
                return (.array(a), v)
            }
            let (c, v) = try remove(a[i], rest)
            a[i] = c
            return (.array(a), v)
        default:
            throw missing
        }
    }
}
