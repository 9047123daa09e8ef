import JSON

/// The spec comparisons already made against one desired template, by the live spec compared.
///
/// The pods of a workload share their spec but for what the cluster writes on each one (its node,
/// its hostname, the random name of its service-account token volume), and the comparison ignores
/// exactly those parts: a spec with them taken out (`key`) stands for every spec that has them, so
/// 10,000 pods of one ReplicaSet are compared once. A few specs are kept, the last one found first;
/// when most lookups miss (every pod different) the cache stops looking.
public struct SpecComparisonCache: Sendable {
    /// The desired template (`{metadata, spec}`) the pods are compared with.
    public let template: JSONValue
    private let desiredSpec: JSONValue
    private var entries: [(key: JSONValue, comparator: Comparator)] = []
    private(set) var hits = 0, misses = 0

    static let capacity = 8

    /// An empty cache for comparisons against `template`.
    public init(template: JSONValue) {
        self.template = template
        desiredSpec = template["spec"] ?? .emptyObject
    }

    /// True while lookups are worth their cost: until 32 have been made, or while at least half hit.
    private var looking: Bool { misses < 32 || hits >= misses }

    /// The spec comparison of the live spec `live` (a DaemonSet pod's already without its node pin).
    mutating func comparator(live: JSONValue) -> Comparator {
        guard looking else { return Self.compared(desiredSpec, live) }
        let key = Self.key(desired: desiredSpec, live: live)
        if let i = entries.firstIndex(where: { $0.key == key }) {
            hits += 1
            if i > 0 { entries.swapAt(0, i) }
            return entries[0].comparator
        }
        misses += 1
        let c = Self.compared(desiredSpec, key)
        if entries.count == Self.capacity { entries.removeLast() }
        entries.insert((key, c), at: 0)
        return c
    }

    static func compared(_ desired: JSONValue, _ live: JSONValue) -> Comparator {
        var c = Comparator()
        c.compareSpec(desired: desired, live: live)
        return c
    }

    /// The live spec without what the comparison with `desired` ignores whatever its value: the
    /// pod-level fields the cluster sets (`ServerDefaults.anyValue`) that `desired` leaves empty,
    /// service-account token volumes `desired` has no volume of that name for, and token mounts
    /// whose path no mount of the desired container has. Comparing the key gives what comparing
    /// `live` gives.
    static func key(desired: JSONValue, live: JSONValue) -> JSONValue {
        guard case .object(var spec) = live else { return live }
        for field in ServerDefaults.anyValue where spec.contains(field) && Comparator.isEmpty(desired[field]) {
            spec.removeValue(forKey: field)
        }
        if case .array(let volumes)? = spec["volumes"], let want = list(desired["volumes"]) {
            let kept = volumes.filter { v in !(ServerDefaults.isServiceAccountVolume(v) && !want.contains { $0["name"] == v["name"] }) }
            if kept.count != volumes.count { spec["volumes"] = .array(kept) }
        }
        for field in ["containers", "initContainers"] {
            guard case .array(var containers)? = spec[field] else { continue }
            let wanted = desired[field]?.array ?? []
            var changed = false
            for i in containers.indices where i < wanted.count {
                guard case .array(let mounts)? = containers[i]["volumeMounts"], let want = list(wanted[i]["volumeMounts"]) else { continue }
                let kept = mounts.filter { m in
                    !(Comparator.isServiceAccountMount(m) && !want.contains { $0["mountPath"] == m["mountPath"] })
                }
                if kept.count != mounts.count {
                    containers[i]["volumeMounts"] = .array(kept)
                    changed = true
                }
            }
            if changed { spec[field] = .array(containers) }
        }
        return .object(spec)
    }

    /// The elements of a desired list, none when it is absent or null; nil when it is not a list
    /// (then the live list is kept whole).
    private static func list(_ value: JSONValue?) -> [JSONValue]? {
        switch value {
        case nil, .null?: return []
        case .array(let a)?: return a
        default: return nil
        }
    }
}
