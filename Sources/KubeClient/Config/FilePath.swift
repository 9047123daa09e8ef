/// Lexical path operations with Go `path/filepath` semantics (kubeconfig path resolution).
enum FilePath {
    /// True when `path` starts at the root.
    static func isAbsolute(_ path: String) -> Bool { path.hasPrefix("/") }

    /// The shortest equivalent path: removes `.`, resolves `..`, collapses slashes.
    static func clean(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !rooted {
                    parts.append(part)
                }
                continue
            }
            parts.append(part)
        }
        let body = parts.joined(separator: "/")
        if rooted { return "/" + body }
        return body.isEmpty ? "." : body
    }

    /// All but the last element of `path`, cleaned.
    static func directory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : clean(dir)
    }

    /// Joins elements with `/` and cleans the result.
    static func join(_ elements: String...) -> String {
        clean(elements.filter { !$0.isEmpty }.joined(separator: "/"))
    }

    /// `path` made absolute against `base` when it is relative.
    static func absolute(_ path: String, base: String) -> String {
        isAbsolute(path) ? clean(path) : join(base, path)
    }
}
