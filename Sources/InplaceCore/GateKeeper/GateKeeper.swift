import Foundation
import JSON

/// Keeps the readiness gates of new pods: watches pods (list, then watch, relisting when the watch
/// loses track) and sets `InPlaceUpdateReady=True` on every pod `GateRule` marks, one conditional
/// status patch each. Conflicts re-read the pod and decide again; other API errors back off.
public final class GateKeeper: @unchecked Sendable {
    /// A pod waiting for its condition: enough to address a conditional patch.
    struct Pending {
        var namespace: String
        var name: String
        var resourceVersion: String?
        var scope: Int
    }

    public let scopes: [GateKeeperScope]
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
    private var stopped = false
    private var started = false
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameters:
    ///   - writer: who sets the condition, named in its message (`kubectl-inplace controller <identity>`).
    ///   - mayWrite: asked before every write (the controller answers whether it holds the lease).
    ///   - observer: sees every watch event of scope N as it arrives (to follow pods without a second watch).
    ///   - onEvent: log lines.
    ///   - retryBase: the first backoff delay in seconds (doubling per failure, at most 30 s).
    public init(cluster: any ClusterAPI, scopes: [GateKeeperScope], writer: String, clock: any RolloutClock = SystemClock(),
                mayWrite: @escaping @Sendable () -> Bool = { true },
                observer: (@Sendable (Int, ClusterWatchEvent) -> Void)? = nil,
                onEvent: @escaping @Sendable (GateKeeperEvent) -> Void = { _ in }, retryBase: Double = 0.5) {
        self.retryBase = retryBase
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
        for i in scopes.indices { startWatch(i) }
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

    // MARK: watches

    private func startWatch(_ scope: Int) {
        let s = scopes[scope]
        let watch = cluster.watch(s.path, labelSelector: s.labelSelector, fieldSelector: nil) { [weak self] event in
            self?.handle(event, scope: scope)
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
        case .failed(let error):
            watches[scope] = nil
            let failures = (watchFailures[scope] ?? 0) + 1
            watchFailures[scope] = failures
            let delay = backoff(failures)
            watchRestarts[scope] = now + delay
            emitted = .watchFailed(path: scopes[scope].path, reason: error.message, delay: delay)
        }
        condition.broadcast()
        condition.unlock()
        observer?(scope, event)
        if let emitted { onEvent(emitted) }
    }

    /// Records what the rule says about a pod (call with the lock held).
    private func track(_ pod: Pod, scope: Int, now: Double) {
        let key = Self.key(pod.namespace, pod.name)
        guard GateRule.decide(pod) == .mark else {
            pending[key] = nil
            due[key] = nil
            attempts[key] = nil
            return
        }
        let isNew = pending[key] == nil
        pending[key] = Pending(namespace: pod.namespace, name: pod.name, resourceVersion: pod.resourceVersion, scope: scope)
        if isNew || due[key] == nil && attempts[key] == nil { due[key] = now }
    }

    // MARK: writes

    private func work() {
        while true {
            condition.lock()
            var keys: [String] = []
            var restarts: [Int] = []
            while !stopped {
                let now = clock.monotonic
                keys = due.filter { $0.value <= now }.map(\.key).sorted()
                restarts = watchRestarts.filter { $0.value <= now }.map(\.key)
                if !keys.isEmpty || !restarts.isEmpty { break }
                let next = (Array(due.values) + Array(watchRestarts.values)).min() ?? now + 1
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
        let write = GateConditionPatch.markReady(pod: Pod(.object(JSONObject([("metadata", .object(meta))]))),
                                                 writer: writer, now: clock.rfc3339)
        do {
            _ = try cluster.patch(write.path, type: write.type, body: write.body, dryRun: false)
            forget(key)
            onEvent(.marked(namespace: entry.namespace, name: entry.name, at: clock.rfc3339))
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
        guard GateRule.decide(fresh) == .mark else {
            pending[key] = nil
            due[key] = nil
            attempts[key] = nil
            return
        }
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
