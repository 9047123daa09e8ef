import Foundation
import JSON
import YAML

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
        case .yaml: return YAML.emit(doc)
        }
    }
}
