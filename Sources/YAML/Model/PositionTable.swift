/// The source marks of one document's values, recorded cheaply while parsing (one entry per value:
/// its parent, its key or index, its mark) and turned into the path → mark dictionary only when
/// someone asks for it, since most documents never need their positions.
final class PositionTable: Sendable {
    /// One recorded value: the entry of its parent (-1 for the root) and its key or index there.
    struct Entry: Sendable {
        var parent: Int32
        var key: String?
        var index: Int32
        var mark: SourceMark
    }

    private let entries: [Entry]
    private let dictionary: Mutex<[String: SourceMark]?>

    /// A table built from recorded entries; parents always come before their children.
    init(entries: [Entry]) {
        self.entries = entries
        self.dictionary = Mutex(nil)
    }

    /// A table holding a ready dictionary.
    init(dictionary: [String: SourceMark]) {
        self.entries = []
        self.dictionary = Mutex(dictionary)
    }

    /// Path → mark for every recorded value.
    var marks: [String: SourceMark] {
        dictionary.withLock { cached in
            if let cached { return cached }
            let built = build()
            cached = built
            return built
        }
    }

    private func build() -> [String: SourceMark] {
        var paths: [String] = []
        paths.reserveCapacity(entries.count)
        var result = [String: SourceMark](minimumCapacity: entries.count)
        for entry in entries {
            let path: String
            if entry.parent < 0 {
                path = ""
            } else if let key = entry.key {
                path = YAMLPath.appending(key: key, to: paths[Int(entry.parent)])
            } else {
                path = YAMLPath.appending(index: Int(entry.index), to: paths[Int(entry.parent)])
            }
            paths.append(path)
            result[path] = entry.mark
        }
        return result
    }
}
