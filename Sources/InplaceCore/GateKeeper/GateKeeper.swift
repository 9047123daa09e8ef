import Foundation
import JSON
import KubeFormats

/// Keeps the readiness gates of new pods: watches pods (list, then watch, relisting when the watch
/// loses track) and sets `InPlaceUpdateReady=True` on every pod `GateRule` marks, one conditional
/// status patch each. Conflicts re-read the pod and decide again; other API errors back off.
/// With `restoresAbandoned` it also watches the workloads' rollout records and puts back in service
/// the pods `AbandonedRolloutRule` restores, once their rollout's lease has run out.
/// `@unchecked`: every `var` is guarded by the condition variable the writer thread waits on until the next due write.
public final class GateKeeper: @unchecked Sendable {
    /// A pod waiting for its condition: enough to address a conditional patch.
    struct Pending {
        var namespace: String
        var name: String
        var resourceVersion: String?
        var scope: Int
        /// The abandoned rollout whose pod this is (a restore), or nil (a new pod to mark).
        var rollout: String?
    }

    public let scopes: [GateKeeperScope]
    /// The workload collections whose rollout records are followed (after the pod scopes in watch numbering).
    let workloadPaths: [String]
    private let cluster: any ClusterAPI
    private let writer: String
    private let clock: any RolloutClock
    private let mayWrite: @Sendable () -> Bool
    private let observer: (@Sendable (Int, ClusterWatchEvent) -> Void)?
    private let onEvent: @Sendable (GateKeeperEvent) -> Void
    private let retryBase: Double

    private let condition = NSCondition()
    private var pending: [String: Pending] = [:]
    private var due: [String: Double] = [:]
    private var attempts: [String: Int] = [:]
    private var watches: [Int: any WatchStopping] = [:]
    private var watchRestarts: [Int: Double] = [:]
    private var watchFailures: [Int: Int] = [:]
    private var synced: Set<Int> = []
    /// Pods a rollout holds out of service, with their scope.
    private var held: [String: (pod: Pod, scope: Int)] = [:]
    /// Rollout records by `namespace/rolloutID`, and which record each workload carries (by watch and name).
    private var records: [String: RolloutRecord] = [:]
    private var recordOf: [String: String] = [:]
    /// Held pods to decide again at this monotonic time (when their rollout's lease runs out).
    private var recheck: [String: Double] = [:]
    private var stopped = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - writer: who sets the condition, named in its message (`kubectl-inplace controller <identity>`).
    ///   - mayWrite: asked before every write (the controller answers whether it holds the lease).
    ///   - observer: sees every watch event of scope N as it arrives (to follow pods without a second watch).
    ///   - onEvent: log lines.
    ///   - retryBase: the first backoff delay in seconds (doubling per failure, at most 30 s).
    ///   - restoresAbandoned: also put back in service the pods of rollouts whose holder stopped renewing.
    public init(cluster: any ClusterAPI, scopes: [GateKeeperScope], writer: String, clock: any RolloutClock = SystemClock(),
                mayWrite: @escaping @Sendable () -> Bool = { true },
                observer: (@Sendable (Int, ClusterWatchEvent) -> Void)? = nil,
                onEvent: @escaping @Sendable (GateKeeperEvent) -> Void = { _ in }, retryBase: Double = 0.5,
                restoresAbandoned: Bool = false) {
        self.retryBase = retryBase
        workloadPaths = restoresAbandoned ? Self.workloadPaths(scopes) : []
        self.cluster = cluster
        self.scopes = scopes
        self.writer = writer
        self.clock = clock
        self.mayWrite = mayWrite
        self.observer = observer
        self.onEvent = onEvent
    }

    /// Starts the watches and the writer thread.
    public func start() {
        condition.lock()
        guard !started else { condition.unlock(); return }
        started = true
        condition.unlock()
        for i in 0..<(scopes.count + workloadPaths.count) { startWatch(i) }
        let thread = Thread { [self] in
            self.work()
            self.finished.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops watching and writing; returns once no write is in flight (or after `timeout` seconds).
    public func stop(timeout: Double = 10) {
        condition.lock()
        let wasRunning = started && !stopped
        stopped = true
        let open = watches
        watches = [:]
        condition.broadcast()
        condition.unlock()
        for w in open.values { w.stop() }
        if wasRunning { _ = finished.wait(timeout: .now() + timeout) }
    }

    /// Schedules every known pod that still needs its condition (after winning the lease).
    public func resync() {
        condition.lock()
        let now = clock.monotonic
        for key in pending.keys { due[key] = now }
        condition.broadcast()
        condition.unlock()
    }

    /// True once every scope has been listed.
    public var isSynced: Bool {
        condition.lock()
        defer { condition.unlock() }
        return synced.count == scopes.count
    }

    /// How many known pods wait for their condition.
    public var pendingCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count
    }

    static func key(_ namespace: String, _ name: String) -> String { namespace + "/" + name }

    /// The Deployment, StatefulSet and DaemonSet collections of the scopes' namespaces (all of them
    /// when a scope spans every namespace).
    static func workloadPaths(_ scopes: [GateKeeperScope]) -> [String] {
        let resources = ["deployments", "statefulsets", "daemonsets"]
        let prefix = "/api/v1/namespaces/"
        var namespaces: [String] = []
        for s in scopes {
            guard s.path.hasPrefix(prefix) else { return resources.map { "/apis/apps/v1/\($0)" } }
            let ns = String(s.path.dropFirst(prefix.count).prefix { $0 != "/" })
            if !namespaces.contains(ns) { namespaces.append(ns) }
        }
        return namespaces.flatMap { ns in resources.map { "/apis/apps/v1/namespaces/\(ns)/\($0)" } }
    }

    /// The path watched as number `index`: a pod scope, then the workload collections.
    private func watchPath(_ index: Int) -> String {
        index < scopes.count ? scopes[index].path : workloadPaths[index - scopes.count]
    }

    // MARK: watches

    private func startWatch(_ scope: Int) {
        let watch: any WatchStopping
        if scope < scopes.count {
            let s = scopes[scope]
            watch = cluster.watch(s.path, labelSelector: s.labelSelector, fieldSelector: nil) { [weak self] event in
                self?.handle(event, scope: scope)
            }
        } else {
            watch = cluster.watch(watchPath(scope), labelSelector: nil, fieldSelector: nil) { [weak self] event in
                self?.handleWorkload(event, index: scope)
            }
        }
        condition.lock()
        if stopped {
            condition.unlock()
            watch.stop()
            return
        }
        watches[scope] = watch
        condition.unlock()
    }

    private func handle(_ event: ClusterWatchEvent, scope: Int) {
        var emitted: GateKeeperEvent?
        condition.lock()
        if stopped {
            condition.unlock()
            return
        }
        let now = clock.monotonic
        switch event {
        case .synced(let items):
            for (key, p) in pending where p.scope == scope {
                pending[key] = nil
                due[key] = nil
            }
            for (key, h) in held where h.scope == scope {
                held[key] = nil
                recheck[key] = nil
            }
            for item in items { track(Pod(item), scope: scope, now: now) }
            synced.insert(scope)
            watchFailures[scope] = nil
            emitted = .synced(path: scopes[scope].path, pods: items.count, pending: pending.values.filter { $0.scope == scope }.count)
        case .added(let o), .modified(let o):
            track(Pod(o), scope: scope, now: now)
        case .deleted(let o):
            let pod = Pod(o)
            let key = Self.key(pod.namespace, pod.name)
            pending[key] = nil
            due[key] = nil
            attempts[key] = nil
            held[key] = nil
            recheck[key] = nil
        case .failed(let error):
            emitted = watchFailed(scope, error, now: now)
        }
        condition.broadcast()
        condition.unlock()
        observer?(scope, event)
        if let emitted { onEvent(emitted) }
    }

    /// Forgets a watch that gave up and schedules its restart (call with the lock held).
    private func watchFailed(_ index: Int, _ error: ClusterOperationError, now: Double) -> GateKeeperEvent {
        watches[index] = nil
        let failures = (watchFailures[index] ?? 0) + 1
        watchFailures[index] = failures
        let delay = backoff(failures)
        watchRestarts[index] = now + delay
        return .watchFailed(path: watchPath(index), reason: error.message, delay: delay)
    }

    /// Follows the rollout records of one workload collection.
    private func handleWorkload(_ event: ClusterWatchEvent, index: Int) {
        var emitted: GateKeeperEvent?
        condition.lock()
        if stopped {
            condition.unlock()
            return
        }
        let now = clock.monotonic
        let prefix = "\(index)|"
        func note(_ object: JSONValue, present: Bool) {
            let w = Workload(kind: .deployment, object: object)
            let slot = prefix + w.namespace + "/" + w.name
            if let old = recordOf[slot] { records[old] = nil }
            recordOf[slot] = nil
            if present, let r = RolloutRecord(workload: object) {
                let key = w.namespace + "/" + r.id
                records[key] = r
                recordOf[slot] = key
            }
        }
        switch event {
        case .synced(let items):
            for (slot, key) in recordOf where slot.hasPrefix(prefix) {
                records[key] = nil
                recordOf[slot] = nil
            }
            for item in items { note(item, present: true) }
            watchFailures[index] = nil
        case .added(let o), .modified(let o): note(o, present: true)
        case .deleted(let o): note(o, present: false)
        case .failed(let error): emitted = watchFailed(index, error, now: now)
        }
        for key in held.keys { decideHeld(key, now: now) }
        condition.broadcast()
        condition.unlock()
        if let emitted { onEvent(emitted) }
    }

    /// Records what the rules say about a pod (call with the lock held).
    private func track(_ pod: Pod, scope: Int, now: Double) {
        let key = Self.key(pod.namespace, pod.name)
        guard GateRule.decide(pod) == .mark else {
            if !workloadPaths.isEmpty && AbandonedRolloutRule.isHeldByRollout(pod) {
                held[key] = (pod, scope)
                decideHeld(key, now: now)
                return
            }
            held[key] = nil
            recheck[key] = nil
            pending[key] = nil
            due[key] = nil
            attempts[key] = nil
            return
        }
        held[key] = nil
        recheck[key] = nil
        schedule(key, pod: pod, scope: scope, rollout: nil, now: now)
    }

    /// Queues a write for a pod: due now unless it already waits for a retry (call with the lock held).
    private func schedule(_ key: String, pod: Pod, scope: Int, rollout: String?, now: Double) {
        let isNew = pending[key] == nil
        pending[key] = Pending(namespace: pod.namespace, name: pod.name, resourceVersion: pod.resourceVersion, scope: scope,
                               rollout: rollout)
        if isNew || due[key] == nil && attempts[key] == nil { due[key] = now }
    }

    /// Decides a held pod against its rollout's record and the wall clock (call with the lock held).
    private func decideHeld(_ key: String, now: Double) {
        guard let (pod, scope) = held[key] else { return }
        let update = PodUpdateRecord(pod: pod)
        let record = update.flatMap { records[pod.namespace + "/" + $0.rolloutID] }
        let wall = RFC3339.parse(clock.rfc3339) ?? 0
        recheck[key] = nil
        switch AbandonedRolloutRule.decide(pod, record: record, now: wall) {
        case .restore:
            schedule(key, pod: pod, scope: scope, rollout: update?.rolloutID, now: now)
        case .recheck(let at):
            recheck[key] = now + max(0, at - wall)
            fallthrough
        case .leave:
            pending[key] = nil
            due[key] = nil
            attempts[key] = nil
        }
    }

    // MARK: writes

    private func work() {
        while true {
            condition.lock()
            var keys: [String] = []
            var restarts: [Int] = []
            while !stopped {
                let now = clock.monotonic
                restarts = watchRestarts.filter { $0.value <= now }.map(\.key)
                for (key, at) in recheck where at <= now { decideHeld(key, now: now) }
                keys = due.filter { $0.value <= now }.map(\.key).sorted()
                if !keys.isEmpty || !restarts.isEmpty { break }
                let next = (Array(due.values) + Array(watchRestarts.values) + Array(recheck.values)).min() ?? now + 1
                _ = condition.wait(until: Date(timeIntervalSinceNow: max(0.001, min(1, next - now))))
            }
            if stopped {
                condition.unlock()
                return
            }
            for k in keys { due[k] = nil }
            for r in restarts { watchRestarts[r] = nil }
            condition.unlock()
            for r in restarts { startWatch(r) }
            for k in keys {
                guard mayWrite() else { continue }
                mark(k)
                condition.lock()
                let halt = stopped
                condition.unlock()
                if halt { return }
            }
        }
    }

    private func mark(_ key: String) {
        condition.lock()
        guard let entry = pending[key] else {
            condition.unlock()
            return
        }
        condition.unlock()
        var meta: JSONObject = ["namespace": .string(entry.namespace), "name": .string(entry.name)]
        if let rv = entry.resourceVersion { meta["resourceVersion"] = .string(rv) }
        let pod = Pod(.object(JSONObject([("metadata", .object(meta))])))
        let write = entry.rollout.map { GateConditionPatch.restore(pod: pod, rollout: $0, writer: writer, now: clock.rfc3339) }
            ?? GateConditionPatch.markReady(pod: pod, writer: writer, now: clock.rfc3339)
        do {
            _ = try cluster.patch(write.path, type: write.type, body: write.body, dryRun: false)
            forget(key)
            if let rollout = entry.rollout {
                onEvent(.restored(namespace: entry.namespace, name: entry.name, rollout: rollout, at: clock.rfc3339))
            } else {
                onEvent(.marked(namespace: entry.namespace, name: entry.name, at: clock.rfc3339))
            }
        } catch let e as ClusterOperationError {
            switch e.kind {
            case .conflict: reread(key, entry)
            case .notFound: forget(key)
            case .invalid:
                forget(key)
                onEvent(.refused(namespace: entry.namespace, name: entry.name, reason: e.message))
            default: retryLater(key, entry, reason: e.message)
            }
        } catch {
            retryLater(key, entry, reason: "\(error)")
        }
    }

    /// After a conflict: read the pod again and decide again (a rollout may have marked it in flight).
    private func reread(_ key: String, _ entry: Pending) {
        let fresh: Pod
        do {
            fresh = Pod(try cluster.get("/api/v1/namespaces/\(entry.namespace)/pods/\(entry.name)"))
        } catch let e as ClusterOperationError where e.kind == .notFound {
            forget(key)
            return
        } catch {
            retryLater(key, entry, reason: "\(error)")
            return
        }
        condition.lock()
        defer { condition.unlock() }
        track(fresh, scope: entry.scope, now: clock.monotonic)
        guard pending[key] != nil else { return }
        let n = (attempts[key] ?? 0) + 1
        attempts[key] = n
        pending[key]?.resourceVersion = fresh.resourceVersion
        due[key] = clock.monotonic + (n > 3 ? backoff(n - 3) : 0)
        condition.broadcast()
    }

    private func retryLater(_ key: String, _ entry: Pending, reason: String) {
        condition.lock()
        let n = (attempts[key] ?? 0) + 1
        attempts[key] = n
        let delay = backoff(n)
        if pending[key] != nil { due[key] = clock.monotonic + delay }
        condition.broadcast()
        condition.unlock()
        onEvent(.retrying(namespace: entry.namespace, name: entry.name, reason: reason, delay: delay))
    }

    private func forget(_ key: String) {
        condition.lock()
        pending[key] = nil
        due[key] = nil
        attempts[key] = nil
        condition.unlock()
    }

    /// `retryBase` doubling per failure, at most 30 s.
    func backoff(_ failures: Int) -> Double {
        min(30, retryBase * Double(1 << min(max(failures - 1, 0), 10)))
    }
}
