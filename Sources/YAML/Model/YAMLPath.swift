/// Builds and splits the JSON paths used as keys of `YAMLDocument.positions`.
///
/// Keys are joined by `.`, array indices are written `[i]`, and keys that are empty or contain `.`
/// or `[` are written `["some.key"]` (with `"` and `\` escaped by `\`). The root is `""`.
/// Example: `spec.template.metadata.annotations["kubernetes.io/change-cause"]`.
public enum YAMLPath {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// The path of the member `key` of the object at `path`.
    public static func appending(key: String, to path: String) -> String {
        if needsBrackets(key) {
            var out = path
            out.reserveCapacity(path.utf8.count + key.utf8.count + 4)
            out += "[\""
            for ch in key.unicodeScalars {
                if ch == "\"" || ch == "\\" { out.unicodeScalars.append("\\") }
                out.unicodeScalars.append(ch)
            }
            out += "\"]"
            return out
        }
        if path.isEmpty { return key }
        var out = ""
        out.reserveCapacity(path.utf8.count + 1 + key.utf8.count)
        out += path
        out += "."
        out += key
        return out
    }

    /// The path of the element `index` of the array at `path`.
    public static func appending(index: Int, to path: String) -> String {
        var out = ""
        out.reserveCapacity(path.utf8.count + 8)
        out += path
        out += "["
        out += String(index)
        out += "]"
        return out
    }

    /// The path made of these components.
    public static func string(_ components: [Component]) -> String {
        var path = ""
        for component in components {
            switch component {
            case .key(let key): path = appending(key: key, to: path)
            case .index(let index): path = appending(index: index, to: path)
            }
        }
        return path
    }

    /// The components of a path written by this type (malformed tails are taken as one key).
    public static func components(of path: String) -> [Component] {
        var result: [Component] = []
        let chars = Array(path.unicodeScalars)
        var i = 0
        var current = ""
        var hasCurrent = false
        func flush() {
            if hasCurrent { result.append(.key(current)) }
            current = ""
            hasCurrent = false
        }
        while i < chars.count {
            let c = chars[i]
            if c == "." {
                flush()
                i += 1
            } else if c == "[" {
                flush()
                if i + 1 < chars.count, chars[i + 1] == "\"" {
                    var key = ""
                    var j = i + 2
                    var closed = false
                    while j < chars.count {
                        if chars[j] == "\\", j + 1 < chars.count {
                            key.unicodeScalars.append(chars[j + 1])
                            j += 2
                        } else if chars[j] == "\"", j + 1 < chars.count, chars[j + 1] == "]" {
                            closed = true
                            j += 2
                            break
                        } else {
                            key.unicodeScalars.append(chars[j])
                            j += 1
                        }
                    }
                    if !closed { result.append(.key(String(String.UnicodeScalarView(chars[i...])))); return result }
                    result.append(.key(key))
                    i = j
                } else {
                    var j = i + 1
                    var digits = ""
                    while j < chars.count, chars[j] != "]" { digits.unicodeScalars.append(chars[j]); j += 1 }
                    guard j < chars.count, let index = Int(digits) else {
                        result.append(.key(String(String.UnicodeScalarView(chars[i...]))))
                        return result
                    }
                    result.append(.index(index))
                    i = j + 1
                }
            } else {
                current.unicodeScalars.append(c)
                hasCurrent = true
                i += 1
            }
        }
        flush()
        return result
    }

    private static func needsBrackets(_ key: String) -> Bool {
        if key.isEmpty { return true }
        let found = key.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") }
        }
        return found ?? key.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") }
    }
}
