#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Objects and arrays a parser built recently, handed out again when the same bytes come back under
/// the same projection, for the members a projection marks as shared (`JSONProjection.shares`): the
/// events of one pod repeat its spec and most of its status, and the pods of one template share
/// their owner. A hit costs a pass over the bytes and a comparison with the kept copy instead of
/// checking and building the value, and the versions of a pod share what did not change (freeing
/// an old version frees only what changed).
///
/// A direct-mapped table: a value is found by a hash of its bytes and used only when the bytes,
/// the projection it was built under and their length all match (a collision is a miss, never a
/// wrong value). Values are shared, not copied: `JSONValue` copies its storage on write.
public struct JSONSubtreeCache: Sendable {
    /// Each slot's hash, the bytes and projection its value was built from, and the value, in arrays
    /// of their own: a lookup reads the hash, then compares in place, and copies out only the value.
    private var hashes: [UInt64]
    private var sources: [[UInt8]]
    private var projections: [JSONProjection?]
    private var values: [JSONValue]
    private let mask: Int
    /// Bytes of the kept copies, at most `byteBudget`: a value that would go over it is not kept.
    private(set) var keptBytes = 0
    static let byteBudget = 4 << 20
    /// Smaller containers are built rather than looked up (a lookup passes over their bytes twice).
    static let minimumBytes = 128
    /// Larger ones are built and not kept (a copy of their bytes is kept with each value).
    static let maximumBytes = 16384

    /// A cache of `capacity` slots (rounded up to a power of two); 0: no cache.
    public init(capacity: Int = 1024) {
        var size = capacity > 0 ? 16 : 0
        while size < capacity { size <<= 1 }
        hashes = Array(repeating: 0, count: size)
        sources = Array(repeating: [], count: size)
        projections = Array(repeating: nil, count: size)
        values = Array(repeating: .null, count: size)
        mask = size - 1
    }

    /// False for the cache of no slots.
    var isEnabled: Bool { mask >= 0 }

    /// The hash these bytes are found by.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 { JSONByteHash.of(bytes.baseAddress!, count: bytes.count) }

    /// The value built from these bytes under `projection`, if kept.
    func value(hash: UInt64, bytes: UnsafeRawBufferPointer, projection: JSONProjection?) -> JSONValue? {
        let i = Int(truncatingIfNeeded: hash) & mask
        guard hashes[i] == hash, projections[i] === projection, sources[i].count == bytes.count,
              sources[i].withUnsafeBytes({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 })
        else { return nil }
        return values[i]
    }

    /// Keeps `value`, built from these bytes under `projection`, in place of the slot's value.
    mutating func keep(_ value: JSONValue, hash: UInt64, bytes: UnsafeRawBufferPointer, projection: JSONProjection?) {
        let i = Int(truncatingIfNeeded: hash) & mask
        let kept = keptBytes - sources[i].count + bytes.count
        guard kept <= Self.byteBudget else { return }
        keptBytes = kept
        hashes[i] = hash
        sources[i] = Array(bytes)
        projections[i] = projection
        values[i] = value
    }
}
