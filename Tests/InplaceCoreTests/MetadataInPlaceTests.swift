import JSON
import Testing
@testable import InplaceCore

/// Issue 11, labels and annotations in place: which template labels and annotations go onto live
/// pods, which are left alone, and which changes stay blocked.
@Suite struct MetadataComparisonTests {
    static let selector = LabelSelector(matchLabels: ["app": "web"])

    /// The fixture template with the app image `image` and these labels and annotations.
    static func template(labels: JSONValue = ["app": "web"], annotations: JSONValue? = nil, image: String = "nginx:1.25") -> JSONValue {
        var t = Fixtures.setContainerField(Fixtures.template, container: 0, field: "image", .string(image))
        t[path: ["metadata", "labels"]] = labels
        t[path: ["metadata", "annotations"]] = annotations
        return t
    }

    /// The fixture pod with extra labels and annotations.
    static func pod(labels: [String: String] = [:], annotations: [String: String] = [:]) -> JSONValue {
        var p = Fixtures.livePod()
        for (k, v) in labels { p[path: ["metadata", "labels", k]] = .string(v) }
        for (k, v) in annotations { p[path: ["metadata", "annotations", k]] = .string(v) }
        return p
    }

    @Test func imageLabelAndAnnotationChangesAreOneUpdateNotBlocked() {
        let t = Self.template(labels: ["app": "web", "app.kubernetes.io/version": "2.0"], annotations: ["team": "b"], image: "nginx:1.27")
        let pod = Self.pod(labels: ["app.kubernetes.io/version": "1.0"], annotations: ["team": "a"])
        let diff = PodSpecComparison.compare(template: t, pod: pod, kind: .deployment, previous: Self.template()["metadata"],
                                             selector: Self.selector)
        #expect(diff.blockedFields == [])
        #expect(diff.imageChanges == [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")])
        #expect(diff.metadataChanges == [
            MetadataChange(field: .labels, key: "app.kubernetes.io/version", from: "1.0", to: "2.0"),
            MetadataChange(field: .annotations, key: "team", from: "a", to: "b"),
        ])
        #expect(diff.restartsContainers)
    }

    @Test func onlyKeysTheOldTemplateHadAreRemoved() {
        let old = Self.template(labels: ["app": "web", "tier": "front"], annotations: ["owner": "x"])["metadata"]
        let pod = Self.pod(labels: ["tier": "front", "injected-by": "webhook"],
                           annotations: ["owner": "x", "sidecar.istio.io/status": "{}"])
        let diff = PodSpecComparison.compare(template: Self.template(), pod: pod, kind: .deployment, previous: old, selector: Self.selector)
        #expect(diff.blockedFields == [])
        #expect(diff.metadataChanges == [
            MetadataChange(field: .labels, key: "tier", from: "front", to: nil),
            MetadataChange(field: .annotations, key: "owner", from: "x", to: nil),
        ])
        let noPrevious = PodSpecComparison.compare(template: Self.template(), pod: pod, kind: .deployment)
        #expect(noPrevious.isEmpty, "without the old template nothing is removed")
    }

    @Test func controllerOwnedLabelsAndOurAnnotationsAreNeverTouched() {
        var old = Self.template()["metadata"]!
        old[path: ["labels", "pod-template-hash"]] = "7c9d"
        var desired = Self.template(labels: ["app": "web", "controller-revision-hash": "other", "statefulset.kubernetes.io/pod-name": "x"])
        desired[path: ["metadata", "annotations", InPlace.podStateAnnotation]] = "{}"
        let pod = Self.pod(labels: ["controller-revision-hash": "db-1", "apps.kubernetes.io/pod-index": "0", "pod-template-generation": "3"],
                           annotations: [InPlace.podStateAnnotation: "{\"rollout\":\"r\"}"])
        let diff = PodSpecComparison.compare(template: desired, pod: pod, kind: .statefulSet, previous: old, selector: Self.selector)
        #expect(diff.metadataChanges == [])
        #expect(diff.isEmpty)
    }

    @Test func aChangeThatLeavesTheSelectorIsBlockedWithThatReason() {
        let t = Self.template(labels: ["app": "web2"], image: "nginx:1.27")
        let diff = PodSpecComparison.compare(template: t, pod: Self.pod(), kind: .deployment, previous: Self.template()["metadata"],
                                             selector: Self.selector)
        #expect(diff.blockedFields.count == 1)
        #expect(diff.blockedFields.first?.contains("metadata.labels[app]") == true)
        #expect(diff.blockedFields.first?.contains("selector (app=web)") == true)
        let removed = PodSpecComparison.compare(template: Self.template(labels: [:]), pod: Self.pod(), kind: .deployment,
                                                previous: Self.template()["metadata"], selector: Self.selector)
        #expect(removed.blockedFields.first?.contains("selector") == true, "removing a selector label blocks too")
    }

    @Test(arguments: ["checksum/config", "checksum/secret", "kubectl.kubernetes.io/restartedAt"])
    func annotationsThatForceARestartAreBlocked(key: String) {
        let t = Self.template(annotations: .object(JSONObject([(key, "new")])), image: "nginx:1.27")
        let diff = PodSpecComparison.compare(template: t, pod: Self.pod(annotations: [key: "old"]), kind: .deployment,
                                             previous: Self.template()["metadata"], selector: Self.selector)
        #expect(diff.blockedFields.count == 1)
        #expect(diff.blockedFields.first?.contains("metadata.annotations[\(key)]") == true)
        #expect(diff.blockedFields.first?.contains("restart") == true)
        let same = PodSpecComparison.compare(template: t, pod: Self.pod(annotations: [key: "new"]), kind: .deployment,
                                             previous: Self.template()["metadata"], selector: Self.selector)
        #expect(same.blockedFields == [], "an unchanged checksum is no reason to block")
    }

    @Test func aKeyReadInEnvThroughTheDownwardAPIBlocksUnlessItsContainerRestarts() {
        var t = Self.template(labels: ["app": "web", "version": "2"])
        t = Fixtures.setContainerField(t, container: 1, field: "env", [["name": "VERSION", "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['version']"]]]])
        var pod = Self.pod(labels: ["version": "1"])
        pod[path: ["spec", "containers"]] = .array(pod[path: ["spec", "containers"]]!.array!.map { c in
            var c = c
            if c["name"] == "sidecar" { c["env"] = [["name": "VERSION", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.labels['version']"]]]] }
            return c
        })
        let blocked = PodSpecComparison.compare(template: t, pod: pod, kind: .deployment, previous: Self.template()["metadata"])
        #expect(blocked.blockedFields == ["metadata.labels[version] is read by container sidecar in env VERSION (downward API), which changes only when the container restarts"])
        let restarted = PodSpecComparison.compare(template: Fixtures.setContainerField(t, container: 1, field: "image", "busybox:1.37"),
                                                  pod: pod, kind: .deployment, previous: Self.template()["metadata"])
        #expect(restarted.blockedFields == [], "the sidecar restarts on its new image and reads the new label")
    }

    @Test func aNativeSidecarReadingTheKeyInEnvBlocksToo() {
        let proxy: JSONValue = ["name": "proxy", "image": "envoy:1", "restartPolicy": "Always",
                                "env": [["name": "VERSION", "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['version']"]]]]]
        var t = Self.template(labels: ["app": "web", "version": "2"])
        t[path: ["spec", "initContainers"]] = [proxy]
        var pod = Self.pod(labels: ["version": "1"])
        pod[path: ["spec", "initContainers"]] = [proxy]
        let diff = PodSpecComparison.compare(template: t, pod: pod, kind: .deployment, previous: Self.template()["metadata"])
        #expect(diff.blockedFields.contains { $0.contains("read by container proxy in env VERSION") }, "\(diff.blockedFields)")
    }
}

@Suite struct MetadataPlanAndWriteTests {
    static let change = MetadataChange(field: .labels, key: "app.kubernetes.io/version", from: "1.0", to: "2.0")
    static let removal = MetadataChange(field: .annotations, key: "owner", from: "x", to: nil)

    @Test func metadataOnlyPodsAreUpdatesInServiceInOneBatch() {
        let diff = SpecDifference(metadataChanges: [Self.change])
        let pods = (0..<4).map { PodFacts(name: "web-\($0)", uid: "u\($0)", difference: diff) }
        let plan = Planner.plan(ref: WorkloadRef(kind: .deployment, namespace: "default", name: "web"), replicas: 4, pods: pods,
                                options: PlanOptions(maxUnavailable: .count(1)))
        #expect(plan.pods.allSatisfy { $0.action == .update && $0.metadataOnly && $0.metadata == [Self.change] })
        #expect(plan.pods.allSatisfy { $0.batch == 1 }, "no pod leaves service, so none waits for another: \(plan.pods.map(\.batch))")
        let target = PodTarget(name: "web-0", changes: [], metadata: [Self.change])
        #expect(target.inService && target.metadataOnly)
    }

    @Test func aMetadataOnlyUpdateNeedsNoSurgeWhereTheWorkloadAllowsNoUnavailablePod() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let own = WorkloadStrategy(maxUnavailable: PlanSetting(.percent(25), source: .workload), maxSurge: .percent(25))
        let pod = PodFacts(name: "web-0", uid: "u0", difference: SpecDifference(metadataChanges: [Self.change]))
        let plan = Planner.plan(ref: ref, replicas: 1, pods: [pod], options: PlanOptions(), strategy: own)
        #expect(plan.surge == 0 && plan.pods.first?.action == .update && plan.pods.first?.batch == 1)
        #expect(plan.warnings.isEmpty, "no pod leaves service, so nothing to say about it: \(plan.warnings)")
        var image = pod
        image.difference.imageChanges = [ImageChange(container: "app", from: "a:1", to: "a:2")]
        #expect(Planner.plan(ref: ref, replicas: 1, pods: [image], options: PlanOptions(), strategy: own).surge == 1)
    }

    @Test func thePatchCarriesImagesLabelsAnnotationsAndRemovals() {
        let p = Pod(Fixtures.livePod())
        let target = PodTarget(name: p.name, changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")],
                               labels: ["controller-revision-hash": "h"], metadata: [Self.change, Self.removal])
        let patch = PodWrites.patch(pod: p, target: target)
        #expect(patch.type == .strategicMerge)
        #expect(patch.body == [
            "metadata": ["labels": ["app.kubernetes.io/version": "2.0", "controller-revision-hash": "h"], "annotations": ["owner": .null]],
            "spec": ["containers": [["name": "app", "image": "nginx:1.27"]]],
        ])
    }

    @Test func aMetadataOnlyPodIsPatchedOnceWithoutRecordOrGate() {
        let target = PodTarget(name: "web-7c9d-abcde", changes: [], metadata: [Self.change, Self.removal])
        var live = Fixtures.livePod()
        live[path: ["metadata", "labels", "app.kubernetes.io/version"]] = "1.0"
        live[path: ["metadata", "annotations", "owner"]] = "x"
        #expect(PodProgress.step(pod: Pod(live), target: target, rolloutID: "r1") == .patch)
        live[path: ["metadata", "labels", "app.kubernetes.io/version"]] = "2.0"
        #expect(PodProgress.step(pod: Pod(live), target: target, rolloutID: "r1") == .patch, "the annotation is still there")
        live[path: ["metadata", "annotations", "owner"]] = nil
        #expect(PodProgress.step(pod: Pod(live), target: target, rolloutID: "r1") == .done)
    }

    @Test func anImageUpdateIsNotDoneUntilItsLabelsAreOn() {
        let target = PodTarget(name: "web-7c9d-abcde", changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")],
                               metadata: [Self.change])
        #expect(!target.inService)
        let patchedImageOnly = Pod(Fixtures.livePod(appImage: "nginx:1.27"))
        #expect(!target.isPatched(patchedImageOnly))
        #expect(PodProgress.writeAfterDrain(pod: patchedImageOnly, target: target) == .patch)
    }

    @Test func theRecordKeepsTargetsAndPreviousValuesAndUndoRestoresThem() {
        let added = MetadataChange(field: .labels, key: "track", from: nil, to: "stable")
        var r = RolloutRecord(id: "r1", phase: .complete, images: [:], previousImages: [:], options: [:], startedAt: "t", holder: "h",
                              renewTime: "t")
        r.metadata = [Self.change, Self.removal, added].recordTargets
        r.previousMetadata = [Self.change, Self.removal, added].recordSources
        let text = r.json.serialized()
        #expect(text.contains(#""annotations/owner":null"#))
        var workload: JSONValue = ["metadata": ["annotations": .object(JSONObject([(InPlace.rolloutAnnotation, .string(text))]))]]
        let read = RolloutRecord(workload: workload)
        #expect(read == r)
        #expect(read?.restoredMetadata == [
            MetadataChange(field: .annotations, key: "owner", from: nil, to: "x"),
            MetadataChange(field: .labels, key: "app.kubernetes.io/version", from: "2.0", to: "1.0"),
            MetadataChange(field: .labels, key: "track", from: "stable", to: nil),
        ])
        workload[path: ["metadata", "annotations", "x"]] = "y"
        let failed = RolloutRecord(id: "r2", phase: .failed, images: [:], previousImages: [:], options: [:], startedAt: "t", holder: "h",
                                   renewTime: "t")
        var next = failed
        next.previousMetadata = ["labels/app.kubernetes.io/version": "3.0"]
        var superseded = r
        superseded.phase = .failed
        next.carryOver(from: superseded, workload: Workload(kind: .deployment, object: workload))
        #expect(next.previousMetadata["labels/app.kubernetes.io/version"] == .some("1.0"),
                "after an unfinished rollout undo returns to the last complete values")
        #expect(next.previousMetadata["labels/track"] == .some(nil))
    }

    @Test func aRevisionKeepsItsLabelAndAnnotationTargetsButNotHugeValues() {
        var r = RolloutRecord(id: "r1", phase: .complete, images: ["app": "nginx:1.27"], previousImages: [:], options: [:], startedAt: "t",
                              holder: "h", renewTime: "t")
        let huge = String(repeating: "x", count: RolloutHistory.metadataValueLimit + 1)
        r.metadata = ["labels/app.kubernetes.io/version": "2.0", "labels/tier": nil, "annotations/config": .some(huge)]
        let h = RolloutHistory().recording(r)
        let text = h.json.serialized()
        let entry = RolloutHistory(text: text).entries.first
        #expect(entry?.metadata == ["labels/app.kubernetes.io/version": "2.0", "labels/tier": nil])
        #expect(entry?.restoredMetadata == [MetadataChange(field: .labels, key: "app.kubernetes.io/version", from: nil, to: "2.0"),
                                            MetadataChange(field: .labels, key: "tier", from: nil, to: nil)])
    }

    @Test func undoTemplatePutsBackOldValuesAndRemovesAddedKeys() throws {
        let live = Workload(kind: .deployment, object: [
            "metadata": ["name": "web", "namespace": "default"],
            "spec": ["selector": ["matchLabels": ["app": "web"]], "template": [
                "metadata": ["labels": ["app": "web", "app.kubernetes.io/version": "2.0", "track": "stable"]],
                "spec": ["containers": [["name": "app", "image": "nginx:1.27"]]],
            ]],
        ])
        let restore = [MetadataChange(field: .labels, key: "app.kubernetes.io/version", from: "2.0", to: "1.0"),
                       MetadataChange(field: .labels, key: "track", from: "stable", to: nil),
                       MetadataChange(field: .annotations, key: "owner", from: nil, to: "x")]
        let target = DesiredWorkload(ref: WorkloadRef(kind: .deployment, namespace: "default", name: "web"),
                                     source: .restoring(images: [("app", "nginx:1.25")], resources: [], metadata: restore))
        let t = try PlanBuilder.desiredTemplate(for: target, live: live)
        #expect(t["metadata"] == ["labels": ["app": "web", "app.kubernetes.io/version": "1.0"], "annotations": ["owner": "x"]])
        #expect(t[path: ["spec", "containers"]]?[0]?["image"] == "nginx:1.25")
    }

    @Test func keysARecordedRolloutChangedCountAsTheOldTemplates() {
        var r = RolloutRecord(id: "r1", phase: .paused, images: [:], previousImages: [:], options: [:], startedAt: "t", holder: "h",
                              renewTime: "t")
        r.metadata = ["labels/tier": nil]
        r.previousMetadata = ["labels/tier": "front"]
        let live = Workload(kind: .deployment, object: [
            "metadata": ["name": "web", "annotations": .object(JSONObject([(InPlace.rolloutAnnotation, .string(r.json.serialized()))]))],
            "spec": ["template": ["metadata": ["labels": ["app": "web"]]]],
        ])
        let previous = PlanBuilder.previousMetadata(of: live)
        #expect(previous?[path: ["labels", "tier"]] == "front", "a resumed rollout still removes what its old template had")
        #expect(previous?[path: ["labels", "app"]] == "web")
        #expect(PlanBuilder.previousMetadata(of: Workload(kind: .pod, object: ["metadata": ["labels": ["a": "b"]]])) == nil)
    }
}
