/// Receives a rollout's slot hand-overs, for the client's trace (`make bench` measures the time from
/// the event that freed a slot to the first write of the pod that took it). A cluster that traces
/// conforms; a rollout asks only when `tracesHandOffs` is true, so tracing off costs nothing.
public protocol HandOffTracing: Sendable {
    /// True when hand-overs are recorded.
    var tracesHandOffs: Bool { get }
    /// Pods `started` took the slots of the pods `freed` finished, each with the resourceVersion of
    /// the object that showed it done.
    func handedOff(freed: [(pod: String, resourceVersion: String)], started: [String])
}
