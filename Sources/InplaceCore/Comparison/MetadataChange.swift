/// One pod label or annotation the desired template adds, changes or removes on a live pod.
public struct MetadataChange: Sendable, Equatable, Hashable {
    /// Which map of `metadata` the key is in.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case labels, annotations

        /// `label` or `annotation`, for messages.
        public var singular: String { self == .labels ? "label" : "annotation" }
    }

    public var field: Field
    public var key: String
    /// The value on the pod now (nil: the pod does not have the key).
    public var from: String?
    /// The value the pod gets (nil: the key is removed).
    public var to: String?

    public init(field: Field, key: String, from: String?, to: String?) {
        self.field = field
        self.key = key
        self.from = from
        self.to = to
    }

    /// `labels/KEY`: how the rollout record names the key.
    public var recordKey: String { "\(field.rawValue)/\(key)" }

    /// The field and key of a record key (`annotations/example.com/build`), nil when it names neither map.
    public static func parse(recordKey: String) -> (field: Field, key: String)? {
        let parts = recordKey.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let field = Field(rawValue: parts[0]) else { return nil }
        return (field, parts[1])
    }

    /// True when `pod` shows the change made: the key has the target value, or is gone when removed.
    public func isMade(on pod: Pod) -> Bool {
        pod.object["metadata"]?[field.rawValue]?[key]?.string == to
    }

    /// `label app.kubernetes.io/version: 1.0 → 2.0`, `annotation team: (none) → a`, `label tier: b → (removed)`.
    public var description: String {
        "\(field.singular) \(key): \(from ?? "(none)") → \(to ?? "(removed)")"
    }

    /// The same change undone.
    public var reversed: MetadataChange { MetadataChange(field: field, key: key, from: to, to: from) }
}

extension Array where Element == MetadataChange {
    /// The target values by record key (`labels/KEY`), nil for a removed key.
    public var recordTargets: [String: String?] {
        var out: [String: String?] = [:]
        for c in self where out[c.recordKey] == nil { out[c.recordKey] = .some(c.to) }
        return out
    }

    /// The values before the change by record key, nil where the pod did not have the key.
    public var recordSources: [String: String?] {
        var out: [String: String?] = [:]
        for c in self where out[c.recordKey] == nil { out[c.recordKey] = .some(c.from) }
        return out
    }
}
