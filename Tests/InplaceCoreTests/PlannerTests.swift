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
        #expect(plan.budget == 1)
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
}
