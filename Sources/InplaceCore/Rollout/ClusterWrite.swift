import JSON

/// One write the rollout makes: a patch of an object or subresource, pure data until executed.
public struct ClusterWrite: Sendable, Equatable {
    public var path: String
    public var type: PatchStrategy
    public var body: JSONValue
    /// What it does, for progress output and dry runs.
    public var summary: String

    public init(path: String, type: PatchStrategy, body: JSONValue, summary: String) {
        self.path = path
        self.type = type
        self.body = body
        self.summary = summary
    }
}
