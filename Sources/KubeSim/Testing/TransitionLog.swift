import Foundation
import Synchronization

/// One thing that happened to a pod in the simulated cluster.
public struct PodTransition: Sendable {
    /// What happened.
    public enum Kind: Sendable, Equatable {
        /// The pod was already there when the simulation started (with its readiness then).
        case observed(ready: Bool)
        /// The pod object was created (ready when created already Ready, e.g. by seeding).
        case created(ready: Bool)
        /// The scheduler bound the pod to a node.
        case scheduled(node: String)
        /// The pod object is gone.
        case deleted
        /// The pod was marked for deletion (its deletionTimestamp set): the workload controllers
        /// stop counting it, as upstream's do, though it runs until its containers have stopped.
        case terminating
        /// The pod's Ready condition changed.
        case ready(Bool)
        /// A condition the kubelet does not own changed (e.g. a readiness gate's), or appeared.
        case condition(type: String, status: String)
        /// The kubelet began stopping a container; `message` says why ("Container app definition changed, will be restarted").
        case containerKilled(container: String)
        /// A container instance started.
        case containerStarted(container: String, image: String, restartCount: Int)
        /// A container instance exited.
        case containerExited(container: String, exitCode: Int)
        /// A container became ready or not ready.
        case containerReady(container: String, ready: Bool)
        /// A container waits for a reason (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, InvalidImageName).
        case containerWaiting(container: String, reason: String)
        /// The kubelet admitted a resize of the pod's resources (`PodResizeInProgress`).
        case resizeAdmitted
        /// The runtime applied the admitted resources.
        case resizeApplied
        /// The endpoint of the pod in a Service's EndpointSlices became ready or not ready, or was removed (nil).
        case endpoint(service: String, ready: Bool?)
    }

    /// When it happened.
    public let time: Date
    /// Seconds since the simulation started.
    public let elapsed: Double
    /// The pod's namespace.
    public let namespace: String
    /// The pod's name.
    public let pod: String
    /// The pod's uid.
    public let uid: String
    /// The workload the pod belongs to ("Deployment/web", "StatefulSet/db", "DaemonSet/agent", "Pod/x").
    public let workload: String
    /// What happened.
    public let kind: Kind
    /// The kubelet's message, when there is one.
    public let message: String?
}

/// The log of pod transitions in the simulated cluster, with queries for tests; thread-safe.
public final class TransitionLog: Sendable {
    private let entries_ = Mutex<[PodTransition]>([])

    /// An empty log.
    public init() {}

    func append(_ t: PodTransition) { entries_.withLock { $0.append(t) } }

    /// Every transition, oldest first.
    public var entries: [PodTransition] { entries_.withLock { $0 } }

    /// The number of entries.
    public var count: Int { entries_.withLock { $0.count } }

    /// The entries from position `index` on (for scanning a growing log without copying all of it).
    public func entries(from index: Int) -> [PodTransition] {
        entries_.withLock { e in index < e.count ? Array(e[max(0, index)...]) : [] }
    }

    /// Forgets every entry.
    public func clear() { entries_.withLock { $0.removeAll() } }

    /// The transitions of one pod (by name, optionally in a namespace).
    public func entries(pod: String, namespace: String? = nil) -> [PodTransition] {
        entries.filter { $0.pod == pod && (namespace == nil || $0.namespace == namespace!) }
    }

    /// The transitions of the pods of a workload ("Deployment/web").
    public func entries(workload: String) -> [PodTransition] { entries.filter { $0.workload == workload } }

    /// Names of the pods deleted (optionally of one workload), in order.
    public func deletedPods(workload: String? = nil) -> [String] {
        entries.filter { $0.kind == .deleted && (workload == nil || $0.workload == workload!) }.map(\.pod)
    }

    /// Names of the pods created after the simulation started (optionally of one workload), in order.
    public func createdPods(workload: String? = nil) -> [String] {
        entries.filter {
            if case .created = $0.kind { return workload == nil || $0.workload == workload! }
            return false
        }.map(\.pod)
    }

    /// True when any pod (optionally of one workload) was deleted.
    public func wasAnyPodDeleted(workload: String? = nil) -> Bool { !deletedPods(workload: workload).isEmpty }

    /// How many times a container (by name) was restarted: instances started with a restart count above zero.
    public func restarts(container: String, pod: String? = nil, workload: String? = nil) -> Int {
        entries.filter {
            guard pod == nil || $0.pod == pod!, workload == nil || $0.workload == workload! else { return false }
            if case .containerStarted(let c, _, let n) = $0.kind { return c == container && n > 0 }
            return false
        }.count
    }

    /// How many times the kubelet began stopping a container (by name).
    public func kills(container: String, pod: String? = nil, workload: String? = nil) -> Int {
        entries.filter {
            guard pod == nil || $0.pod == pod!, workload == nil || $0.workload == workload! else { return false }
            if case .containerKilled(let c) = $0.kind { return c == container }
            return false
        }.count
    }

    /// The most pods of a workload that were not Ready at the same time (pods count from their
    /// creation, or from the start of the simulation, until they are deleted).
    public func maxNotReady(workload: String) -> Int {
        var notReady = Set<String>()
        var peak = 0
        for e in entries where e.workload == workload {
            switch e.kind {
            case .observed(let ready), .created(let ready):
                if ready { notReady.remove(e.uid) } else { notReady.insert(e.uid) }
            case .ready(let ready):
                if ready { notReady.remove(e.uid) } else { notReady.insert(e.uid) }
            case .deleted:
                notReady.remove(e.uid)
            default:
                continue
            }
            peak = max(peak, notReady.count)
        }
        return peak
    }

    /// The fewest and the most pods of a workload that were Ready, and the most that existed, at the
    /// same time from entry `index` on (the state at `index` counts; pods count from their creation,
    /// or the start of the simulation, until they are deleted).
    public func podCounts(workload: String, from index: Int = 0) -> (minReady: Int, maxReady: Int, maxPods: Int) {
        var ready = Set<String>(), live = Set<String>()
        var counts = (minReady: Int.max, maxReady: 0, maxPods: 0)
        for (i, e) in entries.enumerated() where e.workload == workload || i == index {
            if e.workload == workload {
                switch e.kind {
                case .observed(let r), .created(let r), .ready(let r):
                    live.insert(e.uid)
                    if r { ready.insert(e.uid) } else { ready.remove(e.uid) }
                case .deleted:
                    live.remove(e.uid)
                    ready.remove(e.uid)
                default:
                    break
                }
            }
            guard i >= index else { continue }
            counts.minReady = min(counts.minReady, ready.count)
            counts.maxReady = max(counts.maxReady, ready.count)
            counts.maxPods = max(counts.maxPods, live.count)
        }
        if counts.minReady == Int.max { counts.minReady = ready.count }
        return counts
    }

    /// The kinds of the transitions of one pod, in order (handy for asserting sequences).
    public func kinds(pod: String, namespace: String? = nil) -> [PodTransition.Kind] { entries(pod: pod, namespace: namespace).map(\.kind) }
}
