/// Finding the end of a JSON string's plain run without reading it byte by byte, for scans that only
/// frame JSON (count brackets outside strings) and leave checking it to the parser.
public enum JSONStringBytes {
    /// The offset of the first quote or backslash in `bytes` at or after `from` (`bytes.count` when
    /// none), eight bytes at a time: the lowest flag of the "has a zero byte" test is exact.
    @inline(__always)
    public static func quoteOrBackslash(in bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        var i = from
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian
            let quote = w ^ 0x2222_2222_2222_2222, slash = w ^ 0x5C5C_5C5C_5C5C_5C5C
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            let special = (((quote &- ones) & ~quote) | ((slash &- ones) & ~slash)) & highs
            if special != 0 { return i + special.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < n && bytes[i] != UInt8(ascii: "\"") && bytes[i] != UInt8(ascii: "\\") { i += 1 }
        return i
    }
}
