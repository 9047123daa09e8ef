import JSON

/// The Deployment controller (pkg/controller/deployment: sync.go, rolling.go, recreate.go,
/// progress.go). The new ReplicaSet is the oldest one whose template equals the Deployment's
/// ignoring `pod-template-hash`; a new one is created only when none exists and the Deployment is
/// not paused. Rolling updates scale within maxSurge/maxUnavailable, Recreate scales old sets to
/// zero first; paused Deployments and scaling events only scale.
final class DeploymentController {
    unowned let engine: ClusterEngine
    var dirty = Set<ObjectKey>()

    init(engine: ClusterEngine) { self.engine = engine }

    func reconcile() {
        guard !dirty.isEmpty else { return }
        let keys = dirty.sorted()
        dirty.removeAll()
        for key in keys { sync(key) }
    }

    /// One sync of a Deployment (syncDeployment).
    private func sync(_ key: ObjectKey) {
        guard var d = engine.cache.get(Resources.deployments, key) else { return }
        var sets = engine.cache.dependents(of: d.metaUID, Resources.replicaSets)
        if d.isTerminating {
            let (newRS, olds) = allReplicaSets(&d, &sets, create: false)
            syncStatusOnly(d, olds + [newRS].compactMap { $0 }, newRS)
            return
        }
        checkPausedConditions(&d)
        let paused = d[path: ["spec", "paused"]]?.bool ?? false
        if paused || isScalingEvent(&d, &sets) {
            scaleOnly(&d, &sets, paused: paused)
            return
        }
        if d[path: ["spec", "strategy", "type"]]?.string == "Recreate" {
            rolloutRecreate(&d, &sets)
        } else {
            rolloutRolling(&d, &sets)
        }
    }

    // MARK: ReplicaSets and revisions

    /// getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked and missing) and the old ones.
    private func allReplicaSets(_ d: inout JSONValue, _ sets: inout [JSONValue], create: Bool) -> (JSONValue?, [JSONValue]) {
        let existing = DeploymentUtil.findNew(d, sets)
        let olds = sets.filter { $0.metaUID != existing?.metaUID }
        let newRS = newReplicaSet(&d, &sets, existing: existing, olds: olds, create: create)
        return (newRS, olds)
    }

    private func replace(_ rs: JSONValue, in sets: inout [JSONValue]) {
        if let i = sets.firstIndex(where: { $0.metaUID == rs.metaUID }) { sets[i] = rs } else { sets.append(rs) }
    }

    /// getNewReplicaSet.
    private func newReplicaSet(_ d: inout JSONValue, _ sets: inout [JSONValue], existing: JSONValue?, olds: [JSONValue], create: Bool) -> JSONValue? {
        let newRevision = (olds.map(DeploymentUtil.revision).max() ?? 0) + 1
        let ns = d.metaNamespace
        let minReady = d[path: ["spec", "minReadySeconds"]]?.int ?? 0
        if let rs = existing {
            var copy = rs
            let annotationsUpdated = DeploymentUtil.setNewReplicaSetAnnotations(d, &copy, newRevision: newRevision, exists: true)
            let minReadyUpdate = (rs[path: ["spec", "minReadySeconds"]]?.int ?? 0) != minReady
            if annotationsUpdated || minReadyUpdate {
                let annotations = copy[path: ["metadata", "annotations"]]
                let updated = engine.update(Resources.replicaSets, ObjectKey(namespace: ns, name: rs.metaName)) { o in
                    o.setMeta("annotations", annotations)
                    o[path: ["spec", "minReadySeconds"]] = minReady == 0 ? nil : .int(minReady)
                    return true
                }
                if let updated { replace(updated, in: &sets) }
                return updated ?? rs
            }
            var needsUpdate = setDeploymentRevision(&d, rs.metaAnnotations[DeploymentUtil.revision] ?? "")
            var status = d["status"]?.object ?? JSONObject()
            if DeploymentUtil.condition(status, "Progressing") == nil {
                DeploymentUtil.setCondition(
                    &status, DeploymentUtil.newCondition("Progressing", "True", "FoundNewReplicaSet", "Found new replica set \"\(rs.metaName)\""))
                d["status"] = .object(status)
                needsUpdate = true
            }
            if needsUpdate { writeStatus(&d) }
            return rs
        }
        guard create else { return nil }
        let template = d[path: ["spec", "template"]] ?? .emptyObject
        let collisions = d[path: ["status", "collisionCount"]]?.int ?? 0
        let hash = ControllerHash.podTemplateHash(template, collisionCount: collisions)
        var rsTemplate = template
        rsTemplate[path: ["metadata", "labels", DeploymentUtil.hashLabel]] = .string(hash)
        var selector = d[path: ["spec", "selector"]] ?? .emptyObject
        selector[path: ["matchLabels", DeploymentUtil.hashLabel]] = .string(hash)
        var spec: JSONObject = ["replicas": 0]
        if minReady > 0 { spec["minReadySeconds"] = .int(minReady) }
        spec["selector"] = selector
        spec["template"] = rsTemplate
        var rs: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": [
                "name": .string("\(d.metaName)-\(hash)"), "namespace": .string(ns),
                "labels": rsTemplate[path: ["metadata", "labels"]] ?? .emptyObject,
                "ownerReferences": [PodTemplates.controllerRef(d, kind: "Deployment")],
            ],
            "spec": .object(spec),
        ]
        rs[path: ["spec", "replicas"]] = .int(newRSNewReplicas(d, olds + [rs], rs))
        _ = DeploymentUtil.setNewReplicaSetAnnotations(d, &rs, newRevision: newRevision, exists: false)
        var created = engine.create(Resources.replicaSets, namespace: ns, rs)
        var alreadyExisted = false
        if created == nil {
            guard let found = engine.store.get(Resources.replicaSets, namespace: ns, name: rs.metaName) else { return nil }
            if found.controllerUID == d.metaUID && PodTemplates.equalIgnoreHash(found[path: ["spec", "template"]], template) {
                created = found
                alreadyExisted = true
            } else {
                var status = d["status"]?.object ?? JSONObject()
                status["collisionCount"] = .int(collisions + 1)
                d["status"] = .object(status)
                writeStatus(&d)
                return nil
            }
        }
        guard let newRS = created else { return nil }
        replace(newRS, in: &sets)
        var needsUpdate = setDeploymentRevision(&d, String(newRevision))
        if !alreadyExisted {
            var status = d["status"]?.object ?? JSONObject()
            DeploymentUtil.setCondition(
                &status, DeploymentUtil.newCondition("Progressing", "True", "NewReplicaSetCreated", "Created new replica set \"\(newRS.metaName)\""))
            d["status"] = .object(status)
            needsUpdate = true
        }
        if needsUpdate { writeStatus(&d) }
        return newRS
    }

    private func setDeploymentRevision(_ d: inout JSONValue, _ revision: String) -> Bool {
        guard !revision.isEmpty, d.metaAnnotations[DeploymentUtil.revision] != revision else { return false }
        var ann = d[path: ["metadata", "annotations"]]?.object ?? JSONObject()
        ann[DeploymentUtil.revision] = .string(revision)
        d.setMeta("annotations", .object(ann))
        return true
    }

    /// UpdateStatus with the in-memory Deployment's status and revision annotation.
    private func writeStatus(_ d: inout JSONValue) {
        let status = d["status"] ?? .emptyObject
        let revision = d.metaAnnotations[DeploymentUtil.revision]
        let key = ObjectKey(namespace: d.metaNamespace, name: d.metaName)
        if let updated = engine.update(Resources.deployments, key, status: true, { o in
            o["status"] = status
            if let revision {
                var ann = o[path: ["metadata", "annotations"]]?.object ?? JSONObject()
                ann[DeploymentUtil.revision] = .string(revision)
                o.setMeta("annotations", .object(ann))
            }
            return true
        }) {
            d = updated
        }
    }

    /// NewRSNewReplicas.
    private func newRSNewReplicas(_ d: JSONValue, _ all: [JSONValue], _ newRS: JSONValue) -> Int {
        guard DeploymentUtil.isRollingUpdate(d) else { return d.specReplicas }
        let current = DeploymentUtil.replicaCount(all)
        let maxTotal = d.specReplicas + DeploymentUtil.maxSurge(d)
        if current >= maxTotal { return newRS.specReplicas }
        let up = min(maxTotal - current, d.specReplicas - newRS.specReplicas)
        return newRS.specReplicas + up
    }

    /// scaleReplicaSet: spec.replicas and the replica annotations; returns whether the size changed and the set.
    @discardableResult
    private func scale(_ rs: JSONValue, to n: Int, _ d: JSONValue) -> (Bool, JSONValue) {
        let sizeChange = rs.specReplicas != n
        var probe = rs
        let annotationsChange = DeploymentUtil.setReplicasAnnotations(&probe, desired: d.specReplicas, max: d.specReplicas + DeploymentUtil.maxSurge(d))
        guard sizeChange || annotationsChange else { return (false, rs) }
        let updated = engine.update(Resources.replicaSets, ObjectKey(namespace: rs.metaNamespace, name: rs.metaName)) { o in
            o[path: ["spec", "replicas"]] = .int(n)
            _ = DeploymentUtil.setReplicasAnnotations(&o, desired: d.specReplicas, max: d.specReplicas + DeploymentUtil.maxSurge(d))
            return true
        }
        return (sizeChange && updated != nil, updated ?? rs)
    }

    // MARK: Paused and scaling

    private func checkPausedConditions(_ d: inout JSONValue) {
        var status = d["status"]?.object ?? JSONObject()
        let cond = DeploymentUtil.condition(status, "Progressing")
        if cond?["reason"]?.string == "ProgressDeadlineExceeded" { return }
        let pausedExists = cond?["reason"]?.string == "DeploymentPaused"
        let paused = d[path: ["spec", "paused"]]?.bool ?? false
        if paused && !pausedExists {
            DeploymentUtil.setCondition(&status, DeploymentUtil.newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused"))
        } else if !paused && pausedExists {
            DeploymentUtil.setCondition(&status, DeploymentUtil.newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed"))
        } else {
            return
        }
        d["status"] = .object(status)
        writeStatus(&d)
    }

    private func isScalingEvent(_ d: inout JSONValue, _ sets: inout [JSONValue]) -> Bool {
        let (newRS, olds) = allReplicaSets(&d, &sets, create: false)
        for rs in (olds + [newRS].compactMap { $0 }) where rs.specReplicas > 0 {
            if let desired = Int(rs.metaAnnotations[DeploymentUtil.desiredReplicas] ?? ""), desired != d.specReplicas { return true }
        }
        return false
    }

    /// sync(): scale only (paused Deployments and scaling events), then status.
    private func scaleOnly(_ d: inout JSONValue, _ sets: inout [JSONValue], paused: Bool) {
        let (newRS, olds) = allReplicaSets(&d, &sets, create: false)
        proportionalScale(d, newRS, olds)
        if paused { cleanup(olds, d) }
        syncStatusOnly(d, olds + [newRS].compactMap { $0 }, newRS)
    }

    private func proportionalScale(_ d: JSONValue, _ newRS: JSONValue?, _ olds: [JSONValue]) {
        let all = olds + [newRS].compactMap { $0 }
        let active = all.filter { $0.specReplicas > 0 }
        if active.count <= 1 {
            let target: JSONValue?
            if let one = active.first {
                target = one
            } else {
                target = newRS ?? olds.sorted(by: DeploymentUtil.byCreation).last
            }
            if let t = target, t.specReplicas != d.specReplicas { scale(t, to: d.specReplicas, d) }
            return
        }
        if let n = newRS, Int(n.metaAnnotations[DeploymentUtil.desiredReplicas] ?? "") == d.specReplicas, n.specReplicas == d.specReplicas,
            n.statusInt("availableReplicas") == d.specReplicas
        {
            for o in olds where o.specReplicas > 0 { scale(o, to: 0, d) }
            return
        }
        guard DeploymentUtil.isRollingUpdate(d) else { return }
        let allowed = d.specReplicas > 0 ? d.specReplicas + DeploymentUtil.maxSurge(d) : 0
        let toAdd = allowed - DeploymentUtil.replicaCount(active)
        var sorted = active
        if toAdd > 0 {
            sorted.sort { a, b in a.specReplicas != b.specReplicas ? a.specReplicas > b.specReplicas : !DeploymentUtil.byCreation(a, b) }
        } else if toAdd < 0 {
            sorted.sort { a, b in a.specReplicas != b.specReplicas ? a.specReplicas > b.specReplicas : DeploymentUtil.byCreation(a, b) }
        }
        var added = 0
        var sizes: [Int] = []
        for rs in sorted {
            guard toAdd != 0 else {
                sizes.append(rs.specReplicas)
                continue
            }
            var proportion = 0
            if rs.specReplicas > 0 && toAdd != added {
                let fraction: Int
                if d.specReplicas == 0 {
                    fraction = -rs.specReplicas
                } else {
                    let maxReplicas = d.specReplicas + DeploymentUtil.maxSurge(d)
                    var before = Int(rs.metaAnnotations[DeploymentUtil.maxReplicas] ?? "") ?? 0
                    if before == 0 { before = d.statusInt("replicas") }
                    fraction = before == 0 ? 0 : Int((Double(rs.specReplicas * maxReplicas) / Double(before)).rounded()) - rs.specReplicas
                }
                let allowedNow = toAdd - added
                proportion = toAdd > 0 ? min(fraction, allowedNow) : max(fraction, allowedNow)
            }
            sizes.append(rs.specReplicas + proportion)
            added += proportion
        }
        for (i, rs) in sorted.enumerated() {
            var size = sizes[i]
            if i == 0 && toAdd != 0 { size = max(0, size + toAdd - added) }
            scale(rs, to: size, d)
        }
    }

    // MARK: Rolling update

    private func rolloutRolling(_ d: inout JSONValue, _ sets: inout [JSONValue]) {
        let (created, olds) = allReplicaSets(&d, &sets, create: true)
        guard let newRS = created else { return }
        let all = olds + [newRS]
        if reconcileNewReplicaSet(all, newRS, d) {
            syncRolloutStatus(&d, all, newRS)
            return
        }
        if reconcileOldReplicaSets(all, olds.filter { $0.specReplicas > 0 }, newRS, d) {
            syncRolloutStatus(&d, all, newRS)
            return
        }
        if Self.complete(d, d["status"]?.object ?? JSONObject()) { cleanup(olds, d) }
        syncRolloutStatus(&d, all, newRS)
    }

    private func reconcileNewReplicaSet(_ all: [JSONValue], _ newRS: JSONValue, _ d: JSONValue) -> Bool {
        if newRS.specReplicas == d.specReplicas { return false }
        if newRS.specReplicas > d.specReplicas { return scale(newRS, to: d.specReplicas, d).0 }
        return scale(newRS, to: newRSNewReplicas(d, all, newRS), d).0
    }

    private func reconcileOldReplicaSets(_ all: [JSONValue], _ activeOlds: [JSONValue], _ newRS: JSONValue, _ d: JSONValue) -> Bool {
        let oldPods = DeploymentUtil.replicaCount(activeOlds)
        if oldPods == 0 { return false }
        let allPods = DeploymentUtil.replicaCount(all)
        let minAvailable = d.specReplicas - DeploymentUtil.maxUnavailable(d)
        let newUnavailable = newRS.specReplicas - newRS.statusInt("availableReplicas")
        let maxScaledDown = allPods - minAvailable - newUnavailable
        if maxScaledDown <= 0 { return false }
        var olds = activeOlds.sorted(by: DeploymentUtil.byCreation)
        var cleaned = 0
        for i in olds.indices {
            if cleaned >= maxScaledDown { break }
            let rs = olds[i]
            if rs.specReplicas == 0 || rs.statusInt("availableReplicas") == rs.specReplicas { continue }
            let down = min(maxScaledDown - cleaned, rs.specReplicas - rs.statusInt("availableReplicas"))
            let (_, updated) = scale(rs, to: rs.specReplicas - down, d)
            olds[i] = updated
            cleaned += down
        }
        let available = DeploymentUtil.availableCount(olds + [newRS])
        var scaledDown = 0
        if available > minAvailable {
            let total = available - minAvailable
            for rs in olds.sorted(by: DeploymentUtil.byCreation) {
                if scaledDown >= total { break }
                if rs.specReplicas == 0 { continue }
                let down = min(rs.specReplicas, total - scaledDown)
                scale(rs, to: rs.specReplicas - down, d)
                scaledDown += down
            }
        }
        return cleaned + scaledDown > 0
    }

    // MARK: Recreate

    private func rolloutRecreate(_ d: inout JSONValue, _ sets: inout [JSONValue]) {
        var (newRS, olds) = allReplicaSets(&d, &sets, create: false)
        var all = olds + [newRS].compactMap { $0 }
        var scaledDown = false
        for rs in olds where rs.specReplicas > 0 {
            if scale(rs, to: 0, d).0 { scaledDown = true }
        }
        if scaledDown {
            syncRolloutStatus(&d, all, newRS)
            return
        }
        let oldRunning = DeploymentUtil.actualCount(olds) > 0
            || olds.contains { !engine.cache.dependents(of: $0.metaUID, Resources.pods).filter { p in p.podPhase != "Failed" && p.podPhase != "Succeeded" }.isEmpty }
        if oldRunning {
            syncRolloutStatus(&d, all, newRS)
            return
        }
        if newRS == nil {
            (newRS, olds) = allReplicaSets(&d, &sets, create: true)
            all = olds + [newRS].compactMap { $0 }
        }
        if let n = newRS, n.specReplicas != d.specReplicas { scale(n, to: d.specReplicas, d) }
        if Self.complete(d, d["status"]?.object ?? JSONObject()) { cleanup(olds, d) }
        syncRolloutStatus(&d, all, newRS)
    }

    // MARK: Cleanup and status

    private func cleanup(_ olds: [JSONValue], _ d: JSONValue) {
        let limit = d[path: ["spec", "revisionHistoryLimit"]]?.int ?? 10
        let cleanable = olds.filter { !$0.isTerminating }
        let diff = cleanable.count - limit
        guard diff > 0 else { return }
        for rs in cleanable.sorted(by: { DeploymentUtil.revision(of: $0) < DeploymentUtil.revision(of: $1) }).prefix(diff) {
            if rs.statusInt("replicas") != 0 || rs.specReplicas != 0 || rs.generation > rs.statusInt("observedGeneration") { continue }
            engine.delete(Resources.replicaSets, ObjectKey(namespace: rs.metaNamespace, name: rs.metaName), uid: rs.metaUID)
        }
    }

    /// calculateStatus.
    private func calculateStatus(_ d: JSONValue, _ all: [JSONValue], _ newRS: JSONValue?) -> JSONObject {
        let available = DeploymentUtil.availableCount(all)
        let total = DeploymentUtil.replicaCount(all)
        var st = JSONObject()
        st["observedGeneration"] = .int(d.generation)
        let replicas = DeploymentUtil.actualCount(all)
        let updated = newRS.map { DeploymentUtil.actualCount([$0]) } ?? 0
        let ready = DeploymentUtil.readyCount(all)
        let unavailable = max(0, total - available)
        if replicas > 0 { st["replicas"] = .int(replicas) }
        if updated > 0 { st["updatedReplicas"] = .int(updated) }
        if ready > 0 { st["readyReplicas"] = .int(ready) }
        if available > 0 { st["availableReplicas"] = .int(available) }
        if unavailable > 0 { st["unavailableReplicas"] = .int(unavailable) }
        if let c = d[path: ["status", "conditions"]] { st["conditions"] = c }
        if let c = d[path: ["status", "collisionCount"]] { st["collisionCount"] = c }
        if available >= d.specReplicas - DeploymentUtil.maxUnavailable(d) {
            DeploymentUtil.setCondition(
                &st, DeploymentUtil.newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."))
        } else {
            DeploymentUtil.setCondition(
                &st, DeploymentUtil.newCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability."))
        }
        return st
    }

    private static func int(_ st: JSONObject, _ k: String) -> Int { st[k]?.int ?? 0 }

    /// DeploymentComplete.
    static func complete(_ d: JSONValue, _ st: JSONObject) -> Bool {
        let n = d.specReplicas
        return int(st, "updatedReplicas") == n && int(st, "replicas") == n && int(st, "availableReplicas") == n
            && int(st, "observedGeneration") >= d.generation
    }

    /// DeploymentProgressing.
    private static func progressing(_ d: JSONValue, _ st: JSONObject) -> Bool {
        let old = d["status"]?.object ?? JSONObject()
        let oldOld = int(old, "replicas") - int(old, "updatedReplicas")
        let newOld = int(st, "replicas") - int(st, "updatedReplicas")
        return int(st, "updatedReplicas") > int(old, "updatedReplicas") || newOld < oldOld || int(st, "readyReplicas") > int(old, "readyReplicas")
            || int(st, "availableReplicas") > int(old, "availableReplicas")
    }

    private func syncStatusOnly(_ d: JSONValue, _ all: [JSONValue], _ newRS: JSONValue?) {
        var copy = d
        let st = calculateStatus(d, all, newRS)
        guard JSONValue.object(st) != d["status"] else { return }
        copy["status"] = .object(st)
        writeStatus(&copy)
    }

    /// syncRolloutStatus: status plus the Progressing condition.
    private func syncRolloutStatus(_ d: inout JSONValue, _ all: [JSONValue], _ newRS: JSONValue?) {
        var st = calculateStatus(d, all, newRS)
        let current = DeploymentUtil.condition(d["status"]?.object ?? JSONObject(), "Progressing")
        let isComplete = Self.int(st, "replicas") == Self.int(st, "updatedReplicas") && current?["reason"]?.string == "NewReplicaSetAvailable"
        if !isComplete {
            if Self.complete(d, st) {
                let msg = newRS.map { "ReplicaSet \"\($0.metaName)\" has successfully progressed." } ?? "Deployment \"\(d.metaName)\" has successfully progressed."
                DeploymentUtil.setCondition(&st, DeploymentUtil.newCondition("Progressing", "True", "NewReplicaSetAvailable", msg))
            } else if Self.progressing(d, st) {
                let msg = newRS.map { "ReplicaSet \"\($0.metaName)\" is progressing." } ?? "Deployment \"\(d.metaName)\" is progressing."
                var c = DeploymentUtil.newCondition("Progressing", "True", "ReplicaSetUpdated", msg)
                if let current {
                    if current["status"]?.string == "True" { c["lastTransitionTime"] = current["lastTransitionTime"] }
                    DeploymentUtil.removeCondition(&st, "Progressing")
                }
                DeploymentUtil.setCondition(&st, c)
            }
        }
        guard JSONValue.object(st) != d["status"] else { return }
        d["status"] = .object(st)
        writeStatus(&d)
    }
}
