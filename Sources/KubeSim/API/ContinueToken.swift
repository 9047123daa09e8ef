import Foundation
import JSON

/// The opaque `continue` token of paginated lists, in the real server's shape: base64 of
/// `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>\u0000"}`.
struct ContinueToken {
    var resourceVersion: Int
    var startKey: String

    func encoded() -> String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .int(resourceVersion), "start": .string(startKey + "\u{0}")]
        return Data(json.serializedBytes()).base64EncodedString()
    }

    static func decode(_ token: String) throws(APIError) -> ContinueToken {
        var padded = token
        while padded.count % 4 != 0 { padded += "=" }
        guard let data = Data(base64Encoded: padded) else {
            throw APIError.badRequest("invalid continue token: continue key is not valid: illegal base64 data")
        }
        guard let json = try? JSONValue(parsing: [UInt8](data)), json["v"]?.string == "meta.k8s.io/v1",
            let rv = json["rv"]?.int, var start = json["start"]?.string
        else {
            throw APIError.badRequest("invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
        }
        if start.hasSuffix("\u{0}") { start.removeLast() }
        if rv == -1 { return ContinueToken(resourceVersion: -1, startKey: start) }
        guard rv > 0 else { throw APIError.badRequest("invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)") }
        return ContinueToken(resourceVersion: rv, startKey: start)
    }

    static func objectKey(_ key: String) -> ObjectKey {
        let parts = key.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? ObjectKey(namespace: String(parts[0]), name: String(parts[1])) : ObjectKey(namespace: "", name: key)
    }

    static func key(of obj: JSONValue) -> String {
        let ns = obj.metaNamespace
        return ns.isEmpty ? obj.metaName : "\(ns)/\(obj.metaName)"
    }
}
