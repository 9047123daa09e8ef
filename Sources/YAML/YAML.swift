import JSON

/// Reads YAML and JSON manifests into `JSONValue`s exactly as kubectl does (sigs.k8s.io/yaml over
/// go-yaml v2, through libyaml), and writes values back as block YAML like `kubectl get -o yaml`.
public enum YAML {
    /// Parses every document of a YAML (or JSON) stream; empty documents (only comments / `---`)
    /// and documents that are just `null` are skipped, as kubectl skips them.
    public static func documents(from bytes: [UInt8], fileName: String) throws(YAMLError) -> [YAMLDocument] {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(YAMLError) -> [YAMLDocument] in
                try documents(in: buffer, fileName: fileName)
            }
        }
        return try result.get()
    }

    /// Parses the text of a YAML (or JSON) stream; see `documents(from:fileName:)`.
    public static func documents(from text: String, fileName: String) throws(YAMLError) -> [YAMLDocument] {
        try documents(from: Array(text.utf8), fileName: fileName)
    }

    /// Emits a value as block YAML like `kubectl get -o yaml` (keys in the order of the JSONObject;
    /// strings quoted when needed so they read back as strings).
    public static func emit(_ value: JSONValue) -> String {
        YAMLEmitter.emit(value)
    }

    private static func documents(in buffer: UnsafeBufferPointer<UInt8>, fileName: String) throws(YAMLError) -> [YAMLDocument] {
        var builder = DocumentBuilder(fileName: fileName)
        guard JSONStream.looksLikeJSON(buffer) else {
            do {
                try LibYAMLParser.parse(buffer, fileName: fileName, into: &builder)
            } catch {
                throw error.error
            }
            return builder.documents
        }
        builder.jsonNumbers = true
        for range in JSONStream.valueRanges(buffer) {
            let (line, column) = SourceLocator.lineAndColumn(ofByteOffset: range.lowerBound, in: buffer)
            let locator = SourceLocator(lineOffset: line, columnOffset: column)
            let piece = UnsafeBufferPointer(rebasing: buffer[range])
            builder.locator = locator
            do {
                try LibYAMLParser.parse(piece, fileName: fileName, into: &builder)
            } catch {
                guard error.isSyntaxError, let value = try? JSONValue(parsingUTF8: piece) else { throw error.error }
                builder.appendDocument(value, at: locator.mark(line: 0, column: 0))
            }
        }
        return builder.documents
    }
}
