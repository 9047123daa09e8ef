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
                let live = original[field]?.array ?? []
                result[field] = .array(enforceOrder(list, order: order, original: live, strategy: PatchSchema.strategy(for: resource, path: path + [field])))
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
            var merged: [JSONValue] = []
            for v in original + patch where !merged.contains(v) { merged.append(v) }
            return enforceOrder(merged, order: patch, original: original, strategy: strategy)
        case .mergeByKey(let mergeKey):
            if patch.contains(where: { $0[directive]?.string == "replace" }) {
                return try patch.filter { $0[directive]?.string != "replace" }.map { e throws(Failure) -> JSONValue in
                    try addedValue(e, path: path, resource: resource) ?? e
                }
            }
            var base = original
            var plain: [JSONValue] = []
            for element in patch {
                guard case .object(let pe) = element, let keyValue = pe[mergeKey] else {
                    throw Failure(message: "map: \(element) does not contain declared merge key: \(mergeKey)")
                }
                if pe[directive]?.string == "delete" {
                    base.removeAll { $0[mergeKey] == keyValue }
                } else if let d = pe[directive], d.string != "merge" {
                    throw Failure(message: "Unknown patch type: \(d.string ?? d.serialized()) in map: \(element)")
                } else {
                    plain.append(element)
                }
            }
            var merged = base
            for element in plain {
                guard case .object(let pe) = element else { continue }
                if let i = merged.firstIndex(where: { $0[mergeKey] == pe[mergeKey] }), case .object(let eo) = merged[i] {
                    if let m = try mergeMap(eo, pe, path: path, resource: resource) {
                        merged[i] = .object(m)
                    } else {
                        merged.remove(at: i)
                    }
                } else if let added = try addedValue(element, path: path, resource: resource) {
                    merged.append(added)
                }
            }
            return enforceOrder(merged, order: plain, original: original, strategy: strategy)
        }
    }

    /// The order the real strategic merge leaves a merged list in (normalizeElementOrder): the items
    /// named in `order` (the patch list or a $setElementOrder list) in that order, the other (live)
    /// items in their live order, interleaved by their live positions; items new to the live list
    /// come before the live items that follow them.
    static func enforceOrder(_ merged: [JSONValue], order: [JSONValue], original: [JSONValue], strategy: PatchSchema.ListStrategy)
        -> [JSONValue]
    {
        let keyOf: (JSONValue) -> JSONValue? = { v in
            if case .mergeByKey(let k) = strategy { return v[k] }
            return v
        }
        let orderKeys = order.compactMap(keyOf)
        let liveKeys = original.compactMap(keyOf)
        func index(_ keys: [JSONValue], _ v: JSONValue) -> Int? { keyOf(v).flatMap { k in keys.firstIndex(of: k) } }
        var patchItems = merged.filter { index(orderKeys, $0) != nil }
        var serverOnly = merged.filter { index(orderKeys, $0) == nil }
        patchItems = stableSorted(patchItems) { a, b in
            guard let ia = index(orderKeys, a), let ib = index(orderKeys, b) else { return true }
            return ia < ib
        }
        serverOnly = stableSorted(serverOnly) { a, b in
            guard let ia = index(liveKeys, a), let ib = index(liveKeys, b) else { return true }
            return ia < ib
        }
        var out: [JSONValue] = []
        var i = 0
        var j = 0
        while i < serverOnly.count || j < patchItems.count {
            if i >= serverOnly.count {
                out.append(patchItems[j])
                j += 1
            } else if j >= patchItems.count {
                out.append(serverOnly[i])
                i += 1
            } else if let li = index(liveKeys, serverOnly[i]), let ri = index(liveKeys, patchItems[j]), li < ri {
                out.append(serverOnly[i])
                i += 1
            } else {
                out.append(patchItems[j])
                j += 1
            }
        }
        return out
    }

    /// An insertion sort keeping equal elements in place (Go's sort.SliceStable for these lists).
    static func stableSorted(_ items: [JSONValue], by less: (JSONValue, JSONValue) -> Bool) -> [JSONValue] {
        var a = items
        if a.count < 2 { return a }
        for k in 1..<a.count {
            var m = k
            while m > 0 && less(a[m], a[m - 1]) && !less(a[m - 1], a[m]) {
                a.swapAt(m, m - 1)
                m -= 1
            }
        }
        return a
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
