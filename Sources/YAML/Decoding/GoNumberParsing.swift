/// The number syntax go-yaml v2 relies on when it resolves plain scalars: Go's `strconv.ParseInt` /
/// `ParseUint` with base 0, its float syntax, and `big.Int.SetString` for huge prefixed integers.
enum GoNumberParsing {
    /// The outcome of a Go integer parse.
    enum IntegerResult: Equatable {
        case value(UInt64)
        case syntaxError
        case rangeError
    }

    /// `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b` and a leading `0` (octal) select the base.
    static func parseUnsigned(_ s: ArraySlice<UInt8>) -> IntegerResult {
        guard !s.isEmpty else { return .syntaxError }
        let (base, remaining) = baseAndDigits(s)
        var digits = remaining
        let cutoff = UInt64.max / base + 1
        var n: UInt64 = 0
        while let c = digits.popFirst() {
            guard let d = digitValue(c), d < base else { return .syntaxError }
            if n >= cutoff { return .rangeError }
            n *= base
            let (sum, overflow) = n.addingReportingOverflow(d)
            if overflow { return .rangeError }
            n = sum
        }
        return .value(n)
    }

    /// `strconv.ParseInt(s, 0, 64)`: an optional sign, then `parseUnsigned`, within Int64.
    static func parseSigned(_ s: ArraySlice<UInt8>) -> (value: Int?, rangeError: Bool) {
        guard !s.isEmpty else { return (nil, false) }
        var rest = s
        var negative = false
        if rest.first == UInt8(ascii: "+") {
            rest = rest.dropFirst()
        } else if rest.first == UInt8(ascii: "-") {
            negative = true
            rest = rest.dropFirst()
        }
        switch parseUnsigned(rest) {
        case .syntaxError: return (nil, false)
        case .rangeError: return (nil, true)
        case .value(let u):
            let cutoff = UInt64(1) << 63
            if !negative {
                return u >= cutoff ? (nil, true) : (Int(u), false)
            }
            if u > cutoff { return (nil, true) }
            return (u == cutoff ? Int.min : -Int(u), false)
        }
    }

    /// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
    static func isYAMLStyleFloat(_ s: ArraySlice<UInt8>) -> Bool {
        var i = s.startIndex
        let end = s.endIndex
        if i < end, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        if i < end, s[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < end, isDigit(s[i]) { i += 1 }
            if i == start { return false }
        } else {
            let start = i
            while i < end, isDigit(s[i]) { i += 1 }
            if i == start { return false }
            if i < end, s[i] == UInt8(ascii: ".") {
                i += 1
                while i < end, isDigit(s[i]) { i += 1 }
            }
        }
        return exponentRunsToEnd(s, from: i)
    }

    /// Go's `ParseFloat` syntax for text that starts with a dot: `.digits` and an optional exponent.
    static func isDotFloat(_ s: ArraySlice<UInt8>) -> Bool {
        var i = s.startIndex
        guard i < s.endIndex, s[i] == UInt8(ascii: ".") else { return false }
        i += 1
        let start = i
        while i < s.endIndex, isDigit(s[i]) { i += 1 }
        if i == start { return false }
        return exponentRunsToEnd(s, from: i)
    }

    /// The correctly rounded value of decimal float text already checked by `isYAMLStyleFloat` or
    /// `isDotFloat`; nil when it overflows (Go's `ErrRange`).
    static func parseDecimalFloat(_ s: ArraySlice<UInt8>) -> Double? {
        guard let d = Double(String(decoding: s, as: UTF8.self)), d.isFinite else { return nil }
        return d
    }

    /// `big.Int.SetString(s, 0)` for an unsigned `0x` / `0o` / `0b` / `0`-prefixed integer wider than
    /// 64 bits, as the nearest Double (how kubectl finally reads the digits it is written as).
    static func bigUnsignedValue(_ s: ArraySlice<UInt8>) -> Double? {
        let (base, digits) = baseAndDigits(s)
        guard base != 10, !digits.isEmpty else { return nil }
        let bitsPerDigit: Int
        switch base {
        case 2: bitsPerDigit = 1
        case 8: bitsPerDigit = 3
        default: bitsPerDigit = 4
        }
        var bits: [Bool] = []
        bits.reserveCapacity(digits.count * bitsPerDigit)
        for c in digits {
            guard let d = digitValue(c), d < base else { return nil }
            for shift in stride(from: bitsPerDigit - 1, through: 0, by: -1) { bits.append((d >> UInt64(shift)) & 1 == 1) }
        }
        guard let first = bits.firstIndex(of: true) else { return 0 }
        let significant = bits[first...]
        var top: UInt64 = 0
        var taken = 0
        for bit in significant.prefix(64) { top = top << 1 | (bit ? 1 : 0); taken += 1 }
        let sticky = significant.dropFirst(64).contains(true)
        if sticky { top |= 1 }
        let exponent = significant.count - taken
        let result = Double(top) * pow2(exponent)
        return result.isFinite ? result : nil
    }

    private static func pow2(_ n: Int) -> Double {
        var result = 1.0
        var remaining = n
        while remaining > 0 {
            let step = min(remaining, 1000)
            result *= Double(sign: .plus, exponent: step, significand: 1)
            remaining -= step
        }
        return result
    }

    private static func baseAndDigits(_ s: ArraySlice<UInt8>) -> (UInt64, ArraySlice<UInt8>) {
        guard s.first == UInt8(ascii: "0") else { return (10, s) }
        if s.count >= 3 {
            switch s[s.startIndex + 1] | 0x20 {
            case UInt8(ascii: "b"): return (2, s.dropFirst(2))
            case UInt8(ascii: "o"): return (8, s.dropFirst(2))
            case UInt8(ascii: "x"): return (16, s.dropFirst(2))
            default: break
            }
        }
        return (8, s.dropFirst())
    }

    private static func digitValue(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt64(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt64(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func exponentRunsToEnd(_ s: ArraySlice<UInt8>, from index: Int) -> Bool {
        var i = index
        let end = s.endIndex
        if i < end, s[i] == UInt8(ascii: "e") || s[i] == UInt8(ascii: "E") {
            i += 1
            if i < end, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < end, isDigit(s[i]) { i += 1 }
            if i == start { return false }
        }
        return i == end
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}
