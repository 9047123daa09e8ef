import Foundation
import JSON

extension APIServer {
    struct DeleteOptions {
        var gracePeriodSeconds: Int?
        var propagationPolicy: String?
        var preconditionUID: String?
        var preconditionRV: String?
        var dryRun = false
    }

    func deleteOptions(_ req: HTTPRequest) throws(APIError) -> DeleteOptions {
        var o = DeleteOptions()
        var dry = req.query.all("dryRun")
        if let g = req.query["gracePeriodSeconds"] { o.gracePeriodSeconds = Int(g) }
        if let p = req.query["propagationPolicy"] { o.propagationPolicy = p }
        if !req.body.isEmpty {
            guard let body = try? JSONValue(parsing: req.body), body.object != nil else {
                throw APIError.badRequest("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
            }
            if let g = body["gracePeriodSeconds"]?.int { o.gracePeriodSeconds = g }
            if let p = body["propagationPolicy"]?.string { o.propagationPolicy = p }
            if body["orphanDependents"]?.bool == true, o.propagationPolicy == nil { o.propagationPolicy = "Orphan" }
            o.preconditionUID = body[path: ["preconditions", "uid"]]?.string
            o.preconditionRV = body[path: ["preconditions", "resourceVersion"]]?.string
            dry += (body["dryRun"]?.array ?? []).compactMap(\.string)
        }
        var errs: [FieldError] = []
        if let p = o.propagationPolicy, !["Foreground", "Background", "Orphan"].contains(p) {
            errs.append(.notSupported("propagationPolicy", p, ["Foreground", "Background", "Orphan", "nil"]))
        }
        if !dry.isEmpty && !dry.allSatisfy({ $0 == "All" }) {
            errs.append(FieldError(.notSupported, "dryRun", badValue: "[]string{" + dry.map { JSONValue.quote($0) }.joined(separator: ", ") + "}", "supported values: \"All\""))
        }
        if !errs.isEmpty { throw APIError.invalid(kind: "DeleteOptions", group: "meta.k8s.io", name: "", errs) }
        o.dryRun = !dry.isEmpty
        return o
    }

    /// DELETE of one object: preconditions, finalizers (mark only), graceful pod deletion when
    /// enabled, cascading (background/foreground) or orphaning, dry runs.
    func delete(_ r: ResourceType, namespace: String, name: String, request req: HTTPRequest) throws(APIError) -> (JSONValue, Int) {
        let opts = try deleteOptions(req)
        let (obj, deletedNow) = try deleteObject(r, namespace: namespace, name: name, options: opts)
        if Strategy.returnsDeletedObject(r) || !deletedNow { return (obj, 200) }
        return (successStatus(r, obj), 200)
    }

    func successStatus(_ r: ResourceType, _ obj: JSONValue) -> JSONValue {
        var details = JSONObject()
        details["name"] = .string(obj.metaName)
        if !r.group.isEmpty { details["group"] = .string(r.group) }
        details["kind"] = .string(r.resource)
        details["uid"] = .string(obj.metaUID)
        return ["kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success", "details": .object(details)]
    }

    /// Deletes (or marks for deletion) one object; returns it and whether it is gone.
    func deleteObject(_ r: ResourceType, namespace: String, name: String, options opts: DeleteOptions) throws(APIError) -> (JSONValue, Bool) {
        let key = ObjectKey(namespace: r.namespaced ? namespace : "", name: name)
        let now = Timestamp.now()
        let graceful = options.gracefulPodDeletion
        let result: Result<(JSONValue, Bool), APIError> = store.batch { b in
            guard let current = b.get(r, key) else { return .failure(.notFound(r, name)) }
            if let uid = opts.preconditionUID, uid != current.metaUID {
                return .failure(.conflict(r, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.metaUID)"))
            }
            if let rv = opts.preconditionRV, rv != current.metaResourceVersion {
                return .failure(
                    .conflict(r, name, "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.metaResourceVersion)"))
            }
            var marked = current
            if marked[path: ["metadata", "deletionTimestamp"]] == nil { marked.setMeta("deletionTimestamp", .string(now)) }
            var finalizers = current.metaFinalizers
            if opts.propagationPolicy == "Foreground" && !finalizers.contains("foregroundDeletion") && hasDependents(current.metaUID, b) {
                finalizers.append("foregroundDeletion")
            }
            if !finalizers.isEmpty {
                marked.setMeta("finalizers", .array(finalizers.map { .string($0) }))
                if marked[path: ["metadata", "deletionGracePeriodSeconds"]] == nil { marked.setMeta("deletionGracePeriodSeconds", 0) }
                if opts.dryRun { return .success((marked, false)) }
                let c = b.write(r, key, .put(marked))
                return .success((c.object ?? marked, false))
            }
            if r == Resources.pods && graceful {
                let grace = opts.gracePeriodSeconds ?? current[path: ["spec", "terminationGracePeriodSeconds"]]?.int ?? 30
                let scheduled = !(current[path: ["spec", "nodeName"]]?.string ?? "").isEmpty
                let phase = current[path: ["status", "phase"]]?.string ?? ""
                if scheduled && grace > 0 && phase != "Succeeded" && phase != "Failed" {
                    let epoch = Int(Date().timeIntervalSince1970) + grace
                    marked.setMeta("deletionTimestamp", .string(Timestamp.format(epochSeconds: epoch)))
                    marked.setMeta("deletionGracePeriodSeconds", .int(grace))
                    if opts.dryRun { return .success((marked, false)) }
                    let c = b.write(r, key, .put(marked))
                    return .success((c.object ?? marked, false))
                }
            }
            if opts.dryRun { return .success((current, true)) }
            if r == Resources.namespaces {
                for res in b.resources where res.namespaced {
                    for (k, obj) in b.all(res) where k.namespace == name { b.write(res, k, .delete(obj)) }
                }
            }
            let c = b.write(r, key, .delete(marked))
            if opts.propagationPolicy == "Orphan" {
                orphanDependents(current.metaUID, &b)
            } else {
                GarbageCollection.collect(ownerUID: current.metaUID, in: &b)
            }
            return .success((c.object ?? current, true))
        }
        return try result.get()
    }

    private func hasDependents(_ uid: String, _ b: ObjectStore.Batch) -> Bool {
        for r in b.resources where b.all(r).values.contains(where: { $0.ownerUIDs.contains(uid) }) { return true }
        return false
    }

    private func orphanDependents(_ uid: String, _ b: inout ObjectStore.Batch) {
        for r in b.resources {
            for (k, obj) in b.all(r) where obj.ownerUIDs.contains(uid) {
                var o = obj
                let refs = (obj[path: ["metadata", "ownerReferences"]]?.array ?? []).filter { $0["uid"]?.string != uid }
                o.setMeta("ownerReferences", refs.isEmpty ? nil : .array(refs))
                b.write(r, k, .put(o))
            }
        }
    }

    /// DELETE on a collection: deletes every selected object and answers the list of them.
    func deleteCollection(_ r: ResourceType, namespace: String?, request req: HTTPRequest) throws(APIError) -> JSONValue {
        let opts = try deleteOptions(req)
        let sel = try selectors(req.query, r)
        let (objects, _) = store.list(r, namespace: namespace)
        var deleted: [JSONValue] = []
        for obj in objects where sel.matches(obj) {
            if let (o, _) = try? deleteObject(r, namespace: obj.metaNamespace, name: obj.metaName, options: opts) {
                deleted.append(o.removing("kind").removing("apiVersion"))
            }
        }
        return [
            "kind": .string(r.listKind), "apiVersion": .string(r.apiVersion),
            "metadata": ["resourceVersion": .string(String(store.resourceVersion))], "items": .array(deleted),
        ]
    }
}
