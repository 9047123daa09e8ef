import CYAML
import JSON

/// Writes a `JSONValue` as block YAML through libyaml's emitter, choosing scalar styles the way
/// go-yaml v2 does for `kubectl get -o yaml`: 2-space indent, sequences in mappings not indented,
/// `{}` / `[]` for empty collections, strings that would read back as something else double-quoted,
/// multi-line strings as `|` literals when libyaml allows it, long plain strings folded at 80 columns.
enum YAMLEmitter {
    /// The YAML text of `value` (one document, no `---`).
    static func emit(_ value: JSONValue) -> String {
        let sink = OutputSink()
        let emitter = UnsafeMutablePointer<yaml_emitter_t>.allocate(capacity: 1)
        defer { emitter.deallocate() }
        guard yaml_emitter_initialize(emitter) == 1 else { return "" }
        defer { yaml_emitter_delete(emitter) }
        yaml_emitter_set_output(emitter, { data, buffer, size in
            guard let data, let buffer else { return 1 }
            let sink = Unmanaged<OutputSink>.fromOpaque(data).takeUnretainedValue()
            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: buffer, count: size))
            return 1
        }, Unmanaged.passUnretained(sink).toOpaque())
        yaml_emitter_set_unicode(emitter, 1)
        yaml_emitter_set_indent(emitter, 2)
        var writer = EventWriter(emitter: emitter)
        writer.streamStart()
        writer.documentStart()
        writer.write(value)
        writer.documentEnd()
        emitter.pointee.open_ended = 0
        writer.streamEnd()
        return withExtendedLifetime(sink) { String(decoding: sink.bytes, as: UTF8.self) }
    }

    private final class OutputSink {
        var bytes: [UInt8] = []
    }

    private struct EventWriter {
        let emitter: UnsafeMutablePointer<yaml_emitter_t>
        var event = yaml_event_t()

        mutating func streamStart() {
            yaml_stream_start_event_initialize(&event, YAML_UTF8_ENCODING)
            emit()
        }

        mutating func streamEnd() {
            yaml_stream_end_event_initialize(&event)
            emit()
        }

        mutating func documentStart() {
            yaml_document_start_event_initialize(&event, nil, nil, nil, 1)
            emit()
        }

        mutating func documentEnd() {
            yaml_document_end_event_initialize(&event, 1)
            emit()
        }

        mutating func write(_ value: JSONValue) {
            switch value {
            case .null:
                scalar("null", style: YAML_PLAIN_SCALAR_STYLE)
            case .bool(let b):
                scalar(b ? "true" : "false", style: YAML_PLAIN_SCALAR_STYLE)
            case .int(let i):
                scalar(String(i), style: YAML_PLAIN_SCALAR_STYLE)
            case .double(let d):
                scalar(Self.floatText(d), style: YAML_PLAIN_SCALAR_STYLE)
            case .string(let s):
                string(s)
            case .array(let items):
                yaml_sequence_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_SEQUENCE_STYLE)
                emit()
                for item in items { write(item) }
                yaml_sequence_end_event_initialize(&event)
                emit()
            case .object(let object):
                yaml_mapping_start_event_initialize(&event, nil, nil, 1, YAML_BLOCK_MAPPING_STYLE)
                emit()
                for member in object {
                    string(member.key)
                    write(member.value)
                }
                yaml_mapping_end_event_initialize(&event)
                emit()
            }
        }

        /// go-yaml's `stringv`: literal for multi-line text, plain when it reads back as the same
        /// string, else double-quoted (libyaml itself falls back when a style is not allowed).
        private mutating func string(_ s: String) {
            let style: yaml_scalar_style_t
            if s.utf8.contains(UInt8(ascii: "\n")) {
                style = YAML_LITERAL_SCALAR_STYLE
            } else if ScalarResolver.plainWouldNotBeString(s) {
                style = YAML_DOUBLE_QUOTED_SCALAR_STYLE
            } else {
                style = YAML_PLAIN_SCALAR_STYLE
            }
            scalar(s, style: style)
        }

        private mutating func scalar(_ text: String, style: yaml_scalar_style_t) {
            var copy = text
            copy.withUTF8 { buf in
                if let base = buf.baseAddress, buf.count > 0 {
                    _ = yaml_scalar_event_initialize(&event, nil, nil, base, Int32(buf.count), 1, 1, style)
                } else {
                    var zero: UInt8 = 0
                    _ = yaml_scalar_event_initialize(&event, nil, nil, &zero, 0, 1, 1, style)
                }
            }
            emit()
        }

        private mutating func emit() {
            _ = yaml_emitter_emit(emitter, &event)
        }

        /// go-yaml's `floatv`: Go's shortest `%g`, with YAML's spellings of the special values.
        static func floatText(_ d: Double) -> String {
            switch GoFloatFormatting.formatG(d) {
            case "+Inf": return ".inf"
            case "-Inf": return "-.inf"
            case "NaN": return ".nan"
            case let s: return s
            }
        }
    }
}
