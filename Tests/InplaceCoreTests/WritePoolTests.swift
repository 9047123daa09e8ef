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
}
