import Foundation

/// One workload's share of a `WritePool`: its writes run on the pool (shared by every workload of
/// an invocation), and it waits for its own writes only.
public final class WriteLane: Sendable {
    public let pool: WritePool
    /// The lane has the pool to itself: closing the lane closes the pool.
    private let owned: Bool
    private let group = DispatchGroup()

    /// A lane on `pool`; `owned` when no other lane uses it.
    public init(_ pool: WritePool, owned: Bool) {
        self.pool = pool
        self.owned = owned
    }

    /// Runs `item` on a pool thread; `background` work waits while urgent work is queued.
    public func submit(background: Bool = false, _ item: @escaping @Sendable () -> Void) {
        submitAll(background: background, [item])
    }

    /// Runs each of `items` on a pool thread, handed over at once (see `WritePool.submitAll`).
    public func submitAll(background: Bool = false, _ items: [@Sendable () -> Void]) {
        for _ in items { group.enter() }
        pool.submitAll(background: background, items.map { item in { [group] in
            item()
            group.leave()
        } })
    }

    /// Starts each of `writes` on the pool (see `WritePool.startAll`).
    public func startAll(background: Bool = false, onThreads: Bool, _ writes: [WritePool.Write]) {
        for _ in writes { group.enter() }
        pool.startAll(background: background, onThreads: onThreads, writes.map { write in { [group] done in
            write {
                group.leave()
                done()
            }
        } })
    }

    /// Starts up to `count` of the pool's threads now, ahead of a burst.
    public func prestart(_ count: Int) { pool.prestart(count) }

    /// Waits for every write submitted on this lane to finish.
    public func waitAll() { group.wait() }

    /// Lets the pool's threads end when the lane owns the pool; a shared pool stays open.
    public func close() { if owned { pool.close() } }
}
