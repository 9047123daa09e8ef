import KubeFormats
/// Resolves scalars the way go-yaml v2 (the fork inside sigs.k8s.io/yaml) does for an untyped
/// target, which is what kubectl decodes manifests into: YAML 1.1 booleans (`y`, `yes`, `on`, ...),
/// nulls, integers in every base with `_` separators, floats, explicit `!!` tags.
enum ScalarResolver {
    static let tagPrefix = "tag:yaml.org,2002:"
    static let strTag = tagPrefix + "str"
    static let binaryTag = tagPrefix + "binary"
    static let intTag = tagPrefix + "int"
    static let floatTag = tagPrefix + "float"
    static let boolTag = tagPrefix + "bool"
    static let nullTag = tagPrefix + "null"
    static let timestampTag = tagPrefix + "timestamp"
    static let mergeTag = tagPrefix + "merge"

    /// A tagged scalar whose text does not fit its tag, e.g. `!!int abc`.
    struct TagError: Error {
        var message: String
    }

    /// The value of an untagged plain scalar.
    static func resolvePlain(_ text: UnsafeBufferPointer<UInt8>, jsonNumbers: Bool) -> ScalarValue {
        guard let first = text.first else { return .null }
        switch first {
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"),
             UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
             UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"):
            if let known = lookupTable(text) { return known }
        case UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if let value = resolveHinted(Array(text), jsonNumbers: jsonNumbers) { return value }
        default:
            break
        }
        return .string(String(decoding: text, as: UTF8.self))
    }

    /// The value of a scalar with an explicit tag (any style), or the tag error go-yaml reports.
    static func resolveTagged(_ text: String, tag: String) throws(TagError) -> ScalarValue {
        switch tag {
        case strTag:
            return .string(text)
        case binaryTag:
            guard let data = Base64.decode(Array(text.utf8)) else {
                throw TagError(message: "!!binary value contains invalid base64 data")
            }
            return .string(String(decoding: data, as: UTF8.self))
        case intTag, floatTag, boolTag, nullTag, timestampTag:
            let bytes = Array(text.utf8)
            let resolved: ScalarValue
            let resolvedTag: String
            if tag == timestampTag, Timestamp.isGoTimestamp(bytes[...]) {
                resolved = .string(text)
                resolvedTag = timestampTag
            } else if let value = resolveHinted(bytes, jsonNumbers: false) {
                resolved = value
                resolvedTag = Self.tag(of: value)
            } else {
                resolved = .string(text)
                resolvedTag = strTag
            }
            if resolvedTag == tag { return resolved }
            if tag == floatTag, case .int(let i) = resolved { return .float(Double(i)) }
            throw TagError(message: "cannot decode \(shortTag(resolvedTag)) `\(text)` as a \(shortTag(tag))")
        default:
            return .string(text)
        }
    }

    /// True when a plain scalar with this text would not read back as the same string, so an emitter
    /// must quote it (go-yaml also quotes timestamps, base-60 floats and, here, the merge key `<<`).
    static func plainWouldNotBeString(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { buf -> Bool in
            if case .string = resolvePlain(buf, jsonNumbers: false) {
                let slice = Array(buf)[...]
                return Timestamp.isGoTimestamp(slice) || isBase60Float(slice) || text == "<<"
            }
            return true
        }
    }

    /// go-yaml's `resolve` for texts whose first byte is in its hint table; nil means "a string".
    private static func resolveHinted(_ bytes: [UInt8], jsonNumbers: Bool) -> ScalarValue? {
        guard let first = bytes.first else { return .null }
        if let known = bytes.withUnsafeBufferPointer({ lookupTable($0) }) { return known }
        switch first {
        case UInt8(ascii: "."):
            if GoNumberParsing.isDotFloat(bytes[...]), let d = GoNumberParsing.parseDecimalFloat(bytes[...]) {
                return .float(d)
            }
            return nil
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            if jsonNumbers, let number = jsonNumber(bytes) { return number }
            let plain = bytes.contains(UInt8(ascii: "_")) ? bytes.filter { $0 != UInt8(ascii: "_") }[...] : bytes[...]
            let signed = GoNumberParsing.parseSigned(plain)
            if let i = signed.value { return .int(i) }
            let unsigned = GoNumberParsing.parseUnsigned(plain)
            if case .value(let u) = unsigned { return .unsigned(u) }
            if GoNumberParsing.isYAMLStyleFloat(plain), let d = GoNumberParsing.parseDecimalFloat(plain) {
                return .float(d)
            }
            if unsigned == .rangeError, let d = GoNumberParsing.bigUnsignedValue(plain) {
                return .bigInt(d)
            }
            return nil
        default:
            return nil
        }
    }

    /// go-yaml's `resolveMap` of fixed spellings.
    private static func lookupTable(_ b: UnsafeBufferPointer<UInt8>) -> ScalarValue? {
        guard b.count <= maxTableLength, let first = b.first else { return nil }
        for entry in table where entry.text.count == b.count && entry.text[0] == first && entry.text.elementsEqual(b) {
            return entry.value
        }
        return nil
    }

    private static let maxTableLength = 5

    private static let table: [(text: [UInt8], value: ScalarValue)] = {
        var entries: [(text: [UInt8], value: ScalarValue)] = []
        func add(_ value: ScalarValue, _ spellings: [String]) {
            for s in spellings { entries.append((Array(s.utf8), value)) }
        }
        add(.bool(true), ["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"])
        add(.bool(false), ["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"])
        add(.null, ["~", "null", "Null", "NULL"])
        add(.float(.nan), [".nan", ".NaN", ".NAN"])
        add(.float(.infinity), [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"])
        add(.float(-.infinity), ["-.inf", "-.Inf", "-.INF"])
        return entries
    }()

    /// A JSON number literal, as kubectl's JSON decoding keeps it: an int when it is an integer
    /// that fits Int64, else a float64.
    private static func jsonNumber(_ b: [UInt8]) -> ScalarValue? {
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count, GoNumberParsing.isDigit(b[i]) else { return nil }
        if b[i] == UInt8(ascii: "0") { i += 1 } else { while i < b.count, GoNumberParsing.isDigit(b[i]) { i += 1 } }
        var integral = true
        if i < b.count, b[i] == UInt8(ascii: ".") {
            integral = false
            i += 1
            let start = i
            while i < b.count, GoNumberParsing.isDigit(b[i]) { i += 1 }
            if i == start { return nil }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            integral = false
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let start = i
            while i < b.count, GoNumberParsing.isDigit(b[i]) { i += 1 }
            if i == start { return nil }
        }
        guard i == b.count else { return nil }
        let text = String(decoding: b, as: UTF8.self)
        if integral, let value = Int(text) { return .int(value) }
        guard let d = Double(text) else { return nil }
        return .jsonDouble(d)
    }

    private static func tag(of value: ScalarValue) -> String {
        switch value {
        case .null: return nullTag
        case .bool: return boolTag
        case .int, .unsigned, .bigInt: return intTag
        case .float, .jsonDouble: return floatTag
        case .string: return strTag
        }
    }

    private static func shortTag(_ tag: String) -> String {
        tag.hasPrefix(tagPrefix) ? "!!" + tag.dropFirst(tagPrefix.count) : tag
    }

    /// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`.
    private static func isBase60Float(_ s: ArraySlice<UInt8>) -> Bool {
        guard s.contains(UInt8(ascii: ":")) else { return false }
        var i = s.startIndex
        let end = s.endIndex
        func digitOrUnderscore(_ c: UInt8) -> Bool { GoNumberParsing.isDigit(c) || c == UInt8(ascii: "_") }
        if i < end, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        guard i < end, GoNumberParsing.isDigit(s[i]) else { return false }
        i += 1
        while i < end, digitOrUnderscore(s[i]) { i += 1 }
        var groups = 0
        while i < end, s[i] == UInt8(ascii: ":") {
            i += 1
            if i + 1 < end, s[i] >= UInt8(ascii: "0"), s[i] <= UInt8(ascii: "5"), GoNumberParsing.isDigit(s[i + 1]) {
                i += 2
            } else if i < end, GoNumberParsing.isDigit(s[i]) {
                i += 1
            } else {
                return false
            }
            groups += 1
        }
        guard groups > 0 else { return false }
        if i < end, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < end, digitOrUnderscore(s[i]) { i += 1 }
        }
        return i == end
    }
}
