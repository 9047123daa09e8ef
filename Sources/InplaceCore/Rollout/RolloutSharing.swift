/// What the workloads of one invocation rolled at once share instead of each opening its own: the
/// watches of each namespace's pods, EndpointSlices and workloads, the threads writes run on, and
/// the ledger of the PodDisruptionBudgets. (The connection pool is the client's, already shared.)
public struct RolloutSharing: Sendable {
    public let watches: SharedWatches
    /// The cluster each workload rolls on: its watches are shares of `watches`.
    public let cluster: SharedWatchCluster
    public let writes: WritePool
    public let budgets: DisruptionLedger

    /// Sharing over `cluster`, with room for `writers` writes in flight at once.
    public init(cluster: any ClusterAPI, writers: Int) {
        watches = SharedWatches(cluster: cluster)
        self.cluster = SharedWatchCluster(base: cluster, watches: watches)
        writes = WritePool(width: min(512, max(64, writers)))
        budgets = DisruptionLedger()
    }

    /// Ends the watches and lets the write threads go once their writes are done.
    public func close() {
        watches.close()
        writes.waitAll()
        writes.close()
    }
}
