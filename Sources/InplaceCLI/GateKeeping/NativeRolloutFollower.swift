import Foundation
import InplaceCore
import JSON

/// Follows the native rollouts of workloads (as `kubectl rollout status` does) while a gate keeper
/// sets `InPlaceUpdateReady=True` on their new pods; done when each workload is rolled out and every
/// one of its pods has the readiness gate and is Ready.
/// Not `Sendable`: the command's thread runs it; watches and the gate keeper reach it through `queue`.
final class NativeRolloutFollower {
    /// How following ended.
    enum Outcome: Equatable {
        case done
        case failed(String)
        case timedOut
        case interrupted
    }

    /// What the watches and the gate keeper report to the following loop.
    enum Update: Sendable {
        case workload(Int, ClusterWatchEvent)
        case pods(Int, ClusterWatchEvent)
        case keeper(GateKeeperEvent)
        case stop
    }

    /// One pod as far as "rolled out and Ready" is concerned.
    struct PodState: Equatable {
        var gated: Bool
        var ready: Bool
        var gone: Bool
        /// Why the pod cannot run, as kubectl rollout status warns (`ImagePullBackOff - ...`).
        var warning: String?
    }

    /// Container waiting reasons kubectl rollout status reports as warnings.
    static let warningReasons: Set<String> = [
        "ImagePullBackOff", "ErrImagePull", "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError",
    ]

    let workloads: [Workload]
    let queue = EventQueue<Update>()
    private let cluster: any ClusterAPI
    private let clock: any RolloutClock
    private let keeper: GateKeeper
    private var watches: [any WatchStopping] = []

    init(cluster: any ClusterAPI, workloads: [Workload], writer: String, clock: any RolloutClock = SystemClock()) {
        self.cluster = cluster
        self.workloads = workloads
        self.clock = clock
        let queue = self.queue
        keeper = GateKeeper(
            cluster: cluster,
            scopes: workloads.map { .namespace($0.namespace, labelSelector: $0.selector?.queryString) },
            writer: writer, clock: clock,
            observer: { scope, event in queue.post(.pods(scope, event)) },
            onEvent: { queue.post(.keeper($0)) })
    }

    /// Starts keeping the gates and watching the workloads (before their templates change, so no new
    /// pod waits for a relist).
    func start() {
        keeper.start()
        for (i, w) in workloads.enumerated() {
            let queue = self.queue
            watches.append(cluster.watch(w.kind.collectionPath(namespace: w.namespace), labelSelector: nil,
                                         fieldSelector: "metadata.name=\(w.name)") { queue.post(.workload(i, $0)) })
        }
    }

    /// Stops the gate keeper and the watches.
    func stop() {
        keeper.stop()
        for w in watches { w.stop() }
        watches = []
    }

    /// Follows until every workload is done, one fails, `timeout` seconds pass (0: no limit) or a stop
    /// is posted; `progress` gets each new status line, `marked` each pod the gate keeper marked.
    func follow(timeout: Double, progress: (String) -> Void, marked: (String) -> Void) -> Outcome {
        let deadline = timeout > 0 ? clock.monotonic + timeout : Double.infinity
        var objects: [Int: JSONValue] = [:]
        var seen: Set<Int> = []
        var pods: [Int: [String: PodState]] = [:]
        var last: [Int: String] = [:]
        while true {
            var allDone = true
            for i in workloads.indices {
                let (status, message) = Self.evaluate(workloads[i], object: objects[i], listed: seen.contains(i), pods: pods[i])
                if case .failed(let why) = status { return .failed(why) }
                if !status.isDone { allDone = false }
                if last[i] != message {
                    last[i] = message
                    if !message.isEmpty { progress(message) }
                }
            }
            if allDone { return .done }
            let now = clock.monotonic
            if now >= deadline { return .timedOut }
            for update in queue.drain(until: min(deadline, now + 3600), clock: clock) {
                switch update {
                case .stop:
                    return .interrupted
                case .keeper(let event):
                    if case .marked(let ns, let name, _) = event { marked("\(ns)/\(name)") }
                case .workload(let i, let event):
                    switch event {
                    case .synced(let items):
                        seen.insert(i)
                        objects[i] = items.first
                    case .added(let o), .modified(let o):
                        seen.insert(i)
                        objects[i] = o
                    case .deleted:
                        return .failed("\(workloads[i].ref) was deleted")
                    case .failed(let e):
                        return .failed("watching \(workloads[i].ref): \(e.message)")
                    }
                case .pods(let i, let event):
                    switch event {
                    case .synced(let items):
                        pods[i] = Dictionary(items.map { Pod($0) }.map { ($0.name, Self.state($0)) }, uniquingKeysWith: { a, _ in a })
                    case .added(let o), .modified(let o):
                        let p = Pod(o)
                        pods[i, default: [:]][p.name] = Self.state(p)
                    case .deleted(let o):
                        pods[i]?[Pod(o).name] = nil
                    case .failed:
                        break
                    }
                }
            }
        }
    }

    static func state(_ pod: Pod) -> PodState {
        var warning: String?
        if let scheduled = pod.condition("PodScheduled"), scheduled["status"]?.string == "False",
           scheduled["reason"]?.string == "Unschedulable" {
            warning = scheduled["message"]?.string ?? "Unschedulable"
        }
        for status in pod.object[path: ["status", "containerStatuses"]]?.array ?? [] {
            if let waiting = status[path: ["state", "waiting"]], let reason = waiting["reason"]?.string, warningReasons.contains(reason) {
                warning = "\(reason) - \(waiting["message"]?.string ?? "")"
                break
            }
        }
        return PodState(gated: pod.hasReadinessGate(), ready: pod.isReady,
                        gone: pod.isTerminating || pod.phase == "Succeeded" || pod.phase == "Failed", warning: warning)
    }

    /// The native status, then the pods: every live one gated and Ready.
    static func evaluate(_ workload: Workload, object: JSONValue?, listed: Bool, pods: [String: PodState]?)
        -> (NativeRolloutStatus, String)
    {
        guard let object else {
            if listed { return (.failed("\(workload.ref) not found in namespace \(workload.namespace)"), "") }
            return (.waiting(""), "")
        }
        let native = NativeRolloutStatus.of(workload.kind, object)
        if case .unsupported(let why) = native { return (.failed("\(workload.ref): \(why)"), why) }
        let warning = pods?.values.filter { !$0.gone }.compactMap(\.warning).sorted().first.map { " (Warning: \($0))" } ?? ""
        guard native.isDone else { return (native, native.message + warning) }
        guard let pods else { return (.waiting(""), "") }
        let live = pods.values.filter { !$0.gone }
        let ungated = live.filter { !$0.gated }.count
        let notReady = live.filter { $0.gated && !$0.ready }.count
        if ungated == 0 && notReady == 0 { return (native, native.message) }
        var parts: [String] = []
        if ungated > 0 { parts.append("\(ungated) pod(s) without the readiness gate") }
        if notReady > 0 { parts.append("\(notReady) pod(s) not Ready") }
        let message = "Waiting for \(workload.ref): \(parts.joined(separator: ", "))...\(warning)"
        return (.waiting(message), message)
    }
}
