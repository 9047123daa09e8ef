import Foundation
import Synchronization

/// Runs the workloads of an invocation: `width` threads take them in order, each running one
/// workload's rollout to its end on its own thread (a rollout is never shared across threads).
enum InvocationWorkers {
    /// Calls `body` for 0..<count, at most `width` at once, in order of start; returns when all ended.
    /// With a width of 1 everything runs on the calling thread.
    static func run(count: Int, width: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 0 else { return }
        guard width > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        let cursor = Mutex(0)
        let group = DispatchGroup()
        for _ in 0..<min(width, count) {
            group.enter()
            let thread = Thread {
                while true {
                    let i = cursor.withLock { c in
                        defer { c += 1 }
                        return c
                    }
                    guard i < count else { break }
                    body(i)
                }
                group.leave()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        group.wait()
    }
}
