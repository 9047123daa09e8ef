#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The parts of a document a reader keeps, for parsing large objects it reads only a little of
/// (a pod's volumes, probes and managedFields are most of its bytes): dropped members are passed
/// over without building them. Arrays are transparent: an array's elements get the projection of
/// the member holding the array.
public final class JSONProjection: Sendable {
    /// Reads a value into a digest of it: a value of its own shape with the few facts a reader needs.
    public typealias Digest = @Sendable (inout JSONScanner) throws(JSONParseError) -> JSONValue

    /// True when the member is dropped whole.
    public let drops: Bool
    /// True when the member is looked up in the parser's subtree cache before it is built: a part
    /// that most versions of a watched object repeat (a pod's spec between its events).
    public let shares: Bool
    /// True for a shared member that the documents of a stream have alike (the owner of a workload's
    /// pods, conditions that changed in the same second): looked up by all its bytes, not under the
    /// document's identity.
    public let sharesAcross: Bool
    /// True when the member, a string, names the document (a pod's `metadata.name`): the subtree
    /// cache keeps the members read after it apart from other documents' (`JSONSubtreeCache`).
    public let identifies: Bool
    /// Projections of named members (found by their keys' bytes, `memberIndex(bytes:)`); members not named are kept whole.
    private let members: [(key: String, projection: JSONProjection)]
    /// The members' keys as UTF-8 bytes, in the order of `members`, each as its length, its first
    /// eight bytes (zero-padded) and the rest: the parser finds a member by the bytes of its key
    /// before building the key's string.
    private let keyHeads: [UInt64]
    private let keyLengths: [Int]
    private let keyTails: [[UInt8]]
    /// An open-addressed table of the members by their key's head and length: each slot holds a
    /// member's position plus one (0: empty); a power of two at least twice the members.
    private let keySlots: [Int32]
    /// Set: an object is read by this instead of being built (arrays stay transparent, other values
    /// are built as they are).
    public let digest: Digest?
    /// The members of the document a digest reads (nil: any of them); what a server leaves out of
    /// the others changes nothing for it.
    public let reads: Set<String>?

    private init(drops: Bool, shares: Bool = false, sharesAcross: Bool = false, identifies: Bool = false,
                 members: [(key: String, projection: JSONProjection)], digest: Digest? = nil, reads: Set<String>? = nil) {
        self.drops = drops
        self.reads = reads
        self.shares = shares || sharesAcross
        self.sharesAcross = sharesAcross
        self.identifies = identifies
        self.members = members
        let keys = members.map { Array($0.key.utf8) }
        self.keyHeads = keys.map { $0.withUnsafeBytes { Self.head(of: $0) } }
        self.keyLengths = keys.map(\.count)
        self.keyTails = keys.map { Array($0.dropFirst(8)) }
        var size = 8
        while size < 2 * keys.count { size <<= 1 }
        var slots = [Int32](repeating: 0, count: size)
        for i in keys.indices {
            var slot = Self.slot(head: keyHeads[i], length: keyLengths[i], mask: size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int32(i + 1)
        }
        self.keySlots = slots
        self.digest = digest
    }

    /// Keeps everything except the members at `paths` (each a list of keys from the root); the
    /// members at `sharing` (each document's own) and `sharingAcross` (alike in many documents) are
    /// taken from the parser's subtree cache when their bytes repeat, and the string at `identity`
    /// names the document for that cache.
    public convenience init(dropping paths: [[String]], sharing: [[String]] = [], sharingAcross: [[String]] = [],
                            identity: [String]? = nil) {
        let roles: [(path: [String], role: Role)] = paths.map { ($0, .drop) } + sharing.map { ($0, .share) }
            + sharingAcross.map { ($0, .shareAcross) } + (identity.map { [($0, .identify)] } ?? [])
        self.init(drops: false, members: Self.tree(roles))
    }

    /// Keeps what `digest` makes of an object: the parser hands it a scanner over the object's bytes;
    /// `reading` names the members of the document it reads, when it reads no others.
    public convenience init(digest: @escaping Digest, reading: Set<String>? = nil) {
        self.init(drops: false, members: [], digest: digest, reads: reading)
    }

    /// The projection of the member `key`; nil when it is kept whole.
    public func member(_ key: String) -> JSONProjection? {
        var key = key
        return key.withUTF8 { memberIndex(bytes: UnsafeRawBufferPointer($0)) }.map { members[$0].projection }
    }

    /// The position of the member whose key is these UTF-8 bytes (unescaped), for `key(at:)` and
    /// `projection(at:)`; nil when it is kept whole.
    public func memberIndex(bytes: UnsafeRawBufferPointer) -> Int? {
        let length = bytes.count
        let head = Self.head(of: bytes)
        return keySlots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var slot = Self.slot(head: head, length: length, mask: mask)
            while slots[slot] != 0 {
                let i = Int(slots[slot]) - 1
                if keyHeads[i] == head && keyLengths[i] == length {
                    if length <= 8 { return i }
                    let same = keyTails[i].withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress! + 8, length - 8) == 0 }
                    if same { return i }
                }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// The key of the member at `index` (from `memberIndex(bytes:)`).
    public func key(at index: Int) -> String { members[index].key }

    /// The projection of the member at `index` (from `memberIndex(bytes:)`).
    public func projection(at index: Int) -> JSONProjection { members[index].projection }

    /// The first slot of `keySlots` a key of this head and length is looked for in.
    @inline(__always)
    private static func slot(head: UInt64, length: Int, mask: Int) -> Int {
        let h = (head ^ UInt64(truncatingIfNeeded: length)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 40) & mask
    }

    /// The first eight bytes of `bytes`, zero-padded, as one word.
    @inline(__always)
    private static func head(of bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return 0 }
        if bytes.count >= 8 { return base.loadUnaligned(as: UInt64.self) }
        var word: UInt64 = 0
        withUnsafeMutableBytes(of: &word) { $0.baseAddress!.copyMemory(from: base, byteCount: bytes.count) }
        return word
    }

    /// The projection that applies this one to the member `key` of a wrapping object (a watch
    /// event's `object`), keeping the wrapper's other members.
    public func nested(under key: String) -> JSONProjection {
        JSONProjection(drops: false, members: [(key, self)])
    }

    /// What a path of `init(dropping:sharing:identity:)` says of the member it ends in.
    private enum Role { case drop, share, shareAcross, identify }

    /// The projections of the members named by `paths`: each path ends in a dropped, shared or
    /// identifying member.
    private static func tree(_ paths: [(path: [String], role: Role)]) -> [(key: String, projection: JSONProjection)] {
        var order: [String] = []
        var heads: [String: [(path: [String], role: Role)]] = [:]
        for (path, role) in paths where !path.isEmpty {
            if heads[path[0]] == nil { order.append(path[0]) }
            heads[path[0], default: []].append((Array(path.dropFirst()), role))
        }
        return order.map { key in
            let rests = heads[key]!
            func ends(_ role: Role) -> Bool { rests.contains { $0.path.isEmpty && $0.role == role } }
            if ends(.drop) { return (key, JSONProjection(drops: true, members: [])) }
            return (key, JSONProjection(drops: false, shares: ends(.share), sharesAcross: ends(.shareAcross), identifies: ends(.identify),
                                        members: tree(rests.filter { !$0.path.isEmpty })))
        }
    }
}
