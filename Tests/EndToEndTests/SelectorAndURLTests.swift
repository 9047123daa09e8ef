import Foundation
import JSON
import KubeSim
import Synchronization
import Testing
import YAML

/// `-l/--selector` picks workloads by label (and filters `-f` objects), and `-f URL` reads a manifest
/// over HTTP as kubectl does.
@Suite("Workloads by label, manifests by URL")
struct SelectorAndURLTests {
    static func cluster() throws -> TestCluster {
        try TestCluster(Workloads.scenario([
            Workloads.deployment(replicas: 2), Workloads.deployment("api", replicas: 2), Workloads.statefulSet(replicas: 2),
        ]))
    }

    /// The workloads a JSON plan covers, as `Kind/name`, sorted.
    static func planned(_ plan: JSONValue) -> [String] {
        (plan["workloads"]?.array ?? []).compactMap { w in
            guard let kind = w["kind"]?.string, let name = w["name"]?.string else { return nil }
            return "\(kind)/\(name)"
        }.sorted()
    }

    @Test("-l selects by label across kinds; a TYPE narrows it; -f -l keeps the matching objects; a bad selector is exit 2")
    func selector() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let (_, both) = try c.planJSON(["-l", "app in (web,api)", "*=nginx:1.27"])
        #expect(Self.planned(both) == ["Deployment/api", "Deployment/web"])
        let (_, db) = try c.planJSON(["-l", "app=db", "statefulset", "*=postgres:16.3"])
        #expect(Self.planned(db) == ["StatefulSet/db"])
        let (_, none) = try c.planJSON(["-l", "app!=web", "deployment", "*=nginx:1.27"])
        #expect(Self.planned(none) == ["Deployment/api"])
        let file = try c.writeManifest("all.yaml", Workloads.deployment(replicas: 2, image: "nginx:1.27"),
                                       Workloads.deployment("api", replicas: 2, image: "nginx:1.27"))
        let (_, filtered) = try c.planJSON(["-f", file, "-l", "app=api"])
        #expect(Self.planned(filtered) == ["Deployment/api"])

        let bad = try c.run(["plan", "-l", "app=", "x=", "*=nginx:1.27"])
        #expect(bad.status == 2)
        let nameAndSelector = try c.run(["plan", "-l", "app=web", "deploy/web", "app=nginx:1.27"])
        #expect(nameAndSelector.status == 2 && nameAndSelector.stderr.contains("name cannot be provided when a selector is specified"))
        let nothing = try c.run(["plan", "-l", "app=nosuch", "app=nginx:1.27"])
        #expect(nothing.status == 2 && nothing.stderr.contains("matches -l app=nosuch"), "\(nothing)")
    }

    @Test("set image -l rolls every matching workload and nothing else; undo -l returns it")
    func setImageBySelector() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let r = try c.run(["set", "image", "-l", "app=api", "app=nginx:1.27", "--grace-period", "0"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        let images = { (app: String) -> [String] in
            c.server.store.list(Resources.pods, namespace: "default").items.filter { $0[path: ["metadata", "labels", "app"]]?.string == app }
                .compactMap { $0[path: ["spec", "containers"]]?[0]?["image"]?.string }
        }
        #expect(images("api") == ["nginx:1.27", "nginx:1.27"])
        #expect(images("web") == ["nginx:1.25", "nginx:1.25"])

        let undo = try c.run(["undo", "-l", "app=api", "--grace-period", "0"], timeout: 120)
        #expect(undo.status == 0, "\(undo)")
        #expect(images("api") == ["nginx:1.25", "nginx:1.25"], "undo -l found the workload by its label")
        let none = try c.run(["undo", "-l", "app=nosuch"])
        #expect(none.status == 2 && none.stderr.contains("-l matches no workload"), "\(none)")
    }

    @Test("-f URL: read over HTTP, a 404 named as kubectl names it, a 503 tried again")
    func manifestURL() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let manifest = Array(YAML.emit(Workloads.deployment(replicas: 2, image: "nginx:1.27")).utf8)
        let flaky = Mutex(0)
        let http = try HTTPServer { request, response in
            switch request.path {
            case "/app.yaml": response.respond(status: 200, body: manifest)
            case "/flaky.yaml":
                let n = flaky.withLock { $0 += 1; return $0 }
                response.respond(status: n == 1 ? 503 : 200, body: n == 1 ? [] : manifest)
            default: response.respond(status: 404, body: Array("not here".utf8))
            }
        }
        defer { http.stop() }
        let base = "http://127.0.0.1:\(http.port)"
        let (_, plan) = try c.planJSON(["-f", base + "/app.yaml"])
        #expect(Self.planned(plan) == ["Deployment/web"])
        #expect(plan["workloads"]?[0]?["pods"]?[0]?["containers"]?[0]?["image"]?.string == "nginx:1.27")
        let (_, retried) = try c.planJSON(["-f", base + "/flaky.yaml"])
        #expect(Self.planned(retried) == ["Deployment/web"])
        #expect(flaky.withLock { $0 } == 2, "a 503 is tried again")
        let missing = try c.run(["plan", "-f", base + "/missing.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("unable to read URL \"\(base)/missing.yaml\", server reported 404 Not Found, status code=404"),
                "\(missing)")
    }
}
