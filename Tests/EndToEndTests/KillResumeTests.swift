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
