import Foundation
import JSON
import KubeSim
import Testing

/// Issue 12 (client cost: no per-pod threads): the rollout's pod writes and its Events go out on the
/// client's one write loop, not on a thread each.
@Suite("rollout: writes go out on one write loop")
struct WriteLoopRolloutTests {
    /// The `Threads:` line of /proc/PID/status (0 once the process is gone).
    static func threads(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }
        return line.flatMap { Int($0.dropFirst("Threads:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
    }

    @Test("12: 30 pods at --max-unavailable 30: every pod is updated and has its Event, its writes ask for the metadata alone in answer, and the client never runs more than 16 threads (7 here; with a thread per write in flight, 45)")
    func noThreadPerWrite() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 30)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let run = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "30", "--grace-period", "0",
                               "--timeout", "60s"])
        defer { run.cleanUp() }
        let pid = run.process.processIdentifier
        var peak = 0
        while run.process.isRunning {
            peak = max(peak, Self.threads(pid))
            usleep(2_000)
        }
        #expect(run.waitExit(timeout: 60) == 0, "\(run.stderr)")
        let pods = c.facts(prefix: "web-")
        #expect(pods.count == 30 && pods.values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready }, "\(pods.values)")
        let events = c.server.store.list(Resources.events, namespace: "default").items
        let updated = Set(events.filter { $0["reason"] == "InPlaceUpdated" }.compactMap { $0[path: ["involvedObject", "name"]]?.string })
        #expect(updated == Set(pods.keys), "one InPlaceUpdated Event per pod")
        #expect(events.contains { $0["reason"] == "InPlaceRolloutCompleted" })
        let podPatches = c.server.requestLog.entries.filter { $0.method == "PATCH" && $0.path.contains("/pods/") }
        #expect(podPatches.count >= 60, "each pod's writes reached the server: \(podPatches.count)")
        let metadataOnly = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
        #expect(podPatches.filter { !$0.isDryRun }.allSatisfy { $0.accept == metadataOnly },
                "a pod write's answer is read for its metadata alone, so only that is asked for: \(Set(podPatches.map(\.accept)))")
        let eventPosts = c.server.requestLog.entries.filter { $0.method == "POST" && $0.path.hasSuffix("/events") }
        #expect(!eventPosts.isEmpty && eventPosts.allSatisfy { $0.accept == metadataOnly })
        #expect(peak > 0 && peak <= 16, "peak client threads: \(peak)")
    }
}
