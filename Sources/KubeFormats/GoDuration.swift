/// Go duration strings (`5s`, `1m30s`, `250ms`, `1h`, `0`), as kubectl flags accept them and as
/// records store them: parsing and its exact inverse.
public enum GoDuration {
    /// Seconds for a signed Go duration (`-1.5s`, `+3m`), or nil when malformed: `time.ParseDuration`.
    public static func parse(_ text: String) -> Double? {
        var body = Substring(text)
        var sign = 1.0
        if body.first == "-" || body.first == "+" {
            sign = body.first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        return seconds(String(body)).map { $0 * sign }
    }

    /// Seconds for `text`, or nil when malformed or negative.
    public static func seconds(_ text: String) -> Double? {
        if text == "0" { return 0 }
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let numberEnd = rest.firstIndex { !($0.isNumber || $0 == ".") } ?? rest.endIndex
            guard numberEnd > rest.startIndex, let number = Double(rest[..<numberEnd]) else { return nil }
            rest = rest[numberEnd...]
            guard let (unit, scale) = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) })
            else { return nil }
            rest = rest.dropFirst(unit.count)
            total += number * scale
        }
        return total
    }

    /// `seconds` as Go's `time.Duration.String()` writes it (`1.25s`, `10m0s`, `250ms`, `0s`), to the
    /// nanosecond, so `seconds(format(x)) == x` for every duration a flag can express.
    public static func format(_ seconds: Double) -> String {
        let ns = Int64((max(0, seconds) * 1e9).rounded())
        if ns == 0 { return "0s" }
        if ns < 1_000 { return "\(ns)ns" }
        if ns < 1_000_000 { return fraction(ns, digits: 3) + "µs" }
        if ns < 1_000_000_000 { return fraction(ns, digits: 6) + "ms" }
        let hours = ns / 3_600_000_000_000
        let minutes = ns / 60_000_000_000 % 60
        let secs = fraction(ns % 60_000_000_000, digits: 9) + "s"
        if hours > 0 { return "\(hours)h\(minutes)m\(secs)" }
        if minutes > 0 { return "\(minutes)m\(secs)" }
        return secs
    }

    /// `value / 10^digits` with the fraction's trailing zeros dropped.
    private static func fraction(_ value: Int64, digits: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = value / scale
        var frac = String(value % scale)
        frac = String(repeating: "0", count: digits - frac.count) + frac
        while frac.hasSuffix("0") { frac.removeLast() }
        return frac.isEmpty ? "\(whole)" : "\(whole).\(frac)"
    }
}
