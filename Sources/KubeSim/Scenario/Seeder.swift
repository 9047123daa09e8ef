import JSON

/// Seeds a scenario into a running API server the way a cluster would look after its controllers,
/// scheduler and kubelets did their work: nodes, ReplicaSets with `pod-template-hash`,
/// ControllerRevisions, pods with owner references, node names, IPs and kubelet statuses, and
/// workload statuses.
struct Seeder {
    let api: APIServer
    /// The most endpoints the seeded EndpointSlices hold, as the controller that keeps them.
    var maxEndpointsPerSlice = 100
    var store: ObjectStore { api.store }

    struct Node {
        var name: String
        var ip: String
        var podCIDR: String
    }

    func seed(_ s: Scenario) throws(KubeSimError) {
        let nodes = try ensureNodes(s.nodeCount, kubeletVersions: s.kubeletVersions)
        var namespaces: [String] = [s.namespace]
        for m in s.objects + s.workloads.map(\.manifest) where !m.metaNamespace.isEmpty { namespaces.append(m.metaNamespace) }
        for ns in namespaces where store.get(Resources.namespaces, name: ns) == nil {
            try create(Resources.namespaces, namespace: "", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(ns)]])
        }
        api.addImageDigests(s.imageDigests)
        let factory = api.podStatusFactory
        for obj in s.objects.sorted(by: { Self.order($0) < Self.order($1) }) {
            let kind = obj["kind"]?.string ?? ""
            guard let r = Resources.forKind(apiVersion: obj["apiVersion"]?.string ?? "", kind: kind) ?? Resources.forKind(kind) else {
                throw .scenario("unsupported kind \(JSONValue.quote(kind)) (\(obj.metaName))")
            }
            let ns = r.namespaced ? (obj.metaNamespace.isEmpty ? s.namespace : obj.metaNamespace) : ""
            if r == Resources.namespaces, store.get(r, name: obj.metaName) != nil { continue }
            if r == Resources.serviceAccounts, obj.metaName == "default", store.get(r, namespace: ns, name: "default") != nil { continue }
            try create(r, namespace: ns, obj)
        }
        var nodeCursor = 0
        for w in s.workloads {
            let ns = w.manifest.metaNamespace.isEmpty ? s.namespace : w.manifest.metaNamespace
            let overrides = s.podOverrides
            switch w.kind {
            case "Deployment": try seedDeployment(w, ns, nodes, &nodeCursor, factory, overrides)
            case "StatefulSet": try seedStatefulSet(w, ns, nodes, &nodeCursor, factory, overrides)
            case "DaemonSet": try seedDaemonSet(w, ns, nodes, factory, overrides)
            case "Pod": try seedPod(w, ns, nodes, &nodeCursor, factory, overrides)
            default: throw .scenario("unsupported workload kind \(JSONValue.quote(w.kind))")
            }
        }
        try publishEndpoints(namespaces: Set(namespaces), maxPerSlice: maxEndpointsPerSlice)
    }

    /// Creates the Endpoints and EndpointSlices (at most `maxPerSlice` endpoints each, as the
    /// controller keeps them) of every selecting Service that has none yet.
    func publishEndpoints(namespaces: Set<String>, maxPerSlice: Int) throws(KubeSimError) {
        for ns in namespaces.sorted() {
            let pods = store.list(Resources.pods, namespace: ns).items
            for svc in store.list(Resources.services, namespace: ns).items where svc[path: ["spec", "selector"]] != nil {
                if store.get(Resources.endpoints, namespace: ns, name: svc.metaName) == nil {
                    try create(Resources.endpoints, namespace: ns, ServiceEndpoints.endpoints(for: svc, pods: pods))
                }
                let existing = store.list(Resources.endpointSlices, namespace: ns).items.contains {
                    $0.metaLabels["kubernetes.io/service-name"] == svc.metaName
                }
                guard !existing else { continue }
                let selected = ServiceEndpoints.selectedPods(svc, in: pods)
                let size = max(1, maxPerSlice)
                for start in stride(from: 0, to: max(1, selected.count), by: size) {
                    let chunk = Array(selected[start..<min(selected.count, start + size)])
                    try create(Resources.endpointSlices, namespace: ns,
                               ServiceEndpoints.endpointSlice(for: svc, pods: chunk, nameSuffix: api.random.nameSuffix()))
                }
            }
        }
    }

    /// Creation order: namespaces, then service accounts and config, then the rest.
    static func order(_ obj: JSONValue) -> Int {
        switch obj["kind"]?.string ?? "" {
        case "Namespace": return 0
        case "ServiceAccount", "ConfigMap", "Secret": return 1
        default: return 2
        }
    }

    @discardableResult
    func create(_ r: ResourceType, namespace: String, _ obj: JSONValue) throws(KubeSimError) -> JSONValue {
        var o = obj
        do {
            return try api.createObject(r, namespace: namespace, obj: &o, dryRun: false).0
        } catch {
            throw .seeding("\(r.kind) \(JSONValue.quote(obj.metaName)): \(error.message)")
        }
    }

    func ensureNodes(_ count: Int, kubeletVersions: [String: String] = [:]) throws(KubeSimError) -> [Node] {
        var nodes: [Node] = []
        for i in 1...max(1, count) {
            let name = "node-\(i)"
            let ip = "172.18.0.\(i + 1)"
            nodes.append(Node(name: name, ip: ip, podCIDR: "10.244.\(i).0/24"))
            if store.get(Resources.nodes, name: name) != nil { continue }
            let now = Timestamp.now()
            func cond(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
                ["type": .string(type), "status": .string(status), "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now),
                 "reason": .string(reason), "message": .string(message)]
            }
            let node: JSONValue = [
                "apiVersion": "v1", "kind": "Node",
                "metadata": [
                    "name": .string(name),
                    "labels": [
                        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
                        "kubernetes.io/hostname": .string(name), "kubernetes.io/os": "linux",
                    ],
                    "annotations": ["node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"],
                ],
                "spec": ["podCIDR": .string("10.244.\(i).0/24"), "podCIDRs": [.string("10.244.\(i).0/24")], "providerID": .string("kube-sim://\(name)")],
                "status": [
                    "capacity": ["cpu": "8", "ephemeral-storage": "102400Mi", "memory": "32Gi", "pods": "110"],
                    "allocatable": ["cpu": "8", "ephemeral-storage": "102400Mi", "memory": "32Gi", "pods": "110"],
                    "conditions": [
                        cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                    ],
                    "addresses": [["type": "InternalIP", "address": .string(ip)], ["type": "Hostname", "address": .string(name)]],
                    "daemonEndpoints": ["kubeletEndpoint": ["Port": 10250]],
                    "nodeInfo": [
                        "machineID": .string(api.random.hex(32)), "systemUUID": .string(api.random.uuid()), "bootID": .string(api.random.uuid()),
                        "kernelVersion": "6.1.0-kube-sim", "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.18",
                        "kubeletVersion": .string(kubeletVersions[name] ?? api.options.kubernetesVersion),
                        "kubeProxyVersion": .string(kubeletVersions[name] ?? api.options.kubernetesVersion),
                        "operatingSystem": "linux", "architecture": "amd64",
                    ],
                ],
            ]
            do {
                try store.create(Resources.nodes, node)
            } catch {
                throw .seeding("node \(name): \(error)")
            }
        }
        return nodes
    }

    static func ownerReference(_ owner: JSONValue, kind: String) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": .string(kind), "name": .string(owner.metaName), "uid": .string(owner.metaUID), "controller": true, "blockOwnerDeletion": true]
    }

    /// Builds, admits and stores the pods of a workload from its template (one admitted prototype,
    /// then per-pod names, labels, nodes, IPs and statuses), in one store batch.
    func seedPods(
        template: JSONValue, namespace: String, workload: String, names: [String], labels: (Int) -> [String: String],
        owner: JSONValue?, ownerKind: String, nodes: [Node], nodeFor: (Int) -> Int, podConditions: [String: String],
        overrides: [Scenario.PodOverride], factory: PodStatusFactory, customize: (Int, inout JSONValue) -> Void = { _, _ in }
    ) throws(KubeSimError) -> [JSONValue] {
        guard !names.isEmpty else { return [] }
        var proto: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(names[0]), "namespace": .string(namespace)],
            "spec": template["spec"] ?? .emptyObject,
        ]
        if let a = template[path: ["metadata", "annotations"]] { proto.setMeta("annotations", a) }
        proto.setMeta("labels", .object(JSONObject(labels(0).sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        customize(0, &proto)
        let prepared: JSONValue
        do {
            prepared = try api.prepareCreate(Resources.pods, namespace: namespace, proto)
        } catch {
            throw .seeding("pod \(JSONValue.quote(names[0])) of \(workload): \(error.message)")
        }
        let tokenVolume = (prepared[path: ["spec", "volumes"]]?.array ?? []).first { ($0["name"]?.string ?? "").hasPrefix("kube-api-access-") }?["name"]?.string
        var pods: [JSONValue] = []
        pods.reserveCapacity(names.count)
        let now = Timestamp.now()
        for (i, name) in names.enumerated() {
            var pod = prepared
            pod.setMeta("name", .string(name))
            pod.setMeta("uid", .string(api.random.uuid()))
            pod.setMeta("labels", .object(JSONObject(labels(i).sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
            if let owner { pod.setMeta("ownerReferences", [Self.ownerReference(owner, kind: ownerKind)]) }
            if i > 0 {
                var c = pod
                customize(i, &c)
                pod = c
            }
            if let tokenVolume { Self.renameVolume(&pod, from: tokenVolume, to: "kube-api-access-" + api.random.nameSuffix()) }
            let mine = overrides.filter { $0.applies(workload: workload, index: i, podName: name) }
            for o in mine {
                for (k, v) in o.labels { pod[path: ["metadata", "labels", k]] = .string(v) }
                for (k, v) in o.annotations {
                    if pod[path: ["metadata", "annotations"]] == nil { pod.setMeta("annotations", .emptyObject) }
                    pod[path: ["metadata", "annotations", k]] = .string(v)
                }
                if !o.images.isEmpty, var containers = pod[path: ["spec", "containers"]]?.array {
                    for j in containers.indices {
                        if let img = o.images[containers[j]["name"]?.string ?? ""] { containers[j]["image"] = .string(img) }
                    }
                    pod[path: ["spec", "containers"]] = .array(containers)
                }
            }
            let requested = pod[path: ["spec", "nodeName"]]?.string
            let node = nodes.first { $0.name == requested } ?? nodes[nodeFor(i) % nodes.count]
            pod[path: ["spec", "nodeName"]] = .string(node.name)
            pod["status"] = factory.status(
                for: pod, hostIP: node.ip, podIP: api.allocatePodIP(nodePodCIDR: node.podCIDR), startedAt: now, extraConditions: podConditions, overrides: mine)
            pods.append(ObjectMetaOrder.canonical(pod))
        }
        let stored: [JSONValue] = store.batch { b in
            pods.map { p in b.write(Resources.pods, ObjectKey(namespace: namespace, name: p.metaName), .put(p)).object ?? p }
        }
        return stored
    }

    static func renameVolume(_ pod: inout JSONValue, from: String, to: String) {
        if var vols = pod[path: ["spec", "volumes"]]?.array {
            for i in vols.indices where vols[i]["name"]?.string == from { vols[i]["name"] = .string(to) }
            pod[path: ["spec", "volumes"]] = .array(vols)
        }
        for field in ["containers", "initContainers"] {
            guard var list = pod[path: ["spec", field]]?.array else { continue }
            for i in list.indices {
                guard var mounts = list[i]["volumeMounts"]?.array else { continue }
                for j in mounts.indices where mounts[j]["name"]?.string == from { mounts[j]["name"] = .string(to) }
                list[i]["volumeMounts"] = .array(mounts)
            }
            pod[path: ["spec", field]] = .array(list)
        }
    }

    func uniqueNames(prefix: String, count: Int) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        while out.count < count {
            let n = prefix + "-" + api.random.nameSuffix()
            if seen.insert(n).inserted && store.get(Resources.pods, namespace: "", name: n) == nil { out.append(n) }
        }
        return out
    }

    func counts(_ pods: [JSONValue]) -> WorkloadStatus.Counts {
        WorkloadStatus.Counts(total: pods.count, ready: pods.filter(WorkloadStatus.isReady).count, updated: pods.count)
    }

    func setStatus(_ r: ResourceType, _ obj: JSONValue, _ status: JSONValue, annotations: [String: String] = [:]) throws(KubeSimError) {
        do {
            try store.update(r, namespace: obj.metaNamespace, name: obj.metaName) { o in
                o["status"] = status
                for (k, v) in annotations {
                    if o[path: ["metadata", "annotations"]] == nil { o.setMeta("annotations", .emptyObject) }
                    o[path: ["metadata", "annotations", k]] = .string(v)
                }
            }
        } catch {
            throw .seeding("\(r.kind) \(obj.metaName): \(error)")
        }
    }

    func templateLabels(_ template: JSONValue) -> [String: String] { JSONValue.stringMap(template[path: ["metadata", "labels"]]) }

    func seedDeployment(
        _ w: Scenario.Workload, _ ns: String, _ nodes: [Node], _ cursor: inout Int, _ factory: PodStatusFactory, _ overrides: [Scenario.PodOverride]
    ) throws(KubeSimError) {
        var manifest = w.manifest
        if let r = w.replicas { manifest[path: ["spec", "replicas"]] = .int(r) }
        let d = try create(Resources.deployments, namespace: ns, manifest)
        let replicas = d[path: ["spec", "replicas"]]?.int ?? 1
        let template = d[path: ["spec", "template"]] ?? .emptyObject
        let hash = ControllerHash.podTemplateHash(template)
        let rsName = "\(d.metaName)-\(hash)"
        var rsLabels = templateLabels(template)
        rsLabels["pod-template-hash"] = hash
        var rsTemplate = template
        rsTemplate[path: ["metadata", "labels", "pod-template-hash"]] = .string(hash)
        var selector = d[path: ["spec", "selector"]] ?? .emptyObject
        selector[path: ["matchLabels", "pod-template-hash"]] = .string(hash)
        let surge = WorkloadStatus.resolve(d[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]], total: replicas, roundUp: true)
        let rsManifest: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": .string(rsName), "namespace": .string(ns),
                "labels": .object(JSONObject(rsLabels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                "annotations": [
                    "deployment.kubernetes.io/desired-replicas": .string(String(replicas)),
                    "deployment.kubernetes.io/max-replicas": .string(String(replicas + surge)),
                    "deployment.kubernetes.io/revision": "1",
                ],
                "ownerReferences": [Self.ownerReference(d, kind: "Deployment")],
            ],
            "spec": ["replicas": .int(replicas), "selector": selector, "template": rsTemplate],
        ]
        let rs = try create(Resources.replicaSets, namespace: ns, rsManifest)
        let names = uniqueNames(prefix: rsName, count: replicas)
        let start = cursor
        let pods = try seedPods(
            template: rsTemplate, namespace: ns, workload: d.metaName, names: names, labels: { _ in rsLabels }, owner: rs,
            ownerKind: "ReplicaSet", nodes: nodes, nodeFor: { start + $0 }, podConditions: w.podConditions, overrides: overrides,
            factory: factory)
        cursor += replicas
        let c = counts(pods)
        try setStatus(Resources.replicaSets, rs, WorkloadStatus.replicaSet(rs, counts: c))
        try setStatus(Resources.deployments, d, WorkloadStatus.deployment(d, counts: c, newReplicaSet: rsName), annotations: ["deployment.kubernetes.io/revision": "1"])
    }

    func revision(owner: JSONValue, kind: String, template: JSONValue, ns: String) throws(KubeSimError) -> (name: String, hash: String) {
        var t = template
        t["$patch"] = "replace"
        let data: JSONValue = ["spec": ["template": t]]
        let hash = ControllerHash.hash(data)
        let name = "\(owner.metaName)-\(hash)"
        var labels = templateLabels(template)
        labels["controller.kubernetes.io/hash"] = hash
        let cr: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": [
                "name": .string(name), "namespace": .string(ns),
                "labels": .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                "ownerReferences": [Self.ownerReference(owner, kind: kind)],
            ],
            "data": data, "revision": 1,
        ]
        try create(Resources.controllerRevisions, namespace: ns, cr)
        return (name, hash)
    }

    func seedStatefulSet(
        _ w: Scenario.Workload, _ ns: String, _ nodes: [Node], _ cursor: inout Int, _ factory: PodStatusFactory, _ overrides: [Scenario.PodOverride]
    ) throws(KubeSimError) {
        var manifest = w.manifest
        if let r = w.replicas { manifest[path: ["spec", "replicas"]] = .int(r) }
        let sts = try create(Resources.statefulSets, namespace: ns, manifest)
        let replicas = sts[path: ["spec", "replicas"]]?.int ?? 1
        let template = sts[path: ["spec", "template"]] ?? .emptyObject
        let (revName, _) = try revision(owner: sts, kind: "StatefulSet", template: template, ns: ns)
        let names = (0..<replicas).map { "\(sts.metaName)-\($0)" }
        let base = templateLabels(template)
        let serviceName = sts[path: ["spec", "serviceName"]]?.string ?? ""
        let claims = sts[path: ["spec", "volumeClaimTemplates"]]?.array ?? []
        let start = cursor
        let pods = try seedPods(
            template: template, namespace: ns, workload: sts.metaName, names: names,
            labels: { i in
                var l = base
                l["controller-revision-hash"] = revName
                l["statefulset.kubernetes.io/pod-name"] = names[i]
                l["apps.kubernetes.io/pod-index"] = String(i)
                return l
            }, owner: sts, ownerKind: "StatefulSet", nodes: nodes, nodeFor: { start + $0 }, podConditions: w.podConditions,
            overrides: overrides, factory: factory,
            customize: { i, pod in
                pod[path: ["spec", "hostname"]] = .string(names[i])
                if !serviceName.isEmpty { pod[path: ["spec", "subdomain"]] = .string(serviceName) }
                if !claims.isEmpty {
                    let claimNames = claims.compactMap { $0[path: ["metadata", "name"]]?.string }
                    var volumes: [JSONValue] = claimNames.map { c in
                        ["name": .string(c), "persistentVolumeClaim": ["claimName": .string("\(c)-\(names[i])")]]
                    }
                    volumes += (pod[path: ["spec", "volumes"]]?.array ?? []).filter { !claimNames.contains($0["name"]?.string ?? "") }
                    pod[path: ["spec", "volumes"]] = .array(volumes)
                }
            })
        cursor += replicas
        try setStatus(Resources.statefulSets, sts, WorkloadStatus.statefulSet(sts, counts: counts(pods), currentRevision: revName, updateRevision: revName))
    }

    static let daemonSetTolerations: [JSONValue] = [
        ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
        ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
        ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
    ]

    func seedDaemonSet(
        _ w: Scenario.Workload, _ ns: String, _ nodes: [Node], _ factory: PodStatusFactory, _ overrides: [Scenario.PodOverride]
    ) throws(KubeSimError) {
        let ds = try create(Resources.daemonSets, namespace: ns, w.manifest)
        let template = ds[path: ["spec", "template"]] ?? .emptyObject
        let (_, hash) = try revision(owner: ds, kind: "DaemonSet", template: template, ns: ns)
        let names = uniqueNames(prefix: ds.metaName, count: nodes.count)
        var labels = templateLabels(template)
        labels["controller-revision-hash"] = hash
        labels["pod-template-generation"] = ds.metaAnnotations[Strategy.dsTemplateGeneration] ?? "1"
        let hostNetwork = template[path: ["spec", "hostNetwork"]]?.bool ?? false
        let pods = try seedPods(
            template: template, namespace: ns, workload: ds.metaName, names: names, labels: { _ in labels }, owner: ds,
            ownerKind: "DaemonSet", nodes: nodes, nodeFor: { $0 }, podConditions: w.podConditions, overrides: overrides,
            factory: factory,
            customize: { i, pod in
                let term: JSONValue = ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(nodes[i].name)]]]]
                pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]] = [term]
                var tolerations = pod[path: ["spec", "tolerations"]]?.array ?? []
                var add = Self.daemonSetTolerations
                if hostNetwork { add.append(["key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"]) }
                for t in add where !tolerations.contains(t) { tolerations.append(t) }
                pod[path: ["spec", "tolerations"]] = .array(tolerations)
            })
        try setStatus(Resources.daemonSets, ds, WorkloadStatus.daemonSet(ds, counts: counts(pods)))
    }

    func seedPod(
        _ w: Scenario.Workload, _ ns: String, _ nodes: [Node], _ cursor: inout Int, _ factory: PodStatusFactory, _ overrides: [Scenario.PodOverride]
    ) throws(KubeSimError) {
        let m = w.manifest
        let start = cursor
        _ = try seedPods(
            template: m, namespace: ns, workload: m.metaName, names: [m.metaName], labels: { _ in JSONValue.stringMap(m[path: ["metadata", "labels"]]) },
            owner: nil, ownerKind: "", nodes: nodes, nodeFor: { _ in start }, podConditions: w.podConditions, overrides: overrides, factory: factory,
            customize: { _, pod in
                if let node = m[path: ["spec", "nodeName"]] { pod[path: ["spec", "nodeName"]] = node }
            })
        cursor += 1
    }
}
