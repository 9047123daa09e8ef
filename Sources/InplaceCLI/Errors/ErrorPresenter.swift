import InplaceCore
import KubeClient

/// Turns any error into the one line shown to the user and the exit code of the contract: a server
/// that kept failing after the retries (5xx, 429, a lost connection) is 1, never 2 ("fix your input").
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
            case .serverError, .timeout, .tooManyRequests: return (e.kubectlMessage, .failed)
            case .transport:
                if case .transport(let t) = e, t.kind == .connectionLost || t.kind == .timedOut { return (e.kubectlMessage, .failed) }
                return (e.kubectlMessage, .usage)
            default: return (e.kubectlMessage, .usage)
            }
        case let e as ClusterOperationError: return (e.message, e.kind == .transient ? .failed : .usage)
        case let e as any CustomStringConvertible: return (e.description, .usage)
        default: return (String(describing: error), .usage)
        }
    }
}
