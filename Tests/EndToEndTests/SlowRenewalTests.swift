import Foundation
import JSON
import KubeSim
import Testing

/// A rollout renews its record on the workload while it runs. When the API server answers a
/// renewal late (a slow or overloaded server), the rollout waits for that answer, or for anything
/// else that concerns it, instead of turning its loop as fast as it can until the answer comes.
@Suite("rollout: a late record renewal")
struct SlowRenewalTests {
    /// The CPU seconds (user and system) process `pid` has used so far, from `/proc/PID/stat`.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After the command's closing parenthesis: state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("renewals answered 1 s late (a 1 s lease renews every 167 ms): the client stays idle while it waits, and the rollout completes")
    func lateRenewalsDoNotSpin() throws {
        let latencies = Latencies(kill: 0.03, pull: 0.05, start: 0.03, readiness: 3.0, endpointPropagation: 0.05)
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment("web", replicas: 2)], latencies: latencies))
        defer { c.stop() }
        c.settle(thenWait: 3.5)
        c.server.requestLog.clear()
        c.server.faults.stallNext(8, method: "PATCH", path: "/apis/apps/v1/namespaces/default/deployments/web", seconds: 1.0)
        let started = Date()
        let run = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "--max-unavailable", "1"],
                              env: ["KUBECTL_INPLACE_ROLLOUT_LEASE_SECONDS": "1"])
        defer { run.cleanUp() }
        // By then the stalled writes (the record's first write, then renewals every 167 ms) have
        // kept a renewal on its way for most of the time, while the pods wait for readiness.
        usleep(6_000_000)
        let cpu = try #require(Self.cpuSeconds(run.process.processIdentifier), "the rollout still runs: \(run.stderr)")
        let wall = Date().timeIntervalSince(started)
        #expect(cpu < 1.5, "the client used \(cpu) s of CPU in \(wall) s of waiting")
        #expect(run.waitExit(timeout: 30) == 0, "\(run.stderr)")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
        let renewals = c.server.requestLog.entries.filter { $0.method == "PATCH" && $0.path == "/apis/apps/v1/namespaces/default/deployments/web" }
        #expect(renewals.count >= 4, "the record was written and renewed through the stalls: \(renewals.count) writes")
    }
}
