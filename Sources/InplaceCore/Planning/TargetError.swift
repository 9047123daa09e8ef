/// A target the user named that cannot be planned as asked.
public enum TargetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `CONTAINER=IMAGE` names a container the workload does not have.
    case unknownContainer(WorkloadRef, container: String, available: [String])
    /// The workload has a selector that would match every pod, or none at all.
    case missingSelector(WorkloadRef)

    public var description: String {
        switch self {
        case let .unknownContainer(ref, container, available):
            return "\(ref): unable to find container named \"\(container)\" (containers: \(available.joined(separator: ", ")))"
        case let .missingSelector(ref):
            return "\(ref): the workload has no spec.selector"
        }
    }
}
