import CYAML
import JSON

/// Builds JSON documents from libyaml events the way go-yaml v2 + sigs.k8s.io/yaml do for kubectl:
/// resolves scalars, expands aliases and merge keys (`<<`), converts keys to strings, refuses
/// duplicate keys and alias bombs, and records where every value starts.
struct DocumentBuilder {
    /// Deepest nesting accepted (the JSON module's limit, so every document can be serialized).
    static let maxDepth = 512

    /// The documents built so far.
    private(set) var documents: [YAMLDocument] = []
    /// Maps libyaml marks to user-facing marks for the piece being parsed.
    var locator = SourceLocator()
    /// Read number literals as JSON does (kubectl decodes streams starting with `{` as JSON).
    var jsonNumbers = false

    private let fileName: String
    private var stack: [Container] = []
    private var root: JSONValue?
    private var rootLine = 1
    private var positions: [PositionTable.Entry] = []
    private var memberStack: [JSONObject.Member] = []
    private var keyLineStack: [Int] = []
    private var itemStack: [JSONValue] = []
    private var anchors: [String: Anchor] = [:]
    private var anchorGeneration = 0
    private var decodeCount = 0
    private var aliasCount = 0

    init(fileName: String) {
        self.fileName = fileName
    }

    private enum Anchor {
        case inProgress(Int)
        case scalar(ScalarValue, cost: Int)
        case node(JSONValue, cost: Int)
    }

    private enum Role {
        case value
        case mergeSource
        case mergeList
    }

    private enum Pending {
        case none
        case key(String, SourceMark)
        case merge(SourceMark)
    }

    /// Where a value sits: its parent's position entry and its key or index there.
    private struct Place {
        var parent: Int32
        var key: String?
        var index: Int32
    }

    private enum Slot {
        case root
        case key
        case value(Place?)
        case mergeValue
        case mergeListItem
    }

    private struct Container {
        var isMapping: Bool
        var role: Role
        var entry: Int32?
        var anchor: (name: String, id: Int)?
        var startCount: Int
        /// Where this container's members (in `memberStack`) or items (in `itemStack`) begin.
        var start: Int
        var count = 0
        var keyIndex: [String: Int] = [:]
        var merge: (at: Int, object: JSONObject)?
        var mergeLine: Int?
        var pending: Pending = .none
    }

    /// Adds a document that did not go through libyaml (a JSON value libyaml could not read).
    mutating func appendDocument(_ value: JSONValue, at mark: SourceMark) {
        guard !value.isNull else { return }
        documents.append(YAMLDocument(value: value, index: documents.count, line: mark.line, positions: ["": mark]))
    }

    /// Consumes one libyaml event.
    mutating func handle(_ event: UnsafeMutablePointer<yaml_event_t>) throws(YAMLError) {
        let e = event.pointee
        switch e.type {
        case YAML_DOCUMENT_START_EVENT:
            stack.removeAll(keepingCapacity: true)
            memberStack.removeAll(keepingCapacity: true)
            keyLineStack.removeAll(keepingCapacity: true)
            itemStack.removeAll(keepingCapacity: true)
            root = nil
            positions = []
            anchors = [:]
            decodeCount = 1
            aliasCount = 0
        case YAML_DOCUMENT_END_EVENT:
            if let root, !root.isNull {
                let table = PositionTable(entries: positions)
                documents.append(YAMLDocument(value: root, index: documents.count, line: rootLine, table: table))
            }
            root = nil
            positions = []
            anchors = [:]
        case YAML_SCALAR_EVENT:
            try scalar(e)
        case YAML_ALIAS_EVENT:
            try alias(e)
        case YAML_MAPPING_START_EVENT:
            try start(isMapping: true, anchor: e.data.mapping_start.anchor, mark: mark(e.start_mark))
        case YAML_SEQUENCE_START_EVENT:
            try start(isMapping: false, anchor: e.data.sequence_start.anchor, mark: mark(e.start_mark))
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            end()
        default:
            break
        }
    }

    // MARK: - Events

    private mutating func scalar(_ e: yaml_event_t) throws(YAMLError) {
        let s = e.data.scalar
        let mark = mark(e.start_mark)
        let text = UnsafeBufferPointer(start: s.value, count: s.length)
        let tag = s.tag.map { String(cString: $0) }
        let slot = currentSlot()
        if case .key = slot, isMergeKey(text, tag: tag, plainImplicit: s.plain_implicit != 0) {
            try beginMerge(at: mark)
            if let anchor = s.anchor { defineScalarAnchor(anchor, .string("<<"), cost: 0) }
            return
        }
        decodeCount += 1
        let value = try scalarValue(text, tag: tag, plainImplicit: s.plain_implicit != 0, mark: mark)
        if let anchor = s.anchor { defineScalarAnchor(anchor, value, cost: 1) }
        try place(scalar: value, text: text, slot: slot, mark: mark)
    }

    private mutating func alias(_ e: yaml_event_t) throws(YAMLError) {
        let mark = mark(e.start_mark)
        let name = String(cString: e.data.alias.anchor)
        guard let anchor = anchors[name] else { throw fail(mark, "unknown anchor '\(name)' referenced") }
        let slot = currentSlot()
        switch anchor {
        case .inProgress:
            throw fail(mark, "anchor '\(name)' value contains itself")
        case .scalar(let value, let cost):
            try countAlias(cost: cost, at: mark)
            try place(scalar: value, text: nil, slot: slot, mark: mark)
        case .node(let value, let cost):
            try countAlias(cost: cost, at: mark)
            switch slot {
            case .key:
                throw fail(mark, "invalid map key: \(value.array != nil ? "a sequence" : "a mapping") cannot be a key")
            case .mergeValue, .mergeListItem:
                guard value.object != nil else { throw fail(mark, Self.wantMap) }
                deliverMergeSource(value)
            case .root:
                record(nil, mark)
                deliver(value)
            case .value(let place):
                if let place { record(place, mark) }
                deliver(value)
            }
        }
    }

    private mutating func start(isMapping: Bool, anchor: UnsafeMutablePointer<yaml_char_t>?, mark: SourceMark) throws(YAMLError) {
        guard stack.count < Self.maxDepth else {
            throw fail(mark, "exceeded max nesting depth of \(Self.maxDepth)")
        }
        let slot = currentSlot()
        let startCount = decodeCount
        var role = Role.value
        var entry: Int32?
        switch slot {
        case .key:
            throw fail(mark, "invalid map key: \(isMapping ? "a mapping" : "a sequence") cannot be a key")
        case .mergeValue:
            role = isMapping ? .mergeSource : .mergeList
        case .mergeListItem:
            guard isMapping else { throw fail(mark, Self.wantMap) }
            role = .mergeSource
        case .root:
            entry = record(nil, mark)
        case .value(let place):
            if let place { entry = record(place, mark) }
        }
        if role != .mergeList { decodeCount += 1 }
        var container = Container(
            isMapping: isMapping, role: role, entry: entry, startCount: startCount,
            start: isMapping ? memberStack.count : itemStack.count)
        if let anchor {
            anchorGeneration += 1
            let name = String(cString: anchor)
            anchors[name] = .inProgress(anchorGeneration)
            container.anchor = (name, anchorGeneration)
        }
        stack.append(container)
    }

    private mutating func end() {
        let container = stack.removeLast()
        let value: JSONValue
        var items: [JSONValue] = []
        if container.isMapping {
            value = .object(members(of: container))
            memberStack.removeSubrange(container.start...)
            keyLineStack.removeSubrange(container.start...)
        } else {
            items = Array(itemStack[container.start...])
            itemStack.removeSubrange(container.start...)
            if container.role == .mergeList {
                var combined = JSONObject()
                for item in items {
                    for member in item.object ?? JSONObject() where !combined.contains(member.key) {
                        combined.appendUnchecked(member.key, member.value)
                    }
                }
                value = .object(combined)
            } else {
                value = .array(items)
            }
        }
        if let anchor = container.anchor, case .inProgress(let id) = anchors[anchor.name], id == anchor.id {
            let stored: JSONValue = container.role == .mergeList ? .array(items) : value
            anchors[anchor.name] = .node(stored, cost: decodeCount - container.startCount)
        }
        switch container.role {
        case .value: deliver(value)
        case .mergeSource, .mergeList: deliverMergeSource(value)
        }
    }

    // MARK: - Placing values

    private func currentSlot() -> Slot {
        let top = stack.count - 1
        guard top >= 0 else { return .root }
        if stack[top].isMapping {
            switch stack[top].pending {
            case .none: return .key
            case .key(let key, _): return .value(stack[top].entry.map { Place(parent: $0, key: key, index: 0) })
            case .merge: return .mergeValue
            }
        }
        if stack[top].role == .mergeList { return .mergeListItem }
        return .value(stack[top].entry.map { Place(parent: $0, key: nil, index: Int32(truncatingIfNeeded: stack[top].count)) })
    }

    private mutating func place(scalar value: ScalarValue, text: UnsafeBufferPointer<UInt8>?, slot: Slot, mark: SourceMark) throws(YAMLError) {
        switch slot {
        case .key:
            guard let key = value.keyString else {
                let shown = text.map { String(decoding: $0, as: UTF8.self) } ?? ""
                throw fail(mark, "unsupported map key of type \(value.goTypeName)\(shown.isEmpty ? "" : ": `\(shown)`") (sigs.k8s.io/yaml needs strings, numbers or booleans)")
            }
            try addKey(key, mark: mark)
        case .mergeValue, .mergeListItem:
            throw fail(mark, Self.wantMap)
        case .root:
            record(nil, mark)
            deliver(try json(value, mark))
        case .value(let place):
            if let place { record(place, mark) }
            deliver(try json(value, mark))
        }
    }

    private mutating func deliver(_ value: JSONValue) {
        guard !stack.isEmpty else {
            root = value
            return
        }
        let top = stack.count - 1
        if stack[top].isMapping {
            guard case .key(let key, let keyMark) = stack[top].pending else { return }
            stack[top].pending = .none
            let start = stack[top].start
            let count = stack[top].count
            if count >= Self.indexThreshold {
                if stack[top].keyIndex.isEmpty {
                    for i in 0..<count { stack[top].keyIndex[memberStack[start + i].key] = i }
                }
                stack[top].keyIndex[key] = count
            }
            memberStack.append(JSONObject.Member(key: key, value: value))
            keyLineStack.append(keyMark.line)
        } else {
            itemStack.append(value)
        }
        stack[top].count += 1
    }

    private mutating func deliverMergeSource(_ value: JSONValue) {
        let top = stack.count - 1
        if stack[top].isMapping {
            stack[top].pending = .none
            stack[top].merge = (stack[top].count, value.object ?? JSONObject())
        } else {
            itemStack.append(value)
            stack[top].count += 1
        }
    }

    private static let indexThreshold = 16

    private mutating func addKey(_ key: String, mark: SourceMark) throws(YAMLError) {
        let top = stack.count - 1
        let start = stack[top].start
        let count = stack[top].count
        var existing: Int?
        if count > Self.indexThreshold {
            existing = stack[top].keyIndex[key]
        } else {
            for i in 0..<count where memberStack[start + i].key == key {
                existing = i
                break
            }
        }
        if let existing {
            throw fail(mark, "mapping key \"\(key)\" already defined at line \(keyLineStack[start + existing])")
        }
        stack[top].pending = .key(key, mark)
    }

    private mutating func beginMerge(at mark: SourceMark) throws(YAMLError) {
        let top = stack.count - 1
        if let line = stack[top].mergeLine {
            throw fail(mark, "mapping key \"<<\" already defined at line \(line)")
        }
        stack[top].mergeLine = mark.line
        stack[top].pending = .merge(mark)
    }

    /// Explicit keys in order, with merged keys inserted where `<<` stood unless set explicitly.
    private func members(of container: Container) -> JSONObject {
        let own = memberStack[container.start...]
        guard let merge = container.merge else { return JSONObject(uncheckedMembers: Array(own)) }
        var explicit = Set<String>()
        for m in own { explicit.insert(m.key) }
        var result: [JSONObject.Member] = []
        result.reserveCapacity(own.count + merge.object.count)
        result.append(contentsOf: own.prefix(merge.at))
        for m in merge.object where !explicit.contains(m.key) { result.append(m) }
        result.append(contentsOf: own.dropFirst(merge.at))
        return JSONObject(uncheckedMembers: result)
    }

    // MARK: - Scalars, anchors, limits

    private func isMergeKey(_ text: UnsafeBufferPointer<UInt8>, tag: String?, plainImplicit: Bool) -> Bool {
        guard text.count == 2, text[0] == UInt8(ascii: "<"), text[1] == UInt8(ascii: "<") else { return false }
        return (tag == nil && plainImplicit) || tag == ScalarResolver.mergeTag
    }

    private func scalarValue(_ text: UnsafeBufferPointer<UInt8>, tag: String?, plainImplicit: Bool, mark: SourceMark) throws(YAMLError) -> ScalarValue {
        if let tag {
            do {
                return try ScalarResolver.resolveTagged(String(decoding: text, as: UTF8.self), tag: tag)
            } catch {
                throw fail(mark, error.message)
            }
        }
        if plainImplicit { return ScalarResolver.resolvePlain(text, jsonNumbers: jsonNumbers) }
        return .string(String(decoding: text, as: UTF8.self))
    }

    private func json(_ value: ScalarValue, _ mark: SourceMark) throws(YAMLError) -> JSONValue {
        do {
            return try value.jsonValue()
        } catch {
            switch error {
            case .unsupportedValue(let name):
                throw fail(mark, "json: unsupported value: \(name) (JSON has no NaN or infinity)")
            }
        }
    }

    private mutating func defineScalarAnchor(_ anchor: UnsafeMutablePointer<yaml_char_t>, _ value: ScalarValue, cost: Int) {
        anchors[String(cString: anchor)] = .scalar(value, cost: cost)
    }

    /// go-yaml v2's alias budget: an alias costs one decode plus every decode of its target.
    private mutating func countAlias(cost: Int, at mark: SourceMark) throws(YAMLError) {
        decodeCount += 1 + cost
        aliasCount += cost
        if aliasCount > 100, decodeCount > 1000,
           Double(aliasCount) / Double(decodeCount) > Self.allowedAliasRatio(decodeCount) {
            throw fail(mark, "document contains excessive aliasing")
        }
    }

    private static func allowedAliasRatio(_ decodeCount: Int) -> Double {
        let low = 400_000.0, high = 4_000_000.0
        let count = Double(decodeCount)
        if count <= low { return 0.99 }
        if count >= high { return 0.10 }
        return 0.99 - 0.89 * ((count - low) / (high - low))
    }

    private static let wantMap = "map merge requires map or sequence of maps as the value"

    /// Records where a value starts (`place` nil for the root) and returns its entry.
    @discardableResult
    private mutating func record(_ place: Place?, _ mark: SourceMark) -> Int32 {
        if let place {
            positions.append(PositionTable.Entry(parent: place.parent, key: place.key, index: place.index, mark: mark))
        } else {
            rootLine = mark.line
            positions.append(PositionTable.Entry(parent: -1, key: nil, index: 0, mark: mark))
        }
        return Int32(truncatingIfNeeded: positions.count - 1)
    }

    private func mark(_ m: yaml_mark_t) -> SourceMark {
        locator.mark(line: Int(m.line), column: Int(m.column))
    }

    private func fail(_ mark: SourceMark, _ message: String) -> YAMLError {
        YAMLError(file: fileName, line: mark.line, column: mark.column, message: message)
    }
}
