import Foundation
import Synchronization
import Testing

@testable import InplaceCore

@Suite struct WritePoolTests {
    @Test("a burst as wide as the pool runs at once, not a few at a time")
    func burstRunsConcurrently() {
        let pool = WritePool(width: 32)
        defer { pool.close() }
        let running = Mutex(0)
        let peak = Mutex(0)
        let gate = DispatchSemaphore(value: 0)
        for _ in 0..<32 {
            pool.submit {
                let now = running.withLock { n -> Int in
                    n += 1
                    return n
                }
                peak.withLock { $0 = max($0, now) }
                if now == 32 { for _ in 0..<32 { gate.signal() } }
                _ = gate.wait(timeout: .now() + 5)
                running.withLock { $0 -= 1 }
            }
        }
        pool.waitAll()
        #expect(peak.withLock { $0 } == 32)
    }

    @Test("a batch handed over at once runs as wide as the pool, on idle and new threads alike, and is waited for")
    func batchRunsConcurrently() {
        let pool = WritePool(width: 24)
        defer { pool.close() }
        pool.prestart(8)
        let running = Mutex(0)
        let peak = Mutex(0)
        let done = Mutex(0)
        let gate = DispatchSemaphore(value: 0)
        pool.submitAll((0..<24).map { _ in {
            let now = running.withLock { n -> Int in
                n += 1
                return n
            }
            peak.withLock { $0 = max($0, now) }
            if now == 24 { for _ in 0..<24 { gate.signal() } }
            _ = gate.wait(timeout: .now() + 5)
            running.withLock { $0 -= 1 }
            done.withLock { $0 += 1 }
        } })
        pool.submitAll([])
        pool.waitAll()
        #expect(peak.withLock { $0 } == 24, "all 24 ran at once: 8 idle threads woken, 16 started")
        #expect(done.withLock { $0 } == 24)
    }

    @Test("a thread that frees up takes the urgent write before background ones queued earlier")
    func urgentFirst() {
        let pool = WritePool(width: 1)
        defer { pool.close() }
        let order = Mutex<[String]>([])
        let hold = DispatchSemaphore(value: 0)
        pool.submit { _ = hold.wait(timeout: .now() + 5) }
        for i in 0..<3 { pool.submit(background: true) { order.withLock { $0.append("b\(i)") } } }
        pool.submit { order.withLock { $0.append("u") } }
        hold.signal()
        pool.waitAll()
        #expect(order.withLock { $0 } == ["u", "b0", "b1", "b2"])
    }

    @Test("background writes stay within their limit while threads are free")
    func backgroundLimit() {
        let pool = WritePool(width: 4, backgroundLimit: 1)
        defer { pool.close() }
        let busy = Mutex(0)
        let peak = Mutex(0)
        let ran = Mutex(0)
        for _ in 0..<4 {
            pool.submit(background: true) {
                let n = busy.withLock { b -> Int in
                    b += 1
                    return b
                }
                peak.withLock { $0 = max($0, n) }
                Thread.sleep(forTimeInterval: 0.02)
                busy.withLock { $0 -= 1 }
                ran.withLock { $0 += 1 }
            }
        }
        pool.waitAll()
        #expect(ran.withLock { $0 } == 4)
        #expect(peak.withLock { $0 } == 1)
    }

    /// Writes that end when the test says so, like a write loop's: each keeps its `done` until `finish`.
    final class HeldWrites: Sendable {
        private let state = Mutex<(started: [String], held: [@Sendable () -> Void], threads: Set<UInt>)>(([], [], []))

        func write(_ name: String) -> WritePool.Write {
            { [self] done in
                state.withLock { s in
                    s.started.append(name)
                    s.held.append(done)
                    s.threads.insert(UInt(pthread_self()))
                }
            }
        }
        var started: [String] { state.withLock { $0.started } }
        var threads: Set<UInt> { state.withLock { $0.threads } }
        /// Ends the oldest write still held.
        func finishOne() {
            let done = state.withLock { s -> (@Sendable () -> Void)? in s.held.isEmpty ? nil : s.held.removeFirst() }
            done?()
        }
        var held: Int { state.withLock { $0.held.count } }
    }

    @Test("12: writes that need no thread start on the caller's thread, as many at once as the pool is wide; the rest start as earlier ones end, and waitAll waits for them")
    func writesStartWithoutThreads() {
        let pool = WritePool(width: 4)
        defer { pool.close() }
        let writes = HeldWrites()
        pool.startAll(onThreads: false, (0..<6).map { writes.write("u\($0)") })
        #expect(writes.started == ["u0", "u1", "u2", "u3"])
        #expect(writes.threads == [UInt(pthread_self())])
        writes.finishOne()
        #expect(writes.started.count == 5, "an ended write lets the next one start")
        let waited = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            pool.waitAll()
            waited.signal()
        }
        #expect(waited.wait(timeout: .now() + 0.2) == .timedOut, "waitAll waits for writes in flight")
        while writes.held > 0 { writes.finishOne() }
        #expect(waited.wait(timeout: .now() + 5) == .success)
        #expect(writes.started == (0..<6).map { "u\($0)" })
    }

    @Test("12: writes without threads keep the rules: urgent before background ones queued earlier, and background within its limit")
    func writesKeepUrgentFirstAndTheBackgroundLimit() {
        let pool = WritePool(width: 2, backgroundLimit: 1)
        defer { pool.close() }
        let writes = HeldWrites()
        pool.startAll(onThreads: false, [writes.write("u0"), writes.write("u1")])
        pool.startAll(background: true, onThreads: false, (0..<3).map { writes.write("b\($0)") })
        pool.startAll(onThreads: false, [writes.write("u2")])
        #expect(writes.started == ["u0", "u1"])
        writes.finishOne()
        #expect(writes.started == ["u0", "u1", "u2"], "the urgent write takes the freed slot")
        writes.finishOne()
        #expect(writes.started == ["u0", "u1", "u2", "b0"])
        writes.finishOne()
        #expect(writes.started == ["u0", "u1", "u2", "b0"], "a slot is free, but one background write is the limit")
        writes.finishOne()
        #expect(writes.started == ["u0", "u1", "u2", "b0", "b1"])
        while writes.held > 0 { writes.finishOne() }
        pool.waitAll()
        #expect(writes.started.suffix(1) == ["b2"])
    }

    @Test("12: over a cluster whose writes block, each write runs on a pool thread, which waits for its end")
    func blockingWritesRunOnThreads() {
        let pool = WritePool(width: 8)
        defer { pool.close() }
        let threads = Mutex<Set<UInt>>([])
        let gate = DispatchSemaphore(value: 0)
        let ended = Mutex(0)
        pool.startAll(onThreads: true, (0..<8).map { _ in { done in
            threads.withLock { _ = $0.insert(UInt(pthread_self())) }
            _ = gate.wait(timeout: .now() + 5)
            ended.withLock { $0 += 1 }
            done()
        } })
        for _ in 0..<8 { gate.signal() }
        pool.waitAll()
        #expect(ended.withLock { $0 } == 8)
        #expect(!threads.withLock { $0 }.contains(UInt(pthread_self())))
    }
}
