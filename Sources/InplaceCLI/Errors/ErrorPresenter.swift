import InplaceCore
import KubeClient

/// Turns any error into the one line shown to the user and the exit code of the contract.
public enum ErrorPresenter {
    /// The message (nil when already shown) and the exit code.
    public static func present(_ error: any Error) -> (String?, ExitCode) {
        switch error {
        case let e as CLIError:
            if case .exit = e { return (nil, e.exitCode) }
            return (e.description, e.exitCode)
        case let e as ManifestError: return (e.description, .usage)
        case let e as TargetError: return (e.description, .usage)
        case let e as KubeAPIError:
            // kubectl's wording for the common failures (cmdutil.StandardErrorMessage).
            switch e.classification {
            case .unauthorized: return ("You must be logged in to the server (Unauthorized)", .usage)
            case .forbidden: return (e.apiStatus?.message ?? e.description, .usage)
            default: return (e.kubectlMessage, .usage)
            }
        case let e as ClusterOperationError: return (e.message, .usage)
        case let e as any CustomStringConvertible: return (e.description, .usage)
        default: return (String(describing: error), .usage)
        }
    }
}
