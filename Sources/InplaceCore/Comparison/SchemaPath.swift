/// Prefix and suffix tests on the schema paths the comparison builds (`containers[].resources.limits.cpu`),
/// byte by byte: `String.hasSuffix` compares extended grapheme clusters, which dominated the cost of
/// comparing 10,000 pods. On an all-ASCII path bytes and grapheme clusters agree for these ASCII
/// affixes; a path with any other byte takes the grapheme-aware `String` test.
enum SchemaPath {
    /// `path.hasSuffix(suffix)`.
    static func hasSuffix(_ path: String, _ suffix: StaticString) -> Bool {
        ascii(path) { hasSuffix($0, suffix) } ?? path.hasSuffix(suffix.description)
    }

    /// `path.hasPrefix(prefix)`.
    static func hasPrefix(_ path: String, _ prefix: StaticString) -> Bool {
        ascii(path) { hasPrefix($0, prefix) } ?? path.hasPrefix(prefix.description)
    }

    /// `path.hasPrefix(prefix)` for an ASCII `prefix`.
    static func hasPrefix(_ path: String, _ prefix: String) -> Bool {
        var prefix = prefix
        let fast: Bool? = prefix.withUTF8 { pre in
            ascii(path) { p in
                guard p.count >= pre.count else { return false }
                for i in 0..<pre.count where p[i] != pre[i] { return false }
                return true
            }
        }
        return fast ?? path.hasPrefix(prefix)
    }

    /// A leaf under `resources.limits` or `resources.requests`, an `emptyDir.sizeLimit`, or under `overhead`.
    static func isQuantity(_ path: String) -> Bool {
        ascii(path) { p in
            if let dot = p.lastIndex(of: UInt8(ascii: ".")) {
                let parent = UnsafeBufferPointer(rebasing: p[..<dot])
                if hasSuffix(parent, "resources.limits") || hasSuffix(parent, "resources.requests") { return true }
            }
            return hasSuffix(p, "emptyDir.sizeLimit") || hasPrefix(p, "overhead.")
        } ?? slowIsQuantity(path)
    }

    private static func slowIsQuantity(_ path: String) -> Bool {
        if let dot = path.lastIndex(of: ".") {
            let parent = path[..<dot]
            if parent.hasSuffix("resources.limits") || parent.hasSuffix("resources.requests") { return true }
        }
        return path.hasSuffix("emptyDir.sizeLimit") || path.hasPrefix("overhead.")
    }

    /// `body` over the path's bytes when they are all ASCII; nil otherwise.
    private static func ascii<T>(_ path: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        var path = path
        return path.withUTF8 { p in p.contains(where: { $0 >= 0x80 }) ? nil : body(p) }
    }

    private static func hasSuffix(_ p: UnsafeBufferPointer<UInt8>, _ suffix: StaticString) -> Bool {
        let n = suffix.utf8CodeUnitCount
        guard p.count >= n else { return false }
        let s = suffix.utf8Start, start = p.count - n
        for i in 0..<n where p[start + i] != s[i] { return false }
        return true
    }

    private static func hasPrefix(_ p: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        let n = prefix.utf8CodeUnitCount
        guard p.count >= n else { return false }
        let s = prefix.utf8Start
        for i in 0..<n where p[i] != s[i] { return false }
        return true
    }
}
