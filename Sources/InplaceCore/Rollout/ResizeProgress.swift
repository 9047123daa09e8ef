import Foundation
import JSON

/// Decides from a live pod where its in-place resize stands: written to the spec, admitted by the
/// kubelet, applied by the runtime, or refused (`PodResizePending` Infeasible).
public enum ResizeProgress {
    /// Where the resize stands.
    public enum State: Sendable, Equatable {
        /// Not in the spec yet: the resize PATCH is due.
        case unwritten
        /// Written; the kubelet has not applied it (`deferred`: the `PodResizePending` Deferred message).
        case applying(deferred: String?)
        /// The kubelet refuses it: the condition's reason and message.
        case refused(reason: String, message: String)
        /// Every changed resource shows in the container statuses.
        case applied
    }

    /// The state of `changes` on `pod`.
    public static func state(pod: Pod, changes: [ResourceChange]) -> State {
        guard !changes.isEmpty else { return .applied }
        let spec = pod.object[path: ["spec", "containers"]]?.array ?? []
        func value(_ container: JSONValue?, _ c: ResourceChange) -> Quantity? {
            container?[path: ["resources", c.kind, c.resource]].flatMap(Comparator.quantity)
        }
        let written = changes.allSatisfy { c in
            value(spec.first { $0["name"]?.string == c.container }, c) == Quantity(c.to)
        }
        guard written else { return .unwritten }
        if let pending = pod.condition("PodResizePending"), pending["status"]?.string == "True" {
            let reason = pending["reason"]?.string ?? ""
            let message = pending["message"]?.string ?? ""
            if reason == "Infeasible", isFresh(message, pod: pod) { return .refused(reason: reason, message: message) }
            if reason == "Deferred" { return .applying(deferred: message) }
            return .applying(deferred: nil)
        }
        if pod.conditionIsTrue("PodResizeInProgress") { return .applying(deferred: nil) }
        for c in changes {
            let status = pod.containerStatus(c.container)
            guard value(status, c) == Quantity(c.to) else { return .applying(deferred: nil) }
            if c.kind == "requests", let allocated = status?[path: ["allocatedResources", c.resource]],
               Comparator.quantity(allocated) != Quantity(c.to) {
                return .applying(deferred: nil)
            }
        }
        return .applied
    }

    /// True when an Infeasible message is about the pod's current spec: the kubelet names the pod's
    /// total request (`cpu, requested: 150, capacity: 8000`; millicores, bytes), so a refusal of a
    /// resize since replaced (a rollback) is not taken for one of the current spec.
    static func isFresh(_ message: String, pod: Pod) -> Bool {
        guard let r = message.range(of: "requested: ") else { return true }
        let digits = message[r.upperBound...].prefix { $0.isNumber }
        guard let requested = Int(digits) else { return true }
        let resource = message.contains("memory, requested") ? "memory" : "cpu"
        var total = Quantity("0")!.value
        for c in pod.object[path: ["spec", "containers"]]?.array ?? [] {
            let r = Comparator.defaultRequestsFromLimits(c["resources"] ?? .emptyObject)
            if let q = r[path: ["requests", resource]].flatMap(Comparator.quantity) { total += q.value }
        }
        if resource == "cpu" { total *= 1000 }
        return abs(Double(truncating: (total - Quantity(Double(requested)).value) as NSDecimalNumber)) < 1
    }
}
