#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings a parser has built recently, handed out again when the same bytes come back: a watch
/// stream repeats its keys, timestamps, names and images in every event. Each long string (Swift
/// keeps up to 15 UTF-8 bytes inline) built anew is an allocation, and building even a short one
/// (checking its UTF-8) costs more than finding it here. A direct-mapped table: a miss replaces
/// the slot.
public struct JSONStringCache: Sendable {
    private var slots: [String]
    private let mask: Int
    /// Longer strings rarely repeat.
    static let cachedLengths = 1...160

    /// A cache of `capacity` slots (rounded up to a power of two); 0: no cache.
    public init(capacity: Int = 2048) {
        var size = capacity > 0 ? 16 : 0
        while size < capacity { size <<= 1 }
        slots = Array(repeating: "", count: size)
        mask = size - 1
    }

    /// False for the cache of no slots.
    var isEnabled: Bool { mask >= 0 }

    /// The string of these UTF-8 bytes (invalid sequences repaired, as `String(decoding:as:)` does).
    public mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let n = bytes.count
        guard Self.cachedLengths.contains(n), let base = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        let raw = UnsafeRawPointer(base)
        let slot = Int(truncatingIfNeeded: JSONByteHash.of(raw, count: n)) & mask
        var cached = slots[slot]
        if cached.utf8.count == n && cached.withUTF8({ memcmp($0.baseAddress!, raw, n) == 0 }) { return cached }
        let s = String(decoding: bytes, as: UTF8.self)
        slots[slot] = s
        return s
    }
}
