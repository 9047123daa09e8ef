import Foundation
import JSON
import KubeSim
import Testing

/// Issue 10, what kubectl and Argo Rollouts users reach for: `history` with change causes and
/// phases, `undo --to-revision`, and Kubernetes Events that `kubectl describe` and `kubectl get events` show.
@Suite("history, undo --to-revision and Kubernetes Events")
struct HistoryAndEventsTests {
    static let kubectlPath = "/usr/bin/kubectl"

    /// The history annotation on deployment/web, parsed.
    func revisions(_ c: TestCluster) throws -> [JSONValue] {
        let text = try #require(c.object(Resources.deployments, "web")?[path: ["metadata", "annotations", "inplace.kubectl.io/history"]]?.string)
        return try JSONValue(parsing: text)["revisions"]?.array ?? []
    }

    @Test("two rollouts and a failed one: history lists 3 with causes and phases; --to-revision 1 returns the pods to its images; the failed revision is refused; kubectl shows the events")
    func historyUndoAndEvents() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let first = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "100ms", "--cause", "bump to 1.27"], timeout: 60)
        #expect(first.status == 0, "\(first)")
        var manifest = Workloads.deployment(replicas: 3, image: "nginx:1.26")
        manifest[path: ["metadata", "annotations"]] = ["kubernetes.io/change-cause": "release 1.26 from git"]
        let file = try c.writeManifest("web.yaml", manifest)
        let second = try c.run(["rollout", "-f", file, "--grace-period", "100ms"], timeout: 60)
        #expect(second.status == 0, "\(second)")
        let failed = try c.run(["set", "image", "deployment/web", "app=nginx:1.27-broken", "--grace-period", "100ms",
                                "--cause", "try the broken build"], timeout: 60)
        #expect(failed.status == 1, "\(failed)")

        let stored = try revisions(c)
        #expect(stored.map { $0["revision"] } == [1, 2, 3])
        #expect(stored.map { $0["phase"] } == ["complete", "complete", "failed"])
        #expect(stored.map { $0["cause"] } == ["bump to 1.27", "release 1.26 from git", "try the broken build"])
        #expect(stored.map { $0[path: ["images", "app"]] } == ["nginx:1.27", "nginx:1.26", "nginx:1.27-broken"])
        #expect(stored.allSatisfy { ($0["holder"]?.string ?? "").contains("pid") && $0["finishedAt"]?.string?.isEmpty == false })

        let table = try c.run(["history", "deployment/web"])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5 && lines[1].hasPrefix("REVISION") && lines[1].hasSuffix("CHANGE-CAUSE"), "\(table.stdout)")
        #expect(lines[4].hasPrefix("3 ") && lines[4].contains("failed") && lines[4].contains("try the broken build"), "\(table.stdout)")
        let json = try c.run(["history", "deployment/web", "-o", "json"])
        #expect(try JSONValue(parsing: json.stdout)["revisions"]?.array?.count == 3, "\(json)")
        let yaml = try c.run(["history", "deployment/web", "-o", "yaml"])
        #expect(yaml.status == 0 && yaml.stdout.contains("cause: release 1.26 from git"), "\(yaml)")

        let writesBefore = c.ourWrites.count
        let refused = try c.run(["undo", "deployment/web", "--to-revision", "3"])
        #expect(refused.status == 2 && refused.stderr.contains("revision 3 did not complete"), "\(refused)")
        #expect(c.ourWrites.count == writesBefore, "a refused revision writes nothing")

        let undo = try c.run(["undo", "deployment/web", "--to-revision", "1", "--grace-period", "100ms"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        c.settle(thenWait: 0.2)
        let pods = c.facts(prefix: "web-")
        #expect(pods.count == 3 && pods.values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready }, "\(pods.values)")
        let after = try revisions(c)
        #expect(after.last?["revision"] == 4 && after.last?["phase"] == "complete" && after.last?["cause"] == "undo to revision 1")

        let rolledBack = try c.run(["set", "image", "deployment/web", "app=nginx:1.27-broken", "--grace-period", "100ms",
                                    "--on-failure", "rollback"], timeout: 60)
        #expect(rolledBack.status == 1, "\(rolledBack)")
        let final = try revisions(c)
        #expect(final.map { $0["phase"] } == ["complete", "complete", "failed", "complete", "rolledBack"], "\(final)")
        #expect(try RolloutHistoryText.lastLine(c.run(["history", "deployment/web"]).stdout).contains("rolled back"))

        let deployment = try #require(c.object(Resources.deployments, "web"))
        let events = c.server.store.list(Resources.events, namespace: "default").items
            .filter { $0[path: ["source", "component"]] == "kubectl-inplace" }
        let onWorkload = events.filter { $0[path: ["involvedObject", "kind"]] == "Deployment" }
        #expect(onWorkload.allSatisfy { $0[path: ["involvedObject", "uid"]] == deployment[path: ["metadata", "uid"]] })
        let reasons = Set(onWorkload.compactMap { $0["reason"]?.string })
        #expect(reasons.isSuperset(of: ["InPlaceRolloutStarted", "InPlaceRolloutCompleted", "InPlaceUpdateFailed", "InPlaceRolloutFailed",
                                        "InPlaceRolledBack"]), "\(reasons)")
        let failure = events.first { $0["reason"] == "InPlaceUpdateFailed" && $0[path: ["involvedObject", "kind"]] == "Pod" }
        #expect(failure?["type"] == "Warning" && failure?["message"]?.string?.contains("ImagePull") == true, "the kubelet's reason: \(failure?.serialized() ?? "none")")

        if FileManager.default.isExecutableFile(atPath: Self.kubectlPath) {
            let describe = try c.kubectl(["describe", "deploy/web"])
            #expect(describe.status == 0, "\(describe.output)")
            #expect(describe.output.contains("InPlaceRolloutStarted") && describe.output.contains("InPlaceRolloutCompleted")
                    && describe.output.contains("kubectl-inplace"), "\(describe.output)")
            let get = try c.kubectl(["get", "events"])
            #expect(get.status == 0 && get.output.contains("InPlaceUpdated") && get.output.contains("deployment/web"), "\(get.output)")
            let pod = try #require(pods.keys.sorted().first)
            let describePod = try c.kubectl(["describe", "pod", pod])
            #expect(describePod.output.contains("InPlaceUpdated") && describePod.output.contains("nginx:1.27"), "\(describePod.output)")
        }
    }
}

/// Reads `history`'s text table.
enum RolloutHistoryText {
    /// The last row.
    static func lastLine(_ text: String) -> String { text.split(separator: "\n").last.map(String.init) ?? "" }
}
