import Foundation
import Locking
import Synchronization
import Testing
@testable import InplaceCore

/// Issue 12 (client cost): the rollout loop is woken once for the events one read or one I/O round
/// delivered, not once per event, and at once for a post outside such a batch; it drains into a
/// buffer it keeps, swapped with the queue's, and gets exactly what `drain` would have returned.
@Suite("Event queue wake-ups")
struct EventQueueTests {
    /// A consumer thread draining `queue` until `count` elements arrived (it is waiting when this returns);
    /// the sizes of its drains.
    static func consume(_ queue: EventQueue<Int>, count: Int) -> (drains: @Sendable () -> [Int], done: DispatchSemaphore) {
        let drains = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let clock = SystemClock()
            var seen = 0
            started.signal()
            while seen < count {
                let got = queue.drain(until: clock.monotonic + 10, clock: clock)
                if got.isEmpty { break }
                seen += got.count
                drains.withLock { $0.append(got.count) }
            }
            done.signal()
        }
        started.wait()
        usleep(50_000)
        return ({ drains.withLock { $0 } }, done)
    }

    /// Waits up to two seconds for `drains` to hold `total` elements.
    static func arrived(_ drains: () -> [Int], total: Int) -> Bool {
        for _ in 0..<200 {
            if drains().reduce(0, +) >= total { return true }
            usleep(10_000)
        }
        return false
    }

    /// A loop a consumer drives: each turn posts what `feed` gives it to the queue (as decoded events
    /// would be), counting turns and wakes.
    final class FakeLoop: WaitLoop, @unchecked Sendable {
        let state = Mutex<(turns: Int, wakes: Int, feed: [Int])>((0, 0, []))
        weak var queue: EventQueue<Int>?
        func adopt() -> Bool { true }
        func wait(seconds: Double) {
            let feed = state.withLock { s -> [Int] in
                s.turns += 1
                defer { s.feed.removeAll() }
                return s.feed
            }
            if feed.isEmpty { usleep(UInt32(min(seconds, 0.02) * 1_000_000)) }
            WakeBatch.run { for i in feed { queue?.post(i) } }
        }
        func wake() { state.withLock { $0.wakes += 1 } }
        func release() {}
    }

    @Test("12: a consumer driving a loop turns it while it waits: what a turn decodes is drained after it with no wake, a post from another thread wakes the loop, and after run(on: nil) the condition variable wakes it again")
    func consumerDrivesItsLoop() {
        let queue = EventQueue<Int>()
        let loop = FakeLoop()
        loop.queue = queue
        let clock = SystemClock()
        queue.run(on: loop)
        loop.state.withLock { $0.feed = [1, 2] }
        #expect(queue.drain(until: clock.monotonic + 5, clock: clock) == [1, 2])
        #expect(loop.state.withLock { $0.wakes } == 0, "its own turn's posts need no wake")

        let posted = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            usleep(50_000)
            queue.post(3)
            posted.signal()
        }
        #expect(queue.drain(until: clock.monotonic + 5, clock: clock) == [3])
        posted.wait()
        #expect(loop.state.withLock { $0.wakes } == 1, "another thread's post woke the driving consumer through the loop")
        #expect(loop.state.withLock { $0.turns } >= 2)

        queue.run(on: nil)
        let turns = loop.state.withLock { $0.turns }
        Thread.detachNewThread {
            usleep(50_000)
            queue.post(4)
        }
        #expect(queue.drain(until: clock.monotonic + 5, clock: clock) == [4])
        #expect(loop.state.withLock { $0.turns } == turns, "no turn after run(on: nil)")
    }

    @Test("12: three posts inside one batch, 30 ms apart, leave the waiting consumer asleep until the batch ends, then reach it in one drain")
    func postsInABatchWakeOnce() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 3)
        let duringBatch = WakeBatch.run { () -> [Int] in
            for i in 0..<3 {
                queue.post(i)
                usleep(30_000)
            }
            return drains()
        }
        #expect(duringBatch.isEmpty, "not woken inside the batch")
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(drains() == [3], "one wake for the batch")
    }

    @Test("12: a batch holds at most WakeBatch.holdLimit hand-overs: the next one wakes the waiting consumer inside the batch")
    func aLongBatchWakesInParts() {
        let queue = EventQueue<Int>()
        let total = WakeBatch.holdLimit + 1
        let (drains, done) = Self.consume(queue, count: total)
        let duringBatch = WakeBatch.run { () -> Bool in
            for i in 0..<total { queue.post(i) }
            return Self.arrived(drains, total: total)
        }
        #expect(duringBatch, "woken inside the batch once it held \(WakeBatch.holdLimit): \(drains())")
        #expect(done.wait(timeout: .now() + 5) == .success)
    }

    @Test("12: a quiet post leaves the waiting consumer asleep; the next post that wakes it brings both, in order")
    func aQuietPostWaitsForTheNext() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 2)
        queue.postQuietly(1)
        usleep(100_000)
        #expect(drains().isEmpty, "not woken by the quiet post")
        queue.post(2)
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(drains() == [2], "one drain for both")
        let later = EventQueue<Int>()
        later.postQuietly(7)
        #expect(later.drain(until: SystemClock().monotonic + 1, clock: SystemClock()) == [7], "a quiet post is there for the next drain")
    }

    @Test("12: a post outside a batch wakes the waiting consumer at once")
    func postsOutsideABatchWakeAtOnce() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 3)
        for i in 0..<3 {
            queue.post(i)
            #expect(Self.arrived(drains, total: i + 1), "post \(i) taken while the producer waits")
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(drains() == [1, 1, 1])
    }

    @Test("12: nested batches wake at the end of the outermost; a batch on another thread does not hold this one's wake")
    func nestedBatches() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 2)
        WakeBatch.run {
            WakeBatch.run { queue.post(1) }
            usleep(20_000)
            #expect(WakeBatch.isRunning)
            queue.post(2)
        }
        #expect(!WakeBatch.isRunning)
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(drains() == [2])
    }

    @Test("12: drain(into:) empties the batch first, takes every posted element in order, and gives none at the deadline")
    func drainInto() {
        let queue = EventQueue<Int>()
        let clock = SystemClock()
        var batch = [7, 8, 9]
        for i in 0..<5 { queue.post(i) }
        queue.drain(until: clock.monotonic + 5, clock: clock, into: &batch)
        #expect(batch == [0, 1, 2, 3, 4])
        queue.post(5)
        queue.drain(until: clock.monotonic + 5, clock: clock, into: &batch)
        #expect(batch == [5], "the earlier batch is gone, not drained again")
        queue.drain(until: clock.monotonic + 0.05, clock: clock, into: &batch)
        #expect(batch.isEmpty)
        #expect(queue.drain(until: clock.monotonic, clock: clock).isEmpty, "the queue kept nothing")
    }

    @Test("12: a drain waiting in drain(into:) wakes for an element posted from another thread")
    func wakesForPost() {
        let queue = EventQueue<Int>()
        let clock = SystemClock()
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.05)
            queue.post(42)
        }
        var batch: [Int] = []
        queue.drain(until: clock.monotonic + 10, clock: clock, into: &batch)
        #expect(batch == [42])
    }
}
