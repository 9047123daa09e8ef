/// Turns byte offsets and libyaml marks into the 1-based line/column marks users see, shifted
/// when a stream is parsed in pieces (the documents of a JSON stream).
struct SourceLocator {
    /// Lines before the piece being parsed.
    var lineOffset = 0
    /// Columns before the piece on its first line.
    var columnOffset = 0

    /// The mark for a 0-based libyaml line and column inside the piece.
    @inline(__always)
    func mark(line: Int, column: Int) -> SourceMark {
        SourceMark(line: line + 1 + lineOffset, column: column + 1 + (line == 0 ? columnOffset : 0))
    }

    /// The 0-based line and character column of a byte offset in `bytes` (`\n`, `\r\n`, `\r` end
    /// lines; a leading byte order mark takes no column, as in libyaml's marks).
    static func lineAndColumn(ofByteOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 0
        var column = 0
        var i = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == 0x0A {
                line += 1
                column = 0
            } else if b == 0x0D {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1; if i >= end { break } }
                line += 1
                column = 0
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    /// The mark of a byte offset inside the piece.
    func mark(ofByteOffset offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> SourceMark {
        let (line, column) = Self.lineAndColumn(ofByteOffset: offset, in: bytes)
        return mark(line: line, column: column)
    }
}
