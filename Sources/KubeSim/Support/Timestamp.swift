#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 timestamps in whole seconds, UTC, as the API server writes them ("2024-05-01T10:00:00Z").
public enum Timestamp {
    /// The current time.
    public static func now() -> String { format(epochSeconds: Int(time(nil))) }

    /// The time `seconds` before now.
    public static func ago(_ seconds: Int) -> String { format(epochSeconds: Int(time(nil)) - seconds) }

    /// Formats seconds since the epoch.
    public static func format(epochSeconds: Int) -> String {
        var t = time_t(epochSeconds)
        var v = tm()
        gmtime_r(&t, &v)
        func pad(_ x: Int32, _ width: Int = 2) -> String {
            let s = String(x)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(v.tm_year + 1900, 4))-\(pad(v.tm_mon + 1))-\(pad(v.tm_mday))T\(pad(v.tm_hour)):\(pad(v.tm_min)):\(pad(v.tm_sec))Z"
    }

    /// Parses a whole-second RFC 3339 UTC timestamp back to epoch seconds.
    public static func parse(_ s: String) -> Int? {
        let u = Array(s.utf8)
        guard u.count >= 20 else { return nil }
        func num(_ a: Int, _ b: Int) -> Int32? { Int32(String(decoding: u[a..<b], as: UTF8.self)) }
        guard let y = num(0, 4), let mo = num(5, 7), let d = num(8, 10), let h = num(11, 13), let mi = num(14, 16),
            let se = num(17, 19)
        else { return nil }
        var v = tm()
        v.tm_year = y - 1900
        v.tm_mon = mo - 1
        v.tm_mday = d
        v.tm_hour = h
        v.tm_min = mi
        v.tm_sec = se
        return Int(timegm(&v))
    }
}
