import JSON

/// One container's cpu or memory request or limit changing in place, through `pods/resize`.
public struct ResourceChange: Sendable, Equatable, Hashable {
    public var container: String
    /// `requests` or `limits`.
    public var kind: String
    /// `cpu` or `memory`.
    public var resource: String
    public var from: String
    public var to: String
    /// The live container's resize policy for this resource is `RestartContainer`.
    public var restarts: Bool

    public init(container: String, kind: String, resource: String, from: String, to: String, restarts: Bool = false) {
        self.container = container
        self.kind = kind
        self.resource = resource
        self.from = from
        self.to = to
        self.restarts = restarts
    }

    /// `requests.cpu`.
    public var key: String { "\(kind).\(resource)" }

    /// `app requests.cpu 100m → 150m`.
    public var description: String { "\(container) \(key) \(from) → \(to)" }

    /// The change that undoes this one.
    public var reversed: ResourceChange {
        ResourceChange(container: container, kind: kind, resource: resource, from: to, to: from, restarts: restarts)
    }

    /// True for a memory limit that goes down.
    public var lowersMemoryLimit: Bool {
        guard kind == "limits", resource == "memory", let a = Quantity(from), let b = Quantity(to) else { return false }
        return b.value < a.value
    }
}

/// Splits a container's `resources` difference into what `pods/resize` can change (cpu and memory
/// values) and what it cannot (adding or removing a request or limit, other resources).
enum ResourceComparison {
    /// The resources `pods/resize` can change.
    static let resizable: Set<String> = ["cpu", "memory"]

    static func compare(desired: JSONValue?, live: JSONValue?, container: String, liveContainer: JSONValue,
                        path: String) -> (changes: [ResourceChange], blocked: [String]) {
        let d = Comparator.defaultRequestsFromLimits(desired ?? .emptyObject)
        let p = live ?? .emptyObject
        var changes: [ResourceChange] = []
        var blocked: [String] = []
        for kind in ["requests", "limits"] {
            let want = d[kind]?.object ?? JSONObject(), have = p[kind]?.object ?? JSONObject()
            var names = want.keys
            for k in have.keys where !names.contains(k) { names.append(k) }
            for name in names {
                let a = have[name], b = want[name]
                if let a, let b, let qa = Comparator.quantity(a), let qb = Comparator.quantity(b), qa == qb { continue }
                guard resizable.contains(name) else {
                    blocked.append("\(path).resources.\(kind).\(name) (only cpu and memory can change in place)")
                    continue
                }
                guard let a, let b else {
                    blocked.append("\(path).resources.\(kind).\(name) (\(a == nil ? "added" : "removed"): pods/resize cannot add or remove a request or limit)")
                    continue
                }
                let policy = (liveContainer["resizePolicy"]?.array ?? []).first { $0["resourceName"]?.string == name }?["restartPolicy"]?.string
                changes.append(ResourceChange(container: container, kind: kind, resource: name, from: text(a), to: text(b),
                                              restarts: policy == "RestartContainer"))
            }
        }
        var keys = d.object?.keys ?? []
        for k in p.object?.keys ?? [] where !keys.contains(k) { keys.append(k) }
        for key in keys where key != "requests" && key != "limits" {
            if !Comparator.equal(d[key], p[key], schema: "containers[].resources.\(key)") { blocked.append("\(path).resources.\(key)") }
        }
        return (changes, blocked)
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        default: return v.serialized()
        }
    }

    /// The QoS class of a pod spec's containers (pkg/apis/core/helper/qos).
    static func qosClass(_ spec: JSONValue?) -> String {
        let containers = (spec?["containers"]?.array ?? []) + (spec?["initContainers"]?.array ?? [])
        var any = false
        var guaranteed = true
        for c in containers {
            let r = Comparator.defaultRequestsFromLimits(c["resources"] ?? .emptyObject)
            let requests = r["requests"]?.object ?? JSONObject(), limits = r["limits"]?.object ?? JSONObject()
            for name in resizable {
                let req = requests[name].flatMap(Comparator.quantity), lim = limits[name].flatMap(Comparator.quantity)
                if (req.map { $0.value != 0 } ?? false) || lim != nil { any = true }
                if lim == nil || req != lim { guaranteed = false }
            }
        }
        if !any { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
