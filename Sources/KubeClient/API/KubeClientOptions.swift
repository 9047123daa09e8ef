/// Behaviour of a `KubeClient` beyond the connection configuration; everything injectable for tests.
public struct KubeClientOptions: Sendable {
    /// `User-Agent`, e.g. `kubectl-inplace/1.2.0`.
    public var userAgent: String
    /// `-v` level: 6 traces requests, 8 adds headers, 9 adds bodies.
    public var verbosity: Int
    /// Where trace lines go (standard error by default).
    public var logSink: LogSink
    /// Counts requests by verb (share one across clients for a total).
    public var requestCounter: RequestCounter
    /// Retry rules.
    public var retryPolicy: RetryPolicy
    /// Waits between retries and reconnects.
    public var sleeper: any Sleeper
    /// No retry starts after it (set from a command's `--timeout`).
    public var retryDeadline: RetryDeadline
    /// Random numbers in 0..<1 for backoff jitter.
    public var random: @Sendable () -> Double
    /// Source of the token file and the exec plugin's environment.
    public var environment: Environment
    /// Wall-clock seconds since the epoch (exec credential expiry).
    public var now: @Sendable () -> Double
    /// Time allowed to connect.
    public var connectTimeout: Duration
    /// Idle connections kept for reuse, by the blocking requests' handles and by the write loop each:
    /// more than the write loop ever runs at once (`maxConcurrentWrites`), so a burst does not
    /// connect again.
    public var maxIdleConnections: Int
    /// Most writes in flight at once on the write loop (`TransportSettings.maxConcurrentRequests`).
    public var maxConcurrentWrites: Int
    /// Response size and stall limits of the transport.
    public var limits: TransportLimits
    /// While busy, the write and watch loops read their sockets at most once per this span
    /// (`TransportSettings.loopWindow`).
    public var loopWindow: Duration
    /// Most bytes of one watch event; a longer one ends the watch with an invalid-response error.
    public var maxWatchEventBytes: Int
    /// Where watch events received and requests sent are marked with their time (nil: nowhere).
    public var trace: ClientTrace?

    /// Options with production defaults.
    public init(
        userAgent: String = "kubectl-inplace/dev", verbosity: Int = 0,
        logSink: @escaping LogSink = RequestTracer.standardError, requestCounter: RequestCounter = RequestCounter(),
        retryPolicy: RetryPolicy = RetryPolicy(), sleeper: any Sleeper = ThreadSleeper(), retryDeadline: RetryDeadline = RetryDeadline(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        environment: Environment = .current(), now: @escaping @Sendable () -> Double = { WallClock.now() },
        connectTimeout: Duration = .seconds(30), maxIdleConnections: Int = 256, maxConcurrentWrites: Int = 64,
        limits: TransportLimits = TransportLimits(), loopWindow: Duration = .milliseconds(2),
        maxWatchEventBytes: Int = 16 << 20, trace: ClientTrace? = nil
    ) {
        self.userAgent = userAgent
        self.verbosity = verbosity
        self.logSink = logSink
        self.requestCounter = requestCounter
        self.retryPolicy = retryPolicy
        self.sleeper = sleeper
        self.retryDeadline = retryDeadline
        self.random = random
        self.environment = environment
        self.now = now
        self.connectTimeout = connectTimeout
        self.maxIdleConnections = maxIdleConnections
        self.maxConcurrentWrites = maxConcurrentWrites
        self.limits = limits
        self.loopWindow = loopWindow
        self.maxWatchEventBytes = maxWatchEventBytes
        self.trace = trace
    }
}
