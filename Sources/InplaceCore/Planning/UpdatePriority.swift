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
