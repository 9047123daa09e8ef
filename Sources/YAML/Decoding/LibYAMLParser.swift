import CYAML

/// Runs libyaml's event parser over a buffer and feeds every event to a `DocumentBuilder`,
/// turning libyaml's failures into `YAMLError`s with its problem mark and context.
enum LibYAMLParser {
    /// Why parsing stopped: libyaml rejected the syntax, or the builder rejected the content.
    struct Failure: Error {
        var error: YAMLError
        var isSyntaxError: Bool
    }

    /// Parses `buffer` as a YAML stream; the builder collects the documents.
    static func parse(
        _ buffer: UnsafeBufferPointer<UInt8>, fileName: String, into builder: inout DocumentBuilder
    ) throws(Failure) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        guard yaml_parser_initialize(parser) == 1 else {
            throw Failure(error: YAMLError(file: fileName, line: 1, column: 1, message: "out of memory"), isSyntaxError: false)
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_input_string(parser, base, buffer.count)
        let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
        defer { event.deallocate() }
        while true {
            guard yaml_parser_parse(parser, event) == 1 else {
                let error = error(from: parser, buffer: buffer, fileName: fileName, locator: builder.locator)
                throw Failure(error: error, isSyntaxError: true)
            }
            let type = event.pointee.type
            do {
                try builder.handle(event)
            } catch {
                yaml_event_delete(event)
                throw Failure(error: error, isSyntaxError: false)
            }
            yaml_event_delete(event)
            if type == YAML_STREAM_END_EVENT { return }
        }
    }

    /// The error libyaml reported, at its problem mark, with its context ("while scanning ...").
    static func error(
        from parser: UnsafeMutablePointer<yaml_parser_t>, buffer: UnsafeBufferPointer<UInt8>,
        fileName: String, locator: SourceLocator
    ) -> YAMLError {
        let p = parser.pointee
        var problem = p.problem.map { String(cString: $0) } ?? "unknown problem parsing YAML content"
        let mark: SourceMark
        switch p.error {
        case YAML_READER_ERROR:
            mark = locator.mark(ofByteOffset: p.problem_offset, in: buffer)
            if p.problem_value != -1 {
                let hex = String(p.problem_value, radix: 16, uppercase: true)
                problem += " (#x\(hex.count < 2 ? "0" + hex : hex))"
            }
            problem += " at byte \(p.problem_offset)"
        case YAML_MEMORY_ERROR:
            mark = locator.mark(line: 0, column: 0)
            problem = "out of memory"
        default:
            mark = locator.mark(line: Int(p.problem_mark.line), column: Int(p.problem_mark.column))
            if let context = p.context.map({ String(cString: $0) }) {
                let start = locator.mark(line: Int(p.context_mark.line), column: Int(p.context_mark.column))
                if start == mark {
                    problem += " (\(context))"
                } else {
                    problem += " (\(context) started at line \(start.line), column \(start.column))"
                }
            }
        }
        return YAMLError(file: fileName, line: mark.line, column: mark.column, message: problem)
    }
}
