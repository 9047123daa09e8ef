import Foundation
import JSON
import KubeSim
import Testing

/// Issue 9 item 9: a rollout killed mid-way is abandoned once its lease runs out; `status` says so
/// and names the pods out of service, and the controller puts back in service only those already
/// on their target images and ready.
@Suite("abandoned rollouts: kill -9, the lease runs out, status and the controller")
struct AbandonedRolloutEndToEndTests {
    static let lease = ["KUBECTL_INPLACE_ROLLOUT_LEASE_SECONDS": "3"]

    /// Starts a rollout and kills it with SIGKILL as soon as `moment` holds for one of the pods.
    func killMidway(_ c: TestCluster, _ args: [String], prefix: String, when moment: (PodFacts) -> Bool) throws -> String? {
        let run = try c.start(args, env: Self.lease)
        defer { run.cleanUp() }
        var caught: String?
        _ = Eventually.wait(20) {
            caught = c.facts(prefix: prefix).values.first(where: moment)?.name
            return caught != nil || !run.process.isRunning
        }
        run.signal(SIGKILL)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL, "\(run.stderr)")
        return caught
    }

    /// Whether the pod's `app` container runs and is ready (its gate may keep the pod NotReady).
    func appReady(_ c: TestCluster, _ name: String) -> Bool {
        let pod = c.livePods(prefix: name).first { $0[path: ["metadata", "name"]]?.string == name }
        return pod?[path: ["status", "containerStatuses"]]?.array?.first { $0["name"] == "app" }?["ready"] == true
    }

    @Test("kill -9 mid-rollout: after the lease, status says abandoned with the pods out of service; the controller restores only the pod on its target and ready")
    func abandonedThenRestored() throws {
        let latencies = Latencies(kill: 0.03, pull: 0.05, start: 0.03, readiness: 1.0, endpointPropagation: 0.15)
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment("web", replicas: 3), Workloads.deployment("api", replicas: 3)],
                                                     latencies: latencies))
        defer { c.stop() }
        c.settle(thenWait: 1.5)
        // web: killed while its pod restarts on the new image (it will be on target and ready).
        let patched = try #require(try killMidway(
            c, ["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "100ms"], prefix: "web-",
            when: { $0.images["app"] == "nginx:1.27" && $0.gate == "False" }))
        // api: killed while its pod drains (out of service, never patched).
        let draining = try #require(try killMidway(
            c, ["set", "image", "deployment/api", "app=nginx:1.27", "--grace-period", "30s"], prefix: "api-",
            when: { $0.gate == "False" }))
        let killedAt = Date()

        let early = try #require(try c.statusJSON("deployment/web").first)
        #expect(early["abandoned"] == false, "within the lease: \(early.serialized())")

        #expect(Eventually.wait(10) { appReady(c, patched) }, "the kubelet finishes the restart the killed rollout started")
        usleep(UInt32(max(0, 3.6 - Date().timeIntervalSince(killedAt)) * 1_000_000))

        let web = try #require(try c.statusJSON("deployment/web").first)
        #expect(web["abandoned"] == true, "\(web.serialized())")
        #expect(web["outOfService"] == .array([.string(patched)]))
        let api = try #require(try c.statusJSON("deployment/api").first)
        #expect(api["abandoned"] == true)
        #expect(api["outOfService"] == .array([.string(draining)]))
        let text = try c.run(["status", "deployment/web"])
        #expect(text.stdout.contains("abandoned") && text.stdout.contains("1 pod(s) out of service: \(patched)"), "\(text.stdout)")

        let before = c.facts(prefix: "")
        let controller = try c.start(["controller", "--lease-duration", "2s", "--identity", "gk"])
        defer { controller.cleanUp() }
        #expect(Eventually.wait(10) { c.facts(prefix: "web-")[patched]?.gate == "True" }, "\(controller.stderr)")
        #expect(Eventually.wait(5) { c.facts(prefix: "web-")[patched]?.ready == true })
        usleep(1_000_000)
        #expect(c.facts(prefix: "api-")[draining]?.gate == "False", "not patched yet: only resume may move it on")
        #expect(c.facts(prefix: "api-")[draining]?.images["app"] == "nginx:1.25")
        #expect(controller.stderr.contains("restored pod default/\(patched)"), "\(controller.stderr)")
        let statusWrites = c.server.requestLog.writes.filter { $0.path.hasSuffix("/status") && $0.timestamp > killedAt }
        let restoredPods = Set(statusWrites.compactMap { $0.path.split(separator: "/").dropLast().last.map(String.init) })
        #expect(restoredPods == [patched], "the controller wrote only the qualifying pod's status")
        for (name, b) in before { #expect(c.facts(prefix: "")[name]?.uid == b.uid, "\(name) kept") }
        controller.signal(SIGTERM)
        _ = controller.waitExit(timeout: 10)

        let resume = try c.run(["resume", "deployment/web"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.gate == "True" })
    }
}
