/// The hash the parser's caches find byte runs by: eight bytes at a time, a multiply and a shift
/// each. Not for keys an adversary picks: the caches compare the bytes of a slot before using it,
/// so a collision costs a miss, never a wrong value.
enum JSONByteHash {
    /// The hash of `count` bytes at `raw`.
    @inline(__always)
    static func of(_ raw: UnsafeRawPointer, count n: Int) -> UInt64 {
        var h = UInt64(truncatingIfNeeded: n) &* 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 29
            i += 8
        }
        if n < 8 {
            var tail: UInt64 = 0
            withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: raw, byteCount: n) }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        } else if i < n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
        }
        return h ^ (h >> 32)
    }
}
