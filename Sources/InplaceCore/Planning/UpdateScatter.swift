/// How a rollout spreads pods across its update order, as CloneSet's `scatterStrategy` (`terms`) or
/// by every value of one label (`by`).
public enum UpdateScatter: Sendable, Equatable, Codable {
    /// The pods carrying each `KEY=VALUE` are spread evenly across the order instead of together.
    case terms([ScatterTerm])
    /// Pods are interleaved by the value of this label (the pod's node's label where nodes carry it,
    /// else the pod's own): no value loses a second pod before every value has lost one.
    case by(String)

    /// The flag's spelling of the kind (`scatter`, `scatter-by`).
    public var flagName: String {
        switch self {
        case .terms: return "scatter"
        case .by: return "scatter-by"
        }
    }

    /// The text form: entries joined by `;`.
    public var text: String {
        switch self {
        case .terms(let terms): return terms.map(\.text).joined(separator: ";")
        case .by(let key): return key
        }
    }

    /// `KEY=VALUE` entries separated by `;` or new lines.
    public static func terms(parsing text: String) throws(UpdateOrderError) -> UpdateScatter {
        let entries = UpdateOrderError.entries(text)
        guard !entries.isEmpty else { throw .empty("KEY=VALUE") }
        return .terms(try entries.map { entry throws(UpdateOrderError) in
            guard let eq = entry.firstIndex(of: "=") else { throw .invalidTerm(entry) }
            let key = String(entry[..<eq]).trimmingSpaces, value = String(entry[entry.index(after: eq)...]).trimmingSpaces
            guard LabelSelector.isLabelKey(key), LabelSelector.isLabelValue(value) else { throw .invalidTerm(entry) }
            return ScatterTerm(key: key, value: value)
        })
    }

    /// One label key.
    public static func by(parsing text: String) throws(UpdateOrderError) -> UpdateScatter {
        let entries = UpdateOrderError.entries(text)
        guard let key = entries.first else { throw .empty("KEY") }
        guard entries.count == 1, LabelSelector.isLabelKey(key) else { throw .invalidKey(text) }
        return .by(key)
    }
}

/// One `scatterStrategy` term.
public struct ScatterTerm: Sendable, Equatable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// `KEY=VALUE`.
    public var text: String { "\(key)=\(value)" }
}
