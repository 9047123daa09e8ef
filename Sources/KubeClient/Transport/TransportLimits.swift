/// Bounds on what a server may make the client hold or wait for, so a broken or hostile server
/// (endless body, slow trickle) ends a request with an error instead of exhausting memory or time.
public struct TransportLimits: Sendable, Equatable {
    /// Most bytes of a whole (decoded) response body; a longer one ends with `.responseTooLarge`.
    /// Streamed 2xx bodies are bounded by their consumer instead (a watch, per event).
    public var maxResponseBytes: Int
    /// A request (not a stream) whose transfer rate stays below `minimumBytesPerSecond` for
    /// `stallTime` is cut off as timed out: a slow-loris server cannot hold it forever.
    public var minimumBytesPerSecond: Int
    /// See `minimumBytesPerSecond`; nil turns the check off.
    public var stallTime: Duration?

    /// Limits generous for any real API server response: 512 MiB bodies, and at least 1 KiB/s
    /// over any 90 seconds (longer than the API server's own 60-second request timeout).
    public init(maxResponseBytes: Int = 512 << 20, minimumBytesPerSecond: Int = 1024, stallTime: Duration? = .seconds(90)) {
        self.maxResponseBytes = maxResponseBytes
        self.minimumBytesPerSecond = minimumBytesPerSecond
        self.stallTime = stallTime
    }
}
