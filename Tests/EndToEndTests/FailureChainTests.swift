import Foundation
import JSON
import KubeSim
import Testing

/// Issue 9: the paths a rollout tool exists for (a bad image, a retry, an undo, a timeout, a kill)
/// leave the workload exactly as clean rollouts to the same images leave it: whole spec (paused,
/// strategy, template, replicas), ReplicaSets or ControllerRevisions, and pods.
@Suite("failure chains end where clean rollouts end")
struct FailureChainTests {
    /// Clean end states, per subject: rolled to the new images, and rolled there and undone.
    static let references: Result<[String: (rolled: WorkloadEndState, undone: WorkloadEndState)], any Error> = Result {
        var out: [String: (rolled: WorkloadEndState, undone: WorkloadEndState)] = [:]
        for s in ChainSubject.all {
            let rolled = try WorkloadEndState.clean(s, [s.setImage(s.newImage)])
            let undone = try WorkloadEndState.clean(s, [s.setImage(s.newImage), ["undo", s.target, "--grace-period", "100ms"]])
            out[s.name] = (rolled, undone)
        }
        return out
    }

    static func cluster(_ s: ChainSubject) throws -> TestCluster {
        let c = try TestCluster(s.scenario())
        c.settle()
        return c
    }

    static func record(_ c: TestCluster, _ s: ChainSubject) -> JSONValue? { c.record(s.resource, s.objectName) }

    /// The workload's settings before any rollout (what every record must keep as `previous`).
    static func originalSettings(_ s: ChainSubject) -> JSONValue {
        s.resource == Resources.deployments ? ["paused": false] : ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]]
    }

    @Test("fail, then a fixed rollout: the clean end state; the record keeps the original settings and the last complete images",
          arguments: ChainSubject.all)
    func failThenFixed(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name]).rolled
        let c = try Self.cluster(s)
        defer { c.stop() }
        let failed = try c.run(s.setImage(s.brokenImage), timeout: 60)
        #expect(failed.status == 1, "\(failed)")
        let fixed = try c.run(s.setImage(s.newImage), timeout: 60)
        #expect(fixed.status == 0, "\(fixed)")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
        let record = Self.record(c, s)
        #expect(record?["phase"] == "complete")
        #expect(record?["previous"] == Self.originalSettings(s), "never the prepared settings: \(record?.serialized() ?? "-")")
        #expect(record?["previousImages"] == .object(JSONObject([(s.container, .string(s.oldImage))])),
                "undo returns to the last complete images, never the failed ones")
    }

    @Test("12: every pod write's answer held 2 s after the write is stored and watched: the rollout goes on from the watch, ends at the clean end state sooner than answers waited for one by one allow, and so does undo",
          arguments: ChainSubject.all)
    func answersSlowerThanTheWatch(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name])
        let c = try Self.cluster(s)
        defer { c.stop() }
        let podWrites = "/api/v1/namespaces/default/pods/*"
        c.server.faults.holdAnswersNext(1000, method: "PATCH", path: podWrites, seconds: 2)
        for (args, end) in [(s.setImage(s.newImage), expected.rolled), (["undo", s.target, "--grace-period", "100ms"], expected.undone)] {
            c.server.requestLog.clear()
            let r = try c.run(args, timeout: 90)
            #expect(r.status == 0, "\(r)")
            let held = c.server.requestLog.matching(method: "PATCH", path: podWrites).count
            #expect(held >= 2 * s.replicas, "\(held) pod writes")
            // Pods go one at a time: waiting for each answer would take 2 s per write.
            #expect(r.seconds < Double(held) * 2 * 0.6, "\(args): \(r.seconds)s for \(held) writes whose answers took 2 s")
            c.settle(thenWait: 0.3)
            let state = WorkloadEndState(c, s)
            #expect(state == end, "\(args)\n\(state)\n--- clean\n\(end)")
        }
    }

    @Test("fail with --on-failure rollback, then undo: status shows the rollback; undo has nothing to do (exit 0, no restart); the clean end state",
          arguments: ChainSubject.all)
    func rollbackThenUndo(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name]).undone
        let c = try Self.cluster(s)
        defer { c.stop() }
        let failed = try c.run(s.setImage(s.brokenImage, ["--on-failure", "rollback"]), timeout: 60)
        #expect(failed.status == 1, "\(failed)")
        c.settle(thenWait: 0.3)
        let status = try #require(try c.statusJSON(s.target).first)
        #expect(status["updated"] == 0 && status["rolledBack"] == .int(s.replicas) && status["rollbackOf"] != nil,
                "status shows the pods rolled back: \(status.serialized())")
        let text = try c.run(["status", s.target])
        #expect(text.stdout.contains("rolled back") && !text.stdout.contains("updated"), "\(text)")
        let killsBefore = c.server.cluster.transitions.kills(container: s.container)
        let undo = try c.run(["undo", s.target, "--grace-period", "100ms"], timeout: 60)
        #expect(undo.status == 0 && undo.stderr.contains("nothing to undo"), "\(undo)")
        #expect(c.server.cluster.transitions.kills(container: s.container) == killsBefore, "undo restarted nothing")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
        #expect(c.facts(prefix: s.prefix).values.allSatisfy { $0.images[s.container] == s.oldImage })
    }

    @Test("undo with no rollout recorded: says there is nothing to undo, exit 0, writes nothing")
    func undoWithNothingRecorded() throws {
        let c = try Self.cluster(.deployment)
        defer { c.stop() }
        let undo = try c.run(["undo", "deployment/web"])
        #expect(undo.status == 0 && undo.stderr.contains("nothing to undo"), "\(undo)")
        #expect(c.ourWrites.isEmpty)
    }

    @Test("fail, then undo: back on the old images, the clean end state", arguments: ChainSubject.all)
    func failThenUndo(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name]).undone
        let c = try Self.cluster(s)
        defer { c.stop() }
        let failed = try c.run(s.setImage(s.brokenImage), timeout: 60)
        #expect(failed.status == 1, "\(failed)")
        #expect(failed.stderr.contains("resume \(s.ref)") && failed.stderr.contains("undo \(s.ref)"),
                "a failed rollout says what to do next: \(failed.stderr)")
        let undo = try c.run(["undo", s.target, "--grace-period", "100ms"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
        #expect(Self.record(c, s)?["previous"] == Self.originalSettings(s))
    }

    /// The version label a chart gives pods of `image` (a label value has no `:`).
    static func version(_ image: String) -> String { image.replacingOccurrences(of: ":", with: "_") }

    /// The subject's manifest as a chart upgrade renders it: `image`, a new version label and a new annotation.
    static func upgrade(_ s: ChainSubject, image: String) throws -> JSONValue {
        var manifest = try #require(s.scenario().workloads.first?.manifest)
        manifest[path: ["spec", "template", "metadata", "labels", "app.kubernetes.io/version"]] = .string(version(image))
        manifest[path: ["spec", "template", "metadata", "annotations"]] = ["example.com/build": "2"]
        var containers = manifest[path: ["spec", "template", "spec", "containers"]]?.array ?? []
        for i in containers.indices where containers[i]["name"]?.string == s.container { containers[i]["image"] = .string(image) }
        manifest[path: ["spec", "template", "spec", "containers"]] = .array(containers)
        return manifest
    }

    @Test("issue 11: a chart upgrade (image + label + annotation) that fails, then undo: the old labels and annotations are back, the clean end state",
          arguments: ChainSubject.all)
    func failedUpgradeThenUndo(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name]).undone
        let c = try Self.cluster(s)
        defer { c.stop() }
        let file = try c.writeManifest("upgrade.yaml", try Self.upgrade(s, image: s.brokenImage))
        let failed = try c.run(["rollout", "-f", file, "--grace-period", "100ms"], timeout: 60)
        #expect(failed.status == 1, "\(failed)")
        #expect(c.facts(prefix: s.prefix).values.contains { $0.labels["app.kubernetes.io/version"] == Self.version(s.brokenImage) },
                "the failed pod got the label with its image")
        let undo = try c.run(["undo", s.target, "--grace-period", "100ms"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
    }

    @Test("issue 11: a chart upgrade that fails with --on-failure rollback: pods back on the old images, labels and annotations; the clean end state",
          arguments: ChainSubject.all)
    func failedUpgradeRolledBack(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name]).undone
        let c = try Self.cluster(s)
        defer { c.stop() }
        let file = try c.writeManifest("upgrade.yaml", try Self.upgrade(s, image: s.brokenImage))
        let failed = try c.run(["rollout", "-f", file, "--grace-period", "100ms", "--on-failure", "rollback"], timeout: 60)
        #expect(failed.status == 1, "\(failed)")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
        let fixed = try c.run(["rollout", "-f", try c.writeManifest("fixed.yaml", try Self.upgrade(s, image: s.newImage)), "--grace-period", "100ms"],
                              timeout: 60)
        #expect(fixed.status == 0, "\(fixed)")
        let undo = try c.run(["undo", s.target, "--grace-period", "100ms"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        c.settle(thenWait: 0.3)
        let undone = WorkloadEndState(c, s)
        #expect(undone == expected, "undo after the fixed upgrade returns the labels too\n\(undone)\n--- clean\n\(expected)")
    }

    @Test("--timeout 3s, then resume: the resume has its own 10m; the clean end state", arguments: ChainSubject.all)
    func timeoutThenResume(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name]).rolled
        let c = try Self.cluster(s)
        defer { c.stop() }
        let slow = ["set", "image", s.target, "\(s.container)=\(s.newImage)", "--grace-period", "2s", "--timeout", "3s"]
        let timedOut = try c.run(slow, timeout: 30)
        #expect(timedOut.status == 3, "\(timedOut)")
        #expect(timedOut.seconds < 8, "--timeout bounds the command: \(timedOut.seconds)s")
        #expect(timedOut.stderr.contains("resume \(s.ref)"), "\(timedOut.stderr)")
        let resume = try c.run(["resume", s.target], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
        #expect(Self.record(c, s)?["options"]?["timeout"] == nil, "no deadline is recorded for a resume to inherit")
    }

    @Test("kill -9 mid-update, resume (counts do not overlap), undo: the clean end state", arguments: ChainSubject.all)
    func killResumeUndo(_ s: ChainSubject) throws {
        let expected = try #require(try Self.references.get()[s.name]).undone
        let c = try Self.cluster(s)
        defer { c.stop() }
        let run = try c.start(["set", "image", s.target, "\(s.container)=\(s.newImage)", "--grace-period", "100ms"])
        defer { run.cleanUp() }
        #expect(Eventually.wait(20) { PodWrite.of(c.ourWrites).contains { $0.kind == .imagePatch && $0.entry.statusCode < 300 } })
        run.signal(SIGKILL)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL)
        let resume = try c.run(["resume", s.target, "-o", "json"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        let summary = try JSONLines.parse(resume.stdout).first { $0["type"] == "summary" }
        let counted = (summary?["updated"]?.int ?? 0) + (summary?["kept"]?.int ?? 0) + (summary?["held"]?.int ?? 0)
        #expect(counted == s.replicas, "each pod counted once: \(summary?.serialized() ?? "-")")
        let undo = try c.run(["undo", s.target, "--grace-period", "100ms"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
    }
}

/// Issue 9 item 6: exit codes and deadlines when the API server keeps failing.
@Suite("a failing API server: retry budget, deadline, exit codes")
struct FailingServerTests {
    static let s = ChainSubject.deployment

    static func podPaths(_ c: TestCluster) -> [String] {
        c.facts(prefix: "web-").keys.sorted().map { "/api/v1/namespaces/default/pods/\($0)" }
    }

    @Test("503 on every image patch: the request's retry budget runs out, the rollout fails (exit 1) saying what to do; resume then ends clean")
    func retryBudgetExhausted() throws {
        let expected = try #require(try FailureChainTests.references.get()[Self.s.name]).rolled
        let c = try FailureChainTests.cluster(Self.s)
        defer { c.stop() }
        for path in Self.podPaths(c) { c.server.faults.failNext(1000, method: "PATCH", path: path, status: 503) }
        let r = try c.run(Self.s.setImage(Self.s.newImage), timeout: 60)
        #expect(r.status == 1, "\(r)")
        #expect(r.seconds < 20, "the budget is bounded: \(r.seconds)s")
        #expect(r.stderr.contains("resume deployment/web") && r.stderr.contains("undo deployment/web"), "\(r.stderr)")
        #expect(r.stderr.contains("out of service"), "names the pods left out of service: \(r.stderr)")
        let patches = c.ourWrites.filter { $0.method == "PATCH" && $0.path == Self.podPaths(c)[0] && $0.statusCode == 503 }
        #expect(patches.count >= 5 || c.ourWrites.filter { $0.statusCode == 503 }.count >= 5, "retried before giving up")
        c.server.faults.clear()
        let resume = try c.run(["resume", "deployment/web"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        c.settle(thenWait: 0.3)
        let state = WorkloadEndState(c, Self.s)
        #expect(state == expected, "\n\(state)\n--- clean\n\(expected)")
    }

    @Test("503 with Retry-After past --timeout: retrying stops at the deadline, the pod left out of service is named, exit 3")
    func deadlineStopsRetrying() throws {
        let c = try FailureChainTests.cluster(Self.s)
        defer { c.stop() }
        for path in Self.podPaths(c) { c.server.faults.failNext(1000, method: "PATCH", path: path, status: 503, retryAfterSeconds: 1) }
        let r = try c.run(Self.s.setImage(Self.s.newImage, ["--timeout", "3s"]), timeout: 30)
        #expect(r.status == 3, "\(r)")
        #expect(r.seconds < 7, "--timeout bounds the command: \(r.seconds)s")
        let outOfService = c.facts(prefix: "web-").values.filter { $0.gate == "False" }.map(\.name)
        #expect(!outOfService.isEmpty)
        for name in outOfService { #expect(r.stderr.contains(name), "names \(name): \(r.stderr)") }
        #expect(c.record(Resources.deployments, "web")?["phase"] == "failed")
    }

    @Test("Every request answered 503 mid-rollout: the command ends within --timeout (1 when a request's budget runs out, 3 at the deadline), never 2")
    func everythingFailsMidRollout() throws {
        let c = try FailureChainTests.cluster(Self.s)
        defer { c.stop() }
        let run = try c.start(Self.s.setImage(Self.s.newImage, ["--timeout", "15s", "--grace-period", "500ms"]))
        defer { run.cleanUp() }
        #expect(Eventually.wait(20) { PodWrite.of(c.ourWrites).contains { $0.kind == .gateOn && $0.entry.statusCode < 300 } })
        let failingSince = Date()
        c.server.faults.failNext(100_000, path: "*", status: 503)
        let code = run.waitExit(timeout: 40)
        let took = Date().timeIntervalSince(failingSince)
        #expect(code == 1 || code == 3, "\(String(describing: code)): \(run.stderr)")
        #expect(took < 20, "bounded by --timeout: \(took)s")
        #expect(run.stderr.contains("resume deployment/web"), "\(run.stderr)")
    }

    @Test("--timeout 0 means no limit for a rollout, as for prepare; durations are recorded exactly")
    func zeroTimeoutIsNoLimit() throws {
        let c = try FailureChainTests.cluster(Self.s)
        defer { c.stop() }
        let r = try c.run(Self.s.setImage(Self.s.newImage, ["--timeout", "0", "--pod-timeout", "90.5s"]), timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(c.record(Resources.deployments, "web")?["options"]?["podTimeout"] == "1m30.5s", "durations are recorded exactly")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == Self.s.newImage && $0.ready && $0.gate == "True" })
    }

    @Test("503 on every read before the first write: exit 1, not 2 (nothing is wrong with the input)")
    func serverErrorIsNotUsage() throws {
        let c = try FailureChainTests.cluster(Self.s)
        defer { c.stop() }
        c.server.faults.failNext(1000, method: "GET", path: "/apis/apps/v1/namespaces/default/deployments/web", status: 503)
        let r = try c.run(Self.s.setImage(Self.s.newImage), timeout: 60)
        #expect(r.status == 1, "\(r)")
        #expect(c.ourWrites.isEmpty)
    }
}

/// Issue 9 item 5: `resume` of several workloads continues each with the options its own record keeps.
@Suite("resume of several workloads")
struct ResumeSeveralTests {
    @Test("each record's own options apply (not the first one's to all); the resume's deadline is its own")
    func eachRecordKeepsItsOptions() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment("a", replicas: 4), Workloads.deployment("b", replicas: 4)]))
        defer { c.stop() }
        c.settle()
        let a = try c.run(["set", "image", "deployment/a", "app=nginx:1.27", "--max-unavailable", "2", "--grace-period", "1s",
                           "--timeout", "500ms"], timeout: 30)
        #expect(a.status == 3, "\(a)")
        let b = try c.run(["set", "image", "deployment/b", "app=nginx:1.27", "--max-unavailable", "1", "--grace-period", "800ms",
                           "--timeout", "500ms"], timeout: 30)
        #expect(b.status == 3, "\(b)")
        let resume = try c.run(["resume", "deployment/a", "deployment/b"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        let ra = c.record(Resources.deployments, "a"), rb = c.record(Resources.deployments, "b")
        #expect(ra?["phase"] == "complete" && rb?["phase"] == "complete")
        #expect(ra?["options"]?["maxUnavailable"] == "2" && ra?["options"]?["gracePeriod"] == "1s", "\(ra?.serialized() ?? "-")")
        #expect(rb?["options"]?["maxUnavailable"] == "1" && rb?["options"]?["gracePeriod"] == "800ms", "\(rb?.serialized() ?? "-")")
        // b went one pod at a time: never two of its pods out of service together.
        let gateOffs = PodWrite.of(c.ourWrites).filter { $0.pod.hasPrefix("b-") && ($0.kind == .gateOff || $0.kind == .gateOn) }
        var out = 0, most = 0
        for w in gateOffs { out += w.kind == .gateOff ? 1 : -1; most = max(most, out) }
        #expect(most <= 1, "b's window stayed 1: \(gateOffs)")
    }
}
