import Foundation
import JSON
import KubeSim
import Testing

/// Issue 12 (benchmarks that measure the client): `KUBECTL_INPLACE_TRACE` makes the client mark,
/// with their times, the watch events it receives, the requests it sends and the slot hand-overs of
/// a rollout, so `make bench` measures the hand-off latency from the client's own trace.
@Suite("rollout: the client's trace of hand-offs")
struct ClientTraceTests {
    @Test("12: 4 pods one at a time: 3 hand-offs, each naming the pod that freed the slot with the resourceVersion of a watch event or write response received before it, and followed by a write to the pod that took it")
    func handOffsAreTraced() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let trace = c.dir + "/client.trace"
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1", "--grace-period", "0",
                           "--timeout", "30s"], env: ["KUBECTL_INPLACE_TRACE": trace], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let pods = c.facts(prefix: "web-")
        #expect(pods.count == 4 && pods.values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready }, "\(pods.values)")

        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        var received: [String: UInt64] = [:]
        var responses: [String: [UInt64]] = [:]
        var writes: [String: [UInt64]] = [:]
        var handOffs: [(at: UInt64, freed: String, started: String)] = []
        for f in lines {
            guard f.count >= 3, let t = UInt64(f[0]) else { Issue.record("malformed trace line \(f)"); continue }
            let pod = f.count >= 4 ? f[3].split(separator: "/").drop { $0 != "pods" }.dropFirst().first.map(String.init) : nil
            switch f[1] {
            case "recv" where f[2].hasSuffix("/pods") && f.count == 6: received["\(f[4])@\(f[5])"] = received["\(f[4])@\(f[5])"] ?? t
            case "done": if let pod { responses[pod, default: []].append(t) }
            case "send" where f[2] == "PATCH": if let pod { writes[pod, default: []].append(t) }
            case "handoff" where f.count == 4: handOffs.append((t, f[2], f[3]))
            default: break
            }
        }
        #expect(handOffs.count == 3, "\(handOffs)")
        var started: Set<String> = []
        for h in handOffs {
            let freedPod = String(h.freed.split(separator: "@").first ?? "")
            let seen = received[h.freed] ?? responses[freedPod]?.first { $0 <= h.at }
            #expect(seen.map { $0 <= h.at } == true, "the object that showed \(h.freed) done was received before the hand-off")
            #expect(writes[h.started]?.contains { $0 >= h.at } == true, "\(h.started) is written after it took the slot")
            #expect(pods[freedPod] != nil && pods[h.started] != nil)
            started.insert(h.started)
        }
        #expect(started.count == 3 && !started.contains(handOffs.first.map { String($0.freed.split(separator: "@")[0]) } ?? ""))
    }

    @Test("12: without KUBECTL_INPLACE_TRACE nothing is traced")
    func noTraceByDefault() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        c.settle()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "--timeout", "30s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let files = try FileManager.default.contentsOfDirectory(atPath: c.dir)
        #expect(!files.contains { $0.hasSuffix(".trace") }, "\(files)")
    }
}
