import JSON

/// A count given as a number or a percentage (`--max-unavailable 2`, `--partition 50%`).
public enum IntOrPercent: Sendable, Equatable, Codable, CustomStringConvertible {
    case count(Int)
    case percent(Int)

    /// Parses `N` or `P%`; nil for anything else (negative numbers included).
    public init?(_ text: String) {
        if text.hasSuffix("%") {
            guard let p = Int(text.dropLast()), p >= 0, p <= 100 else { return nil }
            self = .percent(p)
        } else {
            guard let n = Int(text), n >= 0 else { return nil }
            self = .count(n)
        }
    }

    /// Reads an API server `IntOrString` field (`2` or `"25%"`).
    public init?(json: JSONValue?) {
        guard let json else { return nil }
        if let n = json.int, n >= 0 {
            self = .count(n)
        } else if let s = json.string {
            self.init(s)
        } else {
            return nil
        }
    }

    /// The count for a total, rounding a percentage up or down as Kubernetes does for the field.
    public func resolve(total: Int, roundUp: Bool) -> Int {
        switch self {
        case .count(let n): return n
        case .percent(let p):
            let scaled = total * p
            return roundUp ? (scaled + 99) / 100 : scaled / 100
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return String(n)
        case .percent(let p): return "\(p)%"
        }
    }
}
