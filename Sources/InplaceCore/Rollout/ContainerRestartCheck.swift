import JSON

/// Decides from a container's status whether its in-place image change has taken effect.
public enum ContainerRestartCheck {
    /// Where one changed container stands.
    public enum Progress: Sendable, Equatable {
        /// The kubelet has not restarted it on the new image yet.
        case pending
        /// Restarted on the new image; `ready` tells whether its readiness probe passes.
        case restarted(ready: Bool)
        /// The kubelet reports a failure that will not go away by waiting.
        case failed(reason: String, message: String)
    }

    /// Waiting reasons that fail a pod at once, with the kubelet's message.
    public static let failFastReasons: Set<String> = [
        "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull",
        "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "CrashLoopBackOff",
    ]

    /// Compares the live `status` of a container with what was recorded before its image changed.
    ///
    /// A restart is proven by a new containerID or a higher restartCount, and the image by the
    /// status image or a new imageID (or the digest, when the target names one), so a new tag that
    /// shares the old digest still completes. A waiting reason fails the pod only when `freshness`
    /// says it belongs to the current spec (nil: the spec names the target, no generation is
    /// tracked, and the settle time has passed).
    public static func check(_ record: PodUpdateRecord.Container, status: JSONValue?, freshness: StatusFreshness? = nil) -> Progress {
        guard let status else { return .pending }
        let containerID = status["containerID"]?.string ?? ""
        let restartCount = status["restartCount"]?.int ?? 0
        let restarted = (!containerID.isEmpty && containerID != record.containerID) || restartCount > record.restartCount
        if let waiting = status[path: ["state", "waiting"]], let reason = waiting["reason"]?.string, failFastReasons.contains(reason) {
            let message = waiting["message"]?.string ?? ""
            let lastID = status[path: ["lastState", "terminated", "containerID"]]?.string ?? ""
            let newContainer = restarted || (!lastID.isEmpty && lastID != record.containerID)
            let f = freshness ?? StatusFreshness(specImage: record.to, settled: true)
            if f.isFresh(reason: reason, message: message, newContainer: newContainer) {
                return .failed(reason: reason, message: message)
            }
            return .pending
        }
        guard restarted else { return .pending }
        let imageID = status["imageID"]?.string ?? ""
        let imageApplied: Bool
        if let digest = digest(of: record.to) {
            imageApplied = imageID.hasSuffix(digest)
        } else {
            let image = status["image"]?.string ?? ""
            imageApplied = image == record.to || normalize(image) == normalize(record.to)
                || (!imageID.isEmpty && imageID != record.imageID)
        }
        guard imageApplied, status[path: ["state", "running"]] != nil else { return .pending }
        return .restarted(ready: status["ready"]?.bool ?? false)
    }

    /// The `sha256:...` digest an image reference pins, if any.
    static func digest(of image: String) -> String? {
        guard let at = image.firstIndex(of: "@") else { return nil }
        return String(image[image.index(after: at)...])
    }

    /// The canonical form of an image name: Docker Hub prefixes dropped, `:latest` made explicit
    /// (when the last non-empty path component names no tag). Read byte by byte: the rollout asks on
    /// every change of a restarting pod.
    static func normalize(_ image: String) -> String {
        var s = Substring(image)
        // Compared as bytes: Substring.hasPrefix(String) compares Characters, one grapheme break at a time.
        for prefix in ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"]
        where s.utf8.starts(with: prefix.utf8) {
            s = Substring(s.utf8.dropFirst(prefix.utf8.count))
            break
        }
        let bytes = s.utf8
        if bytes.contains(UInt8(ascii: "@")) { return String(s) }
        var end = bytes.endIndex
        while end > bytes.startIndex, bytes[bytes.index(before: end)] == UInt8(ascii: "/") { end = bytes.index(before: end) }
        let start = bytes[..<end].lastIndex(of: UInt8(ascii: "/")).map { bytes.index(after: $0) } ?? bytes.startIndex
        let lastComponent = end > bytes.startIndex ? bytes[start..<end] : bytes[...]
        return lastComponent.contains(UInt8(ascii: ":")) ? String(s) : s + ":latest"
    }
}
