import JSON
import Testing
@testable import InplaceCore

@Suite struct PlannerTests {
    let change = SpecDifference(imageChanges: [ImageChange(container: "app", from: "a:1", to: "a:2")])

    func pods(_ n: Int, prefix: String = "web-", ordinals: Bool = false) -> [PodFacts] {
        (0..<n).map { PodFacts(name: "\(prefix)\($0)", ordinal: ordinals ? $0 : nil, difference: change) }
    }

    @Test func batchesRespectMaxUnavailable() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let plan = Planner.plan(ref: ref, replicas: 5, pods: pods(5), options: PlanOptions(maxUnavailable: .count(2)))
        #expect(plan.pods.map(\.batch) == [1, 1, 2, 2, 3])
        #expect(plan.pods.allSatisfy { $0.action == .update })
        let pct = Planner.plan(ref: ref, replicas: 5, pods: pods(5), options: PlanOptions(maxUnavailable: .percent(50)))
        #expect(pct.batchCount == 3)  // 50% of 5 rounds down to 2
    }

    @Test func notReadyPodsGoFirstAndUseBudget() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        var ps = pods(4)
        ps[3].ready = false
        var keepUnready = PodFacts(name: "web-9", ready: false)
        keepUnready.difference = SpecDifference()
        let plan = Planner.plan(ref: ref, replicas: 5, pods: ps + [keepUnready], options: PlanOptions(maxUnavailable: .count(2)))
        #expect(plan.pods.first?.name == "web-3")
        #expect(plan.maxUnavailable == 2)
        #expect(plan.pods.filter { $0.action == .update }.map(\.batch) == [1, 2, 3, 4])
    }

    @Test func statefulSetPartitionHoldsLowOrdinalsAndUpdatesHighestFirst() {
        let ref = WorkloadRef(kind: .statefulSet, namespace: "default", name: "db")
        let plan = Planner.plan(ref: ref, replicas: 5, pods: pods(5, prefix: "db-", ordinals: true).shuffled(),
                                options: PlanOptions(partition: .count(2)))
        #expect(plan.pods.filter { $0.action == .update }.map(\.name) == ["db-4", "db-3", "db-2"])
        #expect(plan.pods.filter { $0.action == .hold }.map(\.name).sorted() == ["db-0", "db-1"])
        #expect(plan.pods.filter { $0.action == .hold }.allSatisfy { $0.reasons == ["partition"] && $0.batch == nil })
    }

    @Test func deploymentPartitionKeepsThatManyOldPods() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        var ps = pods(4)
        ps.append(PodFacts(name: "web-new"))  // already on the new images
        let plan = Planner.plan(ref: ref, replicas: 5, pods: ps, options: PlanOptions(partition: .percent(40)))
        #expect(plan.count(.hold) == 2)
        #expect(plan.count(.update) == 2)
        #expect(plan.count(.keep) == 1)
    }

    @Test func missingGateBlocksUnlessAllowed() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        var ps = pods(2)
        ps[0].hasGate = false
        let plan = Planner.plan(ref: ref, replicas: 2, pods: ps, options: PlanOptions())
        #expect(plan.pods.first { $0.name == "web-0" }?.action == .blocked)
        #expect(plan.warnings.contains { $0.contains("kubectl inplace prepare deployment/web") })
        let allowed = Planner.plan(ref: ref, replicas: 2, pods: ps, options: PlanOptions(allowMissingGate: true))
        #expect(allowed.count(.update) == 2)
    }

    @Test func warnsWhenGatedPodsHaveNoCondition() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let ps = [PodFacts(name: "web-0", ready: false, gateConditionMissing: true)]
        let plan = Planner.plan(ref: ref, replicas: 1, pods: ps, options: PlanOptions())
        #expect(plan.warnings.contains { $0.contains("no gate keeper") })
    }

    @Test func factsFromALivePod() {
        let t = Fixtures.setContainerField(Fixtures.template, container: 0, field: "image", "nginx:1.27")
        let facts = PodFacts(pod: Pod(Fixtures.livePod(ready: false, gateCondition: nil)), template: t, kind: .deployment)
        #expect(facts.ready == false)
        #expect(facts.gateConditionMissing)
        #expect(facts.difference.imageChanges.map(\.to) == ["nginx:1.27"])
    }

    @Test func terminatingPodsAreLeftOut() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        var ps = pods(2)
        ps[1].terminating = true
        #expect(Planner.plan(ref: ref, replicas: 2, pods: ps, options: PlanOptions()).pods.map(\.name) == ["web-0"])
    }

    @Test("9.4: a NotReady pod that needs no update takes one slot of the budget, once")
    func notReadyKeptPodTakesOneSlot() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        var kept = PodFacts(name: "web-new", ready: false)
        kept.difference = SpecDifference()
        let plan = Planner.plan(ref: ref, replicas: 6, pods: pods(5) + [kept], options: PlanOptions(maxUnavailable: .count(2)))
        #expect(plan.maxUnavailable == 2)
        #expect(plan.pods.filter { $0.action == .update }.map(\.batch) == [1, 2, 3, 4, 5])
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
        let all = Planner.plan(ref: ref, replicas: 6, pods: pods(6), options: PlanOptions(maxUnavailable: .count(2)))
        #expect(all.pods.map(\.batch) == [1, 1, 2, 2, 3, 3])
    }

    @Test("9.4: max-unavailable above the pod count is the pod count")
    func maxUnavailableAboveThePodCount() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let plan = Planner.plan(ref: ref, replicas: 3, pods: pods(3), options: PlanOptions(maxUnavailable: .count(10)))
        #expect(plan.maxUnavailable == 3)
        #expect(plan.pods.map(\.batch) == [1, 1, 1])
    }

    @Test("9.4: pods not being updated that use the whole budget: a warning, and batches as if they recover")
    func stalledByOthers() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        var down = PodFacts(name: "web-x", ready: false)
        down.difference = SpecDifference()
        let plan = Planner.plan(ref: ref, replicas: 4, pods: pods(3) + [down], options: PlanOptions())
        #expect(plan.warnings.contains { $0.contains("already unavailable") })
        #expect(plan.pods.filter { $0.action == .update }.map(\.batch) == [1, 2, 3])
    }

    @Test("9.11: a StatefulSet's own partition is the default; the flag overrides; the source is said")
    func statefulSetPartitionDefaultsToTheWorkloads() throws {
        let ref = WorkloadRef(kind: .statefulSet, namespace: "default", name: "db")
        let live: JSONValue = ["spec": ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 3]]]]
        let own = WorkloadStrategy.of(kind: .statefulSet, manifest: nil, live: live)
        let plan = Planner.plan(ref: ref, replicas: 5, pods: pods(5, prefix: "db-", ordinals: true), options: PlanOptions(), strategy: own)
        #expect(plan.pods.filter { $0.action == .update }.map(\.name) == ["db-4", "db-3"])
        #expect(plan.partition == 3 && plan.partitionSetting.source == .workload)
        let manifest: JSONValue = ["spec": ["updateStrategy": ["rollingUpdate": ["partition": 1]]]]
        let fromManifest = Planner.plan(ref: ref, replicas: 5, pods: pods(5, prefix: "db-", ordinals: true), options: PlanOptions(),
                                        strategy: WorkloadStrategy.of(kind: .statefulSet, manifest: manifest, live: live))
        #expect(fromManifest.partition == 1 && fromManifest.partitionSetting.source == .manifest)
        let flag = Planner.plan(ref: ref, replicas: 5, pods: pods(5, prefix: "db-", ordinals: true), options: PlanOptions(partition: .count(0)),
                                strategy: own)
        #expect(flag.count(.update) == 5 && flag.partitionSetting.source == .flag)
        let none = Planner.plan(ref: ref, replicas: 5, pods: pods(5, prefix: "db-", ordinals: true), options: PlanOptions())
        #expect(none.partition == 0 && none.partitionSetting.source == .default)
    }

    @Test("9.11: while a rollout holds a StatefulSet on OnDelete, its own strategy is the recorded one")
    func recordedStrategyWhileHeld() {
        var record = RolloutRecord(id: "r", phase: .failed, images: [:], previousImages: [:], options: [:], startedAt: "",
                                   holder: "", renewTime: "")
        record.previous = ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 2, "maxUnavailable": 2]]]
        let live: JSONValue = [
            "metadata": ["annotations": [.init(stringLiteral: InPlace.rolloutAnnotation): .string(record.json.serialized())]],
            "spec": ["updateStrategy": ["type": "OnDelete"]],
        ]
        let own = WorkloadStrategy.of(kind: .statefulSet, manifest: nil, live: live)
        #expect(own.partition == PlanSetting(.count(2), source: .workload))
        #expect(own.maxUnavailable == PlanSetting(.count(2), source: .workload))
    }

    @Test("max-unavailable defaults to the workload's strategy: a Deployment's 25%, rounded down, at least 1")
    func maxUnavailableDefaultsToTheWorkloads() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let live: JSONValue = ["spec": ["strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]]]]
        let own = WorkloadStrategy.of(kind: .deployment, manifest: nil, live: live)
        let ten = Planner.plan(ref: ref, replicas: 10, pods: pods(10), options: PlanOptions(), strategy: own)
        #expect(ten.maxUnavailable == 2 && ten.maxUnavailableSetting == PlanSetting(.percent(25), source: .workload))
        let three = Planner.plan(ref: ref, replicas: 3, pods: pods(3), options: PlanOptions(), strategy: own)
        #expect(three.maxUnavailable == 0 && three.surge == 1, "25% of 3 is 0: like the Deployment's controller, surge by its 25% (1)")
        #expect(three.warnings.contains { $0.contains("maxSurge 25%") }, "\(three.warnings)")
        let recreate = WorkloadStrategy.of(kind: .deployment, manifest: nil, live: ["spec": ["strategy": ["type": "Recreate"]]])
        let plan = Planner.plan(ref: ref, replicas: 10, pods: pods(10), options: PlanOptions(), strategy: recreate)
        #expect(plan.maxUnavailable == 1 && plan.maxUnavailableSetting.source == .default)
        let manifestRecreate = WorkloadStrategy.of(kind: .deployment, manifest: ["spec": ["strategy": ["type": "Recreate"]]], live: live)
        #expect(manifestRecreate == WorkloadStrategy(type: "Recreate"), "the manifest's Recreate states no maxUnavailable: the live 25% is not used")
    }

    @Test("9.8: an image reference the runtime rejects blocks the pods, as rollout refuses it")
    func badImageReferenceBlocks() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let bad = SpecDifference(imageChanges: [ImageChange(container: "app", from: "a:1", to: "NGINX:1.27")])
        let plan = Planner.plan(ref: ref, replicas: 2, pods: [PodFacts(name: "web-0", difference: bad), PodFacts(name: "web-1", difference: bad)],
                                options: PlanOptions())
        #expect(plan.pods.allSatisfy { $0.action == .blocked && $0.reasons.first?.contains("NGINX:1.27") == true })
        let problems = RolloutPreconditions.problems([plan], program: "kubectl inplace")
        #expect(problems.count == 2 && problems.allSatisfy { $0.contains("repository name must be lowercase") })
    }

    @Test("9.8: a Deployment whose ReplicaSets both have pods is refused as a whole")
    func nativeRolloutRefused() {
        let workload = Workload(kind: .deployment, object: ["metadata": ["name": "web", "namespace": "default", "uid": "d-1"]])
        func rs(_ name: String, _ replicas: Int, owner: String = "d-1") -> JSONValue {
            ["metadata": ["name": .string(name), "uid": .string("u-\(name)"),
                          "ownerReferences": [["uid": .string(owner), "controller": true]]],
             "spec": ["replicas": .int(replicas)]]
        }
        #expect(RolloutPreconditions.workloadReasons(workload, replicaSets: [rs("web-a", 2), rs("web-b", 0)]).isEmpty)
        #expect(RolloutPreconditions.workloadReasons(workload, replicaSets: [rs("web-a", 2), rs("other", 2, owner: "x")]).isEmpty)
        let reasons = RolloutPreconditions.workloadReasons(workload, replicaSets: [rs("web-a", 2), rs("web-b", 1)])
        #expect(reasons.count == 1 && reasons[0].contains("web-a, web-b") && reasons[0].contains("native rollout"))
        let plan = Planner.plan(ref: workload.ref, replicas: 2, pods: pods(2), options: PlanOptions(), refusals: reasons)
        #expect(RolloutPreconditions.problems([plan], program: "k") == reasons)
    }

    @Test("11.1: --max-surge 2 with --max-unavailable 0: batches of two, surge shown")
    func surgeWidensTheWindow() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let plan = Planner.plan(ref: ref, replicas: 6, pods: pods(6),
                                options: PlanOptions(maxUnavailable: .count(0), maxSurge: .count(2)))
        #expect(plan.surge == 2 && plan.maxUnavailable == 0)
        #expect(plan.pods.map(\.batch) == [1, 1, 2, 2, 3, 3])
        let wider = Planner.plan(ref: ref, replicas: 6, pods: pods(6), options: PlanOptions(maxUnavailable: .count(1), maxSurge: .count(2)))
        #expect(wider.pods.map(\.batch) == [1, 1, 1, 2, 2, 2])
    }

    @Test("11.1: maxUnavailable resolving to 0 keeps the promise by surging by the workload's maxSurge, unless --max-unavailable is given")
    func zeroUnavailableSurgesByDefault() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let own = WorkloadStrategy(maxUnavailable: PlanSetting(.percent(25), source: .workload), maxSurge: .percent(25))
        let one = Planner.plan(ref: ref, replicas: 1, pods: pods(1), options: PlanOptions(), strategy: own)
        #expect(one.surge == 1 && one.maxUnavailable == 0 && one.surgeSetting?.source == .workload)
        #expect(one.warnings.contains { $0.contains("adds 1 pod(s)") }, "\(one.warnings)")
        let flagged = Planner.plan(ref: ref, replicas: 1, pods: pods(1), options: PlanOptions(maxUnavailable: .count(1)), strategy: own)
        #expect(flagged.surge == 0 && flagged.maxUnavailable == 1)
        let neither = WorkloadStrategy(maxUnavailable: PlanSetting(.count(0), source: .workload), maxSurge: .count(0))
        let both = Planner.plan(ref: ref, replicas: 3, pods: pods(3), options: PlanOptions(), strategy: neither)
        #expect(both.surge == 0 && both.maxUnavailable == 1)
        let nothing = Planner.plan(ref: ref, replicas: 1, pods: [PodFacts(name: "web-0")], options: PlanOptions(maxSurge: .count(1)))
        #expect(nothing.surge == 0, "no surge when nothing needs updating")
        let sts = Planner.plan(ref: WorkloadRef(kind: .statefulSet, namespace: "default", name: "db"), replicas: 1, pods: pods(1),
                               options: PlanOptions(), strategy: own)
        #expect(sts.surge == 0 && sts.maxUnavailable == 1)
    }

    @Test("11: a Recreate Deployment states which default applies and why")
    func recreateSaysTheDefault() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let plan = Planner.plan(ref: ref, replicas: 4, pods: pods(4), options: PlanOptions(), strategy: WorkloadStrategy(type: "Recreate"))
        #expect(plan.maxUnavailable == 1 && plan.maxUnavailableSetting.source == .default)
        #expect(plan.warnings.contains { $0.contains("Recreate") && $0.contains("one at a time") }, "\(plan.warnings)")
    }

    @Test("11.1: a resumed surge counts its pods once: the desired replicas exclude them")
    func resumedSurgeIsNotTheWorkloads() {
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        var all = pods(6)
        all += (0..<2).map { PodFacts(name: "web-s\($0)") }
        let plan = Planner.plan(ref: ref, replicas: 8, pods: all, options: PlanOptions(maxUnavailable: .count(0)), surgeApplied: 2)
        #expect(plan.desired == 6 && plan.surge == 2)
        #expect(plan.pods.filter { $0.action == .update }.map(\.batch) == [1, 1, 2, 2, 3, 3])
    }
}
