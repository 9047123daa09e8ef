import KubeFormats
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
        guard let seconds = GoDuration.parse(raw), seconds >= 0 else { throw .invalidTimeout(raw) }
        return seconds == 0 ? nil : .nanoseconds(Int64((seconds * 1e9).rounded()))
    }
}
