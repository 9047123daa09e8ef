import JSON

/// A workload as the user wants it: from a manifest (its whole pod template) or from
/// `TYPE/NAME CONTAINER=IMAGE` (only those images).
public struct DesiredWorkload: Sendable {
    /// What the user asked for.
    public enum Source: Sendable {
        /// The manifest's object; its pod template is the desired state.
        case manifest(JSONValue, SourceLocation)
        /// New images by container name (`*` for every container).
        case images([(container: String, image: String)])
        /// The workload's own current pod template (what `resume` continues towards).
        case liveTemplate
        /// The live template with these images, each resource change's `from` value and each
        /// label or annotation change's `to` value (undo, rollback).
        case previous(images: [(container: String, image: String)], resources: [ResourceChange], metadata: [MetadataChange] = [])

        /// What undo and rollback return to: the images alone where nothing else is restored.
        public static func restoring(images: [(container: String, image: String)], resources: [ResourceChange],
                                     metadata: [MetadataChange]) -> Source {
            resources.isEmpty && metadata.isEmpty ? .images(images) : .previous(images: images, resources: resources, metadata: metadata)
        }
    }

    public var ref: WorkloadRef
    public var source: Source

    public init(ref: WorkloadRef, source: Source) {
        self.ref = ref
        self.source = source
    }
}
