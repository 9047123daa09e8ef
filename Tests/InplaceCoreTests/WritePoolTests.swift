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

    @Test("urgent writes go before queued background ones, and background ones stay within their limit")
    func urgentFirst() {
        let pool = WritePool(width: 4, backgroundLimit: 1)
        defer { pool.close() }
        let order = Mutex<[String]>([])
        let busy = Mutex(0)
        let peakBackground = Mutex(0)
        let hold = DispatchSemaphore(value: 0)
        // Occupy every thread so the next submissions queue up.
        for _ in 0..<4 { pool.submit { _ = hold.wait(timeout: .now() + 5) } }
        for i in 0..<3 {
            pool.submit(background: true) {
                let n = busy.withLock { b -> Int in
                    b += 1
                    return b
                }
                peakBackground.withLock { $0 = max($0, n) }
                order.withLock { $0.append("b\(i)") }
                Thread.sleep(forTimeInterval: 0.01)
                busy.withLock { $0 -= 1 }
            }
        }
        pool.submit { order.withLock { $0.append("u") } }
        for _ in 0..<4 { hold.signal() }
        pool.waitAll()
        let seen = order.withLock { $0 }
        #expect(seen.first == "u", "\(seen)")
        #expect(Set(seen) == ["u", "b0", "b1", "b2"])
        #expect(peakBackground.withLock { $0 } == 1)
    }
}
