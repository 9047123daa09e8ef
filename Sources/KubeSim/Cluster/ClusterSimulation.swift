import Foundation
import JSON
import Synchronization

/// The behaving cluster behind a `KubeSimServer`: a scheduler, a kubelet for every node, the
/// ReplicaSet, Deployment, StatefulSet, DaemonSet and EndpointSlice controllers and virtual load
/// generators, all on one simulation thread driven by store changes and a timer queue. Tests read
/// its `transitions` log and traffic counters, start and stop traffic, change latencies, and wait
/// for it to settle.
public final class ClusterSimulation: Sendable {
    /// The options the simulation started with (later `setLatencies`/`setImageBehaviour` calls are not reflected here).
    public let options: ClusterOptions
    /// Pod transitions (created, deleted, containers killed/started, readiness, conditions, endpoints).
    public let transitions: TransitionLog

    let api: APIServer
    let mailbox = SimulationMailbox()
    let board = TrafficBoard()
    private struct Running: Sendable {
        var subscription: StoreSubscription
        var pumpDone: DispatchSemaphore
        var loopDone: DispatchSemaphore
    }
    private let running = Mutex<Running?>(nil)

    init(api: APIServer, options: ClusterOptions) {
        self.api = api
        self.options = options
        self.transitions = TransitionLog()
    }

    /// True while the simulation thread runs.
    public var isRunning: Bool { running.withLock { $0 != nil } && !mailbox.isStopped }

    /// Starts the simulation from the store's current state (does nothing when disabled or running).
    func start() {
        guard options.enabled else { return }
        running.withLock { r in
            guard r == nil else { return }
            let (snapshot, rv, sub) = api.store.subscribeWithSnapshot(StoreSubscription.Filter())
            let pumpDone = DispatchSemaphore(value: 0)
            let loopDone = DispatchSemaphore(value: 0)
            let mailbox = self.mailbox
            let pump = Thread {
                ThreadScheduling.runAsBatch()
                while let batch = sub.nextBatch() { mailbox.push(batch) }
                pumpDone.signal()
            }
            pump.name = "kube-sim-store-pump"
            let api = self.api
            let options = self.options
            let log = self.transitions
            let board = self.board
            let loop = Thread {
                let engine = ClusterEngine(api: api, options: options, mailbox: mailbox, log: log, board: board)
                engine.run(snapshot: snapshot, snapshotRV: rv)
                loopDone.signal()
            }
            loop.name = "kube-sim-cluster"
            loop.stackSize = 8 << 20
            pump.start()
            loop.start()
            r = Running(subscription: sub, pumpDone: pumpDone, loopDone: loopDone)
        }
    }

    /// Stops the simulation thread (the API server keeps serving).
    public func stop() {
        guard let r = running.withLock({ r -> Running? in
            let old = r
            r = nil
            return old
        }) else { return }
        mailbox.stop()
        r.subscription.cancel()
        _ = r.pumpDone.wait(timeout: .now() + 5)
        _ = r.loopDone.wait(timeout: .now() + 5)
    }

    /// Holds the simulation between two of its steps (e.g. while seeding more objects).
    func suspend() { if isRunning { mailbox.suspend() } }

    /// Lets a suspended simulation continue.
    func resume() { if isRunning { mailbox.resume(through: api.store.resourceVersion) } }

    private func post(_ c: ClusterCommand) {
        guard isRunning else { return }
        let ack = DispatchSemaphore(value: 0)
        mailbox.post(c, ack: ack)
        _ = ack.wait(timeout: .now() + 5)
    }

    // MARK: Traffic

    /// Starts (or restarts, with new settings) the load generator of a Service.
    public func startTraffic(_ spec: TrafficSpec) { post(.startTraffic(spec)) }

    /// Starts the load generator of Service `service`: `rate` requests per second served by
    /// `container` (nil: each pod's first container).
    public func startTraffic(service: String, namespace: String = "default", rate: Double = 100, container: String? = nil) {
        startTraffic(TrafficSpec(service: service, namespace: namespace, rate: rate, container: container))
    }

    /// Stops the load generator of a Service (its counters stay readable).
    public func stopTraffic(service: String, namespace: String = "default") {
        post(.stopTraffic(ObjectKey(namespace: namespace, name: service)))
    }

    /// The counters of a Service's load generator.
    public func traffic(service: String, namespace: String = "default") -> TrafficCounters {
        board.get(ObjectKey(namespace: namespace, name: service))
    }

    /// Zeroes the counters of one Service's generator, or of all when `service` is nil.
    public func resetTraffic(service: String? = nil, namespace: String = "default") {
        post(.resetTraffic(service.map { ObjectKey(namespace: namespace, name: $0) }))
    }

    // MARK: Behaviour

    /// Changes the latencies from now on (steps already scheduled keep their times).
    public func setLatencies(_ latencies: Latencies) { post(.setLatencies(latencies)) }

    /// Changes which images fail from now on.
    public func setImageBehaviour(_ images: ImageBehaviour) { post(.setImages(images)) }

    // MARK: Waiting

    /// Waits until the simulation has seen every change made so far and has nothing left to do
    /// (back-off retries and traffic do not count). False on timeout.
    @discardableResult
    public func waitUntilIdle(timeout: Double = 10) -> Bool {
        guard isRunning else { return false }
        return mailbox.waitUntilIdle(targetRV: api.store.resourceVersion, timeout: timeout)
    }

    /// Waits until `condition` holds, re-checking it after every step of the simulation (no
    /// polling). False on timeout.
    @discardableResult
    public func wait(timeout: Double = 10, until condition: () -> Bool) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            let seen = mailbox.iterations
            if condition() { return true }
            if Date() >= deadline { return false }
            if !isRunning {
                Thread.sleep(forTimeInterval: 0.01)
                continue
            }
            _ = mailbox.waitForIteration(after: seen, deadline: min(deadline, Date(timeIntervalSinceNow: 0.25)))
        }
    }
}
