/// A virtual load generator for one Service: `rate` requests per second, round-robin over the
/// endpoints its EndpointSlices list as ready, served by `container` (nil: the pod's first container).
public struct TrafficSpec: Sendable, Equatable {
    /// The Service's namespace.
    public var namespace: String
    /// The Service's name.
    public var service: String
    /// Requests per second.
    public var rate: Double
    /// The container that serves the requests (nil: the first container of the pod).
    public var container: String?

    /// A generator for `service` in `namespace` at `rate` requests per second.
    public init(service: String, namespace: String = "default", rate: Double = 100, container: String? = nil) {
        self.namespace = namespace
        self.service = service
        self.rate = rate
        self.container = container
    }
}

/// What a Service's load generator counted since it started (or since the counters were reset).
public struct TrafficCounters: Sendable, Equatable {
    /// Requests sent to an endpoint listed as ready.
    public var sent: Int = 0
    /// Requests the target pod's serving container answered (it was running).
    public var served: Int = 0
    /// Requests lost because the target pod's serving container was not running (being killed,
    /// pulled or started, crashed) or the pod was gone.
    public var dropped: Int = 0
    /// Requests that found no ready endpoint at all (not part of `sent`).
    public var unroutable: Int = 0
    /// Dropped requests by pod name.
    public var droppedByPod: [String: Int] = [:]

    /// Zero counters.
    public init() {}

    /// Requests lost for any reason (`dropped` + `unroutable`).
    public var lost: Int { dropped + unroutable }
}
