/// Short human durations for messages and progress: `850ms`, `5s`, `12.3s`, `2m05s`, `1h02m`.
public enum DurationText {
    /// Formats seconds.
    public static func format(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 {
            if seconds == seconds.rounded() || seconds >= 10 { return "\(Int(seconds))s" }
            let tenths = Int((seconds * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let s = Int(seconds)
        if s < 3600 { return "\(s / 60)m\(pad2(s % 60))s" }
        return "\(s / 3600)h\(pad2(s % 3600 / 60))m"
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
