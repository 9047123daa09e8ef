import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Simulation performance")
struct PerformanceTests {
    /// 1,000 pods of one Deployment behind a Service with traffic; patches the image of `batch` pods
    /// at once and returns the seconds until every one of them is restarted, Ready and listed ready.
    static func restartBatch(latencies: Latencies, batch: Int) throws -> (seconds: Double, server: KubeSimServer) {
        var scenario = Scenario.bulk(replicas: 1000)
        scenario.objects = [
            ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "bulk"], "spec": ["selector": ["app": "bulk"], "ports": [["port": 80]]]]
        ]
        scenario.cluster = ClusterOptions(latencies: latencies, traffic: [TrafficSpec(service: "bulk", rate: 1000)])
        let s = try KubeSimServer(scenario: scenario)
        #expect(s.cluster.waitUntilIdle(timeout: 30))
        let names = Array(s.store.list(Resources.pods, namespace: "default").items.map(\.metaName).prefix(batch))
        let t0 = Date()
        for name in names {
            _ = try s.client.patch(Resources.pods, namespace: "default", name: name, patch: ["spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]]).get()
        }
        let wanted = Set(names)
        var seen = 0
        var listed = Set<String>()
        let ok = s.cluster.wait(timeout: 30) {
            let fresh = s.cluster.transitions.entries(from: seen)
            seen += fresh.count
            for e in fresh where wanted.contains(e.pod) && e.kind == .endpoint(service: "bulk", ready: true) { listed.insert(e.pod) }
            return listed.count == wanted.count
        }
        #expect(ok)
        return (Date().timeIntervalSince(t0), s)
    }

    @Test("100 of 1,000 pods restart at once: zero latencies take well under a second; with kill+pull+start 300 ms and ready 100 ms the overhead is small")
    func hundredAtOnce() throws {
        let (zero, s0) = try Self.restartBatch(latencies: .zero, batch: 100)
        s0.stop()
        let lat = Latencies(kill: 0.1, pull: 0.1, start: 0.1, readiness: 0.1)
        let (real, s1) = try Self.restartBatch(latencies: lat, batch: 100)
        let drops = s1.cluster.traffic(service: "bulk")
        s1.stop()
        print("kube-sim perf (debug build): 100 of 1,000 pods, image patch → restarted, Ready and listed ready: zero latencies \(Int(zero * 1000)) ms; with 400 ms of latencies \(Int(real * 1000)) ms (\(Int((real - 0.4) * 1000)) ms above them, sending the patches included); traffic sent \(drops.sent), dropped \(drops.dropped)")
        #expect(zero < 3)
        #expect(real >= 0.4)
        #expect(real < 3)
    }
}
