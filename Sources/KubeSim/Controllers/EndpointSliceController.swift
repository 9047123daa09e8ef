import JSON

/// One endpoint of a Service as its EndpointSlices list it.
struct EndpointInfo: Equatable {
    var podName: String
    var uid: String
    var ip: String
    var node: String?
    var ready: Bool
    var serving: Bool
    var terminating: Bool

    /// The endpoint of `pod` for a Service selecting `selector` (nil when the pod is not selected
    /// or has no IP or finished), as ShouldPodBeInEndpoints and the slice conditions decide.
    static func of(_ pod: JSONValue, selector: [String: String]) -> EndpointInfo? {
        let labels = pod.metaLabels
        guard !selector.isEmpty, selector.allSatisfy({ labels[$0.key] == $0.value }) else { return nil }
        guard let ip = pod[path: ["status", "podIP"]]?.string, !ip.isEmpty else { return nil }
        let phase = pod.podPhase
        guard phase != "Succeeded" && phase != "Failed" else { return nil }
        let terminating = pod.isTerminating
        let ready = pod.isPodReady
        return EndpointInfo(
            podName: pod.metaName, uid: pod.metaUID, ip: ip, node: pod.nodeName.isEmpty ? nil : pod.nodeName, ready: ready && !terminating,
            serving: ready, terminating: terminating)
    }

    /// The endpoint in an EndpointSlice of `namespace`.
    func json(namespace: String) -> JSONValue {
        var e = JSONObject()
        e["addresses"] = [.string(ip)]
        e["conditions"] = ["ready": .bool(ready), "serving": .bool(serving), "terminating": .bool(terminating)]
        if let node { e["nodeName"] = .string(node) }
        e["targetRef"] = ["kind": "Pod", "namespace": .string(namespace), "name": .string(podName), "uid": .string(uid)]
        return .object(e)
    }

    /// Reads an endpoint back from a slice.
    static func from(slice endpoint: JSONValue) -> EndpointInfo? {
        guard let uid = endpoint[path: ["targetRef", "uid"]]?.string, let name = endpoint[path: ["targetRef", "name"]]?.string,
            let ip = endpoint["addresses"]?[0]?.string
        else { return nil }
        return EndpointInfo(
            podName: name, uid: uid, ip: ip, node: endpoint["nodeName"]?.string, ready: endpoint[path: ["conditions", "ready"]]?.bool ?? false,
            serving: endpoint[path: ["conditions", "serving"]]?.bool ?? false, terminating: endpoint[path: ["conditions", "terminating"]]?.bool ?? false)
    }
}

/// The EndpointSlice controller (and the Endpoints controller): for every Service with a selector,
/// EndpointSlices `<svc>-<5 chars>` (at most `maxEndpointsPerSlice` endpoints each) and an
/// Endpoints object listing the selected pods with an IP and their ready/serving/terminating
/// conditions. Pod changes reach them after the endpoint propagation latency, so a pod that just
/// turned NotReady stays listed as ready for that long.
final class EndpointSliceController {
    unowned let engine: ClusterEngine

    struct ServiceState {
        var uid: String
        var selector: [String: String]
        /// The last endpoint state sent down the propagation delay, by pod uid.
        var scheduled: [String: EndpointInfo] = [:]
        /// The endpoints the slices show (or are about to), by pod uid.
        var published: [String: EndpointInfo] = [:]
        var sliceOf: [String: String] = [:]
        var members: [String: Set<String>] = [:] {
            didSet { order = [:] }
        }
        /// Each slice's members by pod name, worked out again when membership changes.
        var order: [String: [String]] = [:]
        /// The endpoint as the slices show it, by pod uid (built once per change).
        var json: [String: JSONValue] = [:]
        /// Published endpoints by pod name, for the Endpoints object; worked out again when one
        /// comes or goes.
        var publishedOrder: [String]?
        /// Published endpoints not in a slice yet, and slice members no longer published.
        var unassigned = Set<String>()
        var removed = Set<String>()
        var dirtySlices = Set<String>()
        var endpointsDirty = false
        /// When the Endpoints object may be written next (writes are batched).
        var endpointsNotBefore = 0.0
        var endpointsResyncScheduled = false
        var ready: [EndpointInfo]?
    }

    private var services: [ObjectKey: ServiceState] = [:]
    private var byNamespace: [String: Set<ObjectKey>] = [:]
    private var dirty = Set<ObjectKey>()

    init(engine: ClusterEngine) { self.engine = engine }

    var hasWork: Bool { !dirty.isEmpty }
    private var delay: Double { engine.options.latencies.endpointPropagation }

    /// The least time between two writes of one Service's Endpoints object (its EndpointSlices are
    /// not batched).
    static let endpointsBatchPeriod = 0.1
    /// The most addresses an Endpoints object lists (the endpoints controller's maxCapacity).
    static let endpointsCapacity = 1000
    static let overCapacity = "endpoints.kubernetes.io/over-capacity"

    /// A batched Endpoints write is due.
    func endpointsResync(_ key: ObjectKey) {
        guard services[key] != nil else { return }
        services[key]!.endpointsResyncScheduled = false
        dirty.insert(key)
    }

    func markDirty(_ key: ObjectKey) {
        guard services[key] != nil else { return }
        services[key]?.endpointsDirty = true
        dirty.insert(key)
    }

    /// The endpoints of a Service listed as ready now, by pod name.
    func readyEndpoints(_ key: ObjectKey) -> [EndpointInfo] {
        guard services[key] != nil else { return [] }
        if let r = services[key]!.ready { return r }
        let r = services[key]!.published.values.filter(\.ready).sorted { $0.podName < $1.podName }
        services[key]!.ready = r
        return r
    }

    // MARK: Startup

    /// Takes over the slices and Endpoints that exist (seeded ones) and schedules what differs.
    func adoptAll() {
        for (key, svc) in engine.cache.all(Resources.services).sorted(by: { $0.key < $1.key }) {
            serviceChanged(key, old: nil, new: svc, adopting: true)
        }
    }

    // MARK: Events

    func serviceChanged(_ key: ObjectKey, old: JSONValue?, new: JSONValue?, adopting: Bool = false) {
        let selector = JSONValue.stringMap(new?[path: ["spec", "selector"]])
        guard let new, !selector.isEmpty else {
            if services.removeValue(forKey: key) != nil {
                byNamespace[key.namespace]?.remove(key)
                if new == nil, engine.cache.get(Resources.endpoints, key) != nil { engine.delete(Resources.endpoints, key) }
            }
            return
        }
        if var state = services[key], state.uid == new.metaUID {
            let selectorChanged = state.selector != selector
            let portsChanged = old?[path: ["spec", "ports"]] != new[path: ["spec", "ports"]]
            state.selector = selector
            if portsChanged {
                state.dirtySlices.formUnion(state.members.keys)
                state.endpointsDirty = true
                dirty.insert(key)
            }
            services[key] = state
            if selectorChanged { rescan(key) }
            return
        }
        var state = ServiceState(uid: new.metaUID, selector: selector)
        for slice in engine.cache.inNamespace(Resources.endpointSlices, key.namespace) where Self.belongs(slice, to: new) {
            let name = slice.metaName
            state.members[name] = []
            for e in slice["endpoints"]?.array ?? [] {
                guard let info = EndpointInfo.from(slice: e) else { continue }
                state.published[info.uid] = info
                state.json[info.uid] = info.json(namespace: key.namespace)
                state.scheduled[info.uid] = info
                state.sliceOf[info.uid] = name
                state.members[name, default: []].insert(info.uid)
            }
        }
        if state.members.isEmpty || engine.cache.get(Resources.endpoints, key) == nil || !adopting {
            state.endpointsDirty = true
            dirty.insert(key)
        }
        services[key] = state
        byNamespace[key.namespace, default: []].insert(key)
        rescan(key)
    }

    static func belongs(_ slice: JSONValue, to svc: JSONValue) -> Bool {
        let labels = slice.metaLabels
        return labels["kubernetes.io/service-name"] == svc.metaName
            && labels["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io"
    }

    /// Recomputes every pod of the Service's namespace.
    private func rescan(_ key: ObjectKey) {
        guard let state = services[key] else { return }
        var seen = Set<String>()
        for pod in engine.cache.inNamespace(Resources.pods, key.namespace) {
            seen.insert(pod.metaUID)
            update(key, uid: pod.metaUID, EndpointInfo.of(pod, selector: state.selector))
        }
        for uid in state.scheduled.keys where !seen.contains(uid) { update(key, uid: uid, nil) }
    }

    func podChanged(old: JSONValue?, new: JSONValue?) {
        guard let pod = new ?? old else { return }
        for key in byNamespace[pod.metaNamespace] ?? [] {
            guard let state = services[key] else { continue }
            update(key, uid: pod.metaUID, new.flatMap { EndpointInfo.of($0, selector: state.selector) })
        }
    }

    /// Sends a pod's new endpoint state down the propagation delay when it changed.
    private func update(_ key: ObjectKey, uid: String, _ info: EndpointInfo?) {
        guard services[key]?.scheduled[uid] != info else { return }
        services[key]?.scheduled[uid] = info
        engine.after(delay, .endpoint(service: key, podUID: uid, info: info))
    }

    func sliceChanged(old: JSONValue?, new: JSONValue?) {
        guard new == nil, let old else { return }
        let name = old.metaName
        let key = ObjectKey(namespace: old.metaNamespace, name: old.metaLabels["kubernetes.io/service-name"] ?? "")
        guard var state = services[key], let members = state.members[name] else { return }
        for uid in members {
            state.sliceOf[uid] = nil
            state.removed.remove(uid)
            if state.published[uid] != nil { state.unassigned.insert(uid) }
        }
        state.members[name] = nil
        state.dirtySlices.remove(name)
        services[key] = state
        dirty.insert(key)
    }

    /// The propagation delay of one change is over: the slices show it from now on.
    func publish(service key: ObjectKey, podUID: String, info: EndpointInfo?) {
        guard services[key] != nil else { return }
        let old = services[key]!.published[podUID]
        guard old != info else { return }
        services[key]!.published[podUID] = info
        services[key]!.json[podUID] = info?.json(namespace: key.namespace)
        if (old == nil) != (info == nil) { services[key]!.publishedOrder = nil }
        if let slice = services[key]!.sliceOf[podUID] {
            services[key]!.dirtySlices.insert(slice)
            if info == nil { services[key]!.removed.insert(podUID) }
        } else if info != nil {
            services[key]!.unassigned.insert(podUID)
        } else {
            services[key]!.unassigned.remove(podUID)
        }
        services[key]!.endpointsDirty = true
        services[key]!.ready = nil
        dirty.insert(key)
        if old?.ready != info?.ready {
            let name = info?.podName ?? old?.podName ?? ""
            let pod = engine.cache.get(Resources.pods, ObjectKey(namespace: key.namespace, name: name)).flatMap { $0.metaUID == podUID ? $0 : nil }
                ?? ["metadata": ["name": .string(name), "namespace": .string(key.namespace), "uid": .string(podUID)]]
            engine.record(pod, .endpoint(service: key.name, ready: info?.ready))
        }
    }

    // MARK: Writes

    func reconcile() {
        guard !dirty.isEmpty else { return }
        let keys = dirty.sorted()
        dirty.removeAll()
        for key in keys { sync(key) }
    }

    private func sync(_ key: ObjectKey) {
        guard let svc = engine.cache.get(Resources.services, key), services[key]?.uid == svc.metaUID, var state = services.removeValue(forKey: key) else { return }
        defer { services[key] = state }
        let max = Swift.max(1, engine.options.maxEndpointsPerSlice)
        for uid in state.removed {
            guard state.published[uid] == nil, let slice = state.sliceOf[uid] else { continue }
            state.sliceOf[uid] = nil
            state.members[slice]?.remove(uid)
            state.dirtySlices.insert(slice)
        }
        state.removed.removeAll()
        for name in state.dirtySlices {
            guard let members = state.members[name], members.count > max else { continue }
            let excess = members.compactMap { state.published[$0] }.sorted { $0.podName < $1.podName }.dropFirst(max)
            for e in excess {
                state.members[name]?.remove(e.uid)
                state.sliceOf[e.uid] = nil
                state.unassigned.insert(e.uid)
            }
        }
        var newcomers = state.unassigned.compactMap { uid in state.sliceOf[uid] == nil ? state.published[uid] : nil }.sorted { $0.podName < $1.podName }
        state.unassigned.removeAll()
        for name in state.members.keys.sorted() where !newcomers.isEmpty {
            while (state.members[name]?.count ?? 0) < max, !newcomers.isEmpty {
                let e = newcomers.removeFirst()
                state.members[name, default: []].insert(e.uid)
                state.sliceOf[e.uid] = name
                state.dirtySlices.insert(name)
            }
        }
        let ports = ServiceEndpoints.ports(svc, pod: state.published.values.first.flatMap { engine.cache.get(Resources.pods, ObjectKey(namespace: key.namespace, name: $0.podName)) })
        while !newcomers.isEmpty || state.members.isEmpty {
            let chunk = Array(newcomers.prefix(max))
            newcomers.removeFirst(chunk.count)
            guard let created = engine.create(Resources.endpointSlices, namespace: key.namespace, ServiceEndpoints.endpointSlice(for: svc, endpoints: chunk, ports: ports)) else { break }
            state.members[created.metaName] = Set(chunk.map(\.uid))
            for e in chunk { state.sliceOf[e.uid] = created.metaName }
        }
        for name in state.dirtySlices.sorted() {
            guard let members = state.members[name] else { continue }
            if members.isEmpty && state.members.count > 1 {
                state.members[name] = nil
                engine.delete(Resources.endpointSlices, ObjectKey(namespace: key.namespace, name: name))
                continue
            }
            let order: [String]
            if let known = state.order[name] {
                order = known
            } else {
                order = members.compactMap { uid in state.published[uid].map { ($0.podName, uid) } }.sorted { $0.0 < $1.0 }.map(\.1)
                state.order[name] = order
            }
            let endpoints = order.compactMap { state.json[$0] }
            let written = engine.update(Resources.endpointSlices, ObjectKey(namespace: key.namespace, name: name)) { o in
                o["endpoints"] = .array(endpoints)
                o["ports"] = .array(ports)
                return true
            }
            if written == nil {
                for uid in members {
                    state.sliceOf[uid] = nil
                    if state.published[uid] != nil { state.unassigned.insert(uid) }
                }
                state.members[name] = nil
                dirty.insert(key)
            }
        }
        state.dirtySlices.removeAll()
        if state.endpointsDirty {
            let now = engine.now
            if now >= state.endpointsNotBefore {
                state.endpointsDirty = false
                state.endpointsNotBefore = now + Self.endpointsBatchPeriod
                let order = state.publishedOrder ?? state.published.map { ($0.value.podName, $0.key) }.sorted { $0.0 < $1.0 }.map(\.1)
                state.publishedOrder = order
                writeEndpoints(svc, key, order.compactMap { state.published[$0] }, ports: ports)
            } else if !state.endpointsResyncScheduled {
                state.endpointsResyncScheduled = true
                engine.after(state.endpointsNotBefore - now, .endpointsResync(service: key))
            }
        }
    }

    private func writeEndpoints(_ svc: JSONValue, _ key: ObjectKey, _ endpoints: [EndpointInfo], ports: [JSONValue]) {
        func address(_ e: EndpointInfo) -> JSONValue {
            var a = JSONObject()
            a["ip"] = .string(e.ip)
            if let n = e.node { a["nodeName"] = .string(n) }
            a["targetRef"] = ["kind": "Pod", "namespace": .string(key.namespace), "name": .string(e.podName), "uid": .string(e.uid)]
            return .object(a)
        }
        var readyList = endpoints.filter(\.ready)
        var notReadyList = endpoints.filter { !$0.ready && !$0.terminating }
        let truncated = readyList.count + notReadyList.count > Self.endpointsCapacity
        if truncated {
            readyList = Array(readyList.prefix(Self.endpointsCapacity))
            notReadyList = Array(notReadyList.prefix(Self.endpointsCapacity - readyList.count))
        }
        let ready = readyList.map(address)
        let notReady = notReadyList.map(address)
        var subsets: JSONValue?
        if !ready.isEmpty || !notReady.isEmpty {
            var subset = JSONObject()
            if !ready.isEmpty { subset["addresses"] = .array(ready) }
            if !notReady.isEmpty { subset["notReadyAddresses"] = .array(notReady) }
            subset["ports"] = .array(ports)
            subsets = [.object(subset)]
        }
        if engine.cache.get(Resources.endpoints, key) != nil || engine.store.get(Resources.endpoints, namespace: key.namespace, name: key.name) != nil {
            engine.update(Resources.endpoints, key) { o in
                o["subsets"] = subsets
                var ann = o[path: ["metadata", "annotations"]]?.object ?? JSONObject()
                ann[Self.overCapacity] = truncated ? "truncated" : nil
                o.setMeta("annotations", ann.isEmpty ? nil : .object(ann))
                return true
            }
        } else {
            var obj: JSONValue = ["apiVersion": "v1", "kind": "Endpoints", "metadata": ["name": .string(key.name), "namespace": .string(key.namespace)]]
            if !svc.metaLabels.isEmpty { obj.setMeta("labels", svc[path: ["metadata", "labels"]]) }
            if truncated { obj.setMeta("annotations", [Self.overCapacity: "truncated"]) }
            if let subsets { obj["subsets"] = subsets }
            engine.create(Resources.endpoints, namespace: key.namespace, obj)
        }
    }
}
