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
            imageApplied = image == record.to || sameImage(image, record.to)
                || (!imageID.isEmpty && imageID != record.imageID)
        }
        guard imageApplied, status[path: ["state", "running"]] != nil else { return .pending }
        return .restarted(ready: status["ready"]?.bool ?? false)
    }

    /// The `sha256:...` digest an image reference pins, if any.
    static func digest(of image: String) -> String? {
        // Found as a byte: `String.firstIndex(of:)` compares Characters, one grapheme break at a time.
        guard let at = image.utf8.firstIndex(of: UInt8(ascii: "@")) else { return nil }
        return String(image[image.utf8.index(after: at)...])
    }

    /// The canonical form of an image name: Docker Hub prefixes dropped, `:latest` made explicit
    /// (when the last non-empty path component names no tag).
    static func normalize(_ image: String) -> String {
        var image = image
        return image.withUTF8 { bytes in
            let (name, latest) = canonical(bytes)
            return String(decoding: name, as: UTF8.self) + (latest ? ":latest" : "")
        }
    }

    /// True when two image names normalise to the same (`normalize`), compared in place: the rollout
    /// asks on every change of a restarting pod, and the runtime reports Docker Hub images in full.
    static func sameImage(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let (xName, xLatest) = canonical(x), (yName, yLatest) = canonical(y)
                if xLatest == yLatest { return xName.elementsEqual(yName) }
                // One side spells ":latest" out: it is the other side's name followed by ":latest".
                let (short, long) = xLatest ? (xName, yName) : (yName, xName)
                let tag: StaticString = ":latest"
                let tagBytes = UnsafeBufferPointer(start: tag.utf8Start, count: tag.utf8CodeUnitCount)
                return long.count == short.count + tagBytes.count && long.prefix(short.count).elementsEqual(short)
                    && long.suffix(tagBytes.count).elementsEqual(tagBytes)
            }
        }
    }

    /// An image name's canonical form as its bytes without the Docker Hub prefix, and whether
    /// `:latest` follows them (see `normalize`).
    private static func canonical(_ image: UnsafeBufferPointer<UInt8>) -> (name: Slice<UnsafeBufferPointer<UInt8>>, latest: Bool) {
        var s = image[...]
        for prefix: StaticString in ["docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"] {
            let p = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
            if s.starts(with: p) {
                s = s.dropFirst(p.count)
                break
            }
        }
        if s.contains(UInt8(ascii: "@")) { return (s, false) }
        var end = s.endIndex
        while end > s.startIndex, s[end - 1] == UInt8(ascii: "/") { end -= 1 }
        let start = s[..<end].lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? s.startIndex
        let lastComponent = end > s.startIndex ? s[start..<end] : s
        return (s, !lastComponent.contains(UInt8(ascii: ":")))
    }
}
