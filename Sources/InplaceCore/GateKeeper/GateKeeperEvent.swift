/// Something a gate keeper did or ran into, for its log.
public enum GateKeeperEvent: Sendable, Equatable {
    /// It set `InPlaceUpdateReady=True` on the pod; `at` is the RFC 3339 time.
    case marked(namespace: String, name: String, at: String)
    /// It set `InPlaceUpdateReady=True` on a pod that the abandoned rollout `rollout` had already
    /// restarted on its target images.
    case restored(namespace: String, name: String, rollout: String, at: String)
    /// A write failed; it is tried again after `delay` seconds.
    case retrying(namespace: String, name: String, reason: String, delay: Double)
    /// The API server refused the write as invalid; the pod is left until it changes.
    case refused(namespace: String, name: String, reason: String)
    /// A watch gave up; it is started again after `delay` seconds.
    case watchFailed(path: String, reason: String, delay: Double)
    /// A scope was listed (first, or after the watch lost track): `pending` of its `pods` need the condition.
    case synced(path: String, pods: Int, pending: Int)
}
