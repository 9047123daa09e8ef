import Foundation
import JSON

/// Keeps a workload consistent with its in-place updated pods, so its own controller never
/// replaces them: Deployment paused with its current ReplicaSet's template made equal to the new
/// one; StatefulSet and DaemonSet switched to OnDelete with pods labelled with the new revision.
public struct WorkloadConsistency: Sendable {
    public let cluster: any ClusterAPI
    public let dryRun: Bool
    /// Reports each write (for progress and dry runs).
    public let report: @Sendable (String) -> Void
    /// Longest wait for the controller to observe a change.
    public var observeTimeout: Double = 30

    public init(cluster: any ClusterAPI, dryRun: Bool, report: @escaping @Sendable (String) -> Void) {
        self.cluster = cluster
        self.dryRun = dryRun
        self.report = report
    }

    /// The first writes: new template, controller held off, rollout record; before any pod is touched.
    ///
    /// The first write is conditional on the workload's resourceVersion. When it fails because the
    /// workload changed in a way that does not touch the plan (a controller's status update: same
    /// generation, same rollout record), it is made again on the fresh object; any other change is
    /// a conflict.
    /// A Deployment's replicas are raised by `surge` once its ReplicaSet has the new template, unless the record shows a
    /// surge already made (a resumed or superseded rollout's).
    public func prepare(_ workload: Workload, template: JSONValue, record: RolloutRecord, surge: Int = 0) throws -> PreparedWorkload {
        var current = workload
        var attempts = 0
        while true {
            do {
                switch current.kind {
                case .pod: return PreparedWorkload(object: current.object, record: record)
                case .deployment: return try prepareDeployment(current, template: template, record: record, surge: surge)
                case .statefulSet, .daemonSet: return try prepareRevisioned(current, template: template, record: record)
                }
            } catch RolloutError.conflict(let message) where attempts < 5 {
                attempts += 1
                let fresh = Workload(kind: workload.kind, object: try cluster.get(workload.ref.path))
                guard Self.samePlanBasis(current, fresh) else { throw RolloutError.conflict(message) }
                current = fresh
            }
        }
    }

    /// True when `b` differs from `a` only in ways a plan made on `a` does not depend on: the spec
    /// (generation) and the rollout record are the same.
    static func samePlanBasis(_ a: Workload, _ b: Workload) -> Bool {
        a.uid == b.uid && a.generation == b.generation
            && a.object[path: ["metadata", "annotations", InPlace.rolloutAnnotation]] == b.object[path: ["metadata", "annotations", InPlace.rolloutAnnotation]]
    }

    /// The last writes: controller handed back (unpaused / strategy restored) unless pods are held.
    /// Returns notes for the user.
    /// `replicas`: the Deployment's replicas with a surge taken off again.
    public func finalize(_ workload: Workload, prepared: PreparedWorkload, record: RolloutRecord, held: Int,
                         heldPartition: Int, replicas: Int? = nil) throws -> [String] {
        guard workload.kind != .pod else { return [] }
        var ops: [JSONValue] = recordOps(record, object: prepared.object)
        if let replicas { ops.append(["op": "replace", "path": "/spec/replicas", "value": .int(replicas)]) }
        var notes: [String] = []
        switch workload.kind {
        case .deployment:
            let wasPaused = record.previous["paused"]?.bool ?? false
            if held > 0 {
                notes.append("\(workload.ref) stays paused: \(held) pod(s) are held by the partition; run the rollout again without --partition to finish")
            } else {
                ops.append(["op": "replace", "path": "/spec/paused", "value": .bool(wasPaused)])
            }
        case .statefulSet, .daemonSet:
            let previousStrategy = record.previous["updateStrategy"] ?? ["type": "RollingUpdate"]
            if workload.kind == .daemonSet && held > 0 {
                notes.append("\(workload.ref) keeps updateStrategy OnDelete: \(held) pod(s) are held by the partition and RollingUpdate would replace them")
            } else {
                var strategy = previousStrategy
                if workload.kind == .statefulSet, strategy["type"]?.string == "RollingUpdate" {
                    let before = strategy[path: ["rollingUpdate", "partition"]]?.int ?? 0
                    strategy[path: ["rollingUpdate", "partition"]] = .int(max(before, heldPartition))
                }
                ops.append(["op": "replace", "path": "/spec/updateStrategy", "value": strategy])
            }
        case .pod:
            break
        }
        let updated = try write(workload.ref.path, ops: ops, summary: "hand \(workload.ref) back to its controller")
        if workload.kind == .deployment, held == 0 {
            try verifyNoNewReplicaSet(workload, updated: updated, known: prepared.replicaSetNames)
        }
        return notes
    }

    /// Updates only the rollout record on the workload (phase changes, failures).
    /// `replicas`: the Deployment's replicas with a surge taken off again.
    public func writeRecord(_ workload: Workload, record: RolloutRecord, object: JSONValue, replicas: Int? = nil) throws {
        var ops = recordOps(record, object: object)
        if let replicas { ops.append(["op": "replace", "path": "/spec/replicas", "value": .int(replicas)]) }
        _ = try write(workload.ref.path, ops: ops, summary: "record rollout \(record.phase.rawValue) on \(workload.ref)")
    }

    // MARK: Deployment

    func prepareDeployment(_ workload: Workload, template: JSONValue, record: RolloutRecord, surge: Int = 0) throws -> PreparedWorkload {
        let ns = workload.namespace
        guard let selector = workload.selector else { throw RolloutError.precondition("\(workload.ref) has no selector") }
        let owned = try cluster.list(APIResource.replicaSets.path(namespace: ns), labelSelector: selector.queryString).filter {
            ($0[path: ["metadata", "ownerReferences"]]?.array ?? []).contains { $0["uid"]?.string == workload.uid && $0["controller"]?.bool == true }
        }
        if let reason = RolloutPreconditions.nativeRollout(workload, replicaSets: owned) { throw RolloutError.precondition(reason) }
        let active = owned.filter { ($0[path: ["spec", "replicas"]]?.int ?? 0) > 0 }
        var record = record
        if record.previous["paused"] == nil { record.previous = ["paused": .bool(workload.isPaused)] }
        var ops: [JSONValue] = [
            ["op": "test", "path": "/metadata/resourceVersion", "value": .string(workload.resourceVersion ?? "")],
            ["op": "replace", "path": "/spec/template", "value": template],
            ["op": "add", "path": "/spec/paused", "value": true],
        ]
        ops += recordOps(record, object: workload.object)
        let summary = workload.isPaused ? "set the pod template of \(workload.ref) (paused)" : "pause \(workload.ref) and set its pod template"
        var updated = try write(workload.ref.path, ops: ops, summary: summary)
        let newTemplate = updated[path: ["spec", "template"]] ?? template
        let names = Set(owned.compactMap { $0[path: ["metadata", "name"]]?.string })

        if let current = active.first ?? owned.max(by: { revision($0) < revision($1) }),
           let name = current[path: ["metadata", "name"]]?.string {
            let hash = current[path: ["metadata", "labels", "pod-template-hash"]]?.string
                ?? current[path: ["spec", "template", "metadata", "labels", "pod-template-hash"]]?.string ?? ""
            var rsTemplate = newTemplate
            rsTemplate[path: ["metadata", "labels", "pod-template-hash"]] = .string(hash)
            _ = try write(APIResource.replicaSets.path(namespace: ns, name: name),
                          ops: [["op": "replace", "path": "/spec/template", "value": rsTemplate]],
                          summary: "set the pod template of ReplicaSet \(name) (keeping pod-template-hash \(hash))")
            // An older ReplicaSet with the same template would be chosen as the new one and scaled up.
            for other in owned where other[path: ["metadata", "name"]]?.string != name {
                guard let otherName = other[path: ["metadata", "name"]]?.string,
                      Self.equalIgnoringHash(other[path: ["spec", "template"]], newTemplate) else { continue }
                var ops: [JSONValue] = []
                if other[path: ["spec", "template", "metadata", "annotations"]] == nil {
                    ops.append(["op": "add", "path": "/spec/template/metadata/annotations", "value": .emptyObject])
                }
                ops.append(["op": "add", "path": "/spec/template/metadata/annotations/inplace.kubectl.io~1superseded-by",
                            "value": .string(name)])
                _ = try write(APIResource.replicaSets.path(namespace: ns, name: otherName), ops: ops,
                              summary: "mark older ReplicaSet \(otherName) superseded so the controller keeps \(name)")
            }
        }
        // After the ReplicaSet's template: the pods the surge adds come from the new one.
        if surge > 0 && record.surge == 0 {
            record.surge = surge
            updated = try write(workload.ref.path, ops: [
                ["op": "test", "path": "/spec/replicas", "value": .int(workload.replicas ?? 0)],
                ["op": "replace", "path": "/spec/replicas", "value": .int((workload.replicas ?? 0) + surge)],
            ] + recordOps(record, object: updated), summary: "raise the replicas of \(workload.ref) by \(surge) (surge)")
        }
        return PreparedWorkload(object: updated, record: record, replicaSetNames: names)
    }

    /// The controller's EqualIgnoreHash: templates equal once the pod-template-hash label is removed.
    static func equalIgnoringHash(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        guard var a, var b else { return false }
        a[path: ["metadata", "labels", "pod-template-hash"]] = nil
        b[path: ["metadata", "labels", "pod-template-hash"]] = nil
        return a == b
    }

    func revision(_ rs: JSONValue) -> Int {
        Int(rs[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.string ?? "") ?? 0
    }

    func verifyNoNewReplicaSet(_ workload: Workload, updated: JSONValue, known: Set<String>) throws {
        guard !dryRun, let selector = workload.selector else { return }
        let generation = updated[path: ["metadata", "generation"]]?.int ?? 0
        _ = ClusterWaiter(cluster: cluster).wait(
            collection: workload.kind.collectionPath(namespace: workload.namespace), name: workload.name,
            timeout: observeTimeout) { ($0[path: ["status", "observedGeneration"]]?.int ?? 0) >= generation }
        let now = try cluster.list(APIResource.replicaSets.path(namespace: workload.namespace), labelSelector: selector.queryString)
            .filter { ($0[path: ["metadata", "ownerReferences"]]?.array ?? []).contains { $0["uid"]?.string == workload.uid } }
            .compactMap { $0[path: ["metadata", "name"]]?.string }
        let fresh = Set(now).subtracting(known)
        if !fresh.isEmpty {
            throw RolloutError.cluster("the Deployment controller created ReplicaSet(s) \(fresh.sorted().joined(separator: ", ")) after the rollout: pods may be replaced")
        }
    }

    // MARK: StatefulSet and DaemonSet

    func prepareRevisioned(_ workload: Workload, template: JSONValue, record: RolloutRecord) throws -> PreparedWorkload {
        var record = record
        if record.previous["updateStrategy"] == nil {
            record.previous = ["updateStrategy": workload.object[path: ["spec", "updateStrategy"]] ?? ["type": "RollingUpdate"]]
        }
        let ops: [JSONValue] = [
            ["op": "test", "path": "/metadata/resourceVersion", "value": .string(workload.resourceVersion ?? "")],
            ["op": "replace", "path": "/spec/template", "value": template],
            ["op": "replace", "path": "/spec/updateStrategy", "value": ["type": "OnDelete"]],
        ] + recordOps(record, object: workload.object)
        let updated = try write(workload.ref.path, ops: ops,
                                summary: "set the pod template of \(workload.ref) and its updateStrategy to OnDelete")
        if dryRun { return PreparedWorkload(object: updated, record: record) }
        let generation = updated[path: ["metadata", "generation"]]?.int ?? 0
        guard let observed = ClusterWaiter(cluster: cluster).wait(
            collection: workload.kind.collectionPath(namespace: workload.namespace), name: workload.name,
            timeout: observeTimeout, until: { ($0[path: ["status", "observedGeneration"]]?.int ?? 0) >= generation })
        else {
            throw RolloutError.cluster("the \(workload.kind.rawValue) controller did not observe generation \(generation) of \(workload.ref) within \(Int(observeTimeout))s")
        }
        if workload.kind == .statefulSet {
            guard let revision = observed[path: ["status", "updateRevision"]]?.string, !revision.isEmpty else {
                throw RolloutError.cluster("\(workload.ref) has no status.updateRevision")
            }
            return PreparedWorkload(object: updated, record: record, revisionLabels: ["controller-revision-hash": revision])
        }
        let hash = try newestDaemonSetHash(workload)
        // The controller labels pods with the template's generation, which the strategy changes of
        // earlier rollouts did not move, unlike metadata.generation.
        let templateGeneration = updated[path: ["metadata", "annotations", "deprecated.daemonset.template.generation"]]?.string
            ?? String(generation)
        return PreparedWorkload(object: updated, record: record, revisionLabels: [
            "controller-revision-hash": hash, "pod-template-generation": templateGeneration,
        ])
    }

    func newestDaemonSetHash(_ workload: Workload) throws -> String {
        let revisions = try cluster.list(APIResource.controllerRevisions.path(namespace: workload.namespace),
                                         labelSelector: workload.selector?.queryString)
            .filter { ($0[path: ["metadata", "ownerReferences"]]?.array ?? []).contains { $0["uid"]?.string == workload.uid } }
        guard let newest = revisions.max(by: { ($0["revision"]?.int ?? 0) < ($1["revision"]?.int ?? 0) }),
              let hash = newest[path: ["metadata", "labels", "controller.kubernetes.io/hash"]]?.string else {
            throw RolloutError.cluster("no ControllerRevision found for \(workload.ref)")
        }
        return hash
    }

    // MARK: Writes

    /// Replaces the record only if it still reads `expected` (a compare-and-swap on the annotation).
    public func swapRecord(_ workload: Workload, expected: String, record: RolloutRecord) throws -> JSONValue {
        try cluster.patch(workload.ref.path, type: .json, body: [
            ["op": "test", "path": .string(RolloutRecord.annotationPointer), "value": .string(expected)],
            ["op": "replace", "path": .string(RolloutRecord.annotationPointer), "value": .string(record.json.serialized())],
        ], dryRun: dryRun)
    }

    /// The record written, and the workload's history brought up to date with it in the same patch
    /// (conditional on the history as read, so no other writer's revision is lost).
    func recordOps(_ record: RolloutRecord, object: JSONValue) -> [JSONValue] {
        let history = RolloutHistory(workload: object).recording(record).json.serialized()
        let recordText = record.json.serialized()
        guard object[path: ["metadata", "annotations"]]?.object != nil else {
            return [["op": "add", "path": "/metadata/annotations",
                     "value": .object(JSONObject([(InPlace.rolloutAnnotation, .string(recordText)),
                                                  (RolloutHistory.annotation, .string(history))]))]]
        }
        var ops: [JSONValue] = []
        if let seen = object[path: ["metadata", "annotations", RolloutHistory.annotation]]?.string {
            ops.append(["op": "test", "path": .string(RolloutHistory.annotationPointer), "value": .string(seen)])
        }
        ops.append(["op": "add", "path": .string(RolloutRecord.annotationPointer), "value": .string(recordText)])
        ops.append(["op": "add", "path": .string(RolloutHistory.annotationPointer), "value": .string(history)])
        return ops
    }

    func write(_ path: String, ops: [JSONValue], summary: String) throws -> JSONValue {
        report(summary)
        do {
            return try cluster.patch(path, type: .json, body: .array(ops), dryRun: dryRun)
        } catch let e as ClusterOperationError where e.kind == .conflict || (e.kind == .invalid && e.message.contains("test")) {
            throw RolloutError.conflict("\(path.split(separator: "/").suffix(2).joined(separator: "/")) changed since it was read (\(e.message)); run the command again")
        }
    }
}
