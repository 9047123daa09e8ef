import InplaceCore
import JSON
import Testing
@testable import InplaceCLI

/// How a plan is shown: the values that shape it with where each came from, and the reasons a
/// rollout would refuse the workload, in text and JSON.
@Suite struct PlanRendererTests {
    let plan = WorkloadPlan(
        ref: WorkloadRef(kind: .statefulSet, namespace: "default", name: "db"),
        pods: [PodPlan(name: "db-4", action: .update, batch: 1, changes: [ImageChange(container: "pg", from: "a:1", to: "a:2")]),
               PodPlan(name: "db-0", action: .hold, changes: [ImageChange(container: "pg", from: "a:1", to: "a:2")], reasons: ["partition"])],
        maxUnavailable: 1, partition: 3,
        maxUnavailableSetting: PlanSetting(.percent(25), source: .workload), partitionSetting: PlanSetting(.count(3), source: .manifest),
        desired: 5, refusals: ["statefulset/db cannot be rolled out now"])

    @Test func textSaysWhereTheSettingsCameFromAndWhyTheWorkloadIsRefused() {
        let text = PlanRenderer.text(Plan(workloads: [plan]), style: Style(enabled: false))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines[1] == "max-unavailable 1 (25% of 5, workload), partition 3 (manifest)", "\(text)")
        #expect(lines[2] == "refused: statefulset/db cannot be rolled out now", "\(text)")
    }

    @Test func jsonCarriesTheSettingsTheirSourcesAndTheRefusals() {
        let w = PlanRenderer.json(Plan(workloads: [plan]))["workloads"]?[0]
        #expect(w?["summary"]?["maxUnavailable"] == 1 && w?["summary"]?["maxUnavailableFrom"] == "workload")
        #expect(w?["summary"]?["partition"] == 3 && w?["summary"]?["partitionFrom"] == "manifest")
        #expect(w?["refused"] == ["statefulset/db cannot be rolled out now"])
    }

    @Test func theOrderRuleAndEachPodsPlaceInItAreShown() {
        var w = plan
        w.refusals = []
        w.order = UpdateOrder(priority: .orderKeys(["rack"]), prioritySource: .workload, scatter: .by("zone"), nodeValues: ["n1": "a"])
        w.pods[0].priority = 12
        w.pods[0].priorityKey = "rack"
        w.pods[0].scatter = "a"
        let text = PlanRenderer.text(Plan(workloads: [w]), style: Style(enabled: false))
        #expect(text.contains("order: not-ready pods first, then priority-order rack (workload), then scatter-by zone (node label, flag), ties highest ordinal first\n"), "\(text)")
        #expect(text.contains("pg: a:1 → a:2 [priority 12, zone=a]"), "\(text)")
        let json = PlanRenderer.json(Plan(workloads: [w]))["workloads"]?[0]
        #expect(json?["summary"]?["priority"] == "priority-order rack" && json?["summary"]?["priorityFrom"] == "workload")
        #expect(json?["summary"]?["scatter"] == "scatter-by zone" && json?["summary"]?["scatterLabelOf"] == "node")
        #expect(json?["pods"]?[0] == ["name": "db-4", "action": "update", "batch": 1,
                                      "containers": [["name": "pg", "image": "a:2", "currentImage": "a:1"]], "ready": true,
                                      "priority": 12, "priorityKey": "rack", "scatter": "a"])
    }
}

/// `-o json` over many pods is written a piece at a time, and the pieces make the same text as the
/// whole plan serialized at once.
@Suite struct PlanJSONStreamingTests {
    func workload(_ name: String, pods: Int) -> WorkloadPlan {
        var w = WorkloadPlan(
            ref: WorkloadRef(kind: .deployment, namespace: "ns \"q\"", name: name),
            pods: (0..<pods).map { i in
                var p = PodPlan(name: "\(name)-\(i)", action: i % 3 == 0 ? .blocked : .update, batch: i % 3 == 0 ? nil : i / 7 + 1,
                                changes: [ImageChange(container: "app", from: "a:1", to: "a:\\2")],
                                reasons: i % 3 == 0 ? ["spec.containers[app].env", "é\n"] : [], ready: i % 5 != 0)
                p.metadata = i % 4 == 0 ? [MetadataChange(field: .labels, key: "tier", from: nil, to: "web")] : []
                return p
            },
            maxUnavailable: 7, refusals: ["refused \u{1}"], warnings: ["a warning"], surge: 2,
            surgeSetting: PlanSetting(.count(2), source: .flag))
        w.limitingBudget = "pdb"
        return w
    }

    @Test func theStreamedTextIsTheWholePlanSerialized() {
        for plan in [Plan(workloads: []), Plan(workloads: [workload("empty", pods: 0)]),
                     Plan(workloads: [workload("web", pods: 3_000), workload("api", pods: 5)])] {
            var pieces: [String] = []
            PlanRenderer.writeJSON(plan) { pieces.append($0) }
            #expect(pieces.joined() == PlanRenderer.json(plan).serialized())
        }
    }

    @Test func manyPodsGoOutInPiecesOfBoundedSize() {
        var pieces: [String] = []
        PlanRenderer.writeJSON(Plan(workloads: [workload("web", pods: 5_000)])) { pieces.append($0) }
        #expect(pieces.count > 5)
        #expect(pieces.allSatisfy { $0.utf8.count < 70_000 })
    }
}
