/// `--request-timeout` parsing as client-go's ParseTimeout: a bare integer is seconds, otherwise a
/// Go duration (`300ms`, `1m30s`, `2h`); zero means no timeout.
enum RequestTimeout {
    /// The timeout, or nil for none.
    static func parse(_ text: String?) throws(ConfigError) -> Duration? {
        guard let raw = text?.trimmingSpaces(), !raw.isEmpty else { return nil }
        if let seconds = Int(raw) {
            if seconds < 0 { throw .invalidTimeout(raw) }
            return seconds == 0 ? nil : .seconds(seconds)
        }
        guard let d = goDuration(raw), d >= .zero else { throw .invalidTimeout(raw) }
        return d == .zero ? nil : d
    }

    /// Parses Go's time.ParseDuration syntax (units ns, us, µs, ms, s, m, h; fractions allowed).
    static func goDuration(_ text: String) -> Duration? {
        var s = Substring(text)
        var negative = false
        if s.first == "-" || s.first == "+" { negative = s.first == "-"; s = s.dropFirst() }
        if s == "0" { return .zero }
        if s.isEmpty { return nil }
        var totalNanos: Double = 0
        while !s.isEmpty {
            var number = ""
            while let c = s.first, c.isNumber || c == "." { number.append(c); s = s.dropFirst() }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            var unit = ""
            while let c = s.first, !(c.isNumber || c == ".") { unit.append(c); s = s.dropFirst() }
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            default: return nil
            }
            totalNanos += value * scale
        }
        let nanos = Int64(totalNanos.rounded())
        return .nanoseconds(negative ? -nanos : nanos)
    }
}
