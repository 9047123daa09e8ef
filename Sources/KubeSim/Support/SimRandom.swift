import Synchronization

/// A seeded, thread-safe random source, so that seeded clusters get the same names every run.
public final class SimRandom: Sendable {
    private let state: Mutex<UInt64>

    /// The alphabet of generated name suffixes (k8s.io/apimachinery/pkg/util/rand).
    public static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// A source starting from `seed`.
    public init(seed: UInt64) { state = Mutex(seed) }

    /// The next 64 random bits (SplitMix64).
    public func next() -> UInt64 {
        state.withLock { s in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A random suffix of `count` characters from the name alphabet (as generateName uses).
    public func nameSuffix(_ count: Int = 5) -> String {
        String((0..<count).map { _ in Self.nameAlphabet[Int(next() % UInt64(Self.nameAlphabet.count))] })
    }

    /// `count` random lowercase hex digits.
    public func hex(_ count: Int) -> String {
        var s = ""
        while s.count < count {
            let v = next()
            s += String(v, radix: 16).leftPadded(to: 16)
        }
        return String(s.prefix(count))
    }

    /// A random RFC 4122 version-4 UUID string.
    public func uuid() -> String {
        let h = Array(hex(32))
        var chars = h
        chars[12] = "4"
        let variant = Array("89ab")[Int(next() % 4)]
        chars[16] = variant
        let s = String(chars)
        let i = s.startIndex
        func sub(_ a: Int, _ b: Int) -> Substring { s[s.index(i, offsetBy: a)..<s.index(i, offsetBy: b)] }
        return "\(sub(0, 8))-\(sub(8, 12))-\(sub(12, 16))-\(sub(16, 20))-\(sub(20, 32))"
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
