import Foundation
import JSON
import YAML

extension APIServer {
    /// The patch content types served, in the order the real server lists them.
    static let patchTypes = [
        "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    ]

    /// PUT on an object or its status.
    func update(_ r: ResourceType, namespace: String, name: String, subresource: String?, body: [UInt8], query q: QueryParameters)
        throws(APIError) -> (JSONValue, Int)
    {
        let dry = try dryRun(q, optionsKind: "UpdateOptions")
        if subresource == "scale" {
            let scaleObj = try decodeScale(body)
            return (try applyScale(r, namespace: namespace, name: name, scale: scaleObj, dryRun: dry), 200)
        }
        let obj = try decodeObject(body, r)
        if obj.metaName != name {
            throw APIError.badRequest("the name of the object (\(obj.metaName)) does not match the name on the URL (\(name))")
        }
        if r.namespaced, !obj.metaNamespace.isEmpty, obj.metaNamespace != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if store.get(r, namespace: namespace, name: name) == nil, subresource == nil, Strategy.allowCreateOnUpdate(r) {
            var o = obj
            o.setMeta("resourceVersion", nil)
            return try createObject(r, namespace: namespace, obj: &o, dryRun: dry)
        }
        let result = try commitUpdate(r, namespace: namespace, name: name, subresource: subresource, dryRun: dry) { _ throws(APIError) in obj }
        return (result, 200)
    }

    /// PATCH with the four patch types; apply patches create missing objects.
    func patch(_ r: ResourceType, namespace: String, name: String, subresource: String?, request req: HTTPRequest) throws(APIError)
        -> (JSONValue, Int)
    {
        let type = req.mediaType
        guard Self.patchTypes.contains(type) else { throw APIError.unsupportedMediaType(Self.patchTypes) }
        let q = req.query
        var optionErrors: [FieldError] = []
        let isApply = type == "application/apply-patch+yaml"
        if isApply {
            if (q["fieldManager"] ?? "").isEmpty { optionErrors.append(.required("fieldManager", "is required for apply patch")) }
        } else if q["force"] != nil {
            optionErrors.append(.forbidden("force", "may not be specified for non-apply patch"))
        }
        let dryValues = q.all("dryRun")
        if !dryValues.isEmpty && !dryValues.allSatisfy({ $0 == "All" }) {
            let shown = "[]string{" + dryValues.map { JSONValue.quote($0) }.joined(separator: ", ") + "}"
            optionErrors.append(FieldError(.notSupported, "dryRun", badValue: shown, "supported values: \"All\""))
        }
        if !optionErrors.isEmpty { throw APIError.invalid(kind: "PatchOptions", group: "meta.k8s.io", name: "", optionErrors) }
        let dry = !dryValues.isEmpty
        let patchDoc: JSONValue
        do {
            patchDoc = try isApply ? decodeApplyBody(req.body) : JSONValue(parsing: req.body)
        } catch let e as APIError {
            throw e
        } catch {
            throw APIError.badRequest(isApply ? "error decoding YAML: \(error)" : "\(error)")
        }
        if subresource == "scale" {
            guard let current = store.get(r, namespace: namespace, name: name) else { throw APIError.notFound(r, name) }
            let patched = try applyPatch(type, patchDoc, to: scaleObject(r, current), resource: r)
            return (try applyScale(r, namespace: namespace, name: name, scale: patched, dryRun: dry), 200)
        }
        if isApply && store.get(r, namespace: namespace, name: name) == nil && subresource == nil {
            var obj = patchDoc
            if obj.metaName.isEmpty { obj.setMeta("name", .string(name)) }
            return try createObject(r, namespace: namespace, obj: &obj, dryRun: dry, operation: .apply)
        }
        let result = try commitUpdate(r, namespace: namespace, name: name, subresource: subresource, dryRun: dry,
                                      operation: isApply ? .apply : .update) { old throws(APIError) in
            var patched = try self.applyPatch(type, patchDoc, to: old, resource: r)
            if patched.object == nil { throw APIError.badRequest("the patched object is not a JSON object") }
            if patched.metaName.isEmpty { patched.setMeta("name", .string(name)) }
            return patched
        }
        return (result, 200)
    }

    func applyPatch(_ type: String, _ patch: JSONValue, to current: JSONValue, resource r: ResourceType) throws(APIError) -> JSONValue {
        switch type {
        case "application/json-patch+json":
            do {
                return try JSONPatch.apply(patch, to: current)
            } catch {
                switch error {
                case .malformed(let m): throw APIError.badRequest(m)
                case .failed(let why): throw APIError.unprocessable(why)
                }
            }
        case "application/merge-patch+json":
            guard patch.object != nil else { throw APIError.badRequest("Invalid JSON Patch") }
            return JSONMergePatch.apply(patch, to: current)
        default:
            guard patch.object != nil else {
                throw APIError.badRequest("json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
            }
            do {
                return try StrategicMergePatch.apply(patch, to: current, resource: r)
            } catch {
                throw APIError.badRequest(error.message)
            }
        }
    }

    /// The update pipeline (GuaranteedUpdate + BeforeUpdate): `produce` builds the requested object
    /// from the stored one under the store lock; then the resourceVersion precondition, defaulting,
    /// the strategy's keep/reset rules, validation, and the write (none for dry runs).
    func commitUpdate(
        _ r: ResourceType, namespace: String, name: String, subresource: String?, dryRun: Bool,
        operation: FieldOperation = .update, produce: (JSONValue) throws(APIError) -> JSONValue
    ) throws(APIError) -> JSONValue {
        let key = ObjectKey(namespace: namespace, name: name)
        var dryResult: JSONValue?
        let commit = try store.transact(r, key) { current throws(APIError) -> StoreWrite in
            guard let old = current else { throw APIError.notFound(r, name) }
            var new = try produce(old)
            new = self.typed(new, r)
            if r.namespaced {
                if !new.metaNamespace.isEmpty && new.metaNamespace != namespace {
                    throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
                }
                new.setMeta("namespace", .string(namespace))
            }
            if new.metaName != name {
                throw APIError.badRequest("the name of the object (\(new.metaName)) does not match the name on the URL (\(name))")
            }
            let requestedRV = new.metaResourceVersion
            if !requestedRV.isEmpty && requestedRV != old.metaResourceVersion { throw APIError.conflict(r, name) }
            ObjectDefaults.apply(r, &new)
            Strategy.keepSystemFields(new: &new, old: old)
            let errs: [FieldError]
            if subresource == "status" {
                Strategy.prepareForStatusUpdate(r, new: &new, old: old)
                errs = Strategy.validateStatusUpdate(r, new: new, old: old)
            } else if subresource == "resize" {
                PodResizeValidation.prepare(new: &new, old: old)
                errs = PodResizeValidation.validate(new: new, old: old, refuseMemoryLimitDecrease: self.options.refusesMemoryLimitDecrease)
            } else {
                Strategy.prepareForUpdate(r, new: &new, old: old)
                errs = Strategy.validateUpdate(r, new: new, old: old)
            }
            if !errs.isEmpty { throw APIError.invalid(r, name, errs) }
            ManagedFields.record(&new, old: old, resource: r, subresource: subresource, operation: operation, now: Timestamp.now())
            new.setMeta("resourceVersion", .string(old.metaResourceVersion))
            new = ObjectMetaOrder.canonical(new)
            if dryRun {
                dryResult = new
                return .none
            }
            if new[path: ["metadata", "deletionTimestamp"]] != nil && new.metaFinalizers.isEmpty
                && old.metaFinalizers.count > 0
            {
                return .delete(new)
            }
            return .put(new)
        }
        return dryResult ?? commit.object!
    }

    // MARK: scale subresource

    func scaleObject(_ r: ResourceType, _ obj: JSONValue) -> JSONValue {
        var meta = JSONObject()
        meta["name"] = .string(obj.metaName)
        meta["namespace"] = .string(obj.metaNamespace)
        meta["uid"] = .string(obj.metaUID)
        meta["resourceVersion"] = .string(obj.metaResourceVersion)
        meta["creationTimestamp"] = obj[path: ["metadata", "creationTimestamp"]] ?? .null
        let selector = LabelSelector(object: obj[path: ["spec", "selector"]]).text
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(meta),
            "spec": ["replicas": .int(obj[path: ["spec", "replicas"]]?.int ?? 0)],
            "status": ["replicas": .int(obj[path: ["status", "replicas"]]?.int ?? 0), "selector": .string(selector)],
        ]
    }

    func scale(of r: ResourceType, namespace: String, name: String) throws(APIError) -> JSONValue {
        guard let obj = store.get(r, namespace: namespace, name: name) else { throw APIError.notFound(r, name) }
        return scaleObject(r, obj)
    }

    func decodeScale(_ body: [UInt8]) throws(APIError) -> JSONValue {
        guard let v = try? JSONValue(parsing: body), v.object != nil else {
            throw APIError.badRequest("the object provided is unrecognized (must be of type Scale)")
        }
        return v
    }

    func applyScale(_ r: ResourceType, namespace: String, name: String, scale: JSONValue, dryRun: Bool) throws(APIError) -> JSONValue {
        guard let replicas = scale[path: ["spec", "replicas"]]?.int, replicas >= 0 else {
            throw APIError.invalid(
                kind: "Scale", group: "autoscaling", name: name,
                [.invalidInt("spec.replicas", scale[path: ["spec", "replicas"]]?.int ?? -1, "must be greater than or equal to 0")])
        }
        let rv = scale[path: ["metadata", "resourceVersion"]]?.string ?? ""
        let updated = try commitUpdate(r, namespace: namespace, name: name, subresource: nil, dryRun: dryRun,
                                       operation: .scale) { old throws(APIError) in
            var o = old
            if !rv.isEmpty { o.setMeta("resourceVersion", .string(rv)) }
            o[path: ["spec", "replicas"]] = .int(replicas)
            return o
        }
        return scaleObject(r, updated)
    }

    /// The body of an apply patch: JSON or YAML.
    func decodeApplyBody(_ body: [UInt8]) throws(APIError) -> JSONValue {
        if let v = try? JSONValue(parsing: body) { return v }
        if let v = ApplyYAML.decode(body) { return v }
        throw APIError.badRequest("error decoding YAML: error converting YAML to JSON: yaml: line 1: did not find expected node content")
    }
}

/// YAML decoding of apply patches (the first document).
enum ApplyYAML {
    static func decode(_ body: [UInt8]) -> JSONValue? {
        (try? YAML.documents(from: body, fileName: "patch"))?.first?.value
    }
}
