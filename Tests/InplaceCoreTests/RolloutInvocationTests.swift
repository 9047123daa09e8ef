import Foundation
import JSON
import Synchronization
import Testing
@testable import InplaceCore
import KubeFormats

/// A whole invocation (sequencing, rollback, records, restoring the workload, exit decision) over
/// the in-memory cluster, with the workload rollouts scripted or real.
@Suite struct RolloutInvocationTests {
    static let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")

    /// A Deployment as a failed rollout leaves it: paused, its template on the broken image, the
    /// failed record remembering the original settings and the last complete images.
    static func failedDeployment(paused: Bool = true, phase: RolloutRecord.Phase = .failed) -> JSONValue {
        let record = RolloutRecord(id: "failed1", phase: phase, images: ["app": "nginx:broken"], previousImages: ["app": "nginx:1.25"],
                                   options: [:], startedAt: "t", holder: "a@b pid 1", renewTime: "2020-01-01T00:00:00Z",
                                   previous: ["paused": false], updated: 1, total: 3, message: "web-1: ErrImagePull")
        var template = Fixtures.template
        template[path: ["spec", "containers"]] = .array(template[path: ["spec", "containers"]]!.array!.map {
            var c = $0
            if c["name"] == "app" { c["image"] = "nginx:broken" }
            return c
        })
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "default", "uid": "dep-1", "generation": 3,
                         "annotations": [.init(stringLiteral: InPlace.rolloutAnnotation): .string(record.json.serialized())]],
            "spec": ["replicas": 3, "paused": .bool(paused), "selector": ["matchLabels": ["app": "web"]], "template": template],
            "status": ["observedGeneration": 3],
        ]
    }

    static func planned(_ cluster: GateKeeperTestCluster, images: [(container: String, image: String)]) throws -> PlanBuilder.Planned {
        try PlanBuilder(cluster: cluster, options: PlanOptions()).plan(DesiredWorkload(ref: ref, source: .images(images)))
    }

    @Test("item 1 and 3: undo with every pod already back hands a Deployment a failed rollout left paused back, with its original settings")
    func undoRestoresTheOriginalSettings() throws {
        let cluster = GateKeeperTestCluster()
        cluster.put(Self.ref.path, Self.failedDeployment())
        let planned = try Self.planned(cluster, images: [("app", "nginx:1.25")])
        #expect(planned.plan.count(.update) == 0)
        let invocation = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "k", timeout: 0)
        let result = invocation.run([.init(planned: planned, settings: RolloutSettings())])
        #expect(result.exitCode == 0, "\(result)")
        let deployment = try #require(cluster.object(Self.ref.path))
        #expect(deployment[path: ["spec", "paused"]] == false, "handed back to its controller")
        #expect(deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "nginx:1.25")
        let record = try #require(RolloutRecord(workload: deployment))
        #expect(record.phase == .complete)
        #expect(record.previous == ["paused": false], "the original settings, never the prepared ones")
        #expect(record.previousImages == ["app": "nginx:1.25"], "the last complete images, never the failed ones")
    }

    @Test("item 1: a new rollout after a failed one records the original settings, not the prepared state")
    func newRolloutCarriesTheOriginalSettings() throws {
        let cluster = GateKeeperTestCluster()
        cluster.put(Self.ref.path, Self.failedDeployment())
        let workload = Workload(kind: .deployment, object: Self.failedDeployment())
        func record(_ workload: Workload) -> RolloutRecord {
            let plan = WorkloadPlan(ref: Self.ref, pods: [PodPlan(name: "web-1", action: .update,
                changes: [ImageChange(container: "app", from: "nginx:broken", to: "nginx:1.27")])], maxUnavailable: 1)
            return WorkloadRollout(cluster: cluster, workload: workload, template: Fixtures.template, plan: plan,
                                   settings: RolloutSettings(), rolloutID: "new1", holder: "h", observer: Recorder(),
                                   supersedes: RolloutRecord(workload: workload.object)).initialRecord()
        }
        let carried = record(workload)
        #expect(carried.previous == ["paused": false])
        #expect(carried.previousImages == ["app": "nginx:1.25"])
        // Someone unpaused the Deployment since: what it shows now is the truth.
        let unpaused = record(Workload(kind: .deployment, object: Self.failedDeployment(paused: false)))
        #expect(unpaused.previous == .emptyObject)
        #expect(unpaused.previousImages == ["app": "nginx:1.25"], "the failed rollout's images are never an undo target")
        // After a complete rollout, the pods' images are the last complete ones.
        let afterComplete = record(Workload(kind: .deployment, object: Self.failedDeployment(paused: false, phase: .complete)))
        #expect(afterComplete.previousImages == ["app": "nginx:broken"])
    }

    @Test("item 3: a failed rollout rolls back to the last complete images; the rollback's record says so and keeps them")
    func rollbackTargetsTheLastCompleteImages() throws {
        let cluster = GateKeeperTestCluster()
        var live = Self.failedDeployment()
        live[path: ["metadata", "annotations"]] = .emptyObject
        cluster.put(Self.ref.path, live)
        let runs = Mutex<[RolloutInvocation.Run]>([])
        var invocation = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "k", timeout: 0)
        invocation.runner = { run in
            runs.withLock { $0.append(run) }
            if run.rollbackOf == nil {
                cluster.mutate(Self.ref.path) { $0 = Self.failedDeployment() }
                return RolloutOutcome(result: .failed, updated: 1, failed: ["web-1"], message: "web-1: ErrImagePull")
            }
            return RolloutOutcome(result: .complete, updated: 2)
        }
        invocation.planner = { target, options in
            guard case .images(let images) = target.source else { throw RolloutError.precondition("not images") }
            #expect(images.map(\.image) == ["nginx:1.25"])
            #expect(options.partition == .count(0))
            return try Self.planned(cluster, images: images)
        }
        var settings = RolloutSettings()
        settings.rollbackOnFailure = true
        let result = invocation.run([.init(planned: try Self.planned(cluster, images: [("app", "nginx:broken")]), settings: settings)])
        #expect(result.exitCode == 1)
        let all = runs.withLock { $0 }
        #expect(all.count == 2)
        let back = try #require(all.last)
        #expect(back.rollbackOf == "web-1: ErrImagePull")
        #expect(back.supersedes?.id == "failed1")
        #expect(!back.settings.rollbackOnFailure)
        let record = WorkloadRollout(cluster: cluster, workload: back.workload, template: back.template, plan: back.plan,
                                     settings: back.settings, rolloutID: back.rolloutID, holder: "h", observer: Recorder(),
                                     rollbackOf: back.rollbackOf, supersedes: back.supersedes).initialRecord()
        #expect(record.rollbackOf == "failed1")
        #expect(record.previousImages == ["app": "nginx:1.25"], "a later undo has nothing to return to but the last complete images")
        #expect(record.previous == ["paused": false])
        #expect(result.nextSteps.first?.contains("back on the images of the last complete rollout") == true, "\(result.nextSteps)")
    }

    @Test("item 6: a failed rollout ends with what to do next: resume after fixing, or undo")
    func failureNamesTheNextSteps() throws {
        let cluster = GateKeeperTestCluster()
        cluster.put(Self.ref.path, Self.failedDeployment())
        var invocation = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "kubectl inplace", timeout: 0)
        invocation.runner = { _ in RolloutOutcome(result: .failed, failed: ["web-1"], message: "web-1: ServerUnavailable") }
        let result = invocation.run([.init(planned: try Self.planned(cluster, images: [("app", "nginx:1.27")]), settings: RolloutSettings())])
        #expect(result.exitCode == 1)
        let step = try #require(result.nextSteps.first)
        #expect(step.contains("kubectl inplace resume deployment/web") && step.contains("kubectl inplace undo deployment/web"), "\(step)")
    }

    @Test("item 6: --timeout bounds the whole invocation: each workload gets what is left; the rest is not started (exit 3)")
    func deadlineBoundsEveryWorkload() throws {
        let cluster = GateKeeperTestCluster()
        cluster.put(Self.ref.path, Self.failedDeployment(paused: false, phase: .complete))
        let clock = ManualClock()
        let given = Mutex<[Double]>([])
        var invocation = RolloutInvocation(cluster: cluster, clock: clock, observer: Recorder(), program: "k", timeout: 10)
        invocation.concurrency = 1
        invocation.runner = { run in
            given.withLock { $0.append(run.settings.timeout) }
            clock.advance(6)
            return RolloutOutcome(result: .complete)
        }
        let target = RolloutInvocation.Target(planned: try Self.planned(cluster, images: [("app", "nginx:1.27")]), settings: RolloutSettings())
        let result = invocation.run([target, target, target])
        #expect(given.withLock { $0 } == [10, 4])
        #expect(result.deadlineReached)
        #expect(result.notStarted.count == 1)
        #expect(result.exitCode == 3)

        var unlimited = invocation
        unlimited = RolloutInvocation(cluster: cluster, clock: clock, observer: Recorder(), program: "k", timeout: 0)
        unlimited.runner = invocation.runner
        unlimited.concurrency = 1
        given.withLock { $0 = [] }
        let all = unlimited.run([target, target, target])
        #expect(given.withLock { $0 } == [0, 0, 0], "0 means no limit")
        #expect(all.exitCode == 0)
    }

    @Test("item 6: a write that still fails after the client's retry budget fails the rollout (exit 1), instead of being retried until --timeout")
    func serverFailureAfterRetriesFailsTheRollout() throws {
        let cluster = GateKeeperTestCluster()
        var deployment = Self.failedDeployment(paused: false)
        deployment[path: ["metadata", "annotations"]] = .emptyObject
        deployment[path: ["spec", "replicas"]] = 1
        cluster.put(Self.ref.path, deployment)
        cluster.put(pod: Fixtures.livePod(name: "web-1"))
        cluster.failNext("PATCH", "/api/v1/namespaces/default/pods/web-1/status", ClusterOperationError(.transient, "503 ServiceUnavailable"))
        let plan = WorkloadPlan(ref: Self.ref, pods: [PodPlan(name: "web-1", action: .update,
            changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27")])], maxUnavailable: 1)
        let planned = PlanBuilder.Planned(workload: Workload(kind: .deployment, object: try cluster.get(Self.ref.path)),
                                          desiredTemplate: Fixtures.template, plan: plan)
        var settings = RolloutSettings(gracePeriod: 0, timeout: 30)
        settings.drainCap = 0
        let started = Date()
        let result = RolloutInvocation(cluster: cluster, observer: Recorder(), program: "k", timeout: 30)
            .run([.init(planned: planned, settings: settings)])
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.exitCode == 1, "\(result)")
        #expect(result.entries.first?.outcome.failed == ["web-1"])
        #expect(result.entries.first?.outcome.message?.contains("kept failing after retries") == true, "\(result)")
        let record = try #require(RolloutRecord(workload: try cluster.get(Self.ref.path)))
        #expect(record.phase == .failed)
        #expect(result.nextSteps.first?.contains("k resume deployment/web") == true)
    }

    @Test("item 6: with several workloads the most severe result decides: 5, then 1, 3, 4, 0")
    func mostSevereWins() {
        func code(_ results: [RolloutOutcome.Result], deadline: Bool = false) -> Int32 {
            InvocationResult(entries: results.map { .init(ref: Self.ref, outcome: RolloutOutcome(result: $0)) }, deadlineReached: deadline).exitCode
        }
        #expect(code([.failed, .conflict]) == 5)
        #expect(code([.timedOut, .failed]) == 1)
        #expect(code([.paused, .timedOut]) == 3)
        #expect(code([.complete, .paused]) == 4)
        #expect(code([.complete], deadline: true) == 3)
        #expect(code([.complete, .complete]) == 0)
    }

    @Test("item 5: durations are recorded exactly, in Go's form, and read back the same")
    func durationsRecordedExactly() {
        #expect(GoDuration.format(1.25) == "1.25s")
        #expect(GoDuration.format(600) == "10m0s")
        #expect(GoDuration.format(0.1) == "100ms")
        #expect(GoDuration.format(3723.5) == "1h2m3.5s")
        #expect(GoDuration.format(0) == "0s")
        for s in [1.25, 0.1, 0.001, 90, 3723.5, 0.0000015] { #expect(GoDuration.seconds(GoDuration.format(s)) == s, "\(s)") }
        let plan = WorkloadPlan(ref: Self.ref, pods: [], maxUnavailable: 1)
        let record = WorkloadRollout(cluster: GateKeeperTestCluster(), workload: Workload(kind: .deployment, object: Self.failedDeployment()),
                                     template: Fixtures.template, plan: plan,
                                     settings: RolloutSettings(gracePeriod: 1.25, timeout: 3, podTimeout: 90), rolloutID: "r",
                                     holder: "h", observer: Recorder()).initialRecord()
        #expect(record.options["gracePeriod"] == "1.25s")
        #expect(record.options["podTimeout"] == "1m30s")
        #expect(record.options["timeout"] == nil, "the deadline belongs to each invocation, never inherited by resume")
    }

    @Test("item 3: status after a rollback shows the pods rolled back, not updated")
    func statusShowsARollback() {
        let record = RolloutRecord(id: "back1", phase: .failed, images: ["app": "nginx:1.25"], previousImages: ["app": "nginx:1.25"],
                                   options: [:], startedAt: "t", holder: "h", renewTime: "t", message: "rolled back", rollbackOf: "failed1")
        let pods = (1...3).map { Pod(Fixtures.livePod(name: "web-\($0)", appImage: "nginx:1.25")) }
        let s = RolloutStatus(ref: Self.ref, record: record, pods: pods, holderLive: false)
        #expect(s.updated == 0)
        #expect(s.rolledBack == 3)
        #expect(s.json["rollbackOf"] == "failed1")
        #expect(s.exitCode == 1)
    }
}

/// Keeps the events a rollout reports.
final class Recorder: RolloutObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var list: [RolloutEvent] = []
    func handle(_ event: RolloutEvent) { lock.withLock { list.append(event) } }
    var events: [RolloutEvent] { lock.withLock { list } }
}
