import JSON
import Testing
@testable import InplaceCore

/// Issue 11, priority and scatter: the rules that order the pods to update, as `plan` shows them and
/// the rollout follows them.
@Suite struct UpdateOrderTests {
    let change = SpecDifference(imageChanges: [ImageChange(container: "app", from: "a:1", to: "a:2")])
    let web = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
    let db = WorkloadRef(kind: .statefulSet, namespace: "default", name: "db")

    func pod(_ name: String, _ labels: [String: String] = [:], ordinal: Int? = nil, ready: Bool = true, node: String? = nil) -> PodFacts {
        var p = PodFacts(name: name, ordinal: ordinal, ready: ready, difference: change)
        p.labels = labels
        p.node = node
        return p
    }

    func names(_ pods: [PodFacts], _ order: UpdateOrder, kind: WorkloadKind = .deployment) -> [String] {
        order.sorted(pods, kind: kind).map(\.name)
    }

    func weights(_ text: String) throws -> UpdateOrder { UpdateOrder(priority: try UpdatePriority.weights(parsing: text)) }

    @Test func weightsAreSummedHigherFirstAndUnmatchedPodsGoLast() throws {
        let pods = [
            pod("a", ["tier": "web"]), pod("b", ["track": "canary", "tier": "web"]), pod("c"), pod("d", ["track": "canary"]),
            pod("e", ["tier": "db"]),
        ]
        let order = try weights("50:track=canary;30:tier in (web,db)")
        #expect(names(pods, order) == ["b", "d", "a", "e", "c"])  // 80, 50, 30, 30 (ties by name), 0
        #expect(order.priorityValue(pods[1]) == 80 && order.priorityValue(pods[2]) == 0)
    }

    @Test func statefulSetTiesKeepHighestOrdinalFirst() throws {
        let pods = (0..<5).map { pod("db-\($0)", $0 % 2 == 0 ? ["role": "replica"] : [:], ordinal: $0) }
        #expect(names(pods, try weights("10:role=replica"), kind: .statefulSet) == ["db-4", "db-2", "db-0", "db-3", "db-1"])
        #expect(names(pods, UpdateOrder(), kind: .statefulSet) == ["db-4", "db-3", "db-2", "db-1", "db-0"])
    }

    @Test func orderKeyLargerIntegerFirstAndPodsWithoutItLast() throws {
        let pods = [
            pod("a", ["rack": "rack-3"]), pod("b", ["rack": "rack-12"]), pod("c"), pod("d", ["rack": "spare"]), pod("e", ["rack": "7"]),
            pod("f", ["rack": "rack-12"]),
        ]
        let order = UpdateOrder(priority: try UpdatePriority.orderKeys(parsing: "rack"))
        // 12, 12 (tie by name), 7, 3, then no integer and no label, by name.
        #expect(names(pods, order) == ["b", "f", "e", "a", "c", "d"])
        #expect(order.priorityValue(pods[3]) == nil && order.priorityValue(pods[1]) == 12)
    }

    @Test func earlierOrderKeysGoFirst() throws {
        let pods = [pod("a", ["low": "9"]), pod("b", ["high": "1"]), pod("c", ["high": "2", "low": "99"]), pod("d")]
        let order = UpdateOrder(priority: try UpdatePriority.orderKeys(parsing: "high;low"))
        #expect(names(pods, order) == ["c", "b", "a", "d"])
        #expect(order.priorityKey(pods[0]) == "low" && order.priorityKey(pods[2]) == "high" && order.priorityKey(pods[3]) == nil)
    }

    @Test func podsNotReadyStillGoFirst() throws {
        let pods = [pod("a", ["track": "canary"]), pod("b", ready: false), pod("c", ["track": "canary"], ready: false)]
        #expect(names(pods, try weights("100:track=canary")) == ["c", "b", "a"])
    }

    @Test func scatterSpreadsTheLabelledPodsEvenly() throws {
        let pods = (0..<6).map { pod("p\($0)", $0 < 2 ? ["canary": "yes"] : [:]) }
        let order = UpdateOrder(scatter: try UpdateScatter.terms(parsing: "canary=yes"))
        // Without the rule p0 and p1 go together; with it, at 1/4 and 3/4 of the way.
        #expect(names(pods, order) == ["p2", "p0", "p3", "p4", "p1", "p5"])
        let nine = (0..<9).map { pod("q\($0)", $0 < 3 ? ["canary": "yes"] : [:]) }
        let spread = order.sorted(nine, kind: .deployment).map { $0.labels["canary"] != nil }
        #expect(spread == [false, true, false, false, true, false, false, true, false])
    }

    @Test func severalScatterTermsAreEachSpread() throws {
        let pods = (0..<8).map { pod("p\($0)", $0 < 2 ? ["a": "x"] : $0 < 4 ? ["b": "y"] : [:]) }
        let order = UpdateOrder(scatter: try UpdateScatter.terms(parsing: "a=x;b=y"))
        // Each group takes the places (j + ½)/k: a=x and b=y at 1/4 and 3/4, the rest at 1/8, 3/8, 5/8, 7/8.
        #expect(names(pods, order) == ["p4", "p0", "p2", "p5", "p6", "p1", "p3", "p7"])
    }

    @Test func scatterByInterleavesEveryValueBeforeASecondPod() throws {
        let zones = ["a", "a", "a", "a", "b", "b", "c"]
        let pods = zones.enumerated().map { pod("p\($0.offset)", ["zone": $0.element]) } + [pod("p7"), pod("p8")]
        let order = UpdateOrder(scatter: try UpdateScatter.by(parsing: "zone"))
        let sorted = order.sorted(pods, kind: .deployment)
        #expect(sorted.map { $0.labels["zone"] ?? "-" } == ["a", "b", "c", "-", "a", "b", "-", "a", "a"])
        #expect(sorted.map(\.name) == ["p0", "p4", "p6", "p7", "p1", "p5", "p8", "p2", "p3"])
    }

    @Test func scatterByReadsTheNodeLabelWhereNodesCarryIt() throws {
        let pods = [pod("p0", ["zone": "x"], node: "n1"), pod("p1", ["zone": "x"], node: "n1"), pod("p2", ["zone": "x"], node: "n2"),
                    pod("p3", node: "n3")]
        var order = UpdateOrder(scatter: try UpdateScatter.by(parsing: "zone"))
        order.nodeValues = ["n1": "east", "n2": "west"]
        #expect(names(pods, order) == ["p0", "p2", "p3", "p1"])
        #expect(order.scatterValue(pods[2]) == "west" && order.scatterValue(pods[3]) == nil)
        order.nodeValues = nil
        #expect(names(pods, order) == ["p0", "p3", "p1", "p2"])
    }

    @Test func scatterOrdersWithinEqualPriority() throws {
        let pods = [pod("a", ["zone": "1", "track": "canary"]), pod("b", ["zone": "1", "track": "canary"]),
                    pod("c", ["zone": "2", "track": "canary"]), pod("d", ["zone": "1"]), pod("e", ["zone": "2"]), pod("f", ["zone": "2"])]
        let order = UpdateOrder(priority: try UpdatePriority.weights(parsing: "5:track=canary"), scatter: .by("zone"))
        #expect(names(pods, order) == ["a", "c", "b", "d", "e", "f"])
    }

    @Test func statefulSetPartitionOrdersOnlyThePodsAboveIt() throws {
        // Ranks fall with the ordinal, so priority reverses the default order above the partition;
        // db-0 to db-2 have the highest ranks but stay below it.
        let pods = (0..<6).map { pod("db-\($0)", ["rank": "r\(10 - $0)"], ordinal: $0) }
        var options = PlanOptions(partition: .count(3))
        options.priority = try UpdatePriority.orderKeys(parsing: "rank")
        let plan = Planner.plan(ref: db, replicas: 6, pods: pods.shuffled(), options: options)
        #expect(plan.pods.filter { $0.action == .update }.map(\.name) == ["db-3", "db-4", "db-5"])
        #expect(plan.pods.filter { $0.action == .hold }.map(\.name).sorted() == ["db-0", "db-1", "db-2"])
        #expect(plan.pods.first { $0.name == "db-3" }?.priority == 7)
        let plain = Planner.plan(ref: db, replicas: 6, pods: pods, options: PlanOptions(partition: .count(3)))
        #expect(plain.pods.filter { $0.action == .update }.map(\.name) == ["db-5", "db-4", "db-3"])
    }

    @Test func deploymentPartitionHoldsTheLowestPriority() throws {
        let pods = [pod("a"), pod("b", ["track": "canary"]), pod("c"), pod("d", ["track": "canary"])]
        var options = PlanOptions(partition: .count(2))
        options.priority = try UpdatePriority.weights(parsing: "1:track=canary")
        let plan = Planner.plan(ref: web, replicas: 4, pods: pods, options: options)
        #expect(plan.pods.filter { $0.action == .update }.map(\.name) == ["b", "d"])
        #expect(plan.pods.filter { $0.action == .hold }.map(\.name).sorted() == ["a", "c"])
    }

    @Test func batchesFollowTheOrder() throws {
        let pods = (0..<6).map { pod("p\($0)", ["zone": ["a", "a", "a", "b", "b", "c"][$0]]) }
        var options = PlanOptions(maxUnavailable: .count(3))
        options.scatter = .by("zone")
        let plan = Planner.plan(ref: web, replicas: 6, pods: pods, options: options)
        let updates = plan.pods.filter { $0.action == .update }
        #expect(updates.map(\.name) == ["p0", "p3", "p5", "p1", "p4", "p2"])
        #expect(updates.map(\.batch) == [1, 1, 1, 2, 2, 2])
        #expect(updates.map(\.scatter) == ["a", "b", "c", "a", "b", "a"])
        #expect(plan.order.scatter == .by("zone"))
    }

    @Test func flagsOverrideAnnotationsAndTheManifestsComeFirst() throws {
        let live: JSONValue = ["metadata": ["annotations": [
            UpdateOrder.priorityOrderAnnotation: "rack", UpdateOrder.scatterByAnnotation: "zone",
        ]]]
        let manifest: JSONValue = ["metadata": ["annotations": [UpdateOrder.priorityWeightAnnotation: "10:a=b;20:c=d"]]]
        let fromLive = try UpdateOrder.resolve(ref: web, options: PlanOptions(), manifest: nil, live: live)
        #expect(fromLive.priority == .orderKeys(["rack"]) && fromLive.prioritySource == .workload)
        #expect(fromLive.scatter == .by("zone") && fromLive.scatterSource == .workload)
        let fromManifest = try UpdateOrder.resolve(ref: web, options: PlanOptions(), manifest: manifest, live: live)
        #expect(fromManifest.priority == .weights([PriorityWeight(weight: 10, selector: "a=b"), PriorityWeight(weight: 20, selector: "c=d")]))
        #expect(fromManifest.prioritySource == .manifest && fromManifest.scatterSource == .workload)
        var options = PlanOptions()
        options.scatter = .terms([ScatterTerm(key: "k", value: "v")])
        let flagged = try UpdateOrder.resolve(ref: web, options: options, manifest: manifest, live: live)
        #expect(flagged.scatter == .terms([ScatterTerm(key: "k", value: "v")]) && flagged.scatterSource == .flag)
        #expect(flagged.priority == fromManifest.priority)
    }

    @Test func badAnnotationsAreErrors() {
        let both: JSONValue = ["metadata": ["annotations": [UpdateOrder.scatterAnnotation: "a=b", UpdateOrder.scatterByAnnotation: "zone"]]]
        #expect(throws: TargetError.conflictingAnnotations(web, UpdateOrder.scatterAnnotation, UpdateOrder.scatterByAnnotation)) {
            try UpdateOrder.resolve(ref: web, options: PlanOptions(), manifest: nil, live: both)
        }
        let bad: JSONValue = ["metadata": ["annotations": [UpdateOrder.priorityWeightAnnotation: "500:a=b"]]]
        #expect(throws: TargetError.self) { try UpdateOrder.resolve(ref: web, options: PlanOptions(), manifest: nil, live: bad) }
    }

    @Test func parsing() throws {
        #expect(try UpdatePriority.weights(parsing: "100:app in (a, b), tier!=db") == .weights([PriorityWeight(weight: 100, selector: "app in (a, b), tier!=db")]))
        #expect(throws: UpdateOrderError.invalidWeight("0:a=b")) { try UpdatePriority.weights(parsing: "0:a=b") }
        #expect(throws: UpdateOrderError.invalidWeight("101:a=b")) { try UpdatePriority.weights(parsing: "101:a=b") }
        #expect(throws: UpdateOrderError.invalidWeight("a=b")) { try UpdatePriority.weights(parsing: "a=b") }
        #expect(throws: UpdateOrderError.invalidSelector("5:a in b")) { try UpdatePriority.weights(parsing: "5:a in b") }
        #expect(throws: UpdateOrderError.invalidTerm("zone")) { try UpdateScatter.terms(parsing: "zone") }
        #expect(throws: UpdateOrderError.invalidKey("a=b")) { try UpdateScatter.by(parsing: "a=b") }
        #expect(UpdateOrder.trailingInteger("rack-012") == 12 && UpdateOrder.trailingInteger("x") == nil)
        #expect(UpdateOrder.trailingInteger("99999999999999999999999") == nil)
    }
}
