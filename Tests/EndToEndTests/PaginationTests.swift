import JSON
import KubeSim
import Testing

/// Acceptance item 5: 2,500 pods of one Deployment, served at most 500 per page, are all planned.
@Suite("Pagination")
struct PaginationTests {
    @Test("2,500 pods at most 500 per page: the plan covers every pod, read in at least 5 list pages")
    func twoThousandFiveHundredPods() throws {
        let c = try TestCluster(Workloads.scenario(
            [Workloads.deployment("bulk", replicas: 2500)], nodeCount: 10, server: ServerOptions(pageSizeCap: 500)))
        defer { c.stop() }
        let capped = c.server.client.request("GET", "/api/v1/namespaces/default/pods?labelSelector=app%3Dbulk&limit=2000")
        #expect(capped.json?["items"]?.array?.count == 500, "the server caps a page at 500 items whatever the limit asked")
        c.server.requestLog.clear()

        let (run, plan) = try c.planJSON(["deployment/bulk", "app=nginx:1.27", "--max-unavailable", "25%"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(PlanSchema.violations(plan) == [])
        let pods = plan.planPods
        #expect(pods.count == 2500)
        #expect(Set(pods.names).count == 2500, "no pod twice")
        #expect(Set(pods.names) == Set(c.podNames(prefix: "bulk-")))
        #expect(pods.withAction("update").count == 2500)
        #expect(Set(pods.compactMap { $0["batch"]?.int }) == [1, 2, 3, 4], "25% of 2,500 is 625 per batch")

        let pages = c.server.requestLog.matching(method: "GET", path: "/api/v1/namespaces/default/pods")
        #expect(pages.count >= 5, "\(pages.count) list pages")
        #expect(pages.allSatisfy { $0.statusCode == 200 })
        #expect(pages.dropFirst().allSatisfy { !($0.query["continue"] ?? "").isEmpty }, "later pages follow the continue token")
        #expect(pages.allSatisfy { Int($0.query["limit"] ?? "") != nil }, "every page asks for a limit")
        #expect(c.server.requestLog.writes.isEmpty)
    }
}
