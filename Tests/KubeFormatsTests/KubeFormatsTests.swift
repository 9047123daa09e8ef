import Testing
@testable import KubeFormats

/// The wire formats every layer shares: RFC 3339 (Kubernetes `Time` and `MicroTime`), Go durations
/// and base64, each implemented once.
@Suite struct RFC3339Tests {
    @Test func formatsWholeSecondsMillisAndMicrosInUTC() {
        #expect(RFC3339.format(0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(0, fractionDigits: 6) == "1970-01-01T00:00:00.000000Z")
        #expect(RFC3339.format(1_795_921_527.25, fractionDigits: 6) == "2026-11-29T03:05:27.250000Z")
        #expect(RFC3339.format(1_795_921_527.9999996, fractionDigits: 6) == "2026-11-29T03:05:28.000000Z")
        #expect(RFC3339.format(1_795_921_527.29, fractionDigits: 3) == "2026-11-29T03:05:27.290Z")
        #expect(RFC3339.format(951_868_800) == "2000-03-01T00:00:00Z", "a leap year's March")
        #expect(RFC3339.format(-1) == "1969-12-31T23:59:59Z")
    }

    @Test("12: the byte-written stamp is the padded one, across years, leap days, rounding and every precision used")
    func formatMatchesPadded() {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<5000 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            let seconds = Double(Int64(x % 400_000_000_000) - 62_000_000_000) + Double(x >> 44) / 1_048_576
            for digits in [0, 3, 6] {
                #expect(RFC3339.format(seconds, fractionDigits: digits) == RFC3339.padded(seconds, fractionDigits: digits), "\(seconds) \(digits)")
            }
        }
        #expect(RFC3339.format(-62_200_000_000) == RFC3339.padded(-62_200_000_000), "a year before 0 goes the padded way")
    }

    @Test func parsesWhatItFormatsAndOffsets() throws {
        let t = try #require(RFC3339.parse("2026-11-29T03:05:27.123456Z"))
        #expect(abs(t - 1_795_921_527.123456) < 1e-6)
        #expect(RFC3339.parse("2026-11-29T03:05:27Z") == 1_795_921_527)
        #expect(RFC3339.parse("2026-11-29T05:05:27+02:00") == 1_795_921_527, "an offset is applied")
        for s in [0.0, 1_795_921_527, 4_102_444_800] { #expect(RFC3339.parse(RFC3339.format(s)) == s) }
        for bad in ["soon", "2026-11-29 03:05:27Z", "2026-11-29T03:05:27", "2026-13-01T00:00:00Z", ""] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct GoDurationTests {
    @Test func parsesAndFormatsExactly() {
        #expect(GoDuration.seconds("5s") == 5)
        #expect(GoDuration.seconds("1h2m3s") == 3723)
        #expect(GoDuration.seconds("250ms") == 0.25)
        #expect(GoDuration.seconds("1.5us") == 1.5e-6)
        #expect(GoDuration.seconds("0") == 0)
        #expect(GoDuration.seconds("5") == nil)
        #expect(GoDuration.seconds("-1s") == nil)
        #expect(GoDuration.parse("-1.5s") == -1.5)
        #expect(GoDuration.parse("+3m") == 180)
        #expect(GoDuration.format(1.25) == "1.25s")
        #expect(GoDuration.format(600) == "10m0s")
        for s in [1.25, 0.1, 0.001, 90, 3723.5, 0.0000015] { #expect(GoDuration.seconds(GoDuration.format(s)) == s, "\(s)") }
    }
}

@Suite struct Base64Tests {
    @Test func goStdEncoding() {
        for s in ["", "h", "he", "hel", "hello", "hello!"] {
            #expect(Base64.decode(Base64.encode(Array(s.utf8))) == Array(s.utf8), "\(s)")
        }
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8=")
        #expect(Base64.decode("aGVs\nbG8=\r\n") == Array("hello".utf8), "line breaks are ignored")
        #expect(Base64.decode("aGVsbG8") == nil, "padding is required")
        #expect(Base64.decode("aGV=bG8=") == nil, "padding only at the end")
        #expect(Base64.decode("aGVsbG8=!") == nil)
        #expect(Base64.decode("aG=s") == nil)
    }
}
