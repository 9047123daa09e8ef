import Foundation
import Locking
import Synchronization
import Testing
@testable import InplaceCore

/// Issue 12 (client cost): the rollout loop is woken once for the events one read or one I/O round
/// delivered, not once per event, and at once for a post outside such a batch.
@Suite("Event queue wake-ups")
struct EventQueueTests {
    /// A consumer thread draining `queue` until `count` elements arrived; the sizes of its drains.
    static func consume(_ queue: EventQueue<Int>, count: Int) -> (drains: @Sendable () -> [Int], done: DispatchSemaphore) {
        let drains = Mutex<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let clock = SystemClock()
            var seen = 0
            while seen < count {
                let got = queue.drain(until: clock.monotonic + 5, clock: clock)
                if got.isEmpty { break }
                seen += got.count
                drains.withLock { $0.append(got.count) }
            }
            done.signal()
        }
        return ({ drains.withLock { $0 } }, done)
    }

    @Test("12: three posts inside one batch, 20 ms apart, reach the waiting consumer in one drain when the batch ends")
    func postsInABatchWakeOnce() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 3)
        usleep(50_000)
        WakeBatch.run {
            for i in 0..<3 {
                queue.post(i)
                usleep(20_000)
            }
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(drains() == [3], "one wake for the batch")
    }

    @Test("12: posts outside a batch wake the waiting consumer each time, at once")
    func postsOutsideABatchWakeAtOnce() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 3)
        usleep(50_000)
        for i in 0..<3 {
            queue.post(i)
            usleep(20_000)
        }
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(drains() == [1, 1, 1])
    }

    @Test("12: post(contentsOf:) hands several elements over in order with one wake")
    func postContentsOf() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 4)
        usleep(50_000)
        queue.post(contentsOf: [1, 2, 3, 4])
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(drains() == [4])
    }

    @Test("12: nested batches wake at the end of the outermost; a batch on another thread does not hold this one's wake")
    func nestedBatches() {
        let queue = EventQueue<Int>()
        let (drains, done) = Self.consume(queue, count: 2)
        usleep(50_000)
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
}
