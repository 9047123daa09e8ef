import JSON
import Testing

/// Inputs found by `make fuzz` (target `json`), replayed through the property that failed.
@Suite struct JSONFuzzRegressionTests {
    /// A number beyond float64 was read as infinity and written back as `null`; Go's
    /// encoding/json refuses it ("cannot unmarshal number 1e400"), and so does the parser now.
    @Test(arguments: ["1e400", "[-1e400]", "{\"a\":1E+999}"])
    func numbersOutOfFloat64RangeAreRefused(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    /// Every value the parser accepts survives serialization.
    @Test func seedCorpusRoundTrips() throws {
        let text = #"{"a":[1,-2.5e-3,1.7976931348623157e308,true,false,null,"\u0000\ud83d\ude00"],"b":{"c":{}},"d":[]}"#
        let value = try JSONValue(parsing: text)
        #expect(try JSONValue(parsing: value.serializedBytes()) == value)
    }
}
