/// Which images fail and how: by a marker in the image name (configurable) or by an explicit list.
/// An image that cannot be parsed as a reference is always `InvalidImageName`.
public struct ImageBehaviour: Sendable, Equatable {
    /// Images whose reference contains this text cannot be pulled ("" disables the marker).
    public var brokenMarker: String
    /// Images whose reference contains this text start, then exit with code 1 ("" disables it).
    public var crashMarker: String
    /// Images that cannot be pulled (as written in the pod spec, or normalized).
    public var missing: Set<String>
    /// Images whose containers crash (as written in the pod spec, or normalized).
    public var crashing: Set<String>

    /// The behaviour: `broken` and `crash` markers by default.
    public init(brokenMarker: String = "broken", crashMarker: String = "crash", missing: Set<String> = [], crashing: Set<String> = []) {
        self.brokenMarker = brokenMarker
        self.crashMarker = crashMarker
        self.missing = missing
        self.crashing = crashing
    }

    /// What happens to a container of `image`.
    public enum Outcome: Sendable, Equatable {
        /// Pulls, starts and runs.
        case runs
        /// The pull fails (ErrImagePull, then ImagePullBackOff).
        case missing
        /// Starts, then exits with code 1 (CrashLoopBackOff).
        case crashes
        /// The reference is invalid (InvalidImageName) with the kubelet's message.
        case invalid(String)
    }

    /// The outcome of starting a container of `image`.
    public func outcome(for image: String) -> Outcome {
        if let why = ImageReferenceCheck.problem(image) {
            return .invalid("Failed to apply default image tag \(JSONQuote.go(image)): couldn't parse image reference \(JSONQuote.go(image)): \(why)")
        }
        let normalized = ImageReference.normalized(image)
        func listed(_ set: Set<String>) -> Bool { set.contains(image) || set.contains { ImageReference.normalized($0) == normalized } }
        if listed(missing) || (!brokenMarker.isEmpty && image.contains(brokenMarker)) { return .missing }
        if listed(crashing) || (!crashMarker.isEmpty && image.contains(crashMarker)) { return .crashes }
        return .runs
    }

    /// The message of `ErrImagePull` for a missing image, as containerd reports it through the kubelet.
    public static func pullErrorMessage(_ image: String) -> String {
        let ref = ImageReference.normalized(image)
        return "rpc error: code = NotFound desc = failed to pull and unpack image \(JSONQuote.go(ref)): failed to resolve reference \(JSONQuote.go(ref)): \(ref): not found"
    }

    /// The message of `ImagePullBackOff`.
    public static func backOffMessage(_ image: String) -> String { "Back-off pulling image \(JSONQuote.go(image))" }
}

/// Go's %q for the plain strings of image references.
enum JSONQuote {
    static func go(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}

/// The parts of the distribution reference grammar (docker/distribution reference.Parse) that
/// decide whether the kubelet accepts an image name.
enum ImageReferenceCheck {
    /// Nil when `image` parses; else the parser's complaint ("invalid reference format", ...).
    static func problem(_ image: String) -> String? {
        let invalid = "invalid reference format"
        guard !image.isEmpty, image.count <= 255 else { return invalid }
        var name = Substring(image)
        if let at = image.firstIndex(of: "@") {
            name = image[..<at]
            let digest = image[image.index(after: at)...]
            guard let colon = digest.firstIndex(of: ":") else { return invalid }
            let algo = digest[..<colon]
            let hex = digest[digest.index(after: colon)...]
            guard !algo.isEmpty, algo.allSatisfy({ $0.isLetter || $0.isNumber || "+.-_".contains($0) }),
                hex.count >= 32, hex.allSatisfy({ $0.isHexDigit })
            else { return invalid }
        }
        let lastSlash = name.lastIndex(of: "/")
        let tail = lastSlash.map { name[name.index(after: $0)...] } ?? name
        if let colon = tail.lastIndex(of: ":") {
            let tag = tail[tail.index(after: colon)...]
            guard isTag(tag) else { return invalid }
            name = name[..<colon]
        }
        var components = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty else { return invalid }
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost" || first.contains(where: { $0.isUppercase })
        {
            guard isDomain(first) else { return invalid }
            components.removeFirst()
        }
        for c in components {
            guard isPathComponent(c) else {
                if c.contains(where: { $0.isUppercase }) && isPathComponent(Substring(c.lowercased())) {
                    return invalid + ": repository name must be lowercase"
                }
                return invalid
            }
        }
        return nil
    }

    static func isTag(_ t: Substring) -> Bool {
        guard let first = t.first, t.count <= 128, first.isASCII, first.isLetter || first.isNumber || first == "_" else { return false }
        return t.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    static func isDomain(_ d: Substring) -> Bool {
        guard !d.isEmpty else { return false }
        var host = d
        if let colon = d.lastIndex(of: ":") {
            let port = d[d.index(after: colon)...]
            guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return false }
            host = d[..<colon]
        }
        return !host.isEmpty && host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".-".contains($0)) }
    }

    /// `[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*`
    static func isPathComponent(_ c: Substring) -> Bool {
        let chars = Array(c)
        guard let first = chars.first, let last = chars.last, isAlnum(first), isAlnum(last) else { return false }
        var i = 0
        while i < chars.count {
            if isAlnum(chars[i]) {
                i += 1
                continue
            }
            var j = i
            while j < chars.count && !isAlnum(chars[j]) { j += 1 }
            let sep = String(chars[i..<j])
            guard sep == "." || sep == "_" || sep == "__" || sep.allSatisfy({ $0 == "-" }) else { return false }
            i = j
        }
        return true
    }

    static func isAlnum(_ ch: Character) -> Bool { ch.isASCII && (ch.isLowercase || ch.isNumber) }
}
