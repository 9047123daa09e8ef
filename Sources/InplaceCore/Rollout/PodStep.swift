/// Where one pod stands in the in-place sequence; derived from the live pod, never stored,
/// so a rollout killed at any moment resumes from what the cluster shows.
public enum PodStep: Sendable, Equatable {
    /// Write the update record (old images, container state) on the pod.
    case record
    /// Write condition InPlaceUpdateReady=False so the pod leaves the endpoints.
    case gateOff
    /// Wait for the grace period and for no EndpointSlice to list the pod as ready.
    case drain
    /// Patch the container images (and the revision label).
    case patch
    /// Write the new cpu and memory through `pods/resize`.
    case resize
    /// Wait until the kubelet has applied the new resources (`PodResizePending` Deferred shows here).
    case resizing
    /// Wait until the changed containers run the new image and are ready.
    case restart
    /// Write condition InPlaceUpdateReady=True.
    case gateOn
    /// Wait until the pod is Ready.
    case ready
    /// Updated and Ready.
    case done
    /// The kubelet reports a failure (image pull, crash loop, ...).
    case failed(reason: String, message: String)

    /// True for `.failed`.
    public var isFailure: Bool {
        if case .failed = self { return true }
        return false
    }

    /// A short name for progress output.
    public var label: String {
        switch self {
        case .record: return "recording"
        case .gateOff: return "leaving service"
        case .drain: return "draining"
        case .patch: return "patching"
        case .resize: return "resizing"
        case .resizing: return "applying resources"
        case .restart: return "restarting"
        case .gateOn: return "rejoining"
        case .ready: return "becoming ready"
        case .done: return "done"
        case .failed: return "failed"
        }
    }
}
