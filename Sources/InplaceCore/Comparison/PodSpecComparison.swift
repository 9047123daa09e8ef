import JSON

/// Compares a desired pod template with a live pod the way the API server would see them:
/// fields the server defaulted or admission injected are not differences; images, cpu/memory,
/// labels and annotations are changes; anything else that differs is a field that cannot be
/// changed in place.
public enum PodSpecComparison {
    /// The difference between `template` (`{metadata, spec}`) and the live `pod` of a `kind` workload.
    ///
    /// - Parameters:
    ///   - previous: the metadata of the template the pod came from: keys it has and `template`
    ///     lacks are removed from the pod (nil: no key is removed).
    ///   - selector: the workload's selector, which the pod's new labels must still match.
    public static func compare(template: JSONValue, pod: JSONValue, kind: WorkloadKind, previous: JSONValue? = nil,
                               selector: LabelSelector? = nil) -> SpecDifference {
        var c = Comparator()
        c.compareSpec(desired: template["spec"] ?? .emptyObject, live: liveSpec(of: pod, kind: kind))
        return difference(c, template: template, pod: pod, previous: previous, selector: selector)
    }

    /// `compare(template:pod:kind:previous:selector:)` against the template of `cache`, taking the
    /// spec half from the cache when a pod of the same spec was compared before.
    public static func compare(pod: JSONValue, kind: WorkloadKind, previous: JSONValue? = nil, selector: LabelSelector? = nil,
                               cache: inout SpecComparisonCache) -> SpecDifference {
        let c = cache.comparator(live: liveSpec(of: pod, kind: kind))
        return difference(c, template: cache.template, pod: pod, previous: previous, selector: selector)
    }

    /// The pod's spec as it is compared: a DaemonSet pod's without the node pin its controller adds.
    static func liveSpec(of pod: JSONValue, kind: WorkloadKind) -> JSONValue {
        let spec = pod["spec"] ?? .emptyObject
        return kind == .daemonSet ? stripDaemonSetNodeAffinity(spec) : spec
    }

    /// The whole difference from the spec comparison `c`: the metadata compared, its blocks added.
    private static func difference(_ c: Comparator, template: JSONValue, pod: JSONValue, previous: JSONValue?,
                                   selector: LabelSelector?) -> SpecDifference {
        var c = c
        let restarting = Set(c.images.map(\.container) + c.resources.filter(\.restarts).map(\.container))
        let sidecars = (template[path: ["spec", "initContainers"]]?.array ?? []).filter { $0["restartPolicy"]?.string == "Always" }
        let metadata = MetadataComparison.compare(
            desired: template["metadata"], live: pod["metadata"], previous: previous,
            containers: (template[path: ["spec", "containers"]]?.array ?? []) + sidecars, restarting: restarting, selector: selector)
        for b in metadata.blocked where !c.blocked.contains(b) { c.blocked.append(b) }
        var difference = SpecDifference(imageChanges: c.images, blockedFields: c.blocked, resourceChanges: c.resources,
                                        metadataChanges: metadata.changes)
        difference.sidecars = c.sidecars
        return difference
    }

    /// Removes the `metadata.name` node affinity term the DaemonSet controller pins each pod with.
    static func stripDaemonSetNodeAffinity(_ spec: JSONValue) -> JSONValue {
        let termsPath = ["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]
        guard let terms = spec[path: termsPath]?.array else { return spec }
        var out = spec
        let kept: [JSONValue] = terms.compactMap { term in
            var t = term
            let fields = (term["matchFields"]?.array ?? []).filter { $0["key"]?.string != "metadata.name" }
            t["matchFields"] = fields.isEmpty ? nil : .array(fields)
            return (t.object?.isEmpty ?? true) ? nil : t
        }
        out[path: termsPath] = kept.isEmpty ? nil : .array(kept)
        for depth in stride(from: termsPath.count - 1, through: 1, by: -1) {
            let p = Array(termsPath.prefix(depth))
            if let o = out[path: p]?.object, o.isEmpty { out[path: p] = nil }
        }
        return out
    }
}

/// The recursive semantic comparison behind `PodSpecComparison`.
struct Comparator: Equatable {
    var images: [ImageChange] = []
    var blocked: [String] = []
    var resources: [ResourceChange] = []
    /// The native sidecars among `images`.
    var sidecars: [String] = []

    private mutating func block(_ field: String) {
        if !blocked.contains(field) { blocked.append(field) }
    }

    mutating func compareSpec(desired: JSONValue, live: JSONValue) {
        compareContainerList(desired: desired["containers"], live: live["containers"], key: "containers")
        compareContainerList(desired: desired["initContainers"], live: live["initContainers"], key: "initContainers")
        if !resources.isEmpty {
            var resized = live
            var containers = live["containers"]?.array ?? []
            let wanted = desired["containers"]?.array ?? []
            for i in containers.indices where i < wanted.count { containers[i]["resources"] = wanted[i]["resources"] }
            resized["containers"] = .array(containers)
            let before = ResourceComparison.qosClass(live), after = ResourceComparison.qosClass(resized)
            if before != after { block("QoS class \(before) → \(after) (pods/resize cannot change it)") }
        }
        Self.allKeys(desired, live) { key, d, p in
            if key != "containers" && key != "initContainers" && !Self.equal(d, p, schema: key) { block("spec.\(key)") }
            return true
        }
    }

    mutating func compareContainerList(desired: JSONValue?, live: JSONValue?, key: String) {
        let want = desired?.array ?? []
        let have = live?.array ?? []
        let wantNames = want.map { $0["name"]?.string ?? "" }
        let haveNames = have.map { $0["name"]?.string ?? "" }
        guard wantNames == haveNames else {
            let added = wantNames.filter { !haveNames.contains($0) }
            let removed = haveNames.filter { !wantNames.contains($0) }
            var what: [String] = []
            if !added.isEmpty { what.append("added \(added.joined(separator: ","))") }
            if !removed.isEmpty { what.append("removed \(removed.joined(separator: ","))") }
            if what.isEmpty { what.append("reordered \(haveNames.joined(separator: ",")) → \(wantNames.joined(separator: ","))") }
            block("spec.\(key) (\(what.joined(separator: "; ")))")
            return
        }
        for (d, p) in zip(want, have) {
            let name = d["name"]?.string ?? ""
            let dImage = d["image"]?.string ?? ""
            let pImage = p["image"]?.string ?? ""
            if dImage != pImage {
                if key == "containers" {
                    images.append(ImageChange(container: name, from: pImage, to: dImage))
                } else if Pod.isSidecar(p) && Pod.isSidecar(d) {
                    images.append(ImageChange(container: name, from: pImage, to: dImage))
                    sidecars.append(name)
                } else {
                    block("spec.\(key)[\(name)].image (init containers do not run again in place)")
                }
            }
            Self.allKeys(d, p) { field, dValue, pValue in
                guard field != "image" && field != "name" else { return true }
                if field == "resources" && key == "containers" && !Self.equal(dValue, pValue, schema: "\(key)[].\(field)") {
                    let r = ResourceComparison.compare(desired: dValue, live: pValue, container: name, liveContainer: p,
                                                       path: "spec.\(key)[\(name)]")
                    resources += r.changes
                    for b in r.blocked { block(b) }
                    return true
                }
                if !Self.equal(dValue, pValue, schema: "\(key)[].\(field)") {
                    block("spec.\(key)[\(name)].\(field)")
                }
                return true
            }
        }
    }

    /// Calls `body` with every key of the objects `a` and `b` (a's in order, then b's others) and
    /// its value in each, until `body` returns false; returns false if it did.
    @discardableResult
    static func allKeys(_ a: JSONValue?, _ b: JSONValue?, _ body: (String, JSONValue?, JSONValue?) -> Bool) -> Bool {
        if case .object(let ao)? = a {
            for m in ao where !body(m.key, m.value, b?[m.key]) { return false }
        }
        if case .object(let bo)? = b {
            for m in bo where a?[m.key] == nil && !body(m.key, nil, m.value) { return false }
        }
        return true
    }

    /// Null, empty lists/objects/strings: what Go's `omitempty` drops.
    static func isEmpty(_ v: JSONValue?) -> Bool {
        switch v {
        case nil, .null?: return true
        case .string(let s)?: return s.isEmpty
        case .array(let a)?: return a.isEmpty
        case .object(let o)?: return o.isEmpty
        default: return false
        }
    }

    /// False and zero: equal to an absent field (omitempty), but significant against a default.
    static func isZero(_ v: JSONValue?) -> Bool {
        v == .bool(false) || v == .int(0)
    }

    static func isQuantity(_ schema: String) -> Bool { SchemaPath.isQuantity(schema) }

    /// Semantic equality of a desired value `d` and a live value `p` at `schema`.
    static func equal(_ d: JSONValue?, _ p: JSONValue?, schema: String) -> Bool {
        // Equal scalars are equal under every rule below (quantities included): decided without them.
        if let d, let p, isScalar(d), d == p { return true }
        let dEmpty = isEmpty(d), pEmpty = isEmpty(p)
        if dEmpty && pEmpty { return true }
        if dEmpty {
            guard let p else { return true }
            if ServerDefaults.anyValue.contains(schema) { return true }
            if let def = ServerDefaults.defaultValue(at: schema), def == p { return true }
            if isZero(p) { return true }
            if let o = p.object {
                return o.members.allSatisfy { equal(nil, $0.value, schema: "\(schema).\($0.key)") }
            }
            if schema == "volumes", let a = p.array { return a.allSatisfy(ServerDefaults.isServiceAccountVolume) }
            if schema == "tolerations", let a = p.array { return a.allSatisfy(isSystemToleration) }
            if SchemaPath.hasSuffix(schema, "[].volumeMounts"), let a = p.array { return a.allSatisfy(isServiceAccountMount) }
            return false
        }
        if pEmpty {
            guard let d else { return true }
            if isZero(d) { return true }
            if let o = d.object {
                return o.members.allSatisfy { equal($0.value, nil, schema: "\(schema).\($0.key)") }
            }
            return false
        }
        guard let d, let p else { return false }
        switch schema {
        case "volumes":
            return keyedEqual(d, p, key: "name", schema: schema, ignoreLive: ServerDefaults.isServiceAccountVolume)
        case "tolerations":
            return tolerationsEqual(d, p)
        case "readinessGates":
            return Set((d.array ?? []).compactMap { $0["conditionType"]?.string })
                == Set((p.array ?? []).compactMap { $0["conditionType"]?.string })
        case "imagePullSecrets":
            return keyedEqual(d, p, key: "name", schema: schema, ignoreLive: { _ in false })
        case _ where SchemaPath.hasSuffix(schema, "[].volumeMounts"):
            return keyedEqual(d, p, key: "mountPath", schema: schema, ignoreLive: isServiceAccountMount)
        case _ where SchemaPath.hasSuffix(schema, "[].ports"):
            return portsEqual(d, p, schema: schema)
        case _ where SchemaPath.hasSuffix(schema, "[].resources"):
            return equalObjects(defaultRequestsFromLimits(d), p, schema: schema)
        default:
            break
        }
        if isQuantity(schema) {
            if let a = quantity(d), let b = quantity(p) { return a == b }
        }
        switch (d, p) {
        case (.object, .object):
            return equalObjects(d, p, schema: schema)
        case let (.array(a), .array(b)):
            guard a.count == b.count else { return false }
            return zip(a, b).allSatisfy { equal($0, $1, schema: "\(schema)[]") }
        default:
            return d == p
        }
    }

    static func isScalar(_ v: JSONValue) -> Bool {
        switch v {
        case .array, .object: return false
        default: return true
        }
    }

    static func equalObjects(_ d: JSONValue, _ p: JSONValue, schema: String) -> Bool {
        allKeys(d, p) { key, dValue, pValue in equal(dValue, pValue, schema: "\(schema).\(key)") }
    }

    static func keyedEqual(
        _ d: JSONValue, _ p: JSONValue, key: String, schema: String, ignoreLive: (JSONValue) -> Bool
    ) -> Bool {
        let want = d.array ?? []
        let have = (p.array ?? []).filter { item in
            !(ignoreLive(item) && !want.contains { $0[key] == item[key] })
        }
        guard want.count == have.count else { return false }
        for w in want {
            guard let h = have.first(where: { $0[key] == w[key] }), equal(w, h, schema: "\(schema)[]") else {
                return false
            }
        }
        return true
    }

    static func portsEqual(_ d: JSONValue, _ p: JSONValue, schema: String) -> Bool {
        func sameKey(_ a: JSONValue, _ b: JSONValue) -> Bool {
            (a["containerPort"]?.int ?? -1) == (b["containerPort"]?.int ?? -1)
                && (a["protocol"]?.string ?? "TCP") == (b["protocol"]?.string ?? "TCP")
        }
        let want = d.array ?? [], have = p.array ?? []
        guard want.count == have.count else { return false }
        for w in want {
            guard let h = have.first(where: { sameKey($0, w) }), equal(w, h, schema: "\(schema)[]") else {
                return false
            }
        }
        return true
    }

    static func tolerationsEqual(_ d: JSONValue, _ p: JSONValue) -> Bool {
        var remaining = p.array ?? []
        for t in d.array ?? [] {
            guard let i = remaining.firstIndex(where: { equal(t, $0, schema: "tolerations[]") }) else { return false }
            remaining.remove(at: i)
        }
        return remaining.allSatisfy(isSystemToleration)
    }

    static func isSystemToleration(_ t: JSONValue) -> Bool {
        ServerDefaults.systemTolerationKeys.contains(t["key"]?.string ?? "")
    }

    static func isServiceAccountMount(_ m: JSONValue) -> Bool {
        m["mountPath"]?.string == ServerDefaults.serviceAccountMountPath
            && (m["name"]?.string ?? "").hasPrefix("kube-api-access-")
    }

    /// SetDefaults_Pod: a resource with a limit but no request gets the limit as its request.
    static func defaultRequestsFromLimits(_ resources: JSONValue) -> JSONValue {
        guard let limits = resources["limits"]?.object, !limits.isEmpty else { return resources }
        var out = resources
        var requests = resources["requests"]?.object ?? JSONObject()
        for m in limits where !requests.contains(m.key) { requests[m.key] = m.value }
        out["requests"] = .object(requests)
        return out
    }

    static func quantity(_ v: JSONValue) -> Quantity? {
        switch v {
        case .string(let s): return Quantity(s)
        case .int(let i): return Quantity(Double(i))
        case .double(let d): return Quantity(d)
        default: return nil
        }
    }
}
