/// Checks container image references the way the container runtime's reference grammar does
/// (distribution/reference): `[host[:port]/]path[:tag][@digest]`, path components lower case.
public enum ImageReference {
    /// Nil when valid, otherwise why not.
    public static func problem(_ image: String) -> String? {
        guard !image.isEmpty else { return "an image is required" }
        if image.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) { return "must not contain whitespace" }
        var rest = Substring(image)
        if let at = rest.firstIndex(of: "@") {
            let digest = rest[rest.index(after: at)...]
            let parts = digest.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 32,
                  parts[1].allSatisfy({ $0.isHexDigit }) else { return "invalid digest \"\(digest)\"" }
            rest = rest[..<at]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard let last = components.popLast(), !last.isEmpty else { return "invalid reference format" }
        var name = last
        if let colon = last.lastIndex(of: ":") {
            let tag = last[last.index(after: colon)...]
            name = last[..<colon]
            let tagChars = tag.allSatisfy { $0.isLetter && $0.isASCII || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }
            guard !tag.isEmpty, tag.count <= 128, tagChars, tag.first != "." && tag.first != "-" else {
                return "invalid tag \"\(tag)\""
            }
        }
        components.append(name)
        for (i, c) in components.enumerated() {
            let isHost = i == 0 && components.count > 1 && (c.contains(".") || c.contains(":") || c == "localhost")
            if isHost { continue }
            let ok = !c.isEmpty && c.allSatisfy { ($0.isLowercase || $0.isNumber) && $0.isASCII || "._-".contains($0) }
                && c.first!.isASCII && (c.first!.isLowercase || c.first!.isNumber)
            if !ok { return "invalid reference format: repository name must be lowercase" }
        }
        return nil
    }
}
