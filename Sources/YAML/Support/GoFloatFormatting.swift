/// Go's `strconv.FormatFloat(v, 'g', -1, bits)`, which go-yaml and sigs.k8s.io/yaml use to write
/// floats (values when emitting; non-string mapping keys with 32-bit precision when decoding).
enum GoFloatFormatting {
    /// Shortest `%g` text of `value` (`NaN`, `+Inf`, `-Inf` for the special values).
    static func formatG(_ value: Double, float32: Bool = false) -> String {
        if value.isNaN { return "NaN" }
        let text: String
        if float32 {
            let f = Float(value)
            if f.isInfinite { return f < 0 ? "-Inf" : "+Inf" }
            text = f.description
        } else {
            if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
            text = value.description
        }
        let (negative, digits, pointPosition) = decimalDigits(of: text)
        var out = negative ? "-" : ""
        guard !digits.isEmpty else { return out + "0" }
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= 6 {
            out.unicodeScalars.append(Unicode.Scalar(digits[0]))
            if digits.count > 1 {
                out += "."
                for d in digits.dropFirst() { out.unicodeScalars.append(Unicode.Scalar(d)) }
            }
            out += exponent < 0 ? "e-" : "e+"
            let magnitude = abs(exponent)
            if magnitude < 10 { out += "0" }
            out += String(magnitude)
            return out
        }
        if pointPosition > 0 {
            for i in 0..<pointPosition {
                out.unicodeScalars.append(Unicode.Scalar(i < digits.count ? digits[i] : UInt8(ascii: "0")))
            }
        } else {
            out += "0"
        }
        let decimals = max(digits.count - pointPosition, 0)
        if decimals > 0 {
            out += "."
            for i in 0..<decimals {
                let index = pointPosition + i
                out.unicodeScalars.append(Unicode.Scalar(index >= 0 && index < digits.count ? digits[index] : UInt8(ascii: "0")))
            }
        }
        return out
    }

    /// The significant digits (ASCII, no leading or trailing zeros) of Swift's shortest round-trip
    /// text for a finite number, and where the decimal point goes (digits before it).
    private static func decimalDigits(of text: String) -> (negative: Bool, digits: [UInt8], pointPosition: Int) {
        var bytes = Array(text.utf8)
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes.removeFirst() }
        var exponent = 0
        if let e = bytes.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            exponent = Int(String(decoding: bytes[(e + 1)...], as: UTF8.self)) ?? 0
            bytes.removeSubrange(e...)
        }
        var digits: [UInt8] = []
        var point = -1
        for b in bytes {
            if b == UInt8(ascii: ".") { point = digits.count } else { digits.append(b) }
        }
        var pointPosition = (point < 0 ? digits.count : point) + exponent
        var leading = 0
        while leading < digits.count, digits[leading] == UInt8(ascii: "0") { leading += 1 }
        digits.removeFirst(leading)
        pointPosition -= leading
        while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast() }
        return (negative, digits, pointPosition)
    }
}
