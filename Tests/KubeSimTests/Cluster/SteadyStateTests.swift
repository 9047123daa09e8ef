import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Seeded clusters are steady")
struct SteadyStateTests {
    @Test("the controllers and kubelet accept the seeded demo as it is: no pod created, deleted or restarted, no write at all")
    func demoIsSteady() throws {
        var scenario = Scenario.demo
        scenario.cluster.traffic = []
        let s = try KubeSimServer(scenario: scenario)
        defer { s.stop() }
        let before = s.store.resourceVersion
        let objects = s.store.list(Resources.pods).items
        #expect(s.cluster.waitUntilIdle())
        Thread.sleep(forTimeInterval: 0.1)
        #expect(s.cluster.waitUntilIdle())
        #expect(s.store.resourceVersion == before)
        #expect(s.store.list(Resources.pods).items == objects)
        let log = s.cluster.transitions
        #expect(log.entries.allSatisfy { if case .observed = $0.kind { return true } else { return false } })
        #expect(log.entries.count == objects.count)
        #expect(log.maxNotReady(workload: "Deployment/web") == 0)
    }

    @Test("seeded overrides stay as seeded: crash-looping, not-ready and gate-less pods keep their states")
    func overridesAreSteady() throws {
        var scenario = Scenario.demo
        scenario.cluster.traffic = []
        scenario.workloads[0].podConditions = [:]
        scenario.podOverrides = [
            .init(workload: "db", index: 1, ready: false),
            .init(workload: "db", index: 2, crashLooping: true, restartCount: 7),
            .init(workload: "agent", index: 0, imagePullError: true),
        ]
        let s = try KubeSimServer(scenario: scenario)
        defer { s.stop() }
        let before = s.store.resourceVersion
        #expect(s.cluster.waitUntilIdle())
        #expect(s.store.resourceVersion == before)
        #expect(!s.cluster.transitions.wasAnyPodDeleted())
        let db2 = Sim.get(s, "db-2")
        #expect(Sim.containerStatus(db2, "postgres")?[path: ["state", "waiting", "reason"]]?.string == "CrashLoopBackOff")
        #expect(Sim.condition(Sim.pods(s, prefix: "web-").first, "Ready")?["reason"]?.string == "ReadinessGatesNotReady")
    }

    @Test("seeded pods respond like new ones: an image patch restarts the container, a gate condition makes them Ready")
    func seededPodsBehave() throws {
        var scenario = Scenario.demo
        scenario.cluster.traffic = []
        scenario.cluster.latencies = .zero
        let s = try KubeSimServer(scenario: scenario)
        defer { s.stop() }
        let pod = Sim.pods(s, prefix: "web-")[0]
        let sidecar = Sim.containerStatus(pod, "sidecar")
        try Sim.setImage(s, pod: pod.metaName, container: "app", image: "nginx:1.27")
        Sim.wait(s, "restarted") { Sim.containerStatus(Sim.get(s, pod.metaName), "app")?["restartCount"]?.int == 1 && Sim.isReady(Sim.get(s, pod.metaName)) }
        let after = Sim.get(s, pod.metaName)
        #expect(Sim.containerStatus(after, "app")?["imageID"]?.string == "docker.io/library/nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31")
        #expect(Sim.containerStatus(after, "sidecar") == sidecar)
        #expect(Sim.condition(after, "InPlaceUpdateReady") == Sim.condition(pod, "InPlaceUpdateReady"))
        #expect(!s.cluster.transitions.wasAnyPodDeleted())
    }

    @Test("more objects seeded into a running cluster are taken as they are")
    func seedLater() throws {
        let s = try Sim.server()
        defer { s.stop() }
        var more = Scenario.demo
        more.cluster.traffic = []
        try s.seed(more)
        #expect(s.cluster.waitUntilIdle())
        #expect(!s.cluster.transitions.wasAnyPodDeleted())
        #expect(s.store.list(Resources.replicaSets).items.count == 1)
        #expect(s.cluster.transitions.createdPods().count == 10)
    }

    @Test("a bare API server (no cluster) leaves new pods Pending")
    func disabled() throws {
        let s = try KubeSimServer(options: ServerOptions())
        defer { s.stop() }
        #expect(!s.cluster.isRunning)
        try Sim.create(s, Sim.pod("p"))
        Thread.sleep(forTimeInterval: 0.05)
        #expect(Sim.get(s, "p")?[path: ["status", "phase"]]?.string == "Pending")
        #expect(Sim.get(s, "p")?[path: ["spec", "nodeName"]] == nil)
        #expect(!s.cluster.waitUntilIdle(timeout: 0.01))
    }
}
