import JSON

/// Who makes a client write, as kube-apiserver names it in `metadata.managedFields`: the
/// `fieldManager` query parameter, else the User-Agent up to its first `/` (`kubectl/v1.31.0 ...`
/// is `kubectl`). Bound for the duration of one HTTP request; the simulation's own controllers
/// write without one.
struct FieldWriter: Sendable {
    /// The writer of the request being served on this thread, if any.
    @TaskLocal static var current: FieldWriter?

    var manager: String

    /// The manager of an HTTP request.
    init(request: HTTPRequest) {
        if let m = request.query["fieldManager"], !m.isEmpty {
            manager = m
        } else {
            let agent = request.headers["User-Agent"] ?? ""
            manager = String((agent.split(separator: "/", omittingEmptySubsequences: false).first ?? "").prefix(128))
        }
    }
}

/// How a write enters the managedFields: an update (PUT or a non-apply patch), an apply patch, or a
/// write through the scale subresource.
enum FieldOperation: Sendable {
    case update, apply, scale
}

/// Field ownership (structured-merge-diff's FieldsV1 sets) as kube-apiserver keeps it: each write
/// gives its manager the fields it set or changed and takes them from every other manager; an entry
/// left with no field is dropped. Lists with a merge key are addressed by `k:{"key":value}`, other
/// lists as a whole. Kept for the resources clients configure; pods and the high-volume resources
/// the simulation writes thousands of times per rollout carry none, to keep it fast.
enum ManagedFields {
    /// Resources whose objects carry no managedFields in the simulation.
    static let untracked: Set<String> = ["pods", "events", "leases", "endpointslices", "endpoints"]

    /// Metadata fields that belong to no manager.
    static let systemMeta: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "deletionGracePeriodSeconds", "managedFields", "selfLink", "generateName",
    ]

    /// Sets `new`'s managedFields after a write by the current `FieldWriter` (kept as `old` had
    /// them when the write has no writer or changes nothing).
    static func record(_ new: inout JSONValue, old: JSONValue?, resource r: ResourceType, subresource: String?,
                       operation: FieldOperation, now: String) {
        let previous = old?[path: ["metadata", "managedFields"]]
        new.setMeta("managedFields", previous)
        guard let writer = FieldWriter.current, !untracked.contains(r.resource) else { return }
        let (changed, removed) = diff(old.map(strip) ?? .emptyObject, strip(new), path: [], resource: r)
        guard !changed.isEmpty || !removed.isEmpty else { return }
        let op = operation == .apply ? "Apply" : "Update"
        let sub = operation == .scale ? "scale" : subresource
        var entries: [JSONValue] = []
        var mine: JSONObject = [:]
        for entry in previous?.array ?? [] {
            var fields = entry["fieldsV1"]?.object ?? [:]
            if entry["manager"]?.string == writer.manager && entry["operation"]?.string == op && entry["subresource"]?.string == sub {
                mine = fields
                continue
            }
            fields = subtract(subtract(fields, changed), removed)
            if fields.isEmpty { continue }
            var e = entry
            e["fieldsV1"] = .object(fields)
            entries.append(e)
        }
        mine = subtract(union(mine, changed), removed)
        if !mine.isEmpty {
            var e: JSONObject = ["manager": .string(writer.manager), "operation": .string(op)]
            e["apiVersion"] = .string(r.group.isEmpty ? r.version : "\(r.group)/\(r.version)")
            e["time"] = .string(now)
            e["fieldsType"] = "FieldsV1"
            e["fieldsV1"] = .object(mine)
            if let sub { e["subresource"] = .string(sub) }
            entries.append(.object(e))
        }
        new.setMeta("managedFields", entries.isEmpty ? nil : .array(entries))
    }

    /// The object without the fields no manager owns.
    static func strip(_ object: JSONValue) -> JSONValue {
        var o = object
        o["apiVersion"] = nil
        o["kind"] = nil
        if var meta = o["metadata"]?.object {
            for k in systemMeta { _ = meta.removeValue(forKey: k) }
            o["metadata"] = meta.isEmpty ? nil : .object(meta)
        }
        return o
    }

    /// The fields `new` sets or changes relative to `old`, and those it no longer has.
    static func diff(_ old: JSONValue, _ new: JSONValue, path: [String], resource r: ResourceType) -> (JSONObject, JSONObject) {
        var changed: JSONObject = [:], removed: JSONObject = [:]
        let oldObject = old.object ?? [:]
        for member in new.object ?? [:] {
            let key = "f:" + member.key
            let before = oldObject[member.key]
            if before == member.value { continue }
            switch (before, member.value) {
            case (_, .object(let o)) where !o.isEmpty:
                let base = before?.object != nil ? before! : .emptyObject
                let (c, d) = diff(base, member.value, path: path + [member.key], resource: r)
                if !c.isEmpty { changed[key] = .object(c) }
                if !d.isEmpty { removed[key] = .object(d) }
            case (_, .array(let items)):
                if case .mergeByKey(let k) = PatchSchema.strategy(for: r, path: path + [member.key]),
                   items.allSatisfy({ $0[k] != nil }) {
                    let (c, d) = diffList(before?.array ?? [], items, key: k, path: path + [member.key], resource: r)
                    if !c.isEmpty { changed[key] = .object(c) }
                    if !d.isEmpty { removed[key] = .object(d) }
                } else {
                    changed[key] = .emptyObject
                }
            default:
                changed[key] = .emptyObject
            }
        }
        for member in oldObject where new[member.key] == nil { removed["f:" + member.key] = .emptyObject }
        return (changed, removed)
    }

    /// The same for a list whose items merge by `key`.
    static func diffList(_ old: [JSONValue], _ new: [JSONValue], key: String, path: [String], resource r: ResourceType)
        -> (JSONObject, JSONObject)
    {
        func id(_ item: JSONValue) -> String { "k:" + JSONValue.object(JSONObject([(key, item[key] ?? .null)])).serialized() }
        var changed: JSONObject = [:], removed: JSONObject = [:]
        let before = Dictionary(old.map { (id($0), $0) }, uniquingKeysWith: { a, _ in a })
        for item in new {
            let k = id(item)
            if let o = before[k] {
                if o == item { continue }
                let (c, d) = diff(o, item, path: path, resource: r)
                if !c.isEmpty { changed[k] = .object(c) }
                if !d.isEmpty { removed[k] = .object(d) }
            } else {
                var fields = diff(.emptyObject, item, path: path, resource: r).0
                fields["."] = .emptyObject
                changed[k] = .object(fields)
            }
        }
        let now = Set(new.map(id))
        for k in before.keys where !now.contains(k) { removed[k] = .emptyObject }
        return (changed, removed)
    }

    static func union(_ a: JSONObject, _ b: JSONObject) -> JSONObject {
        var out = a
        for m in b {
            if let x = out[m.key]?.object, let y = m.value.object, !x.isEmpty || !y.isEmpty {
                out[m.key] = .object(union(x, y))
            } else if out[m.key] == nil {
                out[m.key] = m.value
            }
        }
        return out
    }

    /// `a` without the fields of `b` (a leaf of `b` takes the whole subtree under it).
    static func subtract(_ a: JSONObject, _ b: JSONObject) -> JSONObject {
        var out = a
        for m in b {
            guard let x = out[m.key] else { continue }
            let y = m.value.object ?? [:]
            if y.isEmpty {
                _ = out.removeValue(forKey: m.key)
            } else if let xo = x.object, !xo.isEmpty {
                let rest = subtract(xo, y)
                if rest.isEmpty { _ = out.removeValue(forKey: m.key) } else { out[m.key] = .object(rest) }
            }
        }
        return out
    }
}
