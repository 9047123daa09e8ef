/// Why a rollout could not start or go on, with the contract's meaning.
public enum RolloutError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something must be fixed first; nothing was written (exit 2).
    case precondition(String)
    /// Someone else changed the workload or holds the rollout (exit 5).
    case conflict(String)
    /// A cluster operation failed.
    case cluster(String)

    public var description: String {
        switch self {
        case .precondition(let m), .conflict(let m), .cluster(let m): return m
        }
    }
}
