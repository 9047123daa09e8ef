/// Why a priority or scatter rule cannot be read.
public enum UpdateOrderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No entry at all.
    case empty(String)
    /// `WEIGHT:SELECTOR` whose weight is missing or outside 1–100.
    case invalidWeight(String)
    /// `WEIGHT:SELECTOR` whose selector is not one.
    case invalidSelector(String)
    /// Not a label key.
    case invalidKey(String)
    /// `KEY=VALUE` that is not a label key and value.
    case invalidTerm(String)

    public var description: String {
        switch self {
        case .empty(let form): return "expected \(form)"
        case .invalidWeight(let e): return "\"\(e)\" is not WEIGHT:SELECTOR with a weight from 1 to 100"
        case .invalidSelector(let e): return "\"\(e)\" does not end in a label selector (such as track=canary or zone in (a,b))"
        case .invalidKey(let e): return "\"\(e)\" is not a label key"
        case .invalidTerm(let e): return "\"\(e)\" is not KEY=VALUE with a label key and value"
        }
    }

    /// The non-empty entries of a text, split at `;` and new lines.
    static func entries(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "\n" }).map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }
}
