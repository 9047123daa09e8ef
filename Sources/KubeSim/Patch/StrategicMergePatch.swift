import JSON

/// Kubernetes strategic merge patch for the built-in types: maps merge, `null` deletes, lists merge
/// by their patch merge key or are replaced, with the `$patch` (merge/replace/delete), `$retainKeys`,
/// `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>` directives.
public enum StrategicMergePatch {
    /// Why a patch could not be applied (answered as 400 BadRequest).
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// The message.
        public var message: String
        public var description: String { message }
    }

    static let directive = "$patch"
    static let retainKeys = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder/"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    /// The original object with the patch applied, using the list strategies of `resource`.
    public static func apply(_ patch: JSONValue, to original: JSONValue, resource: ResourceType) throws(Failure) -> JSONValue {
        guard case .object(let p) = patch else {
            throw Failure(message: "Invalid JSON document")
        }
        let o = original.object ?? JSONObject()
        return .object(try mergeMap(o, p, path: [], resource: resource) ?? JSONObject())
    }

    /// Merges a patch map into an original map; nil means "delete this map".
    static func mergeMap(_ original: JSONObject, _ patch: JSONObject, path: [String], resource: ResourceType) throws(Failure)
        -> JSONObject?
    {
        var patch = patch
        var result = original
        if let d = patch[directive] {
            switch d.string {
            case "replace":
                patch.removeValue(forKey: directive)
                return stripDirectives(patch)
            case "delete":
                return nil
            case "merge":
                patch.removeValue(forKey: directive)
            default:
                throw Failure(message: "Unknown patch type: \(d.string ?? d.serialized()) in map: \(patch)")
            }
        }
        if let keep = patch[retainKeys] {
            guard let names = keep.array?.compactMap(\.string) else {
                throw Failure(message: "doesn't match the expected format for retainKeys: value \(keep) is not a list")
            }
            for m in result where !names.contains(m.key) { result.removeValue(forKey: m.key) }
            patch.removeValue(forKey: retainKeys)
        }
        for m in patch where m.key.hasPrefix(deleteFromPrimitiveListPrefix) {
            let field = String(m.key.dropFirst(deleteFromPrimitiveListPrefix.count))
            guard let drop = m.value.array else {
                throw Failure(message: "doesn't match the expected format for primitive list: value \(m.value) is not a list")
            }
            if let existing = result[field]?.array {
                result[field] = .array(existing.filter { !drop.contains($0) })
            }
        }
        for m in patch {
            let key = m.key
            if key.hasPrefix(setElementOrderPrefix) || key.hasPrefix(deleteFromPrimitiveListPrefix) { continue }
            let childPath = path + [key]
            let patchValue = m.value
            if patchValue.isNull {
                result.removeValue(forKey: key)
                continue
            }
            guard let existing = result[key] else {
                if let added = try addedValue(patchValue, path: childPath, resource: resource) { result[key] = added }
                continue
            }
            switch (existing, patchValue) {
            case (.object(let eo), .object(let po)):
                if let merged = try mergeMap(eo, po, path: childPath, resource: resource) {
                    result[key] = .object(merged)
                } else {
                    result.removeValue(forKey: key)
                }
            case (.array(let ea), .array(let pa)):
                result[key] = .array(try mergeList(ea, pa, path: childPath, resource: resource))
            default:
                result[key] = stripDirectivesValue(patchValue)
            }
        }
        for m in patch where m.key.hasPrefix(setElementOrderPrefix) {
            let field = String(m.key.dropFirst(setElementOrderPrefix.count))
            guard let order = m.value.array else {
                throw Failure(message: "doesn't match the expected format for setElementOrder list: value \(m.value) is not a list")
            }
            if let list = result[field]?.array {
                result[field] = .array(reorder(list, by: order, strategy: PatchSchema.strategy(for: resource, path: path + [field])))
            }
        }
        return result
    }

    /// A value added where the original had none: directives removed, nulls discarded, delete
    /// elements dropped.
    static func addedValue(_ v: JSONValue, path: [String], resource: ResourceType) throws(Failure) -> JSONValue? {
        switch v {
        case .object(let o):
            if o[directive]?.string == "delete" { return nil }
            return try mergeMap(JSONObject(), o, path: path, resource: resource).map { .object($0) }
        case .array(let a):
            return .array(try mergeList([], a, path: path, resource: resource))
        default:
            return v
        }
    }

    static func mergeList(_ original: [JSONValue], _ patch: [JSONValue], path: [String], resource: ResourceType) throws(Failure)
        -> [JSONValue]
    {
        let strategy = PatchSchema.strategy(for: resource, path: path)
        switch strategy {
        case .atomic:
            return patch.map(stripDirectivesValue)
        case .mergePrimitives:
            var out = original
            for v in patch where !out.contains(v) { out.append(v) }
            return out
        case .mergeByKey(let mergeKey):
            var items = original
            var additions: [JSONValue] = []
            if patch.contains(where: { $0[directive]?.string == "replace" }) {
                return try patch.filter { $0[directive]?.string != "replace" }.map { e throws(Failure) -> JSONValue in
                    try addedValue(e, path: path, resource: resource) ?? e
                }
            }
            for element in patch {
                guard case .object(let pe) = element else {
                    if !items.contains(element) { items.append(element) }
                    continue
                }
                if pe[directive]?.string == "delete" {
                    guard let keyValue = pe[mergeKey] else {
                        throw Failure(message: "map: \(element) does not contain declared merge key: \(mergeKey)")
                    }
                    items.removeAll { $0[mergeKey] == keyValue }
                    continue
                }
                guard let keyValue = pe[mergeKey] else {
                    throw Failure(message: "map: \(element) does not contain declared merge key: \(mergeKey)")
                }
                if let i = items.firstIndex(where: { $0[mergeKey] == keyValue }), case .object(let eo) = items[i] {
                    if let merged = try mergeMap(eo, pe, path: path, resource: resource) {
                        items[i] = .object(merged)
                    } else {
                        items.remove(at: i)
                    }
                } else if let added = try addedValue(element, path: path, resource: resource) {
                    additions.append(added)
                }
            }
            return items + additions
        }
    }

    static func reorder(_ list: [JSONValue], by order: [JSONValue], strategy: PatchSchema.ListStrategy) -> [JSONValue] {
        let keyOf: (JSONValue) -> JSONValue? = { v in
            if case .mergeByKey(let k) = strategy { return v[k] }
            return v
        }
        let orderKeys: [JSONValue] = order.compactMap { o in
            if case .mergeByKey(let k) = strategy { return o[k] }
            return o
        }
        var ordered: [JSONValue] = []
        for k in orderKeys { if let item = list.first(where: { keyOf($0) == k }) { ordered.append(item) } }
        let rest = list.filter { item in !orderKeys.contains { $0 == keyOf(item) } }
        return ordered + rest
    }

    static func stripDirectives(_ o: JSONObject) -> JSONObject {
        var out = JSONObject()
        for m in o where !m.key.hasPrefix("$") { out.appendUnchecked(m.key, stripDirectivesValue(m.value)) }
        return out
    }

    static func stripDirectivesValue(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o): return .object(stripDirectives(o))
        case .array(let a): return .array(a.filter { $0[directive]?.string != "replace" && $0[directive]?.string != "delete" }.map(stripDirectivesValue))
        default: return v
        }
    }
}
