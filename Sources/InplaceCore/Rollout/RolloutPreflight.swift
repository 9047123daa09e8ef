import JSON

/// What is checked before a command's first write: every permission its use needs, asked of the
/// server one SelfSubjectAccessReview each (as `kubectl auth can-i`), in each namespace it
/// touches; then the first write of each kind, sent with `dryRun=All`, because admission (policy
/// engines, quotas) can refuse what RBAC allows.
public struct RolloutPreflight: Sendable {
    /// A permission the server says the caller lacks, in a namespace.
    public struct Missing: Sendable, Equatable, CustomStringConvertible {
        public var permission: ClusterPermission
        public var namespace: String
        /// "patch pods/status in namespace default".
        public var description: String { "\(permission) in namespace \(namespace)" }
    }

    public let cluster: any ClusterAPI
    public let use: ClusterUse

    /// A check of `use` against `cluster`.
    public init(cluster: any ClusterAPI, use: ClusterUse) {
        self.cluster = cluster
        self.use = use
    }

    /// The permissions of the use over `workloads` that the server refuses, by namespace. Empty when
    /// all are granted, or when the server does not answer access reviews (the writes will tell).
    public func missing(_ workloads: [Workload], resizes: Bool = false) -> [Missing] {
        let byNamespace = Dictionary(grouping: workloads, by: \.namespace)
        var missing: [Missing] = []
        for namespace in byNamespace.keys.sorted() {
            let kinds = Set(byNamespace[namespace]!.map(\.kind))
            for p in use.permissions(kinds: kinds, resizes: resizes) {
                guard let allowed = allowed(p, namespace: namespace) else { return [] }
                if !allowed { missing.append(Missing(permission: p, namespace: namespace)) }
            }
        }
        return missing
    }

    /// The server's answer to one SelfSubjectAccessReview; nil when it gives none.
    public func allowed(_ p: ClusterPermission, namespace: String) -> Bool? {
        var attributes: JSONObject = ["verb": .string(p.verb), "group": .string(p.resource.group), "resource": .string(p.resource.resource)]
        if let sub = p.subresource { attributes["subresource"] = .string(sub) }
        if p.resource.namespaced { attributes["namespace"] = .string(namespace) }
        let review: JSONValue = [
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": ["resourceAttributes": .object(attributes)],
        ]
        guard let answer = try? cluster.create(APIResource.selfSubjectAccessReviews.path(namespace: nil), body: review) else { return nil }
        return answer[path: ["status", "allowed"]]?.bool ?? false
    }

    /// The refusal of a command that lacks permissions: each missing one on its own line, and how
    /// to get them.
    public func message(_ missing: [Missing], program: String) -> String {
        let namespaces = Set(missing.map(\.namespace)).sorted()
        let grant = namespaces.map { "`\(program) rbac --for \(use.rawValue) -n \($0)`" }.joined(separator: ", ")
        return "missing permissions; nothing was written:\n" + missing.map { "  \($0)" }.joined(separator: "\n")
            + "\n\(grant) prints a Role that grants them (bind it to this user); `kubectl auth can-i --list` shows what it has"
    }

    /// Sends the workload writes and the first write of each kind on a pod (the record, the gate,
    /// the images) with `dryRun=All`; returns what the server refused, one line each.
    public func dryRunFirstWrites(_ targets: [RolloutInvocation.Target], holder: String, clock: any RolloutClock) -> [String] {
        var refused: [String] = []
        for t in targets {
            let p = t.planned
            guard let first = p.plan.pods.first(where: { $0.action == .update }) else { continue }
            let run = WorkloadRollout(cluster: cluster, workload: p.workload, template: p.desiredTemplate, plan: p.plan,
                                      settings: t.settings, rolloutID: t.resuming?.id ?? "preflight", holder: holder, clock: clock,
                                      observer: NullRolloutObserver(), resuming: t.resuming)
            var labels: [String: String] = [:]
            do {
                labels = try WorkloadConsistency(cluster: cluster, dryRun: true) { _ in }
                    .prepare(p.workload, template: p.desiredTemplate, record: run.initialRecord()).revisionLabels
            } catch let e as ClusterOperationError where Self.admissionRefusal(e) {
                refused.append("\(p.workload.ref): \(e.message)")
                continue
            } catch {
                continue
            }
            let target = PodTarget(name: first.name, changes: first.changes, resources: first.resources, labels: labels, metadata: first.metadata)
            guard let live = try? cluster.get(APIResource.pods.path(namespace: p.workload.namespace, name: first.name)) else { continue }
            let pod = Pod(live)
            var writes = [
                PodWrites.record(pod: pod, target: target, rolloutID: run.rolloutID, now: clock.rfc3339),
                PodWrites.gateOff(pod: pod, target: target, now: clock.rfc3339),
            ]
            if !target.changes.isEmpty || !target.metadata.isEmpty { writes.append(PodWrites.patch(pod: pod, target: target)) }
            if !target.resources.isEmpty { writes.append(PodWrites.resize(pod: pod, target: target)) }
            for w in writes {
                do {
                    _ = try cluster.patch(w.path, type: w.type, body: w.body, dryRun: true)
                } catch let e as ClusterOperationError where Self.admissionRefusal(e) {
                    refused.append("\(p.workload.ref): \(w.summary): \(e.message)")
                } catch {}
            }
        }
        return refused
    }

    /// Sends `writes` with `dryRun=All`; returns what the server refused, one line each.
    public func dryRun(_ writes: [ClusterWrite]) -> [String] {
        writes.compactMap { w in
            do {
                _ = try cluster.patch(w.path, type: w.type, body: w.body, dryRun: true)
                return nil
            } catch let e as ClusterOperationError where Self.admissionRefusal(e) {
                return "\(w.summary): \(e.message)"
            } catch {
                return nil
            }
        }
    }

    /// Errors that mean the server will refuse the real write too (RBAC or an admission controller).
    static func admissionRefusal(_ e: ClusterOperationError) -> Bool { e.kind == .forbidden || e.kind == .invalid }
}

/// Discards rollout events (the pre-flight's dry runs report nothing).
struct NullRolloutObserver: RolloutObserver {
    func handle(_ event: RolloutEvent) {}
}
