import Foundation

/// Runs blocking cluster writes concurrently, at most `width` at a time.
public final class WritePool: @unchecked Sendable {
    private let semaphore: DispatchSemaphore
    private let queue = DispatchQueue(label: "kubectl-inplace.writes", attributes: .concurrent)
    private let group = DispatchGroup()

    public init(width: Int) { semaphore = DispatchSemaphore(value: max(1, width)) }

    /// Runs `work` on a pool thread.
    public func submit(_ work: @escaping @Sendable () -> Void) {
        group.enter()
        queue.async { [semaphore, group] in
            semaphore.wait()
            work()
            semaphore.signal()
            group.leave()
        }
    }

    /// Waits for every submitted write to finish.
    public func waitAll() { group.wait() }
}
