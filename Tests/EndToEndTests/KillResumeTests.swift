import Foundation
import JSON
import KubeSim
import Testing

/// Issue 4's acceptance item 3: `kill -9` at 20 moments spread over the sequence (after each of the
/// first writes: the workload's, each pod's record, gate, image and gate again; and during the
/// waits between them), each followed by `resume`, ends exactly where an uninterrupted rollout
/// ends, with no container restarted twice for the same change.
@Suite("durable rollouts: kill -9 at any moment, then resume")
struct KillResumeTests {
    static let rolloutArgs = ["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "2", "--grace-period", "100ms"]

    static func makeCluster() throws -> TestCluster {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)]))
        c.settle()
        return c
    }

    /// What must be the same after any interrupted-and-resumed rollout as after an uninterrupted one.
    struct EndState: Equatable, CustomStringConvertible {
        var pods: [String]
        var deploymentSpec: JSONValue
        var recordPhase: JSONValue?
        var recordImages: JSONValue?
        var recordPreviousImages: JSONValue?
        var replicaSets: [String]
        var statusUpdated: JSONValue?

        var description: String {
            "pods:\n  " + pods.joined(separator: "\n  ") + "\ndeployment.spec: \(deploymentSpec.serialized())\nrecord: \(recordPhase?.serialized() ?? "-") \(recordImages?.serialized() ?? "-") \(recordPreviousImages?.serialized() ?? "-")\nreplicaSets:\n  " + replicaSets.joined(separator: "\n  ") + "\nstatus updated: \(statusUpdated?.serialized() ?? "-")"
        }

        init(_ c: TestCluster) throws {
            pods = c.facts(prefix: "web-").values.map { p in
                "\(p.name) images=\(p.images.sorted { $0.key < $1.key }) gate=\(p.gate ?? "-") ready=\(p.ready) labels=\(p.labels.sorted { $0.key < $1.key }) recorded=\(p.hasStateAnnotation) restarts=\(p.restartCounts.sorted { $0.key < $1.key })"
            }.sorted()
            var spec = c.object(Resources.deployments, "web")?["spec"] ?? .null
            if spec["paused"] == false { spec["paused"] = nil }
            deploymentSpec = spec
            let record = c.record(Resources.deployments, "web")
            recordPhase = record?["phase"]
            recordImages = record?["images"]
            recordPreviousImages = record?["previousImages"]
            replicaSets = c.replicaSets(of: "web").map { name, rs in
                "\(name) replicas=\(rs[path: ["spec", "replicas"]]?.serialized() ?? "-") template=\(rs[path: ["spec", "template"]]?.serialized() ?? "-")"
            }.sorted()
            statusUpdated = try c.statusJSON("deployment/web").first?["updated"]
        }
    }

    /// The end state of the same rollout, not interrupted, on an identical cluster.
    static let reference: Result<EndState, any Error> = Result {
        let c = try makeCluster()
        defer { c.stop() }
        let r = try c.run(rolloutArgs)
        guard r.status == 0 else { throw E2EError.failedRun(r) }
        c.settle(thenWait: 0.3)
        return try EndState(c)
    }

    /// When the kill lands: as soon as the binary's Nth write was answered, plus a delay (to land
    /// in the waits: draining, restarting, becoming ready).
    struct Moment: Sendable, CustomTestStringConvertible {
        var write: Int
        var delay: Double = 0
        var testDescription: String { delay == 0 ? "after write \(write)" : "\(Int(delay * 1000)) ms after write \(write)" }
    }

    static let moments: [Moment] = (1...17).map { Moment(write: $0) }
        + [Moment(write: 2, delay: 0.02), Moment(write: 6, delay: 0.05), Moment(write: 12, delay: 0.05)]

    @Test("kill -9, then resume: the same end state as an uninterrupted rollout, no container restarted twice", arguments: moments)
    func killThenResume(_ moment: Moment) throws {
        let expected = try Self.reference.get()
        let c = try Self.makeCluster()
        defer { c.stop() }
        let before = c.facts(prefix: "web-")
        let run = try c.start(Self.rolloutArgs)
        defer { run.cleanUp() }
        let deadline = Date().addingTimeInterval(20)
        while c.server.requestLog.writes.count < moment.write && run.process.isRunning && Date() < deadline { usleep(500) }
        let reached = c.server.requestLog.writes.count >= moment.write
        if moment.delay > 0 { usleep(UInt32(moment.delay * 1_000_000)) }
        run.signal(SIGKILL)
        #expect(reached)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL, "killed mid-rollout: \(run.stderr)")
        let writesAtKill = c.ourWrites.count

        let resume = try c.run(["resume", "deployment/web"], timeout: 60)
        #expect(resume.status == 0, "after \(writesAtKill) writes: \(resume)")
        c.settle(thenWait: 0.3)
        let state = try EndState(c)
        #expect(state == expected, "after \(writesAtKill) writes:\n\(state)\n--- expected\n\(expected)\n--- resume\n\(resume.stderr)")
        let log = c.server.cluster.transitions
        for (name, b) in before {
            #expect(c.facts(prefix: "web-")[name]?.uid == b.uid, "\(name) kept")
            #expect(log.kills(container: "app", pod: name) == 1, "\(name): app restarted once (\(log.kills(container: "app", pod: name)))")
            #expect(log.kills(container: "sidecar", pod: name) == 0)
        }
        #expect(!log.wasAnyPodDeleted() && log.createdPods().isEmpty)
    }
}

/// The same for a StatefulSet and a DaemonSet: after kill -9 and resume, the strategy is restored and
/// the pods carry the revision their controller expects, exactly as after an uninterrupted rollout.
@Suite("durable rollouts: kill -9 of a StatefulSet or DaemonSet rollout, then resume")
struct KillResumeRevisionedTests {
    /// A workload kind under test: its scenario, rollout arguments and pod prefix.
    struct Kind: Sendable {
        var name: String
        var resource: ResourceType
        var target: String
        var prefix: String
        var args: [String]
        var scenario: @Sendable () -> Scenario
    }

    static let statefulSet = Kind(
        name: "StatefulSet", resource: Resources.statefulSets, target: "sts/db", prefix: "db-",
        args: ["set", "image", "sts/db", "postgres=postgres:16.3", "--grace-period", "100ms"],
        scenario: {
            var db = Workloads.statefulSet(replicas: 3)
            db[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]
            return RolloutScenario.make([db])
        })
    static let daemonSet = Kind(
        name: "DaemonSet", resource: Resources.daemonSets, target: "ds/agent", prefix: "agent-",
        args: ["set", "image", "ds/agent", "agent=fluent/fluent-bit:3.1", "--grace-period", "100ms"],
        scenario: { RolloutScenario.make([Workloads.daemonSet()], nodeCount: 3) })

    /// Pods, the workload's spec, its record and update revision.
    static func endState(_ c: TestCluster, _ kind: Kind) -> String {
        let pods = c.facts(prefix: kind.prefix).values.map { p in
            "\(p.name) images=\(p.images.sorted { $0.key < $1.key }) gate=\(p.gate ?? "-") ready=\(p.ready) labels=\(p.labels.sorted { $0.key < $1.key }) restarts=\(p.restartCounts.sorted { $0.key < $1.key })"
        }.sorted()
        let object = c.object(kind.resource, kind.target.split(separator: "/").last.map(String.init) ?? "")
        let record = c.record(kind.resource, kind.target.split(separator: "/").last.map(String.init) ?? "")
        return pods.joined(separator: "\n") + "\nspec: \(object?["spec"]?.serialized() ?? "-")"
            + "\nupdateRevision: \(object?[path: ["status", "updateRevision"]]?.serialized() ?? "-")"
            + "\nrecord: \(record?["phase"]?.serialized() ?? "-") \(record?["images"]?.serialized() ?? "-")"
    }

    static func reference(_ kind: Kind) throws -> String {
        let c = try TestCluster(kind.scenario())
        defer { c.stop() }
        c.settle()
        let r = try c.run(kind.args)
        guard r.status == 0 else { throw E2EError.failedRun(r) }
        c.settle(thenWait: 0.3)
        return endState(c, kind)
    }

    static let references: Result<[String: String], any Error> = Result {
        ["StatefulSet": try reference(statefulSet), "DaemonSet": try reference(daemonSet)]
    }

    /// A kind and the write after which the kill lands.
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: Kind
        var write: Int
        var testDescription: String { "\(kind.name), after write \(write)" }
    }

    static let cases: [Case] = [statefulSet, daemonSet].flatMap { k in [1, 4, 7, 11].map { Case(kind: k, write: $0) } }

    @Test("kill -9, then resume: strategy restored, revision labels, the same end state as uninterrupted", arguments: cases)
    func killThenResume(_ test: Case) throws {
        let expected = try #require(try Self.references.get()[test.kind.name])
        let c = try TestCluster(test.kind.scenario())
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: test.kind.prefix)
        let run = try c.start(test.kind.args)
        defer { run.cleanUp() }
        let deadline = Date().addingTimeInterval(20)
        while c.server.requestLog.writes.count < test.write && run.process.isRunning && Date() < deadline { usleep(500) }
        run.signal(SIGKILL)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL, "killed mid-rollout: \(run.stderr)")
        let resume = try c.run(["resume", test.kind.target], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        c.settle(thenWait: 0.3)
        #expect(Self.endState(c, test.kind) == expected, "--- resume\n\(resume.stderr)")
        for (name, b) in before {
            #expect(c.facts(prefix: test.kind.prefix)[name]?.uid == b.uid, "\(name) kept")
        }
        #expect(!c.server.cluster.transitions.wasAnyPodDeleted())
        let container = test.kind.name == "StatefulSet" ? "postgres" : "agent"
        for name in before.keys { #expect(c.server.cluster.transitions.kills(container: container, pod: name) == 1, "\(name)") }
    }
}
