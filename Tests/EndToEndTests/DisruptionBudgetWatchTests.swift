import Foundation
import JSON
import KubeSim
import Testing

/// Issue 11, PodDisruptionBudgets, watched: a budget changed or deleted mid-rollout, and a pod of
/// another Deployment that a budget selects going unready and back, change what the window allows
/// from the rollout's next decision on. Through the built binary; the Ready counts come from
/// KubeSim's transition log.
@Suite("rollout: PodDisruptionBudgets watched while the rollout runs")
struct DisruptionBudgetWatchTests {
    static let web = "Deployment/web"
    static let api = "Deployment/api"

    /// Deployment web (6) and, with `api`, Deployment api (2), both with the kubelet's small latencies.
    static func scenario(api: Bool) -> Scenario {
        RolloutScenario.make([Workloads.deployment(replicas: 6)] + (api ? [Workloads.deployment("api", replicas: 2)] : []),
                             latencies: RolloutScenario.restartLatencies)
    }

    /// Deployment web as the end-state comparison names it, in `scenario(api:)`.
    static func subject(api: Bool) -> ChainSubject {
        ChainSubject(name: "Deployment", resource: Resources.deployments, target: "deployment/web", objectName: "web", prefix: "web-",
                     container: "app", oldImage: "nginx:1.25", newImage: "nginx:1.27", brokenImage: "nginx:1.27-broken", replicas: 6,
                     scenario: { Self.scenario(api: api) })
    }

    /// Budget `name` with `minAvailable` over the pods whose `app` label is one of `apps`.
    static func budget(_ name: String, minAvailable: Int, apps: [String]) -> JSONValue {
        [
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "minAvailable": .int(minAvailable),
                "selector": ["matchExpressions": [["key": "app", "operator": "In", "values": .array(apps.map(JSONValue.string))]]],
            ],
        ]
    }

    static func cluster(api: Bool, budget: JSONValue) throws -> TestCluster {
        let c = try TestCluster(scenario(api: api))
        c.settle()
        _ = c.server.client.create(Resources.podDisruptionBudgets, namespace: "default", budget)
        c.settle()
        return c
    }

    static let rollout = ["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "3", "--grace-period", "500ms",
                          "--timeout", "60s"]

    /// Sets the readiness gate of `pod` (another Deployment's): False makes it unready, as a failing
    /// readiness check would.
    static func setReady(_ c: TestCluster, _ pod: String, _ ready: Bool) {
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: pod, subresource: "status",
                                  patch: ["status": ["conditions": [["type": "InPlaceUpdateReady", "status": ready ? "True" : "False"]]]])
    }

    /// The web pods on the new image.
    static func updated(_ c: TestCluster) -> Int { c.facts(prefix: "web-").values.filter { $0.images["app"] == "nginx:1.27" }.count }

    /// Waits until every web pod the rollout took out of service so far (its gate-off write sent;
    /// a write still on its way has a moment to arrive) is updated and Ready again: from then on
    /// every pod out was started under what the rollout saw last. False when they do not come back.
    static func startedPodsBack(_ c: TestCluster) -> Bool {
        Thread.sleep(forTimeInterval: 0.3)
        let started = Set(PodWrite.of(c.ourWrites).filter { $0.kind == .gateOff }.map(\.pod))
        return Eventually.wait(20) {
            let facts = c.facts(prefix: "web-")
            return started.allSatisfy { facts[$0]?.ready == true && facts[$0]?.images["app"] == "nginx:1.27" }
        }
    }

    /// The least Ready pods of `workloads` together in the transitions from `from` to `to`, counted
    /// from the first moment they were `floor` or more again (the pods in flight when the cluster
    /// changed came back): nil when they never were.
    static func leastReadyOnceBack(_ c: TestCluster, _ workloads: Set<String>, floor: Int, from: Int, to: Int? = nil) -> Int? {
        let series = c.server.cluster.transitions.readySeries(workloads: workloads, from: from, to: to)
        guard let back = series.firstIndex(where: { $0 >= floor }) else { return nil }
        return series[back...].min()
    }

    /// Once the pods taken out before the rollout saw the budget of 5 are back: web's Ready pods
    /// never fall below 5, pods are still left to update, and the rollout ends as a clean one.
    static func expectFloorOfFiveToTheEnd(_ c: TestCluster, _ run: BackgroundRun, expected: WorkloadEndState) {
        #expect(Self.startedPodsBack(c), "\(run.stderr)")
        let mark = c.server.cluster.transitions.count
        let before = Self.updated(c)
        #expect(run.waitExit(timeout: 60) == 0, "\(run.stderr)")
        #expect(before < 6, "pods were left to update under the new budget")
        let least = Self.leastReadyOnceBack(c, [Self.web], floor: 5, from: mark)
        #expect(least != nil && least! >= 5, "\(least.map(String.init) ?? "never back to 5")")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, Self.subject(api: false))
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
    }

    @Test("11 PDB watch: minAvailable 4 over 6 pods patched to 5 mid-rollout (--max-unavailable 3): from then on Ready pods never below 5; the rollout completes as a clean one")
    func budgetTightened() throws {
        let expected = try WorkloadEndState.clean(Self.subject(api: false), [Self.rollout])
        let c = try Self.cluster(api: false, budget: Self.budget("web", minAvailable: 4, apps: ["web"]))
        defer { c.stop() }
        let run = try c.start(Self.rollout)
        defer { run.cleanUp() }
        #expect(run.waitForLog("PodDisruptionBudget web (minAvailable 4) holds the window", timeout: 20), "\(run.stderr)")
        _ = c.server.client.patch(Resources.podDisruptionBudgets, namespace: "default", name: "web", patch: ["spec": ["minAvailable": 5]])
        #expect(run.waitForLog("PodDisruptionBudget web (minAvailable 5) holds the window", timeout: 10), "\(run.stderr)")
        Self.expectFloorOfFiveToTheEnd(c, run, expected: expected)
    }

    @Test("11 PDB watch: a budget created mid-rollout (minAvailable 5 over 6, --max-unavailable 3) bounds the window from then on; the rollout completes as a clean one")
    func budgetCreated() throws {
        let expected = try WorkloadEndState.clean(Self.subject(api: false), [Self.rollout])
        let c = try TestCluster(Self.scenario(api: false))
        defer { c.stop() }
        c.settle()
        let run = try c.start(Self.rollout)
        defer { run.cleanUp() }
        #expect(Eventually.wait(20) { c.facts(prefix: "web-").values.filter { !$0.ready }.count == 3 }, "\(run.stderr)")
        _ = c.server.client.create(Resources.podDisruptionBudgets, namespace: "default", Self.budget("web", minAvailable: 5, apps: ["web"]))
        #expect(run.waitForLog("PodDisruptionBudget web (minAvailable 5) holds the window", timeout: 10), "\(run.stderr)")
        Self.expectFloorOfFiveToTheEnd(c, run, expected: expected)
    }

    /// Starts the rollout under the budget `front`, waits until it holds the window and the web pod
    /// it let go is out of service, takes an api pod out of Ready and lets 3 s pass: the run, that pod, the transition count when it went unready
    /// and the pods updated by then.
    static func holdOnUnreadyAPIPod(_ c: TestCluster) throws -> (run: BackgroundRun, apiPod: String, failed: Int, heldAt: Int) {
        let apiPod = try #require(c.podNames(prefix: "api-").first)
        let run = try c.start(Self.rollout)
        #expect(run.waitForLog("PodDisruptionBudget front (minAvailable 7) holds the window", timeout: 20), "\(run.stderr)")
        // The window is held once the pod it let go is decided on; wait until that pod has left
        // service, so the floor is counted from a cluster whose pods in flight are all out.
        #expect(Eventually.wait(5) { c.facts(prefix: "web-").values.contains { !$0.ready } }, "\(run.stderr)")
        Self.setReady(c, apiPod, false)
        #expect(Eventually.wait(5) { c.facts(prefix: "api-")[apiPod]?.ready == false })
        let failed = c.server.cluster.transitions.count
        Thread.sleep(forTimeInterval: 3)
        return (run, apiPod, failed, Self.updated(c))
    }

    @Test("11 PDB watch: a budget over web and 2 api pods (minAvailable 7 of 8); an api pod unready mid-rollout holds the window (web + api Ready never below 7), its recovery lets the rollout complete")
    func otherPodUnready() throws {
        let expected = try WorkloadEndState.clean(Self.subject(api: true), [Self.rollout])
        let c = try Self.cluster(api: true, budget: Self.budget("front", minAvailable: 7, apps: ["web", "api"]))
        defer { c.stop() }
        let (run, apiPod, failed, heldAt) = try Self.holdOnUnreadyAPIPod(c)
        defer { run.cleanUp() }
        let recovered = c.server.cluster.transitions.count
        Self.setReady(c, apiPod, true)
        #expect(run.waitExit(timeout: 60) == 0, "\(run.stderr)")
        #expect(heldAt < 6, "the window was held while the api pod was unready (\(heldAt) updated)")
        let least = Self.leastReadyOnceBack(c, [Self.web, Self.api], floor: 7, from: failed, to: recovered)
        #expect(least != nil && least! >= 7, "\(least.map(String.init) ?? "never back to 7")")
        #expect(Self.updated(c) == 6)
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, Self.subject(api: true))
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
    }

    @Test("11 PDB watch: a budget that holds the window (an api pod it selects unready) deleted mid-rollout releases it: the window of 3 goes on while the api pod stays unready")
    func budgetDeleted() throws {
        let expected = try WorkloadEndState.clean(Self.subject(api: true), [Self.rollout])
        let c = try Self.cluster(api: true, budget: Self.budget("front", minAvailable: 7, apps: ["web", "api"]))
        defer { c.stop() }
        let (run, apiPod, failed, heldAt) = try Self.holdOnUnreadyAPIPod(c)
        defer { run.cleanUp() }
        let deleted = c.server.cluster.transitions.count
        _ = c.server.client.delete(Resources.podDisruptionBudgets, namespace: "default", name: "front")
        #expect(run.waitExit(timeout: 60) == 0, "\(run.stderr)")
        #expect(heldAt < 6, "the window was held while the budget existed (\(heldAt) updated)")
        let least = Self.leastReadyOnceBack(c, [Self.web, Self.api], floor: 7, from: failed, to: deleted)
        #expect(least != nil && least! >= 7, "\(least.map(String.init) ?? "never back to 7")")
        let afterDelete = c.server.cluster.transitions.readySeries(workloads: [Self.web], from: deleted).min() ?? 6
        #expect(afterDelete <= 4, "the window of 3 was used once the budget was gone (web Ready fell to \(afterDelete))")
        #expect(c.facts(prefix: "api-")[apiPod]?.ready == false, "the api pod stayed unready: the deletion released the window")
        #expect(Self.updated(c) == 6)
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, Self.subject(api: true))
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
    }
}

extension TransitionLog {
    /// The Ready pods of `workloads` together: at entry `from`, then after each of their transitions
    /// up to entry `to` (pods count from their creation, or the simulation's start, until deleted).
    func readySeries(workloads: Set<String>, from: Int, to: Int? = nil) -> [Int] {
        var ready = Set<String>()
        var series: [Int] = []
        for (i, e) in entries.enumerated() {
            if let to, i >= to { break }
            guard workloads.contains(e.workload) else {
                if i == from { series.append(ready.count) }
                continue
            }
            switch e.kind {
            case .observed(let r), .created(let r), .ready(let r):
                if r { ready.insert(e.uid) } else { ready.remove(e.uid) }
            case .deleted:
                ready.remove(e.uid)
            default:
                break
            }
            if i >= from { series.append(ready.count) }
        }
        return series
    }
}
