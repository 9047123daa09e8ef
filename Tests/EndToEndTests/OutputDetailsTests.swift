import Foundation
import JSON
import KubeSim
import Testing

/// What CI logs and people read: `status` as `kubectl get` prints, every JSON event timed and the
/// stream ended even when nothing started, and each message said once.
@Suite("Output: status table, JSON stream endings, messages said once")
struct OutputDetailsTests {
    static func cluster() throws -> TestCluster {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3), Workloads.statefulSet(replicas: 2)],
                                                     latencies: RolloutScenario.restartLatencies))
        c.settle()
        return c
    }

    /// Every stdout line as a JSON object.
    static func events(_ r: RunResult) throws -> [JSONValue] {
        try r.stdout.split(separator: "\n").map { try JSONValue(parsing: Array($0.utf8)) }
    }

    @Test("status: a header row, -o wide adds rollout, holder and images, -A adds the namespace, -n nosuch names the missing namespace")
    func statusTable() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let text = try c.run(["status"])
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                == ["WORKLOAD", "PHASE", "PODS", "IN-FLIGHT", "HELD", "FAILED", "AGE"], "\(text.stdout)")
        #expect(lines.dropFirst().first?.hasPrefix("deployment/web   complete   3/3") == true, "\(text.stdout)")
        let wide = try c.run(["status", "-o", "wide", "-A"])
        #expect(wide.stdout.hasPrefix("NAMESPACE   WORKLOAD"), "\(wide.stdout)")
        #expect(wide.stdout.contains("IMAGES") && wide.stdout.contains("app=nginx:1.27") && wide.stdout.contains("default "), "\(wide.stdout)")
        let yaml = try c.run(["status", "-o", "yaml"])
        #expect(yaml.stdout.hasPrefix("kind: RolloutStatusList\nitems:\n- kind: Deployment\n"), "\(yaml.stdout)")
        let missing = try c.run(["status", "-n", "nosuch"])
        #expect(missing.status == 2 && missing.stderr.contains("namespaces \"nosuch\" not found"), "\(missing)")
        let empty = try c.run(["status", "-n", "kube-system"])
        #expect(empty.status == 0 && empty.stderr.contains("No rollouts recorded in kube-system namespace."), "\(empty)")
    }

    @Test("-o json: every line has time, the summary too; a refusal before the first pod still ends with an error line")
    func jsonStream() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let ok = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "-o", "json"], timeout: 60)
        let events = try Self.events(ok)
        #expect(events.last?["type"] == "summary")
        #expect(events.allSatisfy { $0["time"]?.string?.hasSuffix("Z") == true }, "\(ok.stdout)")

        let refused = try c.run(["set", "image", "deployment/web", "app=Not A Valid:image", "-o", "json"])
        #expect(refused.status == 2, "\(refused)")
        let last = try #require(try Self.events(refused).last)
        #expect(last["type"] == "error" && last["exitCode"] == 2 && last["time"] != nil, "\(refused.stdout)")
        #expect(refused.stderr.hasPrefix("error: "), "the error is also said on stderr: \(refused.stderr)")
    }

    @Test("a rollback says the kubelet's failure once per failed pod, and status says it once too")
    func failureSaidOnce() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:broken-7", "--grace-period", "0", "--max-unavailable", "1",
                           "--on-failure", "rollback"], timeout: 60)
        #expect(r.status == 1, "\(r)")
        let lines = r.stderr.split(separator: "\n").map(String.init)
        let failedPods = lines.filter { $0.contains(" web-") && $0.contains(": failed: ") }
        #expect(!failedPods.isEmpty, "\(r.stderr)")
        let others = lines.filter { $0.contains("broken-7") && !failedPods.contains($0) }
        #expect(others.isEmpty, "the pull failure is said on the failed pods' lines only, not again in:\n\(others.joined(separator: "\n"))")
        #expect(r.stderr.components(separatedBy: "pause deployment/web").count - 1 == 1,
                "the rollback does not say it pauses a paused Deployment:\n\(r.stderr)")

        let failed = try c.run(["set", "image", "deployment/web", "app=nginx:broken-8", "--grace-period", "0", "--max-unavailable", "1"],
                               timeout: 60)
        #expect(failed.status == 1)
        let status = try c.run(["status", "deployment/web"])
        let failedLines = status.stdout.split(separator: "\n").filter { $0.contains("failed web-") }
        #expect(failedLines.count == 1, "\(status.stdout)")
        let reason = failedLines.first.map { String($0.split(separator: ":", maxSplits: 2).dropFirst().first ?? "") } ?? ""
        #expect(!reason.isEmpty && status.stdout.components(separatedBy: reason).count - 1 == 1, "the reason is said once: \(status.stdout)")
    }
}
