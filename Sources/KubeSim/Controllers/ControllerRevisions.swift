import JSON

/// ControllerRevisions as the StatefulSet and DaemonSet controllers keep them
/// (pkg/controller/history): the data is the template patch `{"spec":{"template":{…,"$patch":"replace"}}}`,
/// the name `<owner>-<hash>`, the label `controller.kubernetes.io/hash`, and a revision number.
enum ControllerRevisions {
    static let hashLabel = "controller.kubernetes.io/hash"

    /// getPatch: the revision data of a workload's template.
    static func data(template: JSONValue) -> JSONValue {
        var t = template
        t["$patch"] = "replace"
        return ["spec": ["template": t]]
    }

    /// The template stored in revision data (ApplyRevision).
    static func template(of revision: JSONValue) -> JSONValue? {
        guard var t = revision[path: ["data", "spec", "template"]] else { return nil }
        t["$patch"] = nil
        return t
    }

    /// The hash of revision data (as the seeder names revisions).
    static func hash(_ data: JSONValue, collisionCount: Int) -> String { ControllerHash.hash(data, collisionCount: collisionCount) }

    /// Whether two revisions hold the same data.
    static func equal(_ a: JSONValue?, _ b: JSONValue?) -> Bool { PodTemplates.semanticallyEqual(a, b) }

    static func number(_ cr: JSONValue) -> Int { cr["revision"]?.int ?? 0 }

    /// The owner's revisions sorted by revision number (then name).
    static func owned(by owner: JSONValue, in cache: ObjectCache) -> [JSONValue] {
        cache.dependents(of: owner.metaUID, Resources.controllerRevisions).sorted {
            number($0) == number($1) ? $0.metaName < $1.metaName : number($0) < number($1)
        }
    }

    /// A new revision object (not stored).
    static func make(owner: JSONValue, kind: String, template: JSONValue, data: JSONValue, hash: String, revision: Int) -> JSONValue {
        var labels = JSONValue.stringMap(template[path: ["metadata", "labels"]])
        labels[hashLabel] = hash
        return [
            "apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": [
                "name": .string("\(owner.metaName)-\(hash)"), "namespace": .string(owner.metaNamespace), "labels": JSONValue.stringObject(labels),
                "ownerReferences": [PodTemplates.controllerRef(owner, kind: kind)],
            ],
            "data": data, "revision": .int(revision),
        ]
    }

    /// Finds or creates the revision of `owner`'s current template: the newest equal revision is
    /// reused (its number raised to the next one when it is not the newest); otherwise a new one is
    /// created, counting hash collisions. Returns the revision and the collision count.
    static func updateRevision(
        engine: ClusterEngine, owner: JSONValue, kind: String, revisions: [JSONValue], collisionCount: Int
    ) -> (JSONValue?, Int) {
        let template = owner[path: ["spec", "template"]] ?? .emptyObject
        let data = Self.data(template: template)
        let next = (revisions.last.map(number) ?? 0) + 1
        let equals = revisions.filter { Self.equal($0["data"], data) }
        if let last = revisions.last, let eq = equals.last, eq.metaUID == last.metaUID { return (last, collisionCount) }
        if let eq = equals.last {
            let updated = engine.update(Resources.controllerRevisions, ObjectKey(namespace: eq.metaNamespace, name: eq.metaName)) { o in
                o["revision"] = .int(next)
                return true
            }
            return (updated ?? eq, collisionCount)
        }
        var collisions = collisionCount
        for _ in 0..<5 {
            let hash = Self.hash(data, collisionCount: collisions)
            let cr = make(owner: owner, kind: kind, template: template, data: data, hash: hash, revision: next)
            if let created = engine.create(Resources.controllerRevisions, namespace: owner.metaNamespace, cr) { return (created, collisions) }
            if let existing = engine.store.get(Resources.controllerRevisions, namespace: owner.metaNamespace, name: cr.metaName),
                Self.equal(existing["data"], data)
            {
                return (existing, collisions)
            }
            collisions += 1
        }
        return (nil, collisions)
    }

    /// truncateHistory: deletes the oldest revisions that are not live beyond the history limit.
    static func truncate(engine: ClusterEngine, revisions: [JSONValue], live: Set<String>, limit: Int) {
        let history = revisions.filter { !live.contains($0.metaName) }
        guard limit >= 0, history.count > limit else { return }
        for cr in history.prefix(history.count - limit) {
            engine.delete(Resources.controllerRevisions, ObjectKey(namespace: cr.metaNamespace, name: cr.metaName), uid: cr.metaUID)
        }
    }
}
