import Foundation
import Synchronization
import Testing
@testable import InplaceCore

/// The host the loops of many workloads run their passes on: one pass at a time, woken by posts from
/// other threads and by timers, and driven by another waiting thread once the driver's loop ends.
@Suite struct LoopHostTests {
    /// What the hosted loops saw, and on which threads their passes ran.
    final class Tally: @unchecked Sendable {
        let lock = NSLock()
        var seen: [[Int]]
        var ticks: [Int]
        var threads: Set<UInt> = []
        var running = 0
        var overlapped = false

        init(count: Int) {
            seen = Array(repeating: [], count: count)
            ticks = Array(repeating: 0, count: count)
        }
    }

    @Test("loops handed over by many threads: one pass at a time; posts from another thread and timers wake them; when the driver's loop ends first, another thread drives")
    func hostsLoops() {
        let count = 5
        let host = LoopHost(watchLoop: nil)
        let queues = (0..<count).map { _ in EventQueue<Int>() }
        let tally = Tally(count: count)
        let group = DispatchGroup()
        // Loop 0 ends after 3 events, loops 1-3 after 10, loop 4 (never posted to) after 5 ticks of its 10 ms timer.
        @Sendable func ends(_ i: Int) -> Bool {
            i == 4 ? tally.ticks[i] >= 5 : tally.seen[i].count >= (i == 0 ? 3 : 10)
        }
        func start(_ i: Int) {
            group.enter()
            let thread = Thread {
                let queue = queues[i]
                queue.hosted(by: host)
                var batch: [Int] = []
                host.run(pass: {
                    tally.lock.lock()
                    tally.running += 1
                    if tally.running > 1 { tally.overlapped = true }
                    tally.threads.insert(UInt(pthread_self()))
                    tally.lock.unlock()
                    queue.take(into: &batch)
                    tally.lock.lock()
                    tally.seen[i] += batch
                    tally.ticks[i] += 1
                    let done = ends(i)
                    tally.running -= 1
                    tally.lock.unlock()
                    return done ? nil : SystemClock().monotonic + 0.01
                }, ready: { queue.hasItems })
                queue.hosted(by: nil)
                group.leave()
            }
            thread.start()
        }
        start(0)
        usleep(50_000)  // loop 0's thread drives
        for i in 1..<count { start(i) }
        usleep(50_000)
        for n in 0..<10 {
            for q in queues.prefix(4) { q.post(n) }
            usleep(5_000)
        }
        #expect(group.wait(timeout: .now() + 10) == .success, "every loop ended")
        tally.lock.lock()
        defer { tally.lock.unlock() }
        #expect(!tally.overlapped, "passes never overlap")
        #expect(Array(tally.seen[0].prefix(3)) == [0, 1, 2], "loop 0 saw its first events, in order")
        for i in 1..<4 { #expect(tally.seen[i] == Array(0..<10), "loop \(i) saw every event, in order") }
        #expect(tally.seen[4].isEmpty && tally.ticks[4] >= 5, "a loop with no events runs on its timer")
        #expect(tally.threads.count >= 2, "the driving passed on when loop 0 ended: \(tally.threads.count) threads ran passes")
    }
}
