import JSON

/// One parsed document of a manifest file, with a way to locate any field path in the source.
public struct ManifestDocument: Sendable {
    /// The document's value.
    public var value: JSONValue
    /// Where the document starts.
    public var location: SourceLocation
    /// Where a field path (`metadata.name`, `spec.template.spec.containers[0].image`) is, or its nearest parent.
    public var locate: @Sendable (String) -> SourceLocation

    public init(value: JSONValue, location: SourceLocation, locate: (@Sendable (String) -> SourceLocation)? = nil) {
        self.value = value
        self.location = location
        self.locate = locate ?? { _ in location }
    }
}
