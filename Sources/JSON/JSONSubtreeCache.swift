#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Objects and arrays a parser built recently, handed out again when the same bytes come back under
/// the same projection, for the members a projection marks as shared (`JSONProjection.shares`): the
/// events of one pod repeat its spec and most of its status, a slice's events all but one of its
/// endpoints, and the pods of one template share their owner. A hit costs one comparison with the
/// kept copy instead of checking and building the value, and the versions of a pod share what did
/// not change (freeing an old version frees only what changed).
///
/// A value is looked up by one of three keys, none of which needs its end found first but the last:
/// its projection and the identity of the document read so far (a pod's name,
/// `JSONProjection.identifies`), for the document's own members, so the versions of one pod's spec
/// meet in one set and other pods' stay apart; its projection and first bytes, for values told apart
/// early (an endpoint by its address); or its projection and all its bytes, for members alike
/// across documents (`JSONProjection.sharesAcross`: pods whose conditions changed in the same
/// second). A kept value is used only when its whole kept copy equals the bytes at hand: a kept
/// copy is one complete object or array, which closes where the copy ends, so equal bytes are that
/// value (a collision is a miss, never a wrong value). Values are shared, not copied: `JSONValue`
/// copies its storage on write.
public struct JSONSubtreeCache: Sendable {
    /// Each slot's key, the bytes and projection its value was built from, and the value, in arrays
    /// of their own: a lookup reads the keys of a set, then compares in place, and copies out only the value.
    private var keys: [UInt64]
    private var sources: [[UInt8]]
    private var projections: [JSONProjection?]
    private var values: [JSONValue]
    /// Offsets a reader keeps beside a value (`JSONScanner.elements(remembering:)`: where each
    /// element of a kept array starts and ends), as plain integers rather than values.
    private var spans: [[Int32]]
    /// When each slot was last kept or found (a count of lookups): the least recent of a full set goes.
    private var used: [UInt32]
    private var clock: UInt32 = 0
    private let setMask: Int
    /// Bytes of the kept copies, at most `byteBudget`: a value that would go over it is not kept.
    private(set) var keptBytes = 0
    static let byteBudget = 4 << 20
    /// Smaller containers are built and not kept (building them costs little more than a lookup).
    static let minimumBytes = 128
    /// Larger ones are built and not kept (a copy of their bytes is kept with each value).
    static let maximumBytes = 16384
    /// Slots per set: the values whose keys meet (versions of one member, or members that start alike).
    static let ways = 4
    /// How many of a value's first bytes go into a prefix key (an endpoint's address is within them).
    static let prefixBytes = 64

    /// A cache of `capacity` slots (rounded up to a power of two, at least one set); 0: no cache.
    public init(capacity: Int = 1024) {
        var size = capacity > 0 ? 16 : 0
        while size < capacity { size <<= 1 }
        keys = Array(repeating: 0, count: size)
        sources = Array(repeating: [], count: size)
        projections = Array(repeating: nil, count: size)
        values = Array(repeating: .null, count: size)
        spans = Array(repeating: [], count: size)
        used = Array(repeating: 0, count: size)
        setMask = size / Self.ways - 1
    }

    /// False for the cache of no slots.
    var isEnabled: Bool { setMask >= 0 }

    /// The key of a document's own member read under `projection` once the document's identity
    /// (`context`) is known: the versions of that member meet in one set.
    static func key(identity context: UInt64, projection: JSONProjection?) -> UInt64 {
        mix(member(projection) ^ (context &* 0x9E37_79B9_7F4A_7C15))
    }

    /// The key of a value by all its bytes: equal values of many documents meet in one set.
    static func key(content bytes: UnsafeRawBufferPointer, projection: JSONProjection?) -> UInt64 {
        mix(member(projection) ^ JSONByteHash.of(bytes.baseAddress!, count: bytes.count))
    }

    /// The key of a value by its first bytes (`available` bytes follow `raw`: the value and what comes
    /// after it), for values told apart early (an endpoint by its address) whose end is not known.
    static func key(prefix raw: UnsafeRawPointer, available: Int, projection: JSONProjection?) -> UInt64 {
        mix(member(projection) ^ JSONByteHash.of(raw, count: min(available, prefixBytes)))
    }

    private static func member(_ projection: JSONProjection?) -> UInt64 {
        UInt64(projection.map { UInt(bitPattern: ObjectIdentifier($0)) } ?? 0)
    }

    private static func mix(_ x: UInt64) -> UInt64 {
        let h = x &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 31)
    }

    /// The slots of the set `key` falls in.
    private func slots(of key: UInt64) -> Range<Int> {
        let first = (Int(truncatingIfNeeded: key) & setMask) * Self.ways
        return first..<(first + Self.ways)
    }

    /// True when slot `i` was kept under `key` and `projection`.
    private func holds(_ i: Int, _ key: UInt64, _ projection: JSONProjection?) -> Bool {
        keys[i] == key && projections[i] === projection
    }

    /// The value kept under `key` and `projection` whose bytes are the first bytes at `raw`, and how
    /// many bytes it spans.
    mutating func value(key: UInt64, at raw: UnsafeRawPointer, available: Int, projection: JSONProjection?) -> (value: JSONValue, length: Int)? {
        clock &+= 1
        for i in slots(of: key) where holds(i, key, projection) {
            let n = sources[i].count
            if n > 0, n <= available, sources[i].withUnsafeBytes({ memcmp($0.baseAddress!, raw, n) == 0 }) {
                used[i] = clock
                return (values[i], n)
            }
        }
        return nil
    }

    /// The value last kept under `key` and `projection`, whatever its bytes, with the bytes it was
    /// built from and the spans kept with it: for a reader that reuses what parts of them a new
    /// version repeats.
    mutating func latest(key: UInt64, projection: JSONProjection?) -> (source: [UInt8], value: JSONValue, spans: [Int32])? {
        clock &+= 1
        for i in slots(of: key) where holds(i, key, projection) && !sources[i].isEmpty {
            used[i] = clock
            return (sources[i], values[i], spans[i])
        }
        return nil
    }

    /// Keeps `value`, built from `bytes` (one whole object or array) under `projection`, in its
    /// key's set: in place of an older version (a slot of the same key and projection), else in an
    /// empty slot, else in the slot least recently used. Sizes outside the kept range (up to
    /// `largest` bytes) are not kept. `spans` are kept beside the value (see `latest`).
    mutating func keep(_ value: JSONValue, key: UInt64, bytes: UnsafeRawBufferPointer, projection: JSONProjection?,
                       largest: Int = maximumBytes, spans keptSpans: [Int32] = []) {
        guard bytes.count >= Self.minimumBytes, bytes.count <= largest else { return }
        let set = slots(of: key)
        let slot = set.first { holds($0, key, projection) && !sources[$0].isEmpty }
            ?? set.first { sources[$0].isEmpty }
            ?? set.max { clock &- used[$0] < clock &- used[$1] }!  // the longest unused (the clock wraps)
        let kept = keptBytes - sources[slot].count + bytes.count
        guard kept <= Self.byteBudget else { return }
        keptBytes = kept
        keys[slot] = key
        sources[slot] = [UInt8](unsafeUninitializedCapacity: bytes.count) { out, initialized in
            if let base = bytes.baseAddress { memcpy(out.baseAddress!, base, bytes.count) }
            initialized = bytes.count
        }
        projections[slot] = projection
        values[slot] = value
        spans[slot] = keptSpans
        used[slot] = clock
    }
}
