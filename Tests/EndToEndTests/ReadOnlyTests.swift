import JSON
import KubeSim
import Testing

/// Acceptance item 7: `plan` only reads (GET and LIST), whatever it plans and however it is asked.
@Suite("plan never writes")
struct ReadOnlyTests {
    @Test("Every kind, by manifest and by reference, in every output format: only GET requests reach the server")
    func onlyReads() throws {
        let c = try TestCluster(Workloads.scenario([
            Workloads.deployment(replicas: 3), Workloads.statefulSet(replicas: 3), Workloads.daemonSet(), Workloads.pod("x"),
        ]))
        defer { c.stop() }
        var web = Workloads.deployment(replicas: 3, image: "nginx:1.27")
        web.setContainer("app", "env", [["name": "MODE", "value": "green"]])
        let file = try c.writeManifest("all.yaml",
            Workloads.deployment(replicas: 3, image: "nginx:1.27"), Workloads.statefulSet(replicas: 3, image: "postgres:16.3"),
            Workloads.daemonSet(image: "fluent/fluent-bit:3.1"), Workloads.pod("x", image: "nginx:1.27"))
        let blocked = try c.writeManifest("blocked.yaml", web)
        let before = c.server.store.resourceVersion
        let runs = [
            ["plan", "-f", file],
            ["plan", "-f", file, "-o", "json", "--partition", "1", "--max-unavailable", "50%"],
            ["plan", "-f", file, "-o", "yaml", "--exit-code"],
            ["plan", "-f", blocked, "--exit-code"],
            ["plan", "deployment/web", "app=nginx:1.27", "-v", "6"],
            ["plan", "sts/db", "postgres=postgres:16.3", "--partition", "50%"],
            ["plan", "ds/agent", "pod/x", "*=nginx:1.27"],
        ]
        for args in runs {
            let r = try c.run(args)
            let expected: Int32 = args.contains("--exit-code") ? (args.contains(blocked) ? 2 : 1) : 0
            #expect(r.status == expected, "\(args): \(r)")
            #expect(!r.stdout.isEmpty, "\(args) printed a plan")
        }
        let log = c.server.requestLog.entries
        #expect(log.count >= runs.count * 2)
        #expect(c.server.requestLog.writes.isEmpty, "writes: \(c.server.requestLog.writes.map { "\($0.method) \($0.path)" })")
        #expect(Set(log.filter { !$0.isAccessReview }.map(\.method)) == ["GET"], "only reads, and the permission check's access reviews")
        #expect(!log.contains { $0.isWatch }, "a plan does not watch")
        let paths = Set(log.map(\.path))
        for expected in ["/apis/apps/v1/namespaces/default/deployments/web", "/apis/apps/v1/namespaces/default/statefulsets/db",
                         "/apis/apps/v1/namespaces/default/daemonsets/agent", "/api/v1/namespaces/default/pods/x",
                         "/api/v1/namespaces/default/pods"] {
            #expect(paths.contains(expected), "read \(expected)")
        }
        #expect(c.server.store.resourceVersion == before, "nothing in the store changed")
    }
}
