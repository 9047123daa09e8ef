import Foundation

/// Runs cluster writes concurrently, urgent writes (a pod's next step) before background ones
/// (lease renewals, Events): blocking work on up to `width` threads of its
/// own, and writes that need no thread (`startAll`, over a cluster with a write loop) up to `width`
/// in flight. Background work of either kind waits while urgent work is queued, and at most
/// `backgroundLimit` of it runs at a time.
///
/// Dedicated threads rather than a Dispatch queue: a write blocks in libcurl, and libdispatch
/// grows a concurrent queue's threads only slowly when its work blocks, so a burst of 100 writes
/// would wait in line behind a few threads.
/// `@unchecked`: every `var` is guarded by the condition variable idle pool threads wait on.
public final class WritePool: @unchecked Sendable {
    /// A write that starts without holding its caller's thread and calls `done` exactly once when
    /// it has ended (its result handled).
    public typealias Write = @Sendable (_ done: @escaping @Sendable () -> Void) -> Void

    private let condition = NSCondition()
    private let width: Int
    private let backgroundLimit: Int
    private var urgent = WorkQueue<@Sendable () -> Void>()
    private var background = WorkQueue<@Sendable () -> Void>()
    private var urgentWrites = WorkQueue<Write>()
    private var backgroundWrites = WorkQueue<Write>()
    /// Background work running: blocking items on threads and writes in flight.
    private var backgroundRunning = 0
    /// Writes started by `startAll` and not yet done.
    private var writesInFlight = 0
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
        wakeThreads()
        condition.unlock()
    }

    /// Starts each of `writes`, queued under one lock: those the limits let start now on the calling
    /// thread, the others as earlier writes end (on the thread that ends them). `onThreads` (a cluster
    /// whose writes block until they have ended): each runs on a pool thread instead, as `submitAll`'s
    /// items do, that thread waiting for its `done`.
    public func startAll(background isBackground: Bool = false, onThreads: Bool, _ writes: [Write]) {
        guard !writes.isEmpty else { return }
        if onThreads {
            submitAll(background: isBackground, writes.map { write in {
                let ended = DispatchSemaphore(value: 0)
                write { ended.signal() }
                ended.wait()
            } })
            return
        }
        condition.lock()
        for write in writes {
            group.enter()
            if isBackground { backgroundWrites.append(write) } else { urgentWrites.append(write) }
        }
        let ready = takeWrites()
        condition.unlock()
        start(ready)
    }

    /// Takes the queued writes that may start now, counted as in flight (with the lock held).
    private func takeWrites() -> [(write: Write, background: Bool)] {
        var ready: [(write: Write, background: Bool)] = []
        while writesInFlight < width, let write = urgentWrites.pop() {
            writesInFlight += 1
            ready.append((write, false))
        }
        while writesInFlight < width, urgent.count == 0, backgroundRunning < backgroundLimit, let write = backgroundWrites.pop() {
            writesInFlight += 1
            backgroundRunning += 1
            ready.append((write, true))
        }
        return ready
    }

    /// Starts writes taken by `takeWrites` (without the lock).
    private func start(_ ready: [(write: Write, background: Bool)]) {
        for (write, isBackground) in ready {
            write { [self] in ended(background: isBackground) }
        }
    }

    /// A write started by `startAll` has ended: the work its slot held back may start.
    private func ended(background isBackground: Bool) {
        condition.lock()
        writesInFlight -= 1
        if isBackground { backgroundRunning -= 1 }
        let ready = takeWrites()
        wakeThreads()
        condition.unlock()
        group.leave()
        start(ready)
    }

    /// Wakes idle threads for the blocking items they can take, and starts threads for the rest (with the lock held).
    private func wakeThreads() {
        let work = runnable
        for _ in 0..<min(idle, work) { condition.signal() }
        for _ in 0..<max(0, min(width - threads, work - idle)) { spawn() }
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

    /// Queued blocking items a thread could start now.
    private var runnable: Int {
        urgent.count + (urgentWrites.count > 0 ? 0 : min(background.count, max(0, backgroundLimit - backgroundRunning)))
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
            var ready = takeWrites()
            condition.unlock()
            start(ready)
            item()
            group.leave()
            condition.lock()
            if isBackground {
                backgroundRunning -= 1
                if background.count > 0 && idle > 0 { condition.signal() }
                ready = takeWrites()
                if !ready.isEmpty {
                    condition.unlock()
                    start(ready)
                    condition.lock()
                }
            }
        }
        threads -= 1
        condition.unlock()
    }
}

/// A first-in first-out list of work items.
private struct WorkQueue<Item> {
    private var items: [Item] = []
    private var head = 0

    var count: Int { items.count - head }

    mutating func append(_ item: Item) { items.append(item) }

    mutating func pop() -> Item? {
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
