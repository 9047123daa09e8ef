import Testing
import JSON
import YAML

/// Plain scalars resolve as go-yaml v2 (sigs.k8s.io/yaml fork) does for an untyped target, then
/// as kubectl reads the JSON sigs.k8s.io/yaml writes (integral floats become ints).
@Suite struct ScalarResolutionTests {
    static let table: [(String, JSONValue)] = [
        // YAML 1.1 booleans, exactly go-yaml's spellings
        ("y", true), ("Y", true), ("yes", true), ("Yes", true), ("YES", true),
        ("true", true), ("True", true), ("TRUE", true), ("on", true), ("On", true), ("ON", true),
        ("n", false), ("N", false), ("no", false), ("No", false), ("NO", false),
        ("false", false), ("False", false), ("FALSE", false), ("off", false), ("Off", false), ("OFF", false),
        ("tRUE", "tRUE"), ("yES", "yES"), ("oN", "oN"), ("nO", "nO"), ("yess", "yess"), ("Y2", "Y2"),
        // null
        ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("nULL", "nULL"), ("~x", "~x"),
        // integers
        ("0", 0), ("12", 12), ("-12", -12), ("+12", 12), ("0x1F", 31), ("0X1f", 31), ("-0x10", -16),
        ("+0x10", 16), ("0777", 511), ("-017", -15), ("0o17", 15), ("0O17", 15), ("0b1010", 10),
        ("-0b11", -3), ("1_000", 1000), ("0x_FF", 255), ("1_", 1), ("9223372036854775807", .int(Int.max)),
        ("-9223372036854775808", .int(Int.min)), ("-0", 0),
        // invalid octal digits fall through to the float syntax
        ("08", 8), ("0900", 900), ("09.5", 9.5),
        // beyond Int64: uint64, big ints and decimal floats all end up as float64 in kubectl
        ("9223372036854775808", .double(9.223372036854775808e18)),
        ("18446744073709551615", .double(18446744073709551615.0)),
        ("18446744073709551616", .double(18446744073709551616.0)),
        ("-9223372036854775809", .int(Int.min)), ("-9223372036854777856", .double(-9223372036854777856.0)),
        ("0x10000000000000000", .double(0x1p64)),
        ("0b1" + String(repeating: "0", count: 70), .double(0x1p70)),
        // floats
        ("1.5", 1.5), ("-1.5", -1.5), (".5", 0.5), ("-.5", -0.5), ("+.5", 0.5), ("1.5e-3", 0.0015),
        ("6.02e+23", 6.02e23), ("1_000.5", 1000.5), ("1e21", 1e21), ("1E-7", 1e-7),
        ("1e3", 1000), ("1.0", 1), ("1.", 1), ("3.0e2", 300), ("-0.0", 0), ("1e-400", 0),
        ("9.3e18", .double(9.3e18)),
        // strings that only look numeric
        ("1.2.3", "1.2.3"), ("0x", "0x"), ("0b2", "0b2"), ("1e", "1e"), ("e5", "e5"), ("-x", "-x"),
        ("+", "+"), (".", "."), ("._5", "._5"), (".5_0", ".5_0"), ("1:20", "1:20"), ("1e400", "1e400"),
        ("0xG", "0xG"), ("12abc", "12abc"), ("_1", "_1"), ("-.nan", "-.nan"), (".iNf", ".iNf"),
        ("2001-12-14", "2001-12-14"), ("2001-12-14T21:59:43.10Z", "2001-12-14T21:59:43.10Z"),
        ("yes please", "yes please"), ("nginx:1.25", "nginx:1.25"), ("<<x", "<<x"),
    ]

    @Test(arguments: table)
    func plainScalarResolves(_ text: String, _ expected: JSONValue) throws {
        let v = try value("v: \(text)\n")
        #expect(identical(v["v"]!, expected), "`\(text)` resolved to \(v["v"]!.serialized()), expected \(expected.serialized())")
    }

    @Test(arguments: ["true", "1", "~", "null", "0x1F", "1.5", "yes", "", " x", "1e3"])
    func quotedScalarsStayStrings(_ text: String) throws {
        let single = try value("v: '\(text)'\n")
        let double = try value("v: \"\(text)\"\n")
        #expect(identical(single["v"]!, .string(text)))
        #expect(identical(double["v"]!, .string(text)))
    }

    @Test func emptyValueIsNull() throws {
        let v = try value("a:\nb: 1\n")
        #expect(identical(v, ["a": .null, "b": 1]))
    }

    @Test(arguments: [".inf", "-.Inf", "+.INF", ".nan", ".NaN"])
    func infinityAndNaNAreRejectedAsJSONCannotHoldThem(_ text: String) throws {
        let error = try #require(parseError("a: 1\nv: \(text)\n"))
        #expect(error.line == 2)
        #expect(error.column == 4)
        #expect(error.message.contains("json: unsupported value"))
    }

    static let tagged: [(String, JSONValue)] = [
        ("!!str 1", "1"), ("!!str true", "true"), ("!!str ~", "~"), ("!!int \"12\"", 12), ("!!int 0x10", 16),
        ("!!float 1", 1), ("!!float 1.5", 1.5), ("!!float '2.5'", 2.5), ("!!bool yes", true),
        ("!!bool \"off\"", false), ("!!null ~", .null), ("!!null ''", .null), ("!!binary aGVsbG8=", "hello"),
        ("!!binary |\n  aGVs\n  bG8=", "hello"), ("!!timestamp 2001-12-14", "2001-12-14"),
        ("!custom 12", "12"), ("! 12", "12"), ("!!map 5", "5"),
    ]

    @Test(arguments: tagged)
    func explicitTagsAreHonoured(_ text: String, _ expected: JSONValue) throws {
        let v = try value("v: \(text)\n")
        #expect(identical(v["v"]!, expected), "`\(text)` resolved to \(v["v"]!.serialized())")
    }

    @Test(arguments: [
        ("!!int abc", "cannot decode !!str `abc` as a !!int"),
        ("!!int 1.5", "cannot decode !!float `1.5` as a !!int"),
        ("!!bool 1", "cannot decode !!int `1` as a !!bool"),
        ("!!null x", "cannot decode !!str `x` as a !!null"),
        ("!!float yes", "cannot decode !!bool `yes` as a !!float"),
        ("!!timestamp 2001-13-01", "cannot decode !!str `2001-13-01` as a !!timestamp"),
        ("!!binary aGVsbG8", "!!binary value contains invalid base64 data"),
    ])
    func mismatchedTagsAreErrors(_ text: String, _ message: String) throws {
        let error = try #require(parseError("v: \(text)\n"))
        #expect(error.message == message)
        #expect(error.line == 1 && error.column == 4)
    }

    static let keys: [(String, String)] = [
        ("1", "1"), ("-7", "-7"), ("0x10", "16"), ("1_0", "10"), ("1.5", "1.5"), ("3.14159265358979", "3.1415927"),
        ("1e7", "1e+07"), ("1e3", "1000"), ("0.0001", "0.0001"), ("0.00001", "1e-05"), ("123456.0", "123456"),
        ("1234567.0", "1.234567e+06"), (".inf", ".inf"), ("-.inf", "-.inf"), (".nan", ".nan"),
        ("true", "true"), ("yes", "true"), ("on", "true"), ("N", "false"), ("2001-12-14", "2001-12-14"),
        ("'1'", "1"), ("\"null\"", "null"), ("!!str 1.50", "1.50"),
    ]

    @Test(arguments: keys)
    func nonStringKeysBecomeStringsAsSigsYAMLDoes(_ key: String, _ expected: String) throws {
        let v = try value("\(key): x\n")
        #expect(v.object?.keys == [expected])
    }

    @Test(arguments: ["~", "null", "18446744073709551615", "0x10000000000000000"])
    func keysSigsYAMLCannotConvertAreErrors(_ key: String) throws {
        let error = try #require(parseError("a: 1\n\(key): x\n"))
        #expect(error.message.hasPrefix("unsupported map key of type"))
        #expect(error.line == 2 && error.column == 1)
    }

    @Test(arguments: ["[1, 2]: x\n", "? {a: 1}\n: x\n", "? - a\n: x\n"])
    func collectionKeysAreErrors(_ text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.message.hasPrefix("invalid map key"))
    }
}
