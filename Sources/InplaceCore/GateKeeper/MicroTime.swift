import Foundation

/// Kubernetes `MicroTime`: RFC 3339 in UTC with exactly six fractional digits
/// (`2006-01-02T15:04:05.000000Z`), the format of a Lease's acquireTime and renewTime.
public enum MicroTime {
    /// Formats seconds since 1970 as a MicroTime.
    public static func format(_ seconds: Double) -> String {
        var whole = seconds.rounded(.down)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            micros -= 1_000_000
            whole += 1
        }
        let base = SystemClock.format(Date(timeIntervalSince1970: whole))
        let fraction = String(micros)
        return base.dropLast() + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "Z"
    }

    /// Parses a MicroTime (or any RFC 3339 time, with or without a fraction) into seconds since 1970.
    public static func parse(_ text: String) -> Double? {
        guard let whole = SystemClock.parse(text) else { return nil }
        guard let dot = text.firstIndex(of: ".") else { return whole }
        let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
        guard !digits.isEmpty, let value = Double("0." + digits) else { return whole }
        return whole + value
    }
}
