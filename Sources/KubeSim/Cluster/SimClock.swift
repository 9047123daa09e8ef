#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic seconds, the time base of the simulation's timers.
enum SimClock {
    /// Seconds since an arbitrary fixed point (CLOCK_MONOTONIC).
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Go's `time.Duration.String()` for the durations the kubelet prints ("10s", "1m20s", "5m0s", "50ms").
enum GoDuration {
    static func format(_ seconds: Double) -> String {
        if seconds <= 0 { return "0s" }
        if seconds < 1 {
            let ms = (seconds * 1000 * 1000).rounded() / 1000
            return trim(ms) + "ms"
        }
        let total = (seconds * 1000).rounded() / 1000
        let hours = Int(total / 3600)
        let minutes = Int((total - Double(hours * 3600)) / 60)
        let secs = total - Double(hours * 3600 + minutes * 60)
        var out = ""
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        return out + trim(secs) + "s"
    }

    private static func trim(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        var s = String(v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
