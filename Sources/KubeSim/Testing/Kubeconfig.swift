import Foundation
import JSON

/// The file format of a written kubeconfig.
public enum KubeconfigFormat: Sendable {
    case yaml
    case json
}

/// Kubeconfig documents pointing at a simulated server.
public enum Kubeconfig {
    /// A kubeconfig with one cluster, user and context named `kube-sim`, with a bearer token or
    /// basic-auth credentials when given.
    public static func document(
        server: String, token: String? = nil, username: String? = nil, password: String? = nil, namespace: String? = nil,
        name: String = "kube-sim"
    ) -> JSONValue {
        var user = JSONObject()
        if let token { user["token"] = .string(token) }
        if let username { user["username"] = .string(username) }
        if let password { user["password"] = .string(password) }
        var context: JSONObject = ["cluster": .string(name), "user": .string(name)]
        if let namespace { context["namespace"] = .string(namespace) }
        return [
            "apiVersion": "v1", "kind": "Config",
            "clusters": [["name": .string(name), "cluster": ["server": .string(server)]]],
            "users": [["name": .string(name), "user": .object(user)]],
            "contexts": [["name": .string(name), "context": .object(context)]],
            "current-context": .string(name),
            "preferences": .emptyObject,
        ]
    }

    /// The document as text in a format.
    public static func text(_ doc: JSONValue, format: KubeconfigFormat) -> String {
        switch format {
        case .json: return doc.serialized(indent: 2) + "\n"
        case .yaml: return SimpleYAML.emit(doc)
        }
    }
}

/// A minimal YAML writer for kubeconfig-shaped documents (maps, lists, scalars; strings quoted
/// as JSON, which is valid YAML).
enum SimpleYAML {
    static func emit(_ v: JSONValue) -> String {
        var out = ""
        write(v, indent: 0, into: &out, inList: false)
        return out
    }

    private static func scalar(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return JSONValue.quote(s)
        case .object(let o) where o.isEmpty: return "{}"
        case .array(let a) where a.isEmpty: return "[]"
        default: return v.serialized()
        }
    }

    private static func isScalar(_ v: JSONValue) -> Bool {
        switch v {
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return true
        }
    }

    private static func write(_ v: JSONValue, indent: Int, into out: inout String, inList: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch v {
        case .object(let o) where !o.isEmpty:
            for (i, m) in o.members.enumerated() {
                let prefix = (inList && i == 0) ? "" : pad
                if isScalar(m.value) {
                    out += "\(prefix)\(m.key): \(scalar(m.value))\n"
                } else {
                    out += "\(prefix)\(m.key):\n"
                    write(m.value, indent: indent + 2, into: &out, inList: false)
                }
            }
        case .array(let a) where !a.isEmpty:
            for item in a {
                if isScalar(item) {
                    out += "\(pad)- \(scalar(item))\n"
                } else {
                    out += "\(pad)- "
                    write(item, indent: indent + 2, into: &out, inList: true)
                }
            }
        default:
            out += "\(pad)\(scalar(v))\n"
        }
    }
}
