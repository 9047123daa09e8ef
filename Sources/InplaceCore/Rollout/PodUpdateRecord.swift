import JSON

/// What is recorded on a pod (annotation `inplace.kubectl.io/state`) before it is touched, so its
/// update can be verified, resumed after a crash, and undone.
public struct PodUpdateRecord: Sendable, Equatable {
    /// A changed container: images and the state of the container that ran before.
    public struct Container: Sendable, Equatable {
        public var name: String
        public var from: String
        public var to: String
        public var imageID: String
        public var containerID: String
        public var restartCount: Int
        /// The waiting reason shown when the record was written (kept for reading; whether a
        /// reason is fresh is decided by `StatusFreshness`).
        public var waitingReason: String?

        public init(name: String, from: String, to: String, imageID: String = "", containerID: String = "",
                    restartCount: Int = 0, waitingReason: String? = nil) {
            self.name = name
            self.from = from
            self.to = to
            self.imageID = imageID
            self.containerID = containerID
            self.restartCount = restartCount
            self.waitingReason = waitingReason
        }
    }

    /// The rollout this update belongs to.
    public var rolloutID: String
    /// The revision label value the pod gets with its new images (empty: none).
    public var revision: String
    public var containers: [Container]
    /// cpu and memory changes made through `pods/resize` (their `from` values are what undo restores).
    public var resources: [ResourceChange] = []
    /// RFC 3339 time the record was written.
    public var startedAt: String

    public init(rolloutID: String, revision: String, containers: [Container], startedAt: String) {
        self.rolloutID = rolloutID
        self.revision = revision
        self.containers = containers
        self.startedAt = startedAt
    }

    /// Records the current state of `pod` for these image changes.
    public init(pod: Pod, changes: [ImageChange], resources: [ResourceChange] = [], rolloutID: String, revision: String, now: String) {
        // A container restarted by its resize policy is verified as one restarted on its own image.
        var all = changes
        let images = Dictionary(pod.containers.map { ($0.name, $0.image) }, uniquingKeysWith: { a, _ in a })
        for r in resources where r.restarts && !all.contains(where: { $0.container == r.container }) {
            let image = images[r.container] ?? ""
            all.append(ImageChange(container: r.container, from: image, to: image))
        }
        self.init(rolloutID: rolloutID, revision: revision, containers: all.map { change in
            let status = pod.containerStatus(change.container)
            return Container(
                name: change.container, from: change.from, to: change.to,
                imageID: status?["imageID"]?.string ?? "", containerID: status?["containerID"]?.string ?? "",
                restartCount: status?["restartCount"]?.int ?? 0,
                waitingReason: status?[path: ["state", "waiting", "reason"]]?.string)
        }, startedAt: now)
        self.resources = resources
    }

    /// The annotation value (compact JSON).
    public var json: JSONValue {
        var o = JSONObject([("rollout", .string(rolloutID)), ("revision", .string(revision)), ("startedAt", .string(startedAt))])
        if !resources.isEmpty {
            o["resources"] = .array(resources.map { r in
                .object(JSONObject([("container", .string(r.container)), ("kind", .string(r.kind)), ("resource", .string(r.resource)),
                                    ("from", .string(r.from)), ("to", .string(r.to)), ("restarts", .bool(r.restarts))]))
            })
        }
        o["containers"] = .array(containers.map { c in
            var o = JSONObject([("name", .string(c.name)), ("from", .string(c.from)), ("to", .string(c.to)),
                                ("imageID", .string(c.imageID)), ("containerID", .string(c.containerID)),
                                ("restartCount", .int(c.restartCount))])
            if let w = c.waitingReason { o["waitingReason"] = .string(w) }
            return .object(o)
        })
        return .object(o)
    }

    /// Reads the record from a pod's annotation; nil when absent or unreadable.
    public init?(pod: Pod) {
        guard let text = pod.annotation(InPlace.podStateAnnotation), let v = try? JSONValue(parsing: text) else { return nil }
        self.init(json: v)
    }

    /// Reads the record from its JSON form.
    public init?(json v: JSONValue) {
        guard let id = v["rollout"]?.string, let list = v["containers"]?.array else { return nil }
        rolloutID = id
        revision = v["revision"]?.string ?? ""
        startedAt = v["startedAt"]?.string ?? ""
        containers = list.compactMap { c in
            guard let name = c["name"]?.string, let from = c["from"]?.string, let to = c["to"]?.string else { return nil }
            return Container(name: name, from: from, to: to, imageID: c["imageID"]?.string ?? "",
                             containerID: c["containerID"]?.string ?? "", restartCount: c["restartCount"]?.int ?? 0,
                             waitingReason: c["waitingReason"]?.string)
        }
        resources = (v["resources"]?.array ?? []).compactMap { r in
            guard let c = r["container"]?.string, let k = r["kind"]?.string, let n = r["resource"]?.string,
                  let from = r["from"]?.string, let to = r["to"]?.string else { return nil }
            return ResourceChange(container: c, kind: k, resource: n, from: from, to: to, restarts: r["restarts"]?.bool ?? false)
        }
    }
}
