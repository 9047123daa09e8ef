import Testing
import JSON
import YAML

/// `YAML.emit` writes block YAML like `kubectl get -o yaml`, and what it writes reads back as the
/// same value.
@Suite struct EmitTests {
    @Test func emitsKubectlStyleBlockYAML() {
        let deployment: JSONValue = [
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": ["name": "web", "labels": ["app": "web"], "annotations": [:]],
            "spec": [
                "replicas": 2,
                "paused": false,
                "template": [
                    "spec": [
                        "containers": [
                            ["name": "app", "image": "nginx:1.25", "ports": [["containerPort": 80, "protocol": "TCP"]], "args": []],
                            ["name": "sidecar", "command": ["sh", "-c", "echo ok"]],
                        ],
                        "nodeSelector": .null,
                        "matrix": [[1, 2], [3]],
                    ],
                ],
            ],
            "status": [:],
        ]
        #expect(YAML.emit(deployment) == """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels:
                app: web
              annotations: {}
            spec:
              replicas: 2
              paused: false
              template:
                spec:
                  containers:
                  - name: app
                    image: nginx:1.25
                    ports:
                    - containerPort: 80
                      protocol: TCP
                    args: []
                  - name: sidecar
                    command:
                    - sh
                    - -c
                    - echo ok
                  nodeSelector: null
                  matrix:
                  - - 1
                    - 2
                  - - 3
            status: {}

            """)
    }

    @Test(arguments: [
        ("true", "\"true\""), ("yes", "\"yes\""), ("y", "\"y\""), ("Off", "\"Off\""), ("null", "\"null\""),
        ("~", "\"~\""), ("", "\"\""), ("123", "\"123\""), ("0x1F", "\"0x1F\""), ("1e3", "\"1e3\""),
        ("1.5", "\"1.5\""), (".inf", "\".inf\""), ("2001-12-14", "\"2001-12-14\""),
        ("2024-01-02T03:04:05Z", "\"2024-01-02T03:04:05Z\""), ("1:20", "\"1:20\""), ("<<", "\"<<\""),
        ("nginx:1.25", "nginx:1.25"), ("a: b", "'a: b'"), ("*", "'*'"), ("- x", "'- x'"), ("# x", "'# x'"),
        ("  lead", "'  lead'"), ("trail ", "'trail '"), ("it's", "it's"), ("a\tb", "\"a\\tb\""),
        ("line1\nline2", "|-\n  line1\n  line2"), ("x\n", "|\n  x"),
    ])
    func scalarStylesMatchGoYAML(_ text: String, _ expected: String) throws {
        #expect(YAML.emit(["v": .string(text)]) == "v: \(expected)\n")
        #expect(identical(try value(YAML.emit(["v": .string(text)])), ["v": .string(text)]))
    }

    @Test func numbersUseGoFormatting() {
        #expect(YAML.emit([.int(Int.max), .int(Int.min), 0, -7]) == "- 9223372036854775807\n- -9223372036854775808\n- 0\n- -7\n")
        #expect(YAML.emit([1.5, 0.1, 1e21, 1e-7, 123456789.5, 100000.25, .double(3)]) ==
            "- 1.5\n- 0.1\n- 1e+21\n- 1e-07\n- 1.234567895e+08\n- 100000.25\n- 3\n")
        #expect(YAML.emit([.double(.infinity), .double(-.infinity), .double(.nan)]) == "- .inf\n- -.inf\n- .nan\n")
    }

    @Test func rootScalarsAndEmptyCollections() {
        #expect(YAML.emit("hello") == "hello\n")
        #expect(YAML.emit("true") == "\"true\"\n")
        #expect(YAML.emit(.null) == "null\n")
        #expect(YAML.emit([:]) == "{}\n")
        #expect(YAML.emit([]) == "[]\n")
        #expect(YAML.emit(["a": [], "b": [:], "c": [[:], []]]) == "a: []\nb: {}\nc:\n- {}\n- []\n")
    }

    @Test func trickyKeysAreQuotedAndReadBack() throws {
        let v: JSONValue = [
            "true": 1, "n": 2, "123": 3, "": 4, "a: b": 5, "multi\nline": 6, "# c": 7,
            "app.kubernetes.io/name": 8, String(repeating: "k", count: 200): 9, "<<": 10, "-": 11,
        ]
        #expect(identical(try value(YAML.emit(v)), v))
    }

    static let trickyStrings: [String] = [
        "", " ", "true", "False", "yes", "no", "on", "OFF", "y", "N", "~", "null", "NULL", "0", "-1", "+1", "007", "08",
        "0x1f", "0o17", "0b101", "1_000", "1e3", "1.", ".5", "-.5", ".inf", "-.Inf", ".NaN", "1e400", "2001-12-14",
        "2001-12-14 21:59:43.10", "12:30:45", "<<", "=", "*", "&a", "!tag", "!!str", "%x", "@x", "`x", "|", ">", "'",
        "\"", "'q'", "\"dq\"", "{", "}", "[", "]", ",", "?", "? x", ":", "a:", ":a", "a: b", "a :b", "a #b", "#", "- ",
        "-", "--", "---", "...", "--- x", "key: value", "  lead", "trail ", "tab\there", "\tlead", "nul\u{0}byte",
        "bell\u{7}", "del\u{7F}", "é ü ß", "😀", "\u{FEFF}bom", "\u{85}nel", "\u{2028}ls", "a\u{A0}b",
        "line1\nline2", "line1\nline2\n", "x\n\n", "\n", "\n\nlead", "trailing space \nnext", "  indented\nbody",
        "a\r\nb", "cr\r", "long " + String(repeating: "word ", count: 40) + "end",
        String(repeating: "x", count: 300), "#!/bin/sh\nset -e\necho \"$HOME\" | tee 'out'\n",
        "{\"json\": [1, 2]}", "http://example.com:8080/path?q=1#frag", "C:\\path\\to", "percent %d %s",
    ]

    @Test func everyTrickyStringRoundTripsAsValueAndKey() throws {
        for s in Self.trickyStrings {
            let asValue: JSONValue = ["v": .string(s), "list": [.string(s)]]
            let back = try value(YAML.emit(asValue))
            #expect(identical(back, asValue), "value \(s.debugDescription) came back as \(back.serialized())")
            let asKey: JSONValue = .object(JSONObject([(s, 1)]))
            let keyBack = try value(YAML.emit(asKey))
            #expect(identical(keyBack, asKey), "key \(s.debugDescription) came back as \(keyBack.serialized())")
        }
    }

    @Test func generatedValuesRoundTrip() throws {
        var random = SplitMix64(seed: 0x5EED)
        for _ in 0..<300 {
            let v = Self.randomValue(&random, depth: 0)
            let text = YAML.emit(v)
            let back = try YAML.documents(from: Array(text.utf8), fileName: "generated")
            let expected = v.isNull ? nil : v
            #expect(back.first.map { identical($0.value, v) } ?? (expected == nil), "round trip changed:\n\(text)")
        }
    }

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        switch random.next(upTo: depth >= 4 ? 5 : 7) {
        case 0: return .null
        case 1: return .bool(random.next(upTo: 2) == 0)
        case 2:
            let choices = [0, 1, -1, 80, 65535, Int.max, Int.min, 1 << 53, Int(random.next(upTo: 1_000_000)) - 500_000]
            return .int(choices[Int(random.next(upTo: UInt64(choices.count)))])
        case 3:
            let choices = [0.5, -2.25, 1e-7, 6.02e23, 1e21, 3.14159, 1e300, Double.leastNonzeroMagnitude, 123456.789]
            return .double(choices[Int(random.next(upTo: UInt64(choices.count)))])
        case 4:
            return .string(trickyStrings[Int(random.next(upTo: UInt64(trickyStrings.count)))])
        case 5:
            return .array((0..<random.next(upTo: 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var object = JSONObject()
            for _ in 0..<random.next(upTo: 5) {
                let key = random.next(upTo: 3) == 0
                    ? trickyStrings[Int(random.next(upTo: UInt64(trickyStrings.count)))]
                    : "key\(random.next(upTo: 100))"
                object[key] = randomValue(&random, depth: depth + 1)
            }
            return .object(object)
        }
    }
}

/// A small deterministic generator for reproducible test corpora.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: UInt64) -> UInt64 { next() % bound }
}
