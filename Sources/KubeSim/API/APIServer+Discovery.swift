import JSON

extension APIServer {
    func versionDocument() -> JSONValue {
        let v = options.kubernetesVersion.dropFirst()
        let parts = v.split(separator: ".")
        return [
            "major": .string(parts.count > 0 ? String(parts[0]) : "1"),
            "minor": .string(parts.count > 1 ? String(parts[1]) : "32"),
            "gitVersion": .string(options.kubernetesVersion),
            "gitCommit": "0000000000000000000000000000000000000000",
            "gitTreeState": "clean",
            "buildDate": "2024-12-11T18:04:20Z",
            "goVersion": "go1.23.3",
            "compiler": "gc",
            "platform": "linux/amd64",
        ]
    }

    func apiVersionsDocument() -> JSONValue {
        [
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(advertisedAddress.withLock { $0 })]],
        ]
    }

    func groupEntry(_ name: String, _ version: String) -> JSONValue {
        let gv: JSONValue = ["groupVersion": .string("\(name)/\(version)"), "version": .string(version)]
        return ["name": .string(name), "versions": [gv], "preferredVersion": gv]
    }

    func groupListDocument() -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(Resources.groups.map { groupEntry($0.name, $0.version) })]
    }

    func groupDocument(_ name: String) -> JSONValue {
        var g = groupEntry(name, Resources.groups.first { $0.name == name }?.version ?? "v1")
        g["kind"] = "APIGroup"
        g["apiVersion"] = "v1"
        return ObjectMetaOrder.canonical(g)
    }

    func resourceListDocument(group: String, version: String) -> JSONValue {
        var resources: [JSONValue] = []
        for r in Resources.all where r.group == group && r.version == version {
            var o = JSONObject()
            o["name"] = .string(r.resource)
            o["singularName"] = .string(r.singular)
            o["namespaced"] = .bool(r.namespaced)
            o["kind"] = .string(r.kind)
            o["verbs"] = .array(r.verbs.map { .string($0) })
            if !r.shortNames.isEmpty { o["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { o["categories"] = .array(r.categories.map { .string($0) }) }
            resources.append(.object(o))
            for sub in r.subresources where sub != "resize" || options.servesPodResize {
                var s = JSONObject()
                s["name"] = .string("\(r.resource)/\(sub)")
                s["singularName"] = ""
                s["namespaced"] = .bool(r.namespaced)
                if sub == "scale" {
                    s["group"] = "autoscaling"
                    s["version"] = "v1"
                    s["kind"] = "Scale"
                } else {
                    s["kind"] = .string(r.kind)
                }
                s["verbs"] = ["get", "patch", "update"]
                resources.append(.object(s))
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"),
            "resources": .array(resources),
        ]
    }
}
