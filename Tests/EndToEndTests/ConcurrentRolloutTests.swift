import Foundation
import JSON
import KubeSim
import Testing

/// Issue 12: the workloads of one invocation roll at once through the binary, sharing one pod and
/// one EndpointSlice watch per namespace; a broken image stops new pods everywhere, every workload
/// ends recorded, and a fixed rollout completes them as a clean one would.
@Suite("many workloads roll at once")
struct ConcurrentRolloutTests {
    static let names = (0..<20).map { String(format: "svc-%02d", $0) }

    static func scenario(replicas: Int) -> Scenario {
        RolloutScenario.make(names.map { Workloads.deployment($0, replicas: replicas) }, latencies: RolloutScenario.restartLatencies)
    }

    /// Writes one manifest per workload under `dir`, on `image` (`broken` on `brokenImage`).
    static func writeApp(_ c: TestCluster, _ dir: String, replicas: Int, names: [String] = names, image: String = "nginx:1.27",
                         broken: String? = nil) throws {
        for name in names {
            try c.writeManifest("\(dir)/\(name).yaml", Workloads.deployment(name, replicas: replicas,
                                                                              image: name == broken ? "nginx:1.27-broken" : image))
        }
    }

    /// Each workload's window as the server saw it: its first and last write to one of its pods.
    static func windows(_ c: TestCluster, _ names: [String]) -> [String: (first: Date, last: Date)] {
        var out: [String: (first: Date, last: Date)] = [:]
        for w in PodWrite.of(c.ourWrites) {
            guard let name = names.first(where: { w.pod.hasPrefix($0 + "-") }) else { continue }
            let t = w.time
            out[name] = (min(out[name]?.first ?? t, t), max(out[name]?.last ?? t, t))
        }
        return out
    }

    /// Most windows open at one instant.
    static func peakOverlap(_ windows: [(first: Date, last: Date)]) -> Int {
        windows.map { w in windows.filter { $0.first <= w.first && w.first <= $0.last }.count }.max() ?? 0
    }

    /// The watch requests the binary made on `path`.
    static func watches(_ c: TestCluster, _ path: String) -> Int {
        c.ourRequests.filter { $0.method == "GET" && $0.path == path && ["true", "1"].contains($0.query["watch"] ?? "") }.count
    }

    @Test("20 Deployments from one directory roll at once (their windows overlap), over 1 pod watch, 1 EndpointSlice watch and 1 Deployment watch; every pod updated, none paused")
    func twentyAtOnce() throws {
        let c = try TestCluster(Self.scenario(replicas: 3))
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 3)
        let r = try c.run(["rollout", "-f", "app", "--grace-period", "100ms", "--max-unavailable", "1"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        let windows = Self.windows(c, Self.names)
        #expect(windows.count == 20)
        let peak = Self.peakOverlap(Array(windows.values))
        #expect(peak >= 15, "one after another the peak is 1: \(peak)")
        #expect(Self.watches(c, "/api/v1/namespaces/default/pods") == 1)
        #expect(Self.watches(c, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices") == 1)
        #expect(Self.watches(c, "/apis/apps/v1/namespaces/default/deployments") == 1)
        c.settle()
        for name in Self.names {
            let pods = c.facts(prefix: name + "-").values
            #expect(pods.count == 3 && pods.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.gate == "True" && $0.ready }, "\(name): \(pods)")
            #expect(c.object(Resources.deployments, name)?[path: ["spec", "paused"]] != true, "\(name) handed back")
            #expect(c.record(Resources.deployments, name)?["phase"] == "complete")
        }
    }

    @Test("--concurrency 1 rolls them one after another in file order")
    func oneAtATime() throws {
        let names = ["a-first", "b-second", "c-third"]
        let c = try TestCluster(RolloutScenario.make(names.map { Workloads.deployment($0, replicas: 2) }))
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 2, names: names)
        let r = try c.run(["rollout", "-f", "app", "--grace-period", "100ms", "--concurrency", "1"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let windows = Self.windows(c, names)
        for (a, b) in zip(names, names.dropFirst()) {
            let wa = try #require(windows[a]), wb = try #require(windows[b])
            #expect(wa.last < wb.first, "\(a) ends before \(b) starts")
        }
    }

    @Test("a broken image among 20: the others start no new pod, their pods in flight finish, exit 1, status shows each workload's state; the fixed manifests then complete them all as a clean rollout does")
    func brokenAmongTwenty() throws {
        let broken = "svc-07"
        let c = try TestCluster(Self.scenario(replicas: 4))
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 4, broken: broken)
        let r = try c.run(["rollout", "-f", "app", "--grace-period", "100ms", "--max-unavailable", "1", "-o", "json"], timeout: 120)
        #expect(r.status == 1, "\(r)")
        let events = try JSONLines.parse(r.stdout)
        let failure = try #require(events.first { $0["type"] == "podFailed" }, "\(r.stdout)")
        #expect(failure["name"]?.string == broken || failure.serialized().contains(broken), "\(failure.serialized())")
        let failedAt = try #require(Self.date(failure["time"]?.string))
        // No pod of another workload left service after the failure (a write already sent may land just after).
        let late = PodWrite.of(c.ourWrites).filter { $0.kind == .gateOff && !$0.pod.hasPrefix(broken) && $0.time > failedAt.addingTimeInterval(1.0) }
        #expect(late.isEmpty, "pods started after the failure: \(late)")
        c.settle()
        var stopped = 0
        for name in Self.names where name != broken {
            let pods = c.facts(prefix: name + "-").values
            #expect(pods.allSatisfy { $0.gate == "True" && $0.ready }, "\(name): the pods in flight finished: \(pods)")
            let phase = c.record(Resources.deployments, name)?["phase"]?.string
            #expect(phase == "paused" || phase == "complete", "\(name): \(phase ?? "-")")
            if phase == "paused" { stopped += 1 }
        }
        #expect(stopped > 0, "the others were stopped before they completed")
        #expect(c.record(Resources.deployments, broken)?["phase"] == "failed")

        let status = try c.run(["status", "-o", "json"])
        #expect(status.status == 0, "\(status)")
        let items = try JSONValue(parsing: status.stdout)["items"]?.array ?? []
        let phases = Dictionary(items.map { ($0["name"]?.string ?? "", $0["phase"]?.string ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(phases.count == 20 && phases[broken] == "failed", "\(phases)")

        try Self.writeApp(c, "fixed", replicas: 4)
        let fixed = try c.run(["rollout", "-f", "fixed", "--grace-period", "100ms", "--max-unavailable", "1"], timeout: 120)
        #expect(fixed.status == 0, "\(fixed)")
        c.settle(thenWait: 0.3)

        let clean = try TestCluster(Self.scenario(replicas: 4))
        defer { clean.stop() }
        clean.settle()
        try Self.writeApp(clean, "fixed", replicas: 4)
        let once = try clean.run(["rollout", "-f", "fixed", "--grace-period", "100ms", "--max-unavailable", "1"], timeout: 120)
        #expect(once.status == 0, "\(once)")
        clean.settle(thenWait: 0.3)
        for name in Self.names {
            let subject = Self.subject(name)
            let state = WorkloadEndState(c, subject), expected = WorkloadEndState(clean, subject)
            #expect(state == expected, "\(name)\n\(state)\n--- clean\n\(expected)")
            #expect(c.record(Resources.deployments, name)?["phase"] == "complete")
        }
    }

    @Test("--rollback-all (implying --on-failure rollback): one broken workload takes every workload of the command back to its images")
    func rollbackAll() throws {
        let names = ["a", "b", "c"]
        let c = try TestCluster(RolloutScenario.make(names.map { Workloads.deployment($0, replicas: 3) }, latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 3, names: names, broken: "b")
        let r = try c.run(["rollout", "-f", "app", "--grace-period", "100ms", "--max-unavailable", "3", "--rollback-all"],
                          timeout: 120)
        #expect(r.status == 1, "\(r)")
        c.settle()
        #expect(PodWrite.of(c.ourWrites).contains { $0.kind == .imagePatch && $0.pod.hasPrefix("a-") }, "a had updated pods to take back: \(r.stderr)")
        for name in names {
            let pods = c.facts(prefix: name + "-").values
            #expect(pods.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.gate == "True" && $0.ready }, "\(name): \(pods)")
        }
    }

    @Test("pause of one workload rolled with others stops that one only (exit 4); the others complete; resume continues it")
    func pauseOne() throws {
        let names = ["a", "b", "c"]
        let c = try TestCluster(RolloutScenario.make(names.map { Workloads.deployment($0, replicas: 5) }))
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 5, names: names)
        let rollout = try c.start(["rollout", "-f", "app", "--max-unavailable", "1", "--grace-period", "500ms"])
        defer { rollout.cleanUp() }
        func updated(_ name: String) -> Int { c.facts(prefix: name + "-").values.filter { $0.images["app"] == "nginx:1.27" }.count }
        #expect(Eventually.wait(20) { updated("b") >= 1 }, "\(rollout.stderr)")
        let pause = try c.run(["pause", "deployment/b"])
        #expect(pause.status == 0, "\(pause)")
        #expect(rollout.waitExit(timeout: 60) == 4, "\(rollout.stderr)")
        #expect(c.record(Resources.deployments, "b")?["phase"] == "paused")
        #expect(updated("b") < 5, "b stopped before its end")
        for name in ["a", "c"] {
            #expect(c.record(Resources.deployments, name)?["phase"] == "complete", "\(name) went on: \(rollout.stderr)")
            #expect(updated(name) == 5)
        }
        let resume = try c.run(["resume", "deployment/b", "--grace-period", "100ms"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        #expect(updated("b") == 5 && c.record(Resources.deployments, "b")?["phase"] == "complete")
    }

    @Test("--timeout while three workloads roll at once, then one resume of all three: exit 3 names the pods left out of service, and the resume ends each workload as a clean rollout does")
    func timeoutThenResumeAll() throws {
        let names = ["a", "b", "c"]
        @Sendable func scenario() -> Scenario {
            RolloutScenario.make(names.map { Workloads.deployment($0, replicas: 4) }, latencies: RolloutScenario.restartLatencies)
        }
        let targets = names.map { "deployment/\($0)" }
        let c = try TestCluster(scenario())
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 4, names: names)
        // Each pod takes over 2 s (its grace period), one at a time: none of the three can finish in 3 s.
        let timedOut = try c.run(["rollout", "-f", "app", "--max-unavailable", "1", "--grace-period", "2s", "--timeout", "3s"], timeout: 30)
        #expect(timedOut.status == 3, "\(timedOut)")
        #expect(timedOut.seconds < 10, "--timeout bounds the command: \(timedOut.seconds)s")
        c.settle()
        for name in names {
            #expect(c.record(Resources.deployments, name)?["phase"] != "complete", "\(name) was stopped before its end")
            // Pods left out of service at the deadline are named, for resume to return them.
            for (pod, facts) in c.facts(prefix: name + "-") where !(facts.gate == "True" && facts.ready) {
                #expect(timedOut.stderr.contains(pod), "\(pod) is out of service and named: \(timedOut.stderr)")
            }
        }
        let resume = try c.run(["resume"] + targets + ["--grace-period", "100ms"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        c.settle(thenWait: 0.3)

        let clean = try TestCluster(scenario())
        defer { clean.stop() }
        clean.settle()
        try Self.writeApp(clean, "app", replicas: 4, names: names)
        let once = try clean.run(["rollout", "-f", "app", "--max-unavailable", "1", "--grace-period", "100ms"], timeout: 60)
        #expect(once.status == 0, "\(once)")
        clean.settle(thenWait: 0.3)
        for name in names {
            let subject = ChainSubject(name: "Deployment", resource: Resources.deployments, target: "deployment/\(name)", objectName: name,
                                       prefix: name + "-", container: "app", oldImage: "nginx:1.25", newImage: "nginx:1.27",
                                       brokenImage: "nginx:1.27-broken", replicas: 4, scenario: scenario)
            let state = WorkloadEndState(c, subject), expected = WorkloadEndState(clean, subject)
            #expect(state == expected, "\(name)\n\(state)\n--- clean\n\(expected)")
            #expect(c.record(Resources.deployments, name)?["phase"] == "complete")
        }
    }

    /// Three Deployments of 4 pods rolled at once: the workloads of the chains below.
    static let trio = ["a", "b", "c"]

    @Sendable static func trioScenario() -> Scenario {
        RolloutScenario.make(trio.map { Workloads.deployment($0, replicas: 4) }, latencies: RolloutScenario.restartLatencies)
    }

    static func trioSubject(_ name: String) -> ChainSubject {
        ChainSubject(name: "Deployment", resource: Resources.deployments, target: "deployment/\(name)", objectName: name,
                     prefix: name + "-", container: "app", oldImage: "nginx:1.25", newImage: "nginx:1.27",
                     brokenImage: "nginx:1.27-broken", replicas: 4, scenario: trioScenario)
    }

    /// Each of the trio as a clean cluster leaves it after rolling the three at once (`rolled`), and
    /// after undoing each then (`undone`): made once, for every chain that ends at them.
    static let trioReferences: Result<(rolled: [String: WorkloadEndState], undone: [String: WorkloadEndState]), any Error> = Result {
        let clean = try TestCluster(trioScenario())
        defer { clean.stop() }
        clean.settle()
        try writeApp(clean, "app", replicas: 4, names: trio)
        func run(_ args: [String]) throws {
            let r = try clean.run(args, timeout: 60)
            guard r.status == 0 else { throw E2EError.failedRun(r) }
            clean.settle(thenWait: 0.3)
        }
        func states() -> [String: WorkloadEndState] {
            Dictionary(uniqueKeysWithValues: trio.map { ($0, WorkloadEndState(clean, trioSubject($0))) })
        }
        try run(["rollout", "-f", "app", "--max-unavailable", "1", "--grace-period", "100ms"])
        let rolled = states()
        for name in trio { try run(["undo", "deployment/\(name)", "--grace-period", "100ms"]) }
        return (rolled, states())
    }

    /// A settled cluster of the trio on their old images.
    static func trioCluster() throws -> TestCluster {
        let c = try TestCluster(trioScenario())
        c.settle()
        return c
    }

    /// Starts rolling the trio at once (one pod at a time each, each pod's drain `gracePeriod`) on
    /// `c`, and returns once every workload has a pod out of service.
    static func startTrio(on c: TestCluster, gracePeriod: String) throws -> BackgroundRun {
        try writeApp(c, "app", replicas: 4, names: trio)
        let run = try c.start(["rollout", "-f", "app", "--max-unavailable", "1", "--grace-period", gracePeriod])
        let outOfService = Eventually.wait(20) {
            trio.allSatisfy { name in c.facts(prefix: name + "-").values.contains { $0.gate == "False" } }
        }
        #expect(outOfService, "every workload has a pod out of service: \(run.stderr)")
        return run
    }

    /// Runs `args` on `c`, then expects each of the trio to end as `expected` has it (`after` names the step).
    static func expectTrio(_ c: TestCluster, after args: [[String]], _ expected: [String: WorkloadEndState], _ step: String) throws {
        for command in args {
            let r = try c.run(command, timeout: 60)
            #expect(r.status == 0, "\(step): \(r)")
        }
        c.settle(thenWait: 0.3)
        for name in trio {
            let state = WorkloadEndState(c, trioSubject(name))
            #expect(state == expected[name], "\(name) after \(step)\n\(state)\n--- clean\n\(expected[name].map(\.description) ?? "-")")
        }
    }

    @Test("kill -9 while three workloads roll at once, then one resume of all three, then undo of each: each ends as a clean rollout leaves it, then as a clean rollout and undo leave it; no pod recreated")
    func killThenResumeThenUndo() throws {
        let (rolled, undone) = try Self.trioReferences.get()
        let c = try Self.trioCluster()
        defer { c.stop() }
        let before = c.facts(prefix: "")
        // A pod takes over 2 s (its grace period): the kill lands while every workload has one out of service.
        let run = try Self.startTrio(on: c, gracePeriod: "2s")
        defer { run.cleanUp() }
        run.signal(SIGKILL)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL, "killed mid-rollout: \(run.stderr)")
        c.settle()
        #expect(c.facts(prefix: "").values.contains { $0.gate == "False" }, "the kill left pods out of service")

        try Self.expectTrio(c, after: [["resume"] + Self.trio.map { "deployment/\($0)" } + ["--grace-period", "100ms"]], rolled, "resume")
        for name in Self.trio { #expect(c.record(Resources.deployments, name)?["phase"] == "complete") }
        try Self.expectTrio(c, after: Self.trio.map { ["undo", "deployment/\($0)", "--grace-period", "100ms"] }, undone, "undo")
        let log = c.server.cluster.transitions
        #expect(!log.wasAnyPodDeleted() && log.createdPods().isEmpty, "no pod recreated")
        for (pod, b) in before {
            #expect(c.facts(prefix: "")[pod]?.uid == b.uid, "\(pod) kept")
            #expect(log.kills(container: "app", pod: pod) == 2, "\(pod): app restarted once each way (\(log.kills(container: "app", pod: pod)))")
        }
    }

    @Test("a broken image among three workloads rolled at once, then undo of each: the failed one and the two it stopped are back on their images, each as a clean rollout and undo leave it; no pod recreated")
    func failThenUndoEach() throws {
        let undone = try Self.trioReferences.get().undone
        let c = try Self.trioCluster()
        defer { c.stop() }
        try Self.writeApp(c, "app", replicas: 4, names: Self.trio, broken: "b")
        let failed = try c.run(["rollout", "-f", "app", "--max-unavailable", "1", "--grace-period", "100ms"], timeout: 90)
        #expect(failed.status == 1, "\(failed)")
        c.settle()
        #expect(c.facts(prefix: "").values.contains { $0.images["app"] == "nginx:1.27" || $0.images["app"] == "nginx:1.27-broken" },
                "the rollout wrote before it failed")
        try Self.expectTrio(c, after: Self.trio.map { ["undo", "deployment/\($0)", "--grace-period", "100ms"] }, undone, "undo")
        #expect(c.facts(prefix: "").values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.ready })
        let log = c.server.cluster.transitions
        #expect(!log.wasAnyPodDeleted() && log.createdPods().isEmpty, "no pod recreated")
    }

    @Test("SIGINT while three workloads roll at once: exit 4 with no pod out of service, each recorded paused; one resume of all three ends each as a clean rollout does")
    func sigintThenResumeAll() throws {
        let rolled = try Self.trioReferences.get().rolled
        let c = try Self.trioCluster()
        defer { c.stop() }
        let run = try Self.startTrio(on: c, gracePeriod: "300ms")
        defer { run.cleanUp() }
        run.signal(SIGINT)
        #expect(run.waitExit(timeout: 15) == 4, "\(run.stderr)")
        for name in Self.trio { #expect(run.stderr.contains("deployment/\(name)"), "\(name) is named for resume: \(run.stderr)") }
        let stopped = c.facts(prefix: "")
        #expect(stopped.values.allSatisfy { $0.gate == "True" && $0.ready }, "pods in flight finished: \(stopped.values)")
        for name in Self.trio {
            let status = try c.statusJSON("deployment/\(name)")
            #expect(status.first?["phase"] == "paused" && status.first?["exitCode"] == 4, "\(name): \(status)")
        }

        try Self.expectTrio(c, after: [["resume"] + Self.trio.map { "deployment/\($0)" } + ["--grace-period", "100ms"]], rolled, "resume")
        #expect(!c.server.cluster.transitions.wasAnyPodDeleted())
    }

    @Test("one PodDisruptionBudget over two Deployments rolled at once is one allowance: never more of their pods out of service than it allows together")
    func sharedBudget() throws {
        func shop(_ name: String, _ image: String) -> JSONValue {
            var d = Workloads.deployment(name, replicas: 3, image: image)
            d[path: ["spec", "template", "metadata", "labels", "tier"]] = "shop"
            return d
        }
        let c = try TestCluster(RolloutScenario.make([shop("a", "nginx:1.25"), shop("b", "nginx:1.25")], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        _ = c.server.client.create(Resources.podDisruptionBudgets, namespace: "default", [
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "shop", "namespace": "default"],
            "spec": ["minAvailable": 5, "selector": ["matchLabels": ["tier": "shop"]]],
        ])
        c.settle()
        try c.writeManifest("app/a.yaml", shop("a", "nginx:1.27"))
        try c.writeManifest("app/b.yaml", shop("b", "nginx:1.27"))
        let r = try c.run(["rollout", "-f", "app", "--grace-period", "100ms", "--max-unavailable", "3", "--timeout", "60s"], timeout: 90)
        #expect(r.status == 0, "\(r)")
        var out = 0, most = 0
        for w in PodWrite.of(c.ourWrites) where w.kind == .gateOff || w.kind == .gateOn {
            out += w.kind == .gateOff ? 1 : -1
            most = max(most, out)
        }
        #expect(most == 1, "minAvailable 5 of 6 allows one disruption for both workloads together: \(most)")
        #expect(c.facts(prefix: "").values.filter { $0.name.hasPrefix("a-") || $0.name.hasPrefix("b-") }
            .allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
    }

    @Test("--on-failure rollback alone takes back only the failed workload: the others keep their updated pods, stopped and resumable")
    func rollbackOnlyTheFailed() throws {
        let names = ["a", "b", "c"]
        let c = try TestCluster(RolloutScenario.make(names.map { Workloads.deployment($0, replicas: 3) }, latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 3, names: names, broken: "b")
        let r = try c.run(["rollout", "-f", "app", "--grace-period", "100ms", "--max-unavailable", "3", "--on-failure", "rollback"], timeout: 120)
        #expect(r.status == 1, "\(r)")
        c.settle()
        #expect(c.facts(prefix: "b-").values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.ready }, "b is back")
        for name in ["a", "c"] {
            let pods = c.facts(prefix: name + "-").values
            #expect(pods.contains { $0.images["app"] == "nginx:1.27" }, "\(name) keeps its updated pods: \(pods)")
            #expect(pods.allSatisfy { $0.gate == "True" && $0.ready }, "\(name): \(pods)")
            let phase = c.record(Resources.deployments, name)?["phase"]?.string
            #expect(phase == "paused" || phase == "complete", "\(name): \(phase ?? "-")")
        }
        #expect(r.stderr.contains("resume deployment/a") || c.record(Resources.deployments, "a")?["phase"] == "complete", "\(r.stderr)")
    }

    @Test("every workload's checks run before the first write: one blocked change among 20 writes nothing (exit 2)")
    func checksBeforeAnyWrite() throws {
        let c = try TestCluster(Self.scenario(replicas: 1))
        defer { c.stop() }
        c.settle()
        try Self.writeApp(c, "app", replicas: 1)
        var blocked = Workloads.deployment("svc-19", replicas: 1, image: "nginx:1.27")
        blocked.setContainer("app", "env", [["name": "MODE", "value": "green"]])
        try c.writeManifest("app/svc-19.yaml", blocked)
        let r = try c.run(["rollout", "-f", "app", "--grace-period", "100ms"], timeout: 60)
        #expect(r.status == 2, "\(r)")
        #expect(c.ourWrites.isEmpty, "\(c.ourWrites.map(\.path))")
    }

    static func subject(_ name: String) -> ChainSubject {
        ChainSubject(name: "Deployment", resource: Resources.deployments, target: "deployment/\(name)", objectName: name, prefix: name + "-",
                     container: "app", oldImage: "nginx:1.25", newImage: "nginx:1.27", brokenImage: "nginx:1.27-broken", replicas: 4,
                     scenario: { Self.scenario(replicas: 4) })
    }

    static func date(_ text: String?) -> Date? {
        guard let text else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }
}
