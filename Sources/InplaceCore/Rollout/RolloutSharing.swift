/// What the workloads of one invocation rolled at once share instead of each opening its own: the
/// watches of each namespace's pods, EndpointSlices and workloads, each namespace's slice listings,
/// the threads writes run on, the ledger of the PodDisruptionBudgets, and the thread their loops run
/// on (`LoopHost`). (The connection pool is the client's, already shared.)
public struct RolloutSharing: Sendable {
    public let watches: SharedWatches
    /// The cluster each workload rolls on: its watches are shares of `watches`.
    public let cluster: SharedWatchCluster
    public let writes: WritePool
    public let budgets: DisruptionLedger
    /// The thread the workloads' loops run their passes on, reading the watches while it waits.
    public let host: LoopHost
    /// Each namespace's EndpointSlice listings, indexed once for all its workloads.
    private let listingsByNamespace = Mutex<[String: EndpointListings]>([:])

    /// Sharing over `cluster`, with room for `writers` writes in flight at once; the loops' passes
    /// are timed by `clock` (the workloads').
    public init(cluster: any ClusterAPI, writers: Int, clock: any RolloutClock = SystemClock()) {
        watches = SharedWatches(cluster: cluster)
        self.cluster = SharedWatchCluster(base: cluster, watches: watches)
        writes = WritePool(width: min(512, max(64, writers)))
        budgets = DisruptionLedger()
        host = LoopHost(watchLoop: cluster.watchLoop(), clock: clock)
    }

    /// The listings of `namespace`'s EndpointSlices, fed by a shared watch the first workload to ask
    /// opens (after that watch failed, the next to ask opens a new one, as `SharedWatches` does).
    public func listings(namespace: String) -> EndpointListings {
        let (listings, first) = listingsByNamespace.withLock { table -> (EndpointListings, Bool) in
            if let known = table[namespace], known.failure == nil { return (known, false) }
            let made = EndpointListings()
            table[namespace] = made
            return (made, true)
        }
        if first {
            // Ended with the other shared watches (`close`).
            _ = cluster.watch(APIResource.endpointSlices.path(namespace: namespace), labelSelector: nil, fieldSelector: nil,
                              keeping: RolloutProjections.endpointSlice) { listings.feed($0) }
        }
        return listings
    }

    /// Ends the watches and lets the write threads go once their writes are done.
    public func close() {
        watches.close()
        writes.waitAll()
        writes.close()
    }
}
