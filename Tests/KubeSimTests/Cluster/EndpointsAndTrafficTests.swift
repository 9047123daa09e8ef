import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("EndpointSlices and traffic")
struct EndpointsAndTrafficTests {
    static let service: JSONValue = [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web", "namespace": "default", "labels": ["tier": "front"]],
        "spec": ["selector": ["app": "web"], "ports": [["name": "http", "port": 80, "targetPort": "http"]]],
    ]

    static func slices(_ s: KubeSimServer, _ svc: String = "web") -> [JSONValue] {
        s.store.list(Resources.endpointSlices, namespace: "default").items.filter { $0.metaLabels["kubernetes.io/service-name"] == svc }
    }

    static func endpoint(_ s: KubeSimServer, pod: String) -> JSONValue? {
        slices(s).flatMap { $0["endpoints"]?.array ?? [] }.first { $0[path: ["targetRef", "name"]]?.string == pod }
    }

    static func listedReady(_ s: KubeSimServer, pod: String) -> Bool? { endpoint(s, pod: pod)?[path: ["conditions", "ready"]]?.bool }

    /// A server with Service `web` and gated pods web-0…web-(n-1) that are Ready (gate True).
    static func cluster(pods n: Int, latencies: Latencies = .zero, configure: (inout ClusterOptions) -> Void = { _ in }) throws -> KubeSimServer {
        let s = try Sim.server(Scenario(objects: [service]), latencies: latencies, configure: configure)
        for i in 0..<n {
            try Sim.create(s, Sim.pod("web-\(i)", gate: true, labels: ["app": "web"]))
            try Sim.setCondition(s, pod: "web-\(i)", type: "InPlaceUpdateReady", status: "True")
        }
        Sim.wait(s, timeout: 10, "all listed ready") { (0..<n).allSatisfy { listedReady(s, pod: "web-\($0)") == true } }
        return s
    }

    @Test("a Service gets an EndpointSlice listing its pods with addresses, conditions and targetRefs, and an Endpoints object")
    func slice() throws {
        let s = try Self.cluster(pods: 3)
        defer { s.stop() }
        let slices = Self.slices(s)
        #expect(slices.count == 1)
        let slice = slices[0]
        let svc = s.store.get(Resources.services, namespace: "default", name: "web")!
        #expect(slice.metaName.hasPrefix("web-") && slice.metaName.count == 4 + 5)
        #expect(slice.metaLabels == ["kubernetes.io/service-name": "web", "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "tier": "front"])
        #expect(slice["addressType"]?.string == "IPv4")
        #expect(slice["ports"] == [["name": "http", "port": 80, "protocol": "TCP"]])
        #expect(slice[path: ["metadata", "ownerReferences"]]?[0]?["uid"]?.string == svc.metaUID)
        let e = Self.endpoint(s, pod: "web-1")
        let pod = Sim.get(s, "web-1")
        #expect(e?["addresses"] == [pod?[path: ["status", "podIP"]] ?? .null])
        #expect(e?["conditions"] == ["ready": true, "serving": true, "terminating": false])
        #expect(e?["targetRef"] == ["kind": "Pod", "namespace": "default", "name": "web-1", "uid": .string(pod?.metaUID ?? "")])
        #expect(e?["nodeName"] == pod?[path: ["spec", "nodeName"]])
        let ep = s.store.get(Resources.endpoints, namespace: "default", name: "web")
        #expect(ep?["subsets"]?[0]?["addresses"]?.array?.count == 3)
        try Sim.setCondition(s, pod: "web-2", type: "InPlaceUpdateReady", status: "False")
        Sim.wait(s, "web-2 not ready") { Self.listedReady(s, pod: "web-2") == false }
        #expect(Self.endpoint(s, pod: "web-2")?["conditions"] == ["ready": false, "serving": false, "terminating": false])
        #expect(s.store.get(Resources.endpoints, namespace: "default", name: "web")?["subsets"]?[0]?["notReadyAddresses"]?.array?.count == 1)
        _ = try s.client.delete(Resources.pods, namespace: "default", name: "web-0").get()
        Sim.wait(s, "web-0 removed") { Self.endpoint(s, pod: "web-0") == nil }
        #expect(s.cluster.transitions.kinds(pod: "web-0").contains(.endpoint(service: "web", ready: nil)))
    }

    @Test("readiness reaches the slices only after the propagation delay")
    func propagationDelay() throws {
        let s = try Self.cluster(pods: 1, latencies: Latencies(endpointPropagation: 0.3))
        defer { s.stop() }
        let t0 = Date()
        try Sim.setCondition(s, pod: "web-0", type: "InPlaceUpdateReady", status: "False")
        Sim.wait(s, "pod NotReady", settle: false) { !Sim.isReady(Sim.get(s, "web-0")) }
        #expect(Self.listedReady(s, pod: "web-0") == true)
        Sim.wait(s, "slice not ready") { Self.listedReady(s, pod: "web-0") == false }
        #expect(Date().timeIntervalSince(t0) >= 0.29)
        let entries = s.cluster.transitions.entries(pod: "web-0")
        let notReady = entries.last { $0.kind == .ready(false) }!.elapsed
        let left = entries.last { $0.kind == .endpoint(service: "web", ready: false) }!.elapsed
        #expect(left - notReady >= 0.29)
    }

    @Test("slices hold at most maxEndpointsPerSlice endpoints")
    func sliceSize() throws {
        let s = try Self.cluster(pods: 5) { $0.maxEndpointsPerSlice = 2 }
        defer { s.stop() }
        let slices = Self.slices(s)
        #expect(slices.count == 3)
        #expect(slices.map { $0["endpoints"]?.array?.count ?? 0 }.sorted() == [1, 2, 2])
    }

    @Test("seeded slices hold at most maxEndpointsPerSlice endpoints, are adopted as they are, and stay within it as pods come and go")
    func seededSlicesKeepTheirSize() throws {
        var scenario = Scenario.bulk(deployment: "web", replicas: 5)
        scenario.objects = [Self.service]
        scenario.cluster = ClusterOptions(maxEndpointsPerSlice: 2)
        let s = try KubeSimServer(scenario: scenario)
        defer { s.stop() }
        let before = s.store.resourceVersion
        #expect(s.cluster.waitUntilIdle())
        #expect(s.store.resourceVersion == before)
        #expect(Self.slices(s).map { $0["endpoints"]?.array?.count ?? 0 }.sorted() == [1, 2, 2])
        // A pod replaced by its ReplicaSet leaves one slice and joins one with room.
        let gone = Sim.pods(s, prefix: "web-")[0].metaName
        _ = s.client.delete(Resources.pods, namespace: "default", name: gone)
        func listed() -> [String] {
            Self.slices(s).flatMap { $0["endpoints"]?.array ?? [] }.compactMap { $0[path: ["targetRef", "name"]]?.string }.sorted()
        }
        Sim.wait(s, "the slices to list the replacement pod") {
            let pods = Sim.pods(s, prefix: "web-").map(\.metaName).sorted()
            return pods.count == 5 && !pods.contains(gone) && listed() == pods
        }
        let slices = Self.slices(s)
        #expect(slices.count == 3)
        #expect(slices.allSatisfy { ($0["endpoints"]?.array?.count ?? 0) <= 2 })
    }

    @Test("traffic drops requests while a restarting pod is still listed ready")
    func dropsDuringRestart() throws {
        let lat = Latencies(kill: 0.05, pull: 0.05, start: 0.05, readiness: 0.05, endpointPropagation: 0.3)
        let s = try Self.cluster(pods: 2, latencies: lat)
        defer { s.stop() }
        s.cluster.transitions.clear()
        s.cluster.startTraffic(service: "web", rate: 400, container: "app")
        try Sim.setImage(s, pod: "web-1", container: "app", image: "nginx:1.27")
        Sim.wait(s, "restarted, left the endpoints late and came back", settle: false) {
            s.cluster.transitions.kinds(pod: "web-1").suffix(2) == [.endpoint(service: "web", ready: false), .endpoint(service: "web", ready: true)]
        }
        let kinds = s.cluster.transitions.kinds(pod: "web-1")
        let killed = kinds.firstIndex(of: .containerKilled(container: "app")) ?? -1
        let left = kinds.firstIndex(of: .endpoint(service: "web", ready: false)) ?? -1
        #expect(killed >= 0 && killed < left)
        s.cluster.stopTraffic(service: "web")
        let c = s.cluster.traffic(service: "web")
        #expect(c.sent > 100)
        #expect(c.dropped > 0)
        #expect(c.droppedByPod.keys.sorted() == ["web-1"])
        #expect(c.sent == c.served + c.dropped)
        #expect(c.unroutable == 0)
    }

    @Test("no request is dropped when the pod leaves the endpoints before its restart")
    func gatedRestart() throws {
        let lat = Latencies(kill: 0.05, pull: 0.05, start: 0.05, readiness: 0.05, endpointPropagation: 0.15)
        let s = try Self.cluster(pods: 2, latencies: lat)
        defer { s.stop() }
        s.cluster.startTraffic(service: "web", rate: 400, container: "app")
        try Sim.setCondition(s, pod: "web-1", type: "InPlaceUpdateReady", status: "False")
        Sim.wait(s, "out of the endpoints", settle: false) { Self.listedReady(s, pod: "web-1") == false }
        try Sim.setImage(s, pod: "web-1", container: "app", image: "nginx:1.27")
        Sim.wait(s, "restarted", settle: false) {
            let app = Sim.containerStatus(Sim.get(s, "web-1"), "app")
            return app?["restartCount"]?.int == 1 && app?["ready"]?.bool == true
        }
        try Sim.setCondition(s, pod: "web-1", type: "InPlaceUpdateReady", status: "True")
        Sim.wait(s, "back in the endpoints", settle: false) { Self.listedReady(s, pod: "web-1") == true }
        Thread.sleep(forTimeInterval: 0.05)
        s.cluster.stopTraffic(service: "web")
        let c = s.cluster.traffic(service: "web")
        #expect(c.sent > 100)
        #expect(c.dropped == 0)
        #expect(c.unroutable == 0)
        #expect(c.served == c.sent)
    }

    @Test("requests with no ready endpoint are unroutable; counters reset")
    func unroutable() throws {
        let s = try Sim.server(Scenario(objects: [Self.service]))
        defer { s.stop() }
        s.cluster.startTraffic(service: "web", rate: 1000)
        Sim.wait(s, "some requests", settle: false) { s.cluster.traffic(service: "web").unroutable > 10 }
        #expect(s.cluster.traffic(service: "web").sent == 0)
        s.cluster.stopTraffic(service: "web")
        s.cluster.resetTraffic(service: "web")
        #expect(s.cluster.traffic(service: "web") == TrafficCounters())
    }

    @Test("traffic from the scenario starts with the cluster; the demo keeps its gate conditions and serves")
    func demoTraffic() throws {
        let s = try KubeSimServer(scenario: .demo)
        defer { s.stop() }
        #expect(s.cluster.options.traffic == [TrafficSpec(service: "web", rate: 20, container: "app")])
        Sim.wait(s, "requests served", settle: false) { s.cluster.traffic(service: "web").served >= 3 }
        #expect(s.cluster.traffic(service: "web").dropped == 0)
        for p in Sim.pods(s, prefix: "web-") {
            #expect(Sim.condition(p, "InPlaceUpdateReady")?["status"]?.string == "True")
            #expect(Sim.isReady(p))
        }
    }
}
