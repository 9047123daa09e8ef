import JSON

/// Kubeconfig documents for the tests, written as YAML with `TestCluster.writeManifest`.
enum KubeconfigFile {
    /// A context: its name, cluster, user and optional namespace.
    struct Context {
        var name: String
        var cluster: String
        var user: String
        var namespace: String? = nil
    }

    /// A kubeconfig with these named clusters, users and contexts.
    static func document(clusters: [(String, JSONValue)], users: [(String, JSONValue)], contexts: [Context],
                         current: String?) -> JSONValue {
        var doc: JSONObject = [
            "apiVersion": "v1", "kind": "Config",
            "clusters": .array(clusters.map { ["name": .string($0.0), "cluster": $0.1] }),
            "users": .array(users.map { ["name": .string($0.0), "user": $0.1] }),
            "contexts": .array(contexts.map { c in
                var o: JSONObject = ["cluster": .string(c.cluster), "user": .string(c.user)]
                if let ns = c.namespace { o["namespace"] = .string(ns) }
                return ["name": .string(c.name), "context": .object(o)]
            }),
        ]
        if let current { doc["current-context"] = .string(current) }
        return .object(doc)
    }

    /// One cluster, user and context, all named `e2e`, selected as the current context.
    static func single(cluster: JSONValue, user: JSONValue, namespace: String? = nil) -> JSONValue {
        document(clusters: [("e2e", cluster)], users: [("e2e", user)],
                 contexts: [Context(name: "e2e", cluster: "e2e", user: "e2e", namespace: namespace)], current: "e2e")
    }

    /// A cluster entry for a TLS front trusting its CA by file.
    static func cluster(_ front: TLSFront) -> JSONValue {
        ["server": .string(front.url), "certificate-authority": .string(front.pki.caCert)]
    }
}
