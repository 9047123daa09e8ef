import JSON

/// What tells whether a container's waiting reason belongs to the pod's current spec. A kubelet
/// keeps reporting the last container that ran and the reason of its last failure until its next
/// sync of the pod (behaviour.md K3–K5), so after a patch neither `image` nor `containerID` tells
/// a stale reason from a fresh one.
public struct StatusFreshness: Sendable, Equatable {
    /// How long after the patch a waiting reason that nothing else vouches for counts as fresh.
    public static let settleSeconds: Double = 5

    /// The image the pod's spec names for the container now.
    public var specImage: String
    /// Whether `status.observedGeneration` has reached `metadata.generation`; nil where the server
    /// does not track pod generation (no `status.observedGeneration`).
    public var generationObserved: Bool?
    /// The settle time after the patch has passed.
    public var settled: Bool

    public init(specImage: String, generationObserved: Bool? = nil, settled: Bool) {
        self.specImage = specImage
        self.generationObserved = generationObserved
        self.settled = settled
    }

    /// The freshness of container `container`'s status in `pod`.
    public init(pod: Pod, container: String, settled: Bool) {
        let observed = pod.object[path: ["status", "observedGeneration"]]?.int
        let generation = pod.object[path: ["metadata", "generation"]]?.int
        self.init(specImage: PodTarget.specImage(pod, container) ?? "",
                  generationObserved: observed.map { $0 >= (generation ?? $0) }, settled: settled)
    }

    /// True once `settleSeconds` have passed since the patch at `patchedAt` (nil: not patched yet).
    public static func settled(patchedAt: Double?, now: Double) -> Bool {
        patchedAt.map { now - $0 >= settleSeconds } ?? false
    }

    /// Reasons whose kubelet message quotes the image being pulled.
    static let pullReasons: Set<String> = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]

    /// Whether waiting `reason` with `message` belongs to the current spec. `newContainer`: a
    /// container other than the recorded one ran (a new containerID proves a new container).
    func isFresh(reason: String, message: String, newContainer: Bool) -> Bool {
        if reason == "CrashLoopBackOff" { return newContainer }
        if generationObserved == false { return false }
        if Self.pullReasons.contains(reason) {
            let named = Self.quoted(message)
            if !named.isEmpty { return named.contains { ContainerRestartCheck.sameImage($0, specImage) } }
        }
        return generationObserved == true || newContainer || settled
    }

    /// The double-quoted strings of a kubelet message (Go's %q of image references).
    static func quoted(_ message: String) -> [String] {
        var out: [String] = []
        var current: String?
        var escaped = false
        for ch in message {
            if var c = current {
                if escaped {
                    c.append(ch)
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    out.append(c)
                    current = nil
                    continue
                } else {
                    c.append(ch)
                }
                current = c
            } else if ch == "\"" {
                current = ""
            }
        }
        return out
    }
}
