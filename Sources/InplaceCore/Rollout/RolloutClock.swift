import Foundation

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

    public var rfc3339: String { Self.format(Date()) }

    public var rfc3339Millis: String {
        let now = Date()
        let millis = Int((now.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let base = Self.format(now)
        let m = String(millis)
        return String(base.dropLast()) + "." + String(repeating: "0", count: 3 - m.count) + m + "Z"
    }

    /// Formats a date as `2026-11-29T03:05:27Z`.
    public static func format(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func p(_ n: Int32, _ w: Int = 2) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(p(tmv.tm_year + 1900, 4))-\(p(tmv.tm_mon + 1))-\(p(tmv.tm_mday))T\(p(tmv.tm_hour)):\(p(tmv.tm_min)):\(p(tmv.tm_sec))Z"
    }

    /// Parses `2026-11-29T03:05:27Z` (fractions and offsets allowed) into seconds since 1970.
    public static func parse(_ text: String) -> Double? {
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 6 else { return nil }
        var tmv = tm()
        tmv.tm_year = Int32(digits[0] - 1900)
        tmv.tm_mon = Int32(digits[1] - 1)
        tmv.tm_mday = Int32(digits[2])
        tmv.tm_hour = Int32(digits[3])
        tmv.tm_min = Int32(digits[4])
        tmv.tm_sec = Int32(digits[5])
        return Double(timegm(&tmv))
    }
}
