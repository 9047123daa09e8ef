/// ANSI styling that turns itself off where colour is unwanted (not a TTY, NO_COLOR, TERM=dumb, --no-color).
public struct Style: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// Decides whether colour is on for a stream, following clig.dev and the contract.
    public static func decide(isTTY: Bool, noColorFlag: Bool, environment: [String: String]) -> Style {
        let off = noColorFlag || environment["NO_COLOR"].map { !$0.isEmpty } == true || environment["TERM"] == "dumb"
        return Style(enabled: isTTY && !off)
    }

    private func wrap(_ code: String, _ s: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func bold(_ s: String) -> String { wrap("1", s) }
    public func dim(_ s: String) -> String { wrap("2", s) }
    public func red(_ s: String) -> String { wrap("31", s) }
    public func green(_ s: String) -> String { wrap("32", s) }
    public func yellow(_ s: String) -> String { wrap("33", s) }
    public func cyan(_ s: String) -> String { wrap("36", s) }
}
