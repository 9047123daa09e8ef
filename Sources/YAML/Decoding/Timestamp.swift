/// go-yaml's `parseTimestamp`: the texts Go's `time.Parse` accepts in one of the layouts
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`, `2006-1-2`.
/// Such plain scalars stay strings when decoded, but emitters quote them.
enum Timestamp {
    /// True when `s` is a timestamp in one of go-yaml's layouts.
    static func isGoTimestamp(_ s: ArraySlice<UInt8>) -> Bool {
        var i = s.startIndex
        let end = s.endIndex
        func number(maxDigits: Int, exactly: Bool = false) -> Int? {
            var value = 0
            var count = 0
            while i < end, count < maxDigits, GoNumberParsing.isDigit(s[i]) {
                value = value * 10 + Int(s[i] - UInt8(ascii: "0"))
                i += 1
                count += 1
            }
            if count == 0 || (exactly && count != maxDigits) { return nil }
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < end, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(maxDigits: 4, exactly: true), expect(UInt8(ascii: "-")),
              let month = number(maxDigits: 2), expect(UInt8(ascii: "-")),
              let day = number(maxDigits: 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return false }
        if i == end { return true }
        let separator = s[i]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ") else {
            return false
        }
        i += 1
        guard let hour = number(maxDigits: 2), hour < 24, expect(UInt8(ascii: ":")),
              let minute = number(maxDigits: 2), minute < 60, expect(UInt8(ascii: ":")),
              let second = number(maxDigits: 2), second < 60
        else { return false }
        if i + 1 < end, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ","), GoNumberParsing.isDigit(s[i + 1]) {
            i += 1
            while i < end, GoNumberParsing.isDigit(s[i]) { i += 1 }
        }
        if separator == UInt8(ascii: " ") { return i == end }
        if i < end, s[i] == UInt8(ascii: "Z") { return i + 1 == end }
        guard i < end, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") else { return false }
        i += 1
        guard let zoneHour = number(maxDigits: 2, exactly: true), zoneHour <= 24, expect(UInt8(ascii: ":")),
              let zoneMinute = number(maxDigits: 2, exactly: true), zoneMinute <= 60
        else { return false }
        return i == end
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
