/// A JSON object: members in insertion order, compared as an unordered map.
///
/// Kubernetes objects have few keys per level, so a small array with linear lookup beats hashing,
/// and keeps the order in which a manifest or the API server wrote the keys.
public struct JSONObject: Sendable {
    /// One member of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue
        public init(key: String, value: JSONValue) { self.key = key; self.value = value }
    }

    /// The members, in order.
    public private(set) var members: [Member]

    /// An empty object.
    public init() { members = [] }

    /// An object of these members; later duplicates replace earlier ones.
    public init(_ pairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    /// Members without the duplicate check, for parsers that already checked.
    public init(uncheckedMembers: [Member]) { members = uncheckedMembers }

    /// The keys, in order.
    public var keys: [String] { members.map(\.key) }
    /// The number of members.
    public var count: Int { members.count }
    /// True when there are no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The value for `key`; setting nil removes it, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = index(of: key) else { return nil }
            return members[i].value
        }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// True when `key` is present (even with a null value).
    public func contains(_ key: String) -> Bool { index(of: key) != nil }

    /// The position of the member `key`: keys of another length are passed over without comparing
    /// their text (an unequal String comparison is a call into the runtime), members read in place.
    private func index(of key: String) -> Int? {
        let length = key.utf8.count
        var i = 0
        while i < members.count {
            if members[i].key.utf8.count == length && members[i].key == key { return i }
            i += 1
        }
        return nil
    }

    /// Appends a member without checking for an existing key.
    public mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        members.append(Member(key: key, value: value))
    }

    /// Removes and returns the value for `key`.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = index(of: key) else { return nil }
        return members.remove(at: i).value
    }
}

extension JSONObject: Sequence {
    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for m in lhs.members {
            guard let other = rhs[m.key], other == m.value else { return false }
        }
        return true
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        // Order-independent: combine member hashes commutatively.
        var acc = 0
        for m in members {
            var h = Hasher()
            h.combine(m.key)
            h.combine(m.value)
            acc = acc &+ h.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(acc)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
