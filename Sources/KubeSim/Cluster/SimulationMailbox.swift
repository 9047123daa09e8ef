import Foundation
import Synchronization

/// A request to the simulation thread from another thread.
enum ClusterCommand: Sendable {
    case startTraffic(TrafficSpec)
    case stopTraffic(ObjectKey)
    case resetTraffic(ObjectKey?)
    case setLatencies(Latencies)
    case setImages(ImageBehaviour)
}

/// The hand-over point between the threads of a simulation: the store pump delivers events, other
/// threads post commands, and the simulation thread takes both in batches, sleeping until the next
/// timer when there is nothing to do. Also publishes progress (idle, processed resourceVersion)
/// for tests that wait on the simulation. All state is guarded by one condition lock.
/// `@unchecked`: every `var` is guarded by the condition variable the simulation thread and waiting tests sleep on.
final class SimulationMailbox: @unchecked Sendable {
    struct Batch {
        var events: [StoreEvent]
        var commands: [(ClusterCommand, DispatchSemaphore?)]
    }

    private let condition = NSCondition()
    private var events: [StoreEvent] = []
    private var commands: [(ClusterCommand, DispatchSemaphore?)] = []
    private var stopped = false
    private var suspended = 0
    private var busy = true
    private var idle = false
    private var processedRV = 0
    private var pushedRV = 0
    private var requiredRV = 0
    private var iteration: UInt64 = 0

    func push(_ batch: [StoreEvent]) {
        condition.lock()
        events.append(contentsOf: batch)
        pushedRV = batch.reduce(pushedRV) { max($0, $1.resourceVersion) }
        idle = false
        condition.broadcast()
        condition.unlock()
    }

    func post(_ c: ClusterCommand, ack: DispatchSemaphore?) {
        condition.lock()
        commands.append((c, ack))
        idle = false
        condition.broadcast()
        condition.unlock()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// The simulation thread's wait: the next batch of events and commands, or an empty batch once
    /// `deadline` (monotonic seconds) has passed; nil after `stop()`.
    func next(deadline: Double?) -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        busy = false
        condition.broadcast()
        while true {
            if stopped { return nil }
            if suspended == 0 && pushedRV >= requiredRV {
                if !events.isEmpty || !commands.isEmpty {
                    let b = Batch(events: events, commands: commands)
                    events = []
                    commands = []
                    busy = true
                    idle = false
                    return b
                }
                if let d = deadline, SimClock.now() >= d {
                    busy = true
                    return Batch(events: [], commands: [])
                }
            }
            if let d = deadline, suspended == 0, pushedRV >= requiredRV {
                _ = condition.wait(until: Date(timeIntervalSinceNow: max(0, d - SimClock.now())))
            } else {
                condition.wait()
            }
        }
    }

    /// Records the end of an iteration.
    func finish(processedRV rv: Int, idle isIdle: Bool) {
        condition.lock()
        processedRV = max(processedRV, rv)
        idle = isIdle && events.isEmpty && commands.isEmpty
        iteration &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Holds the simulation thread between iterations until `resume()`.
    func suspend() {
        condition.lock()
        suspended += 1
        while busy && !stopped { condition.wait() }
        condition.unlock()
    }

    /// Lets the simulation continue once every change up to `rv` has reached the mailbox (so it
    /// sees what was written meanwhile as one batch).
    func resume(through rv: Int) {
        condition.lock()
        suspended = max(0, suspended - 1)
        requiredRV = max(requiredRV, rv)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the simulation has seen every change up to `targetRV` and has nothing left to do
    /// now (no queued events, no pending non-background timers).
    func waitUntilIdle(targetRV: Int, timeout: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while !(idle && !busy && processedRV >= targetRV && events.isEmpty && commands.isEmpty) {
            if stopped { return false }
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// The number of finished iterations.
    var iterations: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return iteration
    }

    /// Waits until an iteration after `after` finished (or the deadline passes).
    func waitForIteration(after: UInt64, deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while iteration == after {
            if stopped { return false }
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }
}

/// The traffic counters, written by the simulation thread and read by tests.
final class TrafficBoard: Sendable {
    private let counters = Mutex<[ObjectKey: TrafficCounters]>([:])

    func update(_ key: ObjectKey, _ body: (inout TrafficCounters) -> Void) {
        counters.withLock { c in body(&c[key, default: TrafficCounters()]) }
    }

    func get(_ key: ObjectKey) -> TrafficCounters { counters.withLock { $0[key] ?? TrafficCounters() } }

    func reset(_ key: ObjectKey?) {
        counters.withLock { c in
            if let key { c[key] = TrafficCounters() } else { for k in c.keys { c[k] = TrafficCounters() } }
        }
    }
}
