import Foundation

/// Runs blocking cluster writes concurrently on up to `width` threads of its own, urgent writes
/// (a pod's next step) before background ones (records written ahead, lease renewals).
///
/// Dedicated threads rather than a Dispatch queue: a write blocks in libcurl, and libdispatch
/// grows a concurrent queue's threads only slowly when its work blocks, so a burst of 100 writes
/// would wait in line behind a few threads.
/// `@unchecked`: every `var` is guarded by the condition variable idle pool threads wait on.
public final class WritePool: @unchecked Sendable {
    private let condition = NSCondition()
    private let width: Int
    private let backgroundLimit: Int
    private var urgent = WorkQueue()
    private var background = WorkQueue()
    private var backgroundRunning = 0
    private var threads = 0
    private var idle = 0
    private var closed = false
    private let group = DispatchGroup()

    /// A pool of at most `width` threads, started as writes need them; at most `backgroundLimit`
    /// of them run background writes at a time, so those never crowd out a burst of urgent ones.
    public init(width: Int, backgroundLimit: Int = 8) {
        self.width = max(1, width)
        self.backgroundLimit = max(1, min(backgroundLimit, width))
    }

    /// Runs `item` on a pool thread; `background` work waits while urgent work is queued.
    public func submit(background isBackground: Bool = false, _ item: @escaping @Sendable () -> Void) {
        submitAll(background: isBackground, [item])
    }

    /// Runs each of `items` on a pool thread, queued under one lock, then wakes idle threads and
    /// starts new ones for what they cannot take: a rollout pass that decides many writes hands them
    /// over at once instead of waking a thread (and being preempted by it on a busy machine) between
    /// one decision and the next.
    public func submitAll(background isBackground: Bool = false, _ items: [@Sendable () -> Void]) {
        guard !items.isEmpty else { return }
        condition.lock()
        for item in items {
            group.enter()
            if isBackground { background.append(item) } else { urgent.append(item) }
        }
        for _ in 0..<min(idle, runnable) { condition.signal() }
        for _ in 0..<max(0, min(width - threads, runnable - idle)) { spawn() }
        condition.unlock()
    }

    /// Starts one more thread (with the lock held).
    private func spawn() {
        threads += 1
        let thread = Thread { [self] in serve() }
        thread.stackSize = 512 * 1024
        thread.start()
    }

    /// Starts up to `count` threads now, ahead of a burst, so the burst does not wait for them.
    public func prestart(_ count: Int) {
        condition.lock()
        defer { condition.unlock() }
        while threads < min(count, width) { spawn() }
    }

    /// Waits for every submitted write to finish.
    public func waitAll() { group.wait() }

    /// Lets the threads end once the queued writes are done; the pool takes no more work.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Queued items a thread could start now.
    private var runnable: Int {
        urgent.count + min(background.count, max(0, backgroundLimit - backgroundRunning))
    }

    private func serve() {
        condition.lock()
        while true {
            while runnable == 0 && !closed {
                idle += 1
                condition.wait()
                idle -= 1
            }
            let isBackground: Bool
            let item: @Sendable () -> Void
            if let next = urgent.pop() {
                item = next
                isBackground = false
            } else if runnable > 0, let next = background.pop() {
                item = next
                isBackground = true
                backgroundRunning += 1
            } else {
                break
            }
            condition.unlock()
            item()
            group.leave()
            condition.lock()
            if isBackground {
                backgroundRunning -= 1
                if background.count > 0 && idle > 0 { condition.signal() }
            }
        }
        threads -= 1
        condition.unlock()
    }
}

/// A first-in first-out list of work items.
private struct WorkQueue {
    private var items: [@Sendable () -> Void] = []
    private var head = 0

    var count: Int { items.count - head }

    mutating func append(_ item: @escaping @Sendable () -> Void) { items.append(item) }

    mutating func pop() -> (@Sendable () -> Void)? {
        guard head < items.count else { return nil }
        let item = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        }
        return item
    }
}
