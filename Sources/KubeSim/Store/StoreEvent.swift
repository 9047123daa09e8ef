import JSON

/// One committed change in the store, as watchers and in-process subscribers see it.
public struct StoreEvent: Sendable {
    /// What happened.
    public enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
    }

    /// What happened.
    public let type: Kind
    /// The resource of the object.
    public let resource: ResourceType
    /// The object after the change (for deletions: the last state, with the deletion's resourceVersion).
    public let object: JSONValue
    /// The object before the change (nil for additions).
    public let previous: JSONValue?
    /// The resourceVersion of this change.
    public let resourceVersion: Int
    /// Where the object lives.
    public let key: ObjectKey
    /// When the change was committed (monotonic seconds): the simulated kubelet and controllers
    /// time their reactions from here, not from when they got round to it.
    public var committedAt: Double = SimClock.now()
}

/// Errors from the store itself (the REST layer turns them into Status objects).
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// No object with that key.
    case notFound(resource: ResourceType, key: ObjectKey)
    /// An object with that key exists.
    case alreadyExists(resource: ResourceType, key: ObjectKey)
    /// The precondition resourceVersion does not match the stored one.
    case conflict(resource: ResourceType, key: ObjectKey)
    /// The requested resourceVersion is older than the kept history.
    case expired(requested: Int, oldest: Int)
    /// The object has no metadata.name.
    case missingName

    public var description: String {
        switch self {
        case .notFound(let r, let k): return "\(r.groupResource) \"\(k.name)\" not found"
        case .alreadyExists(let r, let k): return "\(r.groupResource) \"\(k.name)\" already exists"
        case .conflict(let r, let k):
            return "Operation cannot be fulfilled on \(r.groupResource) \"\(k.name)\": the object has been modified; please apply your changes to the latest version and try again"
        case .expired(let requested, let oldest): return "too old resource version: \(requested) (\(oldest))"
        case .missingName: return "name or generateName is required"
        }
    }
}
