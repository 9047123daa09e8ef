/// RFC 3339 timestamps (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.5+02:00`) as seconds since
/// the Unix epoch, without Foundation date formatters: Kubernetes' `Time` (whole seconds) and
/// `MicroTime` (six fractional digits) and the millisecond stamps of `-o json` events.
public enum RFC3339 {
    /// Seconds since 1970-01-01T00:00:00Z, or nil when `text` is not RFC 3339.
    public static func parse(_ text: String) -> Double? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        func at(_ i: Int, _ c: Character) -> Bool { i < b.count && b[i] == c.asciiValue! }
        guard let year = num(0, 4), at(4, "-"), let month = num(5, 2), at(7, "-"), let day = num(8, 2),
            at(10, "T") || at(10, "t"), let hour = num(11, 2), at(13, ":"), let minute = num(14, 2),
            at(16, ":"), let second = num(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if at(i, ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        var offset = 0
        if at(i, "Z") || at(i, "z") {
            i += 1
        } else if at(i, "+") || at(i, "-") {
            let sign = at(i, "-") ? -1 : 1
            guard let oh = num(i + 1, 2), at(i + 3, ":"), let om = num(i + 4, 2) else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Double(seconds) + fraction
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// `seconds` in UTC with `fractionDigits` digits of the second (0: `Time`, 3: milliseconds,
    /// 6: `MicroTime`), to the nearest unit. Written into the string's own bytes (the rollout stamps
    /// every write and every `-o json` line); `padded` is the same for any year.
    public static func format(_ seconds: Double, fractionDigits: Int = 0) -> String {
        let t = Parts(seconds, fractionDigits: fractionDigits)
        guard (0...9999).contains(t.year), (0...18).contains(fractionDigits) else { return padded(t, fractionDigits: fractionDigits) }
        return String(unsafeUninitializedCapacity: 21 + fractionDigits) { buffer in
            var i = 0
            func put(_ n: Int64, _ width: Int) {
                var n = n
                for place in stride(from: width - 1, through: 0, by: -1) {
                    buffer[i + place] = UInt8(ascii: "0") + UInt8(n % 10)
                    n /= 10
                }
                i += width
            }
            func put(_ c: Unicode.Scalar) {
                buffer[i] = UInt8(ascii: c)
                i += 1
            }
            put(Int64(t.year), 4); put("-"); put(Int64(t.month), 2); put("-"); put(Int64(t.day), 2); put("T")
            put(t.rest / 3600, 2); put(":"); put(t.rest / 60 % 60, 2); put(":"); put(t.rest % 60, 2)
            if fractionDigits > 0 { put("."); put(t.fraction, fractionDigits) }
            put("Z")
            return i
        }
    }

    /// `format`, padded with strings (any year, a sign where it is negative).
    static func padded(_ seconds: Double, fractionDigits: Int = 0) -> String {
        padded(Parts(seconds, fractionDigits: fractionDigits), fractionDigits: fractionDigits)
    }

    private static func padded(_ t: Parts, fractionDigits: Int) -> String {
        func pad(_ n: Int64, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var out = "\(pad(Int64(t.year), 4))-\(pad(Int64(t.month), 2))-\(pad(Int64(t.day), 2))T\(pad(t.rest / 3600, 2)):\(pad(t.rest / 60 % 60, 2)):\(pad(t.rest % 60, 2))"
        if fractionDigits > 0 { out += "." + pad(t.fraction, fractionDigits) }
        return out + "Z"
    }

    /// A time's date, second of the day and fraction of the second in units of `fractionDigits`, rounded to the nearest unit.
    private struct Parts {
        var year: Int, month: Int, day: Int
        var rest: Int64
        var fraction: Int64

        init(_ seconds: Double, fractionDigits: Int) {
            var scale: Int64 = 1
            for _ in 0..<fractionDigits { scale *= 10 }
            let units = Int64((seconds * Double(scale)).rounded())
            var whole = units / scale
            fraction = units % scale
            if fraction < 0 { fraction += scale; whole -= 1 }
            var days = whole / 86400
            rest = whole % 86400
            if rest < 0 { rest += 86400; days -= 1 }
            (year, month, day) = RFC3339.civilFromDays(Int(days))
        }
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
