import JSON

extension APIServer {
    /// The group-version paths of the OpenAPI v3 discovery document ("api/v1", "apis/apps/v1").
    static var openAPIGroupVersions: [(path: String, group: String, version: String)] {
        [("api/v1", "", "v1")] + Resources.groups.map { ("apis/\($0.name)/\($0.version)", $0.name, $0.version) }
    }

    /// GET /openapi/v3: where each group-version's document is.
    func openAPIRoot() -> JSONValue {
        var paths = JSONObject()
        for gv in Self.openAPIGroupVersions {
            paths[gv.path] = ["serverRelativeURL": .string("/openapi/v3/\(gv.path)?hash=\(ControllerHash.hash(.string(gv.path)))")]
        }
        return ["paths": .object(paths)]
    }

    /// A minimal OpenAPI v3 document of one group-version: the PATCH operation of every kind with
    /// its GroupVersionKind and the `fieldValidation` parameter (what kubectl checks to choose
    /// server-side field validation) and no schemas (so kubectl uses its built-in patch metadata).
    func openAPIDocument(group: String, version: String) -> JSONValue {
        var paths = JSONObject()
        let params: JSONValue = [
            ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "force", "in": "query", "schema": ["type": "boolean", "uniqueItems": true]],
        ]
        for r in Resources.all where r.group == group && r.version == version {
            let prefix = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
            let path = r.namespaced ? "\(prefix)/namespaces/{namespace}/\(r.resource)/{name}" : "\(prefix)/\(r.resource)/{name}"
            let op: JSONValue = [
                "description": .string("partially update the specified \(r.kind)"),
                "operationId": .string("patch\(r.kind)"),
                "parameters": params,
                "responses": ["200": ["description": "OK"]],
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": ["group": .string(group), "kind": .string(r.kind), "version": .string(version)],
            ]
            paths[path] = ["patch": op]
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(options.kubernetesVersion)],
            "paths": .object(paths),
            "components": ["schemas": .emptyObject],
        ]
    }
}
