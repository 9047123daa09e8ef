/// Which pods a rollout updates first, as OpenKruise CloneSet's `priorityStrategy`: one kind at a time.
public enum UpdatePriority: Sendable, Equatable, Codable {
    /// `weightPriority`: a pod's weights for every selector it matches are summed; higher first.
    case weights([PriorityWeight])
    /// `orderPriority`: the integer at the end of the value of the first of these label keys a pod
    /// has; pods with an earlier key first, then the larger integer first.
    case orderKeys([String])

    /// The flag's spelling of the kind (`priority-weight`, `priority-order`).
    public var flagName: String {
        switch self {
        case .weights: return "priority-weight"
        case .orderKeys: return "priority-order"
        }
    }

    /// The text form: entries joined by `;`, as flags, annotations and rollout records take it.
    public var text: String {
        switch self {
        case .weights(let ws): return ws.map(\.text).joined(separator: ";")
        case .orderKeys(let keys): return keys.joined(separator: ";")
        }
    }

    /// `WEIGHT:SELECTOR` entries separated by `;` or new lines (a repeated flag's values are joined so).
    public static func weights(parsing text: String) throws(UpdateOrderError) -> UpdatePriority {
        let entries = UpdateOrderError.entries(text)
        guard !entries.isEmpty else { throw .empty("WEIGHT:SELECTOR") }
        return .weights(try entries.map { entry throws(UpdateOrderError) in try PriorityWeight(parsing: entry) })
    }

    /// Label keys separated by `;` or new lines.
    public static func orderKeys(parsing text: String) throws(UpdateOrderError) -> UpdatePriority {
        let entries = UpdateOrderError.entries(text)
        guard !entries.isEmpty else { throw .empty("LABELKEY") }
        for key in entries where !LabelSelector.isLabelKey(key) { throw .invalidKey(key) }
        return .orderKeys(entries)
    }
}

/// One `weightPriority` term: pods the selector matches get the weight.
public struct PriorityWeight: Sendable, Equatable, Codable {
    /// 1 to 100, as CloneSet validates it.
    public var weight: Int
    /// The selector as given (kubectl's `-l` syntax).
    public var selector: String {
        didSet { matcher = LabelSelector(parsing: selector) }
    }
    /// `selector` parsed once, so ordering many pods does not parse it for each.
    var matcher: LabelSelector?

    enum CodingKeys: String, CodingKey { case weight, selector }

    public init(weight: Int, selector: String) {
        self.weight = weight
        self.selector = selector
        matcher = LabelSelector(parsing: selector)
    }

    /// True when the pod's labels match the selector.
    func matches(_ labels: [String: String]) -> Bool {
        (matcher ?? LabelSelector(parsing: selector))?.matches(labels) == true
    }

    /// `WEIGHT:SELECTOR`, e.g. `100:track=canary` or `50:zone in (a,b)`.
    public init(parsing entry: String) throws(UpdateOrderError) {
        guard let colon = entry.firstIndex(of: ":") else { throw .invalidWeight(entry) }
        let selector = String(entry[entry.index(after: colon)...]).trimmingSpaces
        guard let weight = Int(String(entry[..<colon]).trimmingSpaces), (1...100).contains(weight) else { throw .invalidWeight(entry) }
        guard LabelSelector(parsing: selector) != nil else { throw .invalidSelector(entry) }
        self.init(weight: weight, selector: selector)
    }

    /// `WEIGHT:SELECTOR`.
    public var text: String { "\(weight):\(selector)" }
}

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
