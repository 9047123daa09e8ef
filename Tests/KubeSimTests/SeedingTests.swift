import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Scenarios and seeding")
struct SeedingTests {
    @Test("a Deployment seeds a ReplicaSet <deploy>-<hash> with pod-template-hash and pods <rs>-<5> owned by it")
    func deployment() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let d = s.store.get(Resources.deployments, namespace: "default", name: "web")!
        let rs = s.store.list(Resources.replicaSets).items
        #expect(rs.count == 1)
        let hash = rs[0].metaLabels["pod-template-hash"] ?? ""
        #expect(!hash.isEmpty && hash.count <= 10)
        #expect(hash.allSatisfy { SimRandom.nameAlphabet.contains($0) })
        #expect(rs[0].metaName == "web-\(hash)")
        #expect(rs[0][path: ["metadata", "ownerReferences"]]?[0]?["uid"]?.string == d.metaUID)
        #expect(rs[0][path: ["spec", "selector", "matchLabels", "pod-template-hash"]]?.string == hash)
        #expect(rs[0].metaAnnotations["deployment.kubernetes.io/revision"] == "1")
        let pods = s.store.list(Resources.pods).items.filter { $0.metaName.hasPrefix("web-") }
        #expect(pods.count == 4)
        for p in pods {
            #expect(p.metaName.count == "web-\(hash)-".count + 5)
            #expect(p.metaLabels == ["app": "web", "pod-template-hash": hash])
            #expect(p[path: ["metadata", "ownerReferences"]]?[0] == ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string(rs[0].metaName), "uid": .string(rs[0].metaUID), "controller": true, "blockOwnerDeletion": true])
            #expect(WorkloadStatus.isReady(p))
            let cs = p[path: ["status", "containerStatuses"]]!.array!
            #expect(cs.map { $0["name"]?.string } == ["app", "sidecar"])
            #expect(cs[0]["imageID"]?.string == "docker.io/library/nginx@sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c")
            #expect(cs[0]["containerID"]?.string?.hasPrefix("containerd://") == true)
            #expect(cs[0]["containerID"]?.string?.count == 13 + 64)
            #expect(cs[0]["image"]?.string == "docker.io/library/nginx:1.25")
            #expect(p[path: ["status", "podIP"]]?.string?.hasPrefix("10.244.") == true)
        }
        #expect(Set(pods.compactMap { $0[path: ["status", "podIP"]]?.string }).count == 4)
        #expect(d[path: ["status", "readyReplicas"]]?.int == 4)
        #expect(d[path: ["status", "conditions"]]?[0]?["type"]?.string == "Available")
        #expect(d.metaAnnotations["deployment.kubernetes.io/revision"] == "1")
        #expect(d[path: ["metadata", "generation"]]?.int == 1)
        #expect(d[path: ["status", "observedGeneration"]]?.int == 1)
    }

    @Test("a StatefulSet seeds a ControllerRevision and ordinal pods with the revision name label")
    func statefulSet() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let sts = s.store.get(Resources.statefulSets, namespace: "default", name: "db")!
        let cr = s.store.list(Resources.controllerRevisions).items.first { $0.metaName.hasPrefix("db-") }!
        let hash = cr.metaLabels["controller.kubernetes.io/hash"]!
        #expect(cr.metaName == "db-\(hash)")
        #expect(cr["revision"]?.int == 1)
        #expect(cr[path: ["data", "spec", "template", "$patch"]]?.string == "replace")
        #expect(sts[path: ["status", "currentRevision"]]?.string == cr.metaName)
        #expect(sts[path: ["status", "updateRevision"]]?.string == cr.metaName)
        for i in 0..<3 {
            let p = s.store.get(Resources.pods, namespace: "default", name: "db-\(i)")!
            #expect(p.metaLabels["controller-revision-hash"] == cr.metaName)
            #expect(p.metaLabels["statefulset.kubernetes.io/pod-name"] == "db-\(i)")
            #expect(p.metaLabels["apps.kubernetes.io/pod-index"] == String(i))
            #expect(p[path: ["spec", "hostname"]]?.string == "db-\(i)")
            #expect(p[path: ["spec", "subdomain"]]?.string == "db")
        }
    }

    @Test("a DaemonSet seeds one pod per node with the hash-only revision label and pod-template-generation")
    func daemonSet() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let cr = s.store.list(Resources.controllerRevisions).items.first { $0.metaName.hasPrefix("agent-") }!
        let hash = cr.metaLabels["controller.kubernetes.io/hash"]!
        let pods = s.store.list(Resources.pods).items.filter { $0.metaName.hasPrefix("agent-") }
        #expect(pods.count == 3)
        #expect(Set(pods.compactMap { $0[path: ["spec", "nodeName"]]?.string }) == ["node-1", "node-2", "node-3"])
        for p in pods {
            #expect(p.metaLabels["controller-revision-hash"] == hash)
            #expect(p.metaLabels["pod-template-generation"] == "1")
            #expect(p[path: ["spec", "tolerations"]]?.array?.count == 6)
        }
        let ds = s.store.get(Resources.daemonSets, namespace: "default", name: "agent")!
        #expect(ds[path: ["status", "desiredNumberScheduled"]]?.int == 3)
        #expect(ds[path: ["status", "numberReady"]]?.int == 3)
    }

    @Test("pods with a readiness gate and no condition are not Ready; overrides make pods unready or crash-looping")
    func readinessAndOverrides() throws {
        var scenario = Scenario.demo
        scenario.workloads[0].podConditions = [:]
        scenario.podOverrides = [
            .init(workload: "db", index: 1, ready: false),
            .init(workload: "db", index: 2, crashLooping: true, restartCount: 7),
            .init(workload: "agent", index: 0, images: ["agent": "fluent/fluent-bit:2.9"]),
        ]
        let s = try Fixtures.server(scenario: scenario)
        defer { s.stop() }
        let web = s.store.list(Resources.pods).items.first { $0.metaName.hasPrefix("web-") }!
        let ready = web[path: ["status", "conditions"]]!.array!.first { $0["type"]?.string == "Ready" }!
        #expect(ready["status"]?.string == "False")
        #expect(ready["reason"]?.string == "ReadinessGatesNotReady")
        #expect(ready["message"]?.string == "corresponding condition of pod readiness gate \"InPlaceUpdateReady\" does not exist.")
        let containersReady = web[path: ["status", "conditions"]]!.array!.first { $0["type"]?.string == "ContainersReady" }!
        #expect(containersReady["status"]?.string == "True")
        let db1 = s.store.get(Resources.pods, namespace: "default", name: "db-1")!
        #expect(!WorkloadStatus.isReady(db1))
        #expect(db1[path: ["status", "containerStatuses"]]?[0]?["ready"]?.bool == false)
        let db2 = s.store.get(Resources.pods, namespace: "default", name: "db-2")!
        #expect(db2[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "waiting", "reason"]]?.string == "CrashLoopBackOff")
        #expect(db2[path: ["status", "containerStatuses"]]?[0]?["restartCount"]?.int == 7)
        let sts = s.store.get(Resources.statefulSets, namespace: "default", name: "db")!
        #expect(sts[path: ["status", "readyReplicas"]]?.int == 1)
        let agent0 = s.store.list(Resources.pods).items.first { $0.metaName.hasPrefix("agent-") && $0[path: ["spec", "containers"]]?[0]?["image"]?.string == "fluent/fluent-bit:2.9" }
        #expect(agent0 != nil)
    }

    @Test("a scenario loads from a JSON file with manifests, digests, replicas, conditions and pod overrides")
    func scenarioFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubesim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest: JSONValue = ["apiVersion": "v1", "kind": "List", "items": [Fixtures.deployment("api", replicas: 1), ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "api"], "spec": ["ports": [["port": 80]]]]]]
        try manifest.serialized().write(to: dir.appendingPathComponent("app.json"), atomically: true, encoding: .utf8)
        let scenario: JSONValue = [
            "namespace": "shop", "nodes": 2, "kubeletVersions": ["node-2": "v1.31.4"],
            "server": ["pageSizeCap": 7, "bearerToken": "tok"],
            "manifests": ["app.json"],
            "replicas": ["api": 3],
            "podConditions": ["api": ["InPlaceUpdateReady": "True"]],
            "imageDigests": ["nginx:1.25": "sha256:1111111111111111111111111111111111111111111111111111111111111111"],
            "pods": [["workload": "api", "index": 0, "ready": false]],
        ]
        let file = dir.appendingPathComponent("scenario.json").path
        try scenario.serialized().write(toFile: file, atomically: true, encoding: .utf8)
        let loaded = try Scenario.load(path: file)
        #expect(loaded.server.pageSizeCap == 7)
        let s = try Fixtures.server(scenario: loaded)
        defer { s.stop() }
        let pods = s.store.list(Resources.pods, namespace: "shop").items
        #expect(pods.count == 3)
        #expect(pods.filter(WorkloadStatus.isReady).count == 2)
        #expect(pods.allSatisfy { $0[path: ["status", "containerStatuses"]]?[0]?["imageID"]?.string == "docker.io/library/nginx@sha256:1111111111111111111111111111111111111111111111111111111111111111" })
        #expect(pods.allSatisfy { $0[path: ["status", "conditions"]]?.array?.contains { $0["type"]?.string == "InPlaceUpdateReady" } == true })
        #expect(s.store.get(Resources.services, namespace: "shop", name: "api") != nil)
        #expect(s.store.list(Resources.nodes).items.count == 2)
        #expect(s.store.list(Resources.nodes).items.map { $0[path: ["status", "nodeInfo", "kubeletVersion"]]?.string ?? "" } == ["v1.32.0", "v1.31.4"],
                "kubeletVersions sets one node's kubelet; the others run the server's version")
        #expect(throws: KubeSimError.self) { try Scenario.from(["kubeletVersions": ["node-1": 131]]) }
        #expect(HTTP.get(s.port, "/api/v1/namespaces/shop/pods").status == 401)
        #expect(throws: KubeSimError.self) { try Scenario.from(["nodes": 0]) }
    }

    @Test("the bulk generator seeds 10,000 pods quickly")
    func bulk() throws {
        let started = Date()
        let s = try Fixtures.server(scenario: .bulk(replicas: 10_000))
        defer { s.stop() }
        #expect(s.store.count(Resources.pods) == 10_000)
        #expect(Date().timeIntervalSince(started) < 20)
    }

    @Test("unknown images get a deterministic digest; tags sharing a digest share an imageID")
    func digests() {
        let f = PodStatusFactory(imageDigests: ["app:v1": "sha256:aa", "app:stable": "sha256:aa"], random: SimRandom(seed: 1))
        #expect(f.imageID(for: "app:v1") == f.imageID(for: "app:stable"))
        #expect(f.imageID(for: "quay.io/x/y:1") == f.imageID(for: "quay.io/x/y:1"))
        #expect(f.imageID(for: "quay.io/x/y:1").hasPrefix("quay.io/x/y@sha256:"))
        #expect(f.imageID(for: "quay.io/x/y:1") != f.imageID(for: "quay.io/x/y:2"))
        #expect(ImageReference.normalized("nginx") == "docker.io/library/nginx:latest")
        #expect(ImageReference.normalized("bitnami/redis:7") == "docker.io/bitnami/redis:7")
        #expect(ImageReference.tag(of: "localhost:5000/x") == "latest")
        #expect(ImageReference.tag(of: "x@sha256:abc") == "")
    }
}

@Suite("Service endpoints")
struct ServiceEndpointsTests {
    @Test("seeded Services get an EndpointSlice and Endpoints listing their pods with readiness")
    func endpointSlices() throws {
        var scenario = Scenario.demo
        scenario.workloads[0].podConditions = ["InPlaceUpdateReady": "False"]
        scenario.podOverrides = [.init(workload: "web", index: 0, conditions: ["InPlaceUpdateReady": "True"])]
        let s = try Fixtures.server(scenario: scenario)
        defer { s.stop() }
        let slices = s.store.list(Resources.endpointSlices, namespace: "default").items.filter { $0.metaLabels["kubernetes.io/service-name"] == "web" }
        #expect(slices.count == 1)
        let slice = slices[0]
        #expect(slice.metaName.hasPrefix("web-"))
        #expect(slice["addressType"]?.string == "IPv4")
        #expect(slice["ports"] == [["name": "http", "port": 80, "protocol": "TCP"]])
        let endpoints = slice["endpoints"]?.array ?? []
        #expect(endpoints.count == 4)
        #expect(endpoints.filter { $0[path: ["conditions", "ready"]]?.bool == true }.count == 1)
        #expect(endpoints.allSatisfy { $0[path: ["targetRef", "kind"]]?.string == "Pod" })
        let svc = s.store.get(Resources.services, namespace: "default", name: "web")!
        #expect(slice[path: ["metadata", "ownerReferences"]]?[0]?["uid"]?.string == svc.metaUID)
        let ep = s.store.get(Resources.endpoints, namespace: "default", name: "web")!
        #expect(ep[path: ["subsets"]]?[0]?["addresses"]?.array?.count == 1)
        #expect(ep[path: ["subsets"]]?[0]?["notReadyAddresses"]?.array?.count == 3)
        let db = s.store.list(Resources.endpointSlices, namespace: "default").items.first { $0.metaLabels["kubernetes.io/service-name"] == "db" }
        #expect(db?.metaLabels["service.kubernetes.io/headless"] == "")
        #expect(db?["endpoints"]?.array?.count == 3)
    }

    @Test("a Service of 250 pods is seeded as slices of at most maxEndpointsPerSlice endpoints, each pod in one")
    func slicesAreChunked() throws {
        var scenario = Scenario.bulk(deployment: "big", replicas: 250)
        scenario.objects = [["apiVersion": "v1", "kind": "Service", "metadata": ["name": "big", "namespace": "default"],
                             "spec": ["selector": ["app": "big"], "ports": [["port": 80]]]]]
        let s = try Fixtures.server(scenario: scenario)
        defer { s.stop() }
        let slices = s.store.list(Resources.endpointSlices, namespace: "default").items
        #expect(slices.map { $0["endpoints"]?.array?.count ?? 0 }.sorted() == [50, 100, 100])
        let names = slices.flatMap { ($0["endpoints"]?.array ?? []).compactMap { $0[path: ["targetRef", "name"]]?.string } }
        #expect(Set(names).count == 250)
    }
}
