/// A target the user named that cannot be planned as asked.
public enum TargetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `CONTAINER=IMAGE` names a container the workload does not have.
    case unknownContainer(WorkloadRef, container: String, available: [String])
    /// The workload has a selector that would match every pod, or none at all.
    case missingSelector(WorkloadRef)
    /// `--max-surge` names a workload that cannot surge (only a Deployment's replicas add pods on the new template).
    case surgeNotSupported(WorkloadRef)
    /// A priority or scatter annotation of the workload that cannot be read.
    case invalidAnnotation(WorkloadRef, annotation: String, problem: String)
    /// Two annotations of one kind of rule (priority weight and order, or scatter and scatter-by).
    case conflictingAnnotations(WorkloadRef, String, String)

    public var description: String {
        switch self {
        case let .unknownContainer(ref, container, available):
            return "\(ref): unable to find container named \"\(container)\" (containers: \(available.joined(separator: ", ")))"
        case let .missingSelector(ref):
            return "\(ref): the workload has no spec.selector"
        case let .surgeNotSupported(ref):
            return "\(ref): --max-surge applies to Deployments only (a \(ref.kind.rawValue) has no spare pods to add on the new template)"
        case let .invalidAnnotation(ref, annotation, problem):
            return "\(ref): annotation \(annotation): \(problem)"
        case let .conflictingAnnotations(ref, a, b):
            return "\(ref): annotations \(a) and \(b) cannot be used together: give one kind at a time"
        }
    }
}
