import Foundation
import Locking
import Synchronization

/// Runs the loops of the workloads of one invocation on one thread at a time, instead of each on
/// its own: a workload's thread hands its loop over (`run`) and waits; the driver, one of those
/// threads, runs each workload's pass when its queue has events or its timer is due, and reads the
/// watches itself while it waits, so an event is acted on by the thread that decoded it, with no
/// wake of another thread between them. With 50 workloads each event woke the thread of the
/// workload it concerned: about one wake-up per pod event. When the driver's own workload ends,
/// another waiting thread drives; the driver goes on with its workload's end.
///
/// `@unchecked`: the entries and the driver are guarded by `state`; a pass runs on the driver only,
/// and an entry's closures are its workload's, which no other thread touches while it is hosted.
public final class LoopHost: @unchecked Sendable {
    /// One hosted loop.
    final class Entry {
        /// Runs one pass; returns when to run the next at the latest (monotonic seconds), or nil
        /// when the loop has ended.
        let pass: () -> Double?
        /// True when the loop's queue holds events.
        let ready: () -> Bool
        var wakeAt: Double
        var done = false
        /// Set when this entry's thread is to drive.
        var drives = false

        init(pass: @escaping () -> Double?, ready: @escaping () -> Bool, wakeAt: Double) {
            self.pass = pass
            self.ready = ready
            self.wakeAt = wakeAt
        }
    }

    private let clock: any RolloutClock
    /// The watches' loop the driver reads while it waits (nil: it waits on `state`).
    private let watchLoop: (any WaitLoop)?
    private let state = NSCondition()
    private var entries: [Entry] = []
    /// A wake came while the driver was not waiting: it looks at the queues before it waits again.
    private var woken = false
    /// The driving thread (`pthread_self`; 0: none), read without the lock by `wake`.
    private let driverThread = Atomic<UInt>(0)
    /// The watch loop adopted by the driver in this stretch of driving.
    private var adopted: (any WaitLoop)?

    /// A host waiting on `watchLoop` between passes, timed by `clock`.
    public init(watchLoop: (any WaitLoop)?, clock: any RolloutClock = SystemClock()) {
        self.watchLoop = watchLoop
        self.clock = clock
    }

    /// Runs a loop on the host until it ends: `pass` runs one pass (nil: the loop has ended),
    /// `ready` tells whether its queue holds events. Returns on the calling thread once the loop
    /// ended (the calling thread may have driven other loops meanwhile).
    func run(pass: @escaping () -> Double?, ready: @escaping () -> Bool) {
        let me = UInt(pthread_self())
        state.lock()
        let entry = Entry(pass: pass, ready: ready, wakeAt: clock.monotonic)
        entries.append(entry)
        if driverThread.load(ordering: .acquiring) == 0 {
            driverThread.store(me, ordering: .releasing)
            state.unlock()
            drive(until: entry)
            return
        }
        woken = true
        wakeDriver()
        while !entry.done && !entry.drives { state.wait() }
        if entry.done {
            state.unlock()
            return
        }
        entry.drives = false
        driverThread.store(me, ordering: .releasing)
        state.unlock()
        drive(until: entry)
    }

    /// Runs the hosted passes until `own` has ended, then hands the driving to another entry's thread.
    /// A queue's readiness is asked without `state` held: a post takes its queue's lock, then `state`.
    private func drive(until own: Entry) {
        let loop = watchLoop.flatMap { $0.adopt() ? $0 : nil }
        state.lock()
        adopted = loop
        state.unlock()
        while true {
            state.lock()
            woken = false
            let list = entries
            state.unlock()
            let now = clock.monotonic
            for entry in list where !entry.done && (entry.wakeAt <= now || entry.ready()) {
                if let next = entry.pass() {
                    entry.wakeAt = next
                } else {
                    finish(entry)
                }
            }
            if own.done { break }
            // Events that came during the passes go round again before any wait.
            if list.contains(where: { !$0.done && $0.ready() }) { continue }
            state.lock()
            if woken {
                state.unlock()
                continue
            }
            let wakeAt = entries.lazy.filter { !$0.done }.map(\.wakeAt).min() ?? (clock.monotonic + 1)
            let remaining = wakeAt - clock.monotonic
            if remaining <= 0 {
                state.unlock()
                continue
            }
            if let loop {
                state.unlock()
                loop.wait(seconds: remaining)
            } else {
                _ = state.wait(until: Date(timeIntervalSinceNow: min(remaining, 3600)))
                state.unlock()
            }
        }
        state.lock()
        adopted = nil
        state.unlock()
        // The watch loop goes back before the next driver adopts it.
        loop?.release()
        state.lock()
        if let next = entries.first(where: { !$0.done }) {
            next.drives = true
            driverThread.store(1, ordering: .releasing)  // taken: the next driver sets its own
            state.broadcast()
        } else {
            driverThread.store(0, ordering: .releasing)
        }
        state.unlock()
    }

    /// Marks `entry` ended and lets its thread go on.
    private func finish(_ entry: Entry) {
        state.lock()
        entry.done = true
        entries.removeAll { $0 === entry }
        state.broadcast()
        state.unlock()
    }

    /// Ends the driver's wait (with `state` held).
    private func wakeDriver() {
        if let adopted { adopted.wake() } else { state.broadcast() }
    }

    /// A hosted queue got an event: the driver looks at the queues (a post by the driver itself is
    /// seen after its pass or turn).
    func wake() {
        guard driverThread.load(ordering: .acquiring) != UInt(pthread_self()) else { return }
        state.lock()
        woken = true
        wakeDriver()
        state.unlock()
    }
}
