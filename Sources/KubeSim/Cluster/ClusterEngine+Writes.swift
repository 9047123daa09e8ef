import JSON

/// How the simulation writes: like the real components, through the API server's create, update
/// and status pipelines (defaulting, validation, generation bumps) or, for the kubelet's own
/// status and the scheduler's binding, directly in the store. None of it goes through HTTP, the
/// request log or fault injection. Every write remembers its resourceVersion so that the engine
/// does not act again before its cache has seen the write.
extension ClusterEngine {
    func noteWrite(_ rv: Int?) {
        if let rv { lastOwnWriteRV = max(lastOwnWriteRV, rv) }
    }

    func noteWrite(_ obj: JSONValue?) { noteWrite(obj.flatMap { Int($0.metaResourceVersion) }) }

    /// Creates an object through the API server's create pipeline; retries generated names that collide.
    @discardableResult
    func create(_ r: ResourceType, namespace: String, _ object: JSONValue) -> JSONValue? {
        for _ in 0..<5 {
            var obj = object
            do {
                let (created, _) = try api.createObject(r, namespace: namespace, obj: &obj, dryRun: false)
                noteWrite(created)
                return created
            } catch {
                if error.code == 409 && object.metaName.isEmpty { continue }
                return nil
            }
        }
        return nil
    }

    /// Updates an object (or its status) through the API server's update pipeline; `mutate` returns
    /// false to write nothing. Nil when the object is gone or the update was refused.
    @discardableResult
    func update(_ r: ResourceType, _ key: ObjectKey, status: Bool = false, _ mutate: (inout JSONValue) -> Bool) -> JSONValue? {
        var skipped = false
        do {
            let result = try api.commitUpdate(r, namespace: key.namespace, name: key.name, subresource: status ? "status" : nil, dryRun: false) {
                old throws(APIError) in
                var o = old
                if !mutate(&o) {
                    skipped = true
                    return old
                }
                o.setMeta("resourceVersion", nil)
                return o
            }
            if !skipped { noteWrite(result) }
            return result
        } catch {
            return nil
        }
    }

    /// Writes an object in the store directly (kubelet status, scheduler binding); `body` gets the
    /// current object and returns the new one, or nil to write nothing.
    func writeDirect(_ r: ResourceType, _ key: ObjectKey, _ body: (JSONValue) -> JSONValue?) {
        let commit = store.transact(r, key) { current -> StoreWrite in
            guard let current, let next = body(current) else { return .none }
            return .put(next)
        }
        noteWrite(commit.event?.resourceVersion)
    }

    /// Deletes an object through the API server (graceful for pods when the server deletes pods
    /// gracefully; background cascading to dependents).
    func delete(_ r: ResourceType, _ key: ObjectKey, uid: String? = nil) {
        var opts = APIServer.DeleteOptions()
        opts.preconditionUID = uid
        if let (obj, _) = try? api.deleteObject(r, namespace: key.namespace, name: key.name, options: opts) {
            noteWrite(obj)
        }
    }

    /// Deletes a pod the way a controller does: gracefully when pods terminate with a delay (the
    /// kubelet finishes it), else at once. Pods have no dependents, so no garbage collection scan.
    func deletePod(_ key: ObjectKey, uid: String) {
        if api.options.gracefulPodDeletion {
            delete(Resources.pods, key, uid: uid)
            return
        }
        let commit = store.transact(Resources.pods, key) { current -> StoreWrite in
            guard var pod = current, pod.metaUID == uid else { return .none }
            if pod[path: ["metadata", "deletionTimestamp"]] == nil { pod.setMeta("deletionTimestamp", .string(Timestamp.now())) }
            pod.setMeta("deletionGracePeriodSeconds", 0)
            return pod.metaFinalizers.isEmpty ? .delete(pod) : .put(pod)
        }
        noteWrite(commit.event?.resourceVersion)
    }
}
