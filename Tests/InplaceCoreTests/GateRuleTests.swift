import JSON
import Testing
@testable import InplaceCore

@Suite struct GateRuleTests {
    func pod(gate: Bool = true, condition: String? = nil, terminating: Bool = false, phase: String = "Running",
             inFlight: Bool = false) -> Pod {
        var o = Fixtures.livePod(ready: false, gate: gate, gateCondition: condition)
        if terminating { o[path: ["metadata", "deletionTimestamp"]] = "2026-11-29T03:00:00Z" }
        o[path: ["status", "phase"]] = .string(phase)
        if inFlight { o[path: ["metadata", "annotations"]] = [InPlace.podStateAnnotation: "{\"rolloutID\":\"r1\"}"] }
        return Pod(o)
    }

    @Test func gatedPodWithoutTheConditionIsMarked() {
        #expect(GateRule.decide(pod()) == .mark)
    }

    @Test func podsWithoutTheGateAreLeftAlone() {
        #expect(GateRule.decide(pod(gate: false)) == .noGate)
    }

    @Test func anExistingConditionIsNeverTouchedTrueOrFalse() {
        #expect(GateRule.decide(pod(condition: "True")) == .hasCondition(status: "True"))
        #expect(GateRule.decide(pod(condition: "False")) == .hasCondition(status: "False"))
        #expect(GateRule.decide(pod(condition: "False", inFlight: true)) == .hasCondition(status: "False"))
    }

    @Test func terminatingAndFinishedPodsAreLeftAlone() {
        #expect(GateRule.decide(pod(terminating: true)) == .terminating)
        #expect(GateRule.decide(pod(phase: "Succeeded")) == .finished)
        #expect(GateRule.decide(pod(phase: "Failed")) == .finished)
        #expect(GateRule.decide(pod(phase: "Pending")) == .mark)
    }

    @Test func aPodMarkedInFlightByARolloutIsLeftToIt() {
        #expect(GateRule.decide(pod(inFlight: true)) == .inFlight)
    }
}

@Suite struct GateConditionPatchTests {
    @Test func statusPatchCarriesOnlyTheGateConditionAndIsConditional() {
        let pod = Pod(Fixtures.livePod(name: "web-1", ready: false, gateCondition: nil))
        let w = GateConditionPatch.markReady(pod: pod, writer: "kubectl-inplace controller c-1", now: "2026-11-29T03:05:27Z")
        #expect(w.path == "/api/v1/namespaces/default/pods/web-1/status")
        #expect(w.type == .strategicMerge)
        #expect(w.body[path: ["metadata", "resourceVersion"]] == "100")
        #expect(w.body.object?.keys.sorted() == ["metadata", "status"])
        #expect(w.body["status"]?.object?.keys.sorted() == ["conditions"])
        let conditions = w.body[path: ["status", "conditions"]]?.array ?? []
        #expect(conditions.count == 1)
        let c = conditions.first ?? .null
        #expect(c["type"] == "InPlaceUpdateReady")
        #expect(c["status"] == "True")
        #expect(c["reason"] == .string(GateConditionPatch.reason))
        #expect(c["message"]?.string?.contains("kubectl-inplace controller c-1") == true)
        #expect(c["lastTransitionTime"] == "2026-11-29T03:05:27Z")
    }
}

@Suite struct GatePreparationTests {
    func deployment(gates: JSONValue? = nil, kind: WorkloadKind = .deployment, strategy: String? = nil) -> Workload {
        var o: JSONValue = [
            "apiVersion": "apps/v1", "kind": .string(kind.rawValue),
            "metadata": ["name": "web", "namespace": "prod", "resourceVersion": "42"],
            "spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx"]]]]],
        ]
        if let gates { o[path: ["spec", "template", "spec", "readinessGates"]] = gates }
        if let strategy { o[path: ["spec", "updateStrategy", "type"]] = .string(strategy) }
        return Workload(kind: kind, object: o)
    }

    @Test func addsTheGateConditionallyKeepingExistingGates() throws {
        let existing: JSONValue = [["conditionType": "example.com/lb-ready"]]
        guard case .prepare(let w, let replacement) = GatePreparation.decide(deployment(gates: existing)) else {
            Issue.record("expected a template change")
            return
        }
        #expect(replacement == .rolling)
        #expect(w.path == "/apis/apps/v1/namespaces/prod/deployments/web")
        #expect(w.type == .strategicMerge)
        #expect(w.body[path: ["metadata", "resourceVersion"]] == "42")
        #expect(w.body[path: ["spec", "template", "spec", "readinessGates"]] == [
            ["conditionType": "example.com/lb-ready"], ["conditionType": "InPlaceUpdateReady"],
        ])
        #expect(w.body[path: ["spec", "template", "spec"]]?.object?.keys.sorted() == ["readinessGates"])
    }

    @Test func alreadyPreparedAndBarePods() {
        #expect(GatePreparation.decide(deployment(gates: [["conditionType": "InPlaceUpdateReady"]])) == .alreadyPrepared)
        let pod = Workload(kind: .pod, object: Fixtures.livePod(gate: false))
        #expect(GatePreparation.decide(pod) == .barePod)
    }

    @Test func onDeleteStrategiesReplaceNothing() {
        if case .prepare(_, let r) = GatePreparation.decide(deployment(kind: .statefulSet, strategy: "OnDelete")) {
            #expect(r == .onDelete)
        } else { Issue.record("expected a template change") }
        if case .prepare(_, let r) = GatePreparation.decide(deployment(kind: .daemonSet, strategy: "OnDelete")) {
            #expect(r == .onDelete)
        } else { Issue.record("expected a template change") }
        if case .prepare(_, let r) = GatePreparation.decide(deployment(kind: .statefulSet, strategy: "RollingUpdate")) {
            #expect(r == .rolling)
        } else { Issue.record("expected a template change") }
    }
}
