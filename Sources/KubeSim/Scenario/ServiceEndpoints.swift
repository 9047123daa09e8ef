import JSON

/// What the endpoints and EndpointSlice controllers publish for a Service: the addresses of the
/// pods its selector matches, with ready/serving/terminating conditions. Public so a future
/// controller can keep them current.
public enum ServiceEndpoints {
    /// The resolved ports of a Service for a pod (named targetPorts looked up in its containers).
    static func ports(_ service: JSONValue, pod: JSONValue?) -> [JSONValue] {
        (service[path: ["spec", "ports"]]?.array ?? []).map { p in
            var port = p["targetPort"]?.int ?? p["port"]?.int ?? 0
            if let named = p["targetPort"]?.string, let pod {
                for c in pod[path: ["spec", "containers"]]?.array ?? [] {
                    if let cp = (c["ports"]?.array ?? []).first(where: { $0["name"]?.string == named }) { port = cp["containerPort"]?.int ?? port }
                }
            }
            var o = JSONObject()
            if let name = p["name"]?.string { o["name"] = .string(name) } else { o["name"] = "" }
            o["port"] = .int(port)
            o["protocol"] = .string(p["protocol"]?.string ?? "TCP")
            return .object(o)
        }
    }

    /// The pods a Service selects (those with an IP), sorted by name.
    public static func selectedPods(_ service: JSONValue, in pods: [JSONValue]) -> [JSONValue] {
        let selector = JSONValue.stringMap(service[path: ["spec", "selector"]])
        guard !selector.isEmpty else { return [] }
        return pods.filter { pod in
            pod.metaNamespace == service.metaNamespace && selector.allSatisfy { pod.metaLabels[$0.key] == $0.value }
                && !(pod[path: ["status", "podIP"]]?.string ?? "").isEmpty
        }.sorted { $0.metaName < $1.metaName }
    }

    /// The EndpointSlice of a Service (name suffix given) listing `pods`, as the EndpointSlice
    /// controller writes it.
    public static func endpointSlice(for service: JSONValue, pods: [JSONValue], nameSuffix: String) -> JSONValue {
        let selected = selectedPods(service, in: pods)
        let selector = JSONValue.stringMap(service[path: ["spec", "selector"]])
        var slice = endpointSlice(for: service, endpoints: selected.compactMap { EndpointInfo.of($0, selector: selector) },
                                  ports: ports(service, pod: selected.first))
        slice.setMeta("name", .string("\(service.metaName)-\(nameSuffix)"))
        return slice
    }

    /// A new EndpointSlice of a Service (named by generateName) listing `endpoints`.
    static func endpointSlice(for service: JSONValue, endpoints: [EndpointInfo], ports: [JSONValue]) -> JSONValue {
        var labels = service.metaLabels
        labels["kubernetes.io/service-name"] = service.metaName
        labels["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io"
        if service[path: ["spec", "clusterIP"]]?.string == "None" { labels["service.kubernetes.io/headless"] = "" }
        return [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": [
                "generateName": .string("\(service.metaName)-"), "namespace": .string(service.metaNamespace),
                "labels": JSONValue.stringObject(labels),
                "ownerReferences": [
                    ["apiVersion": "v1", "kind": "Service", "name": .string(service.metaName), "uid": .string(service.metaUID), "controller": true, "blockOwnerDeletion": true]
                ],
            ],
            "addressType": "IPv4",
            "endpoints": .array(endpoints.map { $0.json(namespace: service.metaNamespace) }),
            "ports": .array(ports),
        ]
    }

    /// The Endpoints object of a Service, as the endpoints controller writes it.
    public static func endpoints(for service: JSONValue, pods: [JSONValue]) -> JSONValue {
        let selected = selectedPods(service, in: pods)
        func address(_ pod: JSONValue) -> JSONValue {
            var a = JSONObject()
            a["ip"] = pod[path: ["status", "podIP"]] ?? ""
            if let node = pod[path: ["spec", "nodeName"]] { a["nodeName"] = node }
            a["targetRef"] = ["kind": "Pod", "namespace": .string(pod.metaNamespace), "name": .string(pod.metaName), "uid": .string(pod.metaUID)]
            return .object(a)
        }
        let ready = selected.filter(WorkloadStatus.isReady).map(address)
        let notReady = selected.filter { !WorkloadStatus.isReady($0) }.map(address)
        var subset = JSONObject()
        if !ready.isEmpty { subset["addresses"] = .array(ready) }
        if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
        subset["ports"] = .array(ports(service, pod: selected.first))
        var obj: JSONValue = [
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": .string(service.metaName), "namespace": .string(service.metaNamespace)],
        ]
        if !service.metaLabels.isEmpty { obj.setMeta("labels", service[path: ["metadata", "labels"]]) }
        if !selected.isEmpty { obj["subsets"] = [.object(subset)] }
        return obj
    }
}
