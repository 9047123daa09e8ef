/// How the simulated API server behaves: paging, watch history and bookmarks, authentication and
/// pod deletion.
public struct ServerOptions: Sendable, Equatable {
    /// Username and password for HTTP basic authentication.
    public struct BasicAuth: Sendable, Equatable {
        /// The user name.
        public var username: String
        /// The password.
        public var password: String
        /// Credentials.
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
    }

    /// The TCP port (0: an ephemeral one).
    public var port: UInt16
    /// The most items one list page may hold, whatever `limit` the client asks (nil: no cap).
    public var pageSizeCap: Int?
    /// Seconds between BOOKMARK events on watches that allow them.
    public var bookmarkIntervalSeconds: Double
    /// Events kept for watches and paginated list snapshots; older resourceVersions get 410.
    public var watchHistorySize: Int
    /// The bearer token every request must carry (nil: no token check).
    public var bearerToken: String?
    /// Basic-auth credentials accepted (nil: none).
    public var basicAuth: BasicAuth?
    /// Seconds a watch lasts when the client gives no timeoutSeconds.
    public var defaultWatchTimeoutSeconds: Double
    /// When true, deleting a scheduled pod only marks it (deletionTimestamp) for a kubelet to finish;
    /// when false (no kubelet), pods are removed at once.
    public var gracefulPodDeletion: Bool
    /// Pods get `metadata.generation`, which grows on every spec change (KEP-5067; set from the
    /// cluster options' `podGeneration`).
    public var podGeneration: Bool
    /// The version reported by /version.
    public var kubernetesVersion: String
    /// The seed of generated names, IPs and IDs.
    public var randomSeed: UInt64

    /// Options; every parameter has the real server's behaviour as default.
    public init(
        port: UInt16 = 0, pageSizeCap: Int? = nil, bookmarkIntervalSeconds: Double = 60, watchHistorySize: Int = 10_000,
        bearerToken: String? = nil, basicAuth: BasicAuth? = nil, defaultWatchTimeoutSeconds: Double = 1800,
        gracefulPodDeletion: Bool = false, podGeneration: Bool = false, kubernetesVersion: String = "v1.32.0", randomSeed: UInt64 = 20_240_501
    ) {
        self.port = port
        self.pageSizeCap = pageSizeCap
        self.bookmarkIntervalSeconds = bookmarkIntervalSeconds
        self.watchHistorySize = watchHistorySize
        self.bearerToken = bearerToken
        self.basicAuth = basicAuth
        self.defaultWatchTimeoutSeconds = defaultWatchTimeoutSeconds
        self.gracefulPodDeletion = gracefulPodDeletion
        self.podGeneration = podGeneration
        self.kubernetesVersion = kubernetesVersion
        self.randomSeed = randomSeed
    }
}
