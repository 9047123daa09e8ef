import JSON
import KubeClient
import YAML

/// The decoders fuzzed, one entry point each: bytes in, no crash, and each decoder's own
/// round-trip property holds (a violated property traps, which libFuzzer reports as a finding).
enum FuzzTarget: String, CaseIterable {
    case yaml
    case json
    case kubeconfig
    case watch
    case status

    /// Runs the target on one input.
    func run(_ data: [UInt8]) {
        switch self {
        case .yaml: Self.yaml(data)
        case .json: Self.json(data)
        case .kubeconfig: Self.kubeconfig(data)
        case .watch: Self.watch(data)
        case .status: Self.status(data)
        }
    }

    /// YAML→JSON: every parsed document serializes to JSON that parses back to the same value,
    /// and emits as YAML that parses back to the same value.
    private static func yaml(_ data: [UInt8]) {
        guard let documents = try? YAML.documents(from: data, fileName: "fuzz.yaml") else { return }
        for document in documents {
            let value = document.value
            let reparsed = try? JSONValue(parsing: value.serializedBytes())
            check(reparsed == value, "YAML value does not survive JSON serialization", data)
            let emitted = YAML.emit(value)
            let back = try? YAML.documents(from: emitted, fileName: "emitted.yaml")
            check(back?.count == 1 && back?[0].value == value || value == .null && back?.isEmpty == true,
                "YAML.emit output does not read back as the same value", data)
        }
    }

    /// Rebuilds every object through `JSONScanner`, as a digest reads it.
    private static let rebuilt = JSONProjection(digest: rebuild)

    @Sendable private static func rebuild(_ s: inout JSONScanner) throws(JSONParseError) -> JSONValue {
        var members: [(String, JSONValue)] = []
        try s.members { s, key throws(JSONParseError) in members.append((key.string, try s.value(keeping: rebuilt))) }
        return .object(JSONObject(members))
    }

    /// Reads nothing: every object is passed over by the scanner.
    private static let passedOver = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
        try s.skip()
        return .null
    })

    /// JSON: a parsed value serializes to JSON that parses back to the same value; digests read
    /// through `JSONScanner` accept exactly what the parser accepts, and rebuild the same value.
    private static func json(_ data: [UInt8]) {
        let parsed = try? JSONValue(parsing: data)
        check((try? JSONValue(parsing: data, projection: rebuilt)) == parsed, "a value rebuilt through JSONScanner differs", data)
        check(((try? JSONValue(parsing: data, projection: passedOver)) != nil) == (parsed != nil),
              "JSONScanner's pass-over accepts other documents than the parser", data)
        guard let value = parsed else { return }
        let reparsed = try? JSONValue(parsing: value.serializedBytes())
        check(reparsed == value, "JSON value does not survive serialization", data)
        let indented = try? JSONValue(parsing: value.serialized(indent: 2, sortedKeys: true))
        check(indented == value, "indented JSON does not read back as the same value", data)
    }

    /// Kubeconfig loading: the YAML parser, the kubeconfig model and client config resolution
    /// (with files read from memory, so paths in the input cannot reach the disk).
    private static func kubeconfig(_ data: [UInt8]) {
        let environment = Environment(
            variables: ["KUBECONFIG": "/fuzz/config"], homeDirectory: "/home/fuzz", currentDirectory: "/fuzz",
            serviceAccountDirectory: "/fuzz/sa",
            readFile: { (path: String) throws(FileReadError) -> [UInt8] in
                if path == "/fuzz/config" { return data }
                throw .notFound
            })
        let parser: KubeconfigParser = { bytes, path in
            let documents = try YAML.documents(from: bytes, fileName: path)
            return documents.first?.value ?? .object([:])
        }
        let loader = KubeconfigLoader(environment: environment, parser: parser)
        guard let kubeconfig = try? loader.load(explicitPath: nil) else { return }
        _ = try? ClientConfigResolver(environment: environment).resolve(kubeconfig, overrides: ConfigOverrides())
    }

    /// Watch stream: the events decoded do not depend on how the bytes were split into writes.
    private static func watch(_ data: [UInt8]) {
        guard let first = data.first else { return }
        let body = Array(data.dropFirst())
        var whole = WatchStreamDecoder(maxEventBytes: 1 << 16)
        let all = Result { () throws(WatchDecodeError) -> [WatchEvent] in try whole.feed(body) }
        var pieces = WatchStreamDecoder(maxEventBytes: 1 << 16)
        let step = Int(first % 16) + 1
        var split: [WatchEvent] = []
        var splitFailed = false
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + step)
            do throws(WatchDecodeError) {
                split += try pieces.feed(Array(body[offset..<end]))
            } catch {
                splitFailed = true
                break
            }
            offset = end
        }
        switch all {
        case .success(let events):
            check(!splitFailed && events == split, "watch events depend on how the stream was split", data)
            check(whole.hasPartialEvent == pieces.hasPartialEvent, "partial event state depends on the split", data)
        case .failure:
            check(splitFailed || body.count > 1 << 16, "a split stream decodes where the whole one fails", data)
        }
    }

    /// Status decoding: any body for any error code gives a status carrying a code.
    private static func status(_ data: [UInt8]) {
        guard data.count >= 2 else { return }
        let code = 400 + Int(data[0]) % 200
        let contentType = data[1] % 2 == 0 ? "application/json" : "text/plain"
        let body = Array(data.dropFirst(2))
        let status = APIStatus.fromResponse(status: code, body: body, contentType: contentType, retryAfterHeader: "1", method: "GET")
        check(status.code != 0, "a decoded status has no code", data)
        _ = KubeAPIError.status(status).description
        if let value = try? JSONValue(parsing: body), let s = APIStatus.from(statusObject: value) {
            _ = KubeAPIError.status(s).description
        }
    }

    /// Traps with the input printed when a property does not hold.
    private static func check(_ condition: @autoclosure () -> Bool, _ what: String, _ data: [UInt8]) {
        guard condition() else {
            let text = String(decoding: data.prefix(512), as: UTF8.self)
            fatalError("\(what); input (\(data.count) bytes): \(text.debugDescription)")
        }
    }
}
