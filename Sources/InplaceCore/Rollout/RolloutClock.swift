import Foundation
import KubeFormats

/// Time as the rollout sees it: a monotonic clock for waits and wall time for records.
public protocol RolloutClock: Sendable {
    /// Seconds on a monotonic clock.
    var monotonic: Double { get }
    /// The wall time now, RFC 3339 in whole seconds (as Kubernetes writes condition times).
    var rfc3339: String { get }
    /// The wall time now, RFC 3339 with milliseconds (for event streams).
    var rfc3339Millis: String { get }
}

/// The system clock.
public struct SystemClock: RolloutClock {
    public init() {}

    public var monotonic: Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public var rfc3339: String { RFC3339.format(Date().timeIntervalSince1970) }

    public var rfc3339Millis: String { RFC3339.format(Date().timeIntervalSince1970, fractionDigits: 3) }
}
