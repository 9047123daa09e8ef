import Foundation
import Testing
@testable import InplaceCore

/// Issue 12 (client cost): the rollout loop drains its events into a buffer it keeps, swapped with
/// the queue's, and gets exactly what `drain` would have returned.
@Suite struct EventQueueTests {
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
