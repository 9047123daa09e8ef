/// Resource quantities ("500m", "1Gi", "1e3") in the canonical form the API server stores them:
/// "0.5" becomes "500m", "1000m" becomes "1", "1024Mi" becomes "1Gi", "2000" becomes "2k".
public enum Quantity {
    private enum Format { case decimalSI, binarySI, decimalExponent }

    private static let decimalSuffixes: [String: Int] = ["n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18]
    private static let binarySuffixes: [String: Int] = ["Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60]

    /// The canonical string, or nil when `text` is not a quantity.
    public static func canonical(_ text: String) -> String? {
        guard let parsed = parse(text) else { return nil }
        return format(numerator: parsed.num, denominator: parsed.den, negative: parsed.negative, format: parsed.format)
    }

    /// The value in milli-units (for QoS and comparisons); nil when not a quantity or too large.
    public static func milliValue(_ text: String) -> Int? {
        guard let p = parse(text) else { return nil }
        let (m, o1) = p.num.multipliedReportingOverflow(by: 1000)
        if o1 { return nil }
        let v = (m + p.den - 1) / p.den
        return p.negative ? -v : v
    }

    private static func parse(_ text: String) -> (num: Int, den: Int, negative: Bool, format: Format)? {
        var s = Substring(text)
        var negative = false
        if s.first == "+" || s.first == "-" {
            negative = s.first == "-"
            s.removeFirst()
        }
        var digits = ""
        var fraction = ""
        var seenDot = false
        while let c = s.first, c.isASCII, c.isNumber || c == "." {
            if c == "." {
                if seenDot { return nil }
                seenDot = true
            } else if seenDot {
                fraction.append(c)
            } else {
                digits.append(c)
            }
            s.removeFirst()
        }
        if digits.isEmpty && fraction.isEmpty { return nil }
        let suffix = String(s)
        var exp10 = 0
        var exp2 = 0
        let format: Format
        if let e = decimalSuffixes[suffix] {
            exp10 = e
            format = .decimalSI
        } else if let e = binarySuffixes[suffix] {
            exp2 = e
            format = .binarySI
        } else if suffix.first == "e" || suffix.first == "E", let e = Int(suffix.dropFirst()) {
            exp10 = e
            format = .decimalExponent
        } else {
            return nil
        }
        let mantissaText = (digits + fraction).drop { $0 == "0" }
        guard mantissaText.count <= 18 else { return nil }
        var num = Int(mantissaText) ?? 0
        var den = 1
        exp10 -= fraction.count
        if exp10 >= 0 {
            for _ in 0..<exp10 {
                let (r, o) = num.multipliedReportingOverflow(by: 10)
                if o { return nil }
                num = r
            }
        } else {
            for _ in 0..<(-exp10) {
                let (r, o) = den.multipliedReportingOverflow(by: 10)
                if o { return nil }
                den = r
            }
        }
        if exp2 > 0 {
            let (r, o) = num.multipliedReportingOverflow(by: 1 << exp2)
            if o { return nil }
            num = r
        }
        let g = gcd(num, den)
        if g > 1 {
            num /= g
            den /= g
        }
        return (num, den, negative && num != 0, format)
    }

    private static func format(numerator: Int, denominator: Int, negative: Bool, format: Format) -> String? {
        if numerator == 0 { return "0" }
        let sign = negative ? "-" : ""
        if format == .binarySI && denominator == 1 {
            var value = numerator
            var k = 0
            while k < 6 && value % 1024 == 0 {
                value /= 1024
                k += 1
            }
            if value >= 1024 || k > 0 || numerator < 1024 {
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][k]
                return sign + String(value) + suffix
            }
        }
        // Decimal: value in nano units, rounded up as the API server does.
        let (n9, o) = numerator.multipliedReportingOverflow(by: 1_000_000_000)
        var nanos: Int
        if o {
            guard denominator == 1 else { return nil }
            // Large integer: find the exponent directly.
            var value = numerator
            var e = 0
            while value % 1000 == 0 && e < 18 {
                value /= 1000
                e += 3
            }
            return sign + String(value) + suffix(e, format)
        } else {
            nanos = (n9 + denominator - 1) / denominator
        }
        var e = -9
        while e < 18 && nanos % 1000 == 0 {
            nanos /= 1000
            e += 3
        }
        return sign + String(nanos) + suffix(e, format)
    }

    private static func suffix(_ e: Int, _ format: Format) -> String {
        if format == .decimalExponent { return e == 0 ? "" : "e\(e)" }
        switch e {
        case -9: return "n"
        case -6: return "u"
        case -3: return "m"
        case 0: return ""
        case 3: return "k"
        case 6: return "M"
        case 9: return "G"
        case 12: return "T"
        case 15: return "P"
        default: return "E"
        }
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
