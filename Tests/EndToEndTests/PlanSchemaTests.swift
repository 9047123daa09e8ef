import Foundation
import JSON
import KubeSim
import Testing
import YAML

/// Acceptance item 1: `plan -o json` of the built binary against KubeSim matches the contract's
/// schema for every workload kind and both ways of naming the target; batches follow
/// `--max-unavailable`; `--exit-code`; `-o yaml`.
@Suite("plan -o json against KubeSim")
struct PlanSchemaTests {
    static let webService: JSONValue = [
        "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
        "spec": ["selector": ["app": "web"], "ports": [["port": 80, "targetPort": "http"]]],
    ]

    @Test("Deployment from a -f manifest that only changes an image: every pod updates, one per batch")
    func deploymentFromManifest() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment()]))
        defer { c.stop() }
        let file = try c.writeManifest("web.yaml", Self.webService, Workloads.deployment(image: "nginx:1.27"))
        let (run, plan) = try c.planJSON(["-f", file])
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        let w = try #require(plan.planWorkloads.first)
        #expect(plan.planWorkloads.count == 1)
        #expect(w["kind"] == "Deployment" && w["namespace"] == "default" && w["name"] == "web")
        let pods = plan.planPods
        #expect(pods.names.sorted() == c.podNames(prefix: "web-"))
        #expect(pods.count == 4)
        #expect(pods.withAction("update").count == 4)
        #expect(pods.batches == [1, 2, 3, 4])
        for p in pods {
            #expect(p["containers"] == [["name": "app", "image": "nginx:1.27", "currentImage": "nginx:1.25"]])
        }
        #expect(run.stderr.contains("Service"), "the skipped Service is named in a warning: \(run.stderr)")
    }

    static let handWritten = """
        # The web tier: only the app image moves to 1.27.
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: http}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          labels: &labels
            app: web
        spec:
          replicas: 4
          selector:
            matchLabels: *labels
          template:
            metadata:
              labels: *labels
            spec:
              readinessGates:
                - conditionType: InPlaceUpdateReady
              containers:
                - name: app
                  image: "nginx:1.27"   # was 1.25
                  ports:
                    - {name: http, containerPort: 80}
                  env:
                    - name: MODE
                      value: 'blue'
                  readinessProbe:
                    httpGet: {path: /, port: 80}
                  resources:
                    requests: {cpu: 100m, memory: 64Mi}
                - name: sidecar
                  image: busybox:1.36
                  command: [sh, -c, "sleep 3600"]
        """

    @Test("Manifest formats: hand-written multi-document YAML (comments, anchors, flow style), JSON, a JSON List, stdin")
    func manifestFormats() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment()]))
        defer { c.stop() }
        let desired = Workloads.deployment(image: "nginx:1.27")
        let yaml = try c.write("web.yaml", Self.handWritten)
        let json = try c.write("web.json", desired.serialized(indent: 2))
        let list = try c.write("list.json", (["apiVersion": "v1", "kind": "List", "items": [Self.webService, desired]] as JSONValue).serialized())
        var plans: [JSONValue] = []
        for args in [["-f", yaml], ["-f", json], ["-f", list]] {
            let (run, plan) = try c.planJSON(args)
            #expect(run.status == 0, "\(args): \(run)")
            plans.append(plan)
        }
        let stdin = try c.run(["plan", "-f", "-", "-o", "json"], stdin: Array(Self.handWritten.utf8))
        #expect(stdin.status == 0, "\(stdin)")
        plans.append(try JSONValue(parsing: stdin.stdout))
        for plan in plans {
            #expect(PlanSchema.violations(plan) == [])
            #expect(plan.planPods.count == 4)
            #expect(plan.planPods.allSatisfy {
                $0["action"] == "update" && $0["containers"] == [["name": "app", "image": "nginx:1.27", "currentImage": "nginx:1.25"]]
            }, "\(plan)")
        }
        #expect(Set(plans.map { $0.serialized() }).count == 1, "every format plans the same")
    }

    @Test("Deployment by reference: deployment/NAME and deploy/NAME with CONTAINER=IMAGE; *=IMAGE sets every container")
    func deploymentByReference() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        let (r1, long) = try c.planJSON(["deployment/web", "app=nginx:1.27"])
        let (_, short) = try c.planJSON(["deploy/web", "app=nginx:1.27"])
        #expect(r1.status == 0, "\(r1)")
        #expect(PlanSchema.violations(long) == [])
        #expect(long == short)
        #expect(long.planWorkloads.first?["kind"] == "Deployment")
        #expect(long.planPods.names.sorted() == c.podNames(prefix: "web-"))
        #expect(long.planPods.withAction("update").count == 3)
        #expect(long.planPods.allSatisfy { $0["containers"] == [["name": "app", "image": "nginx:1.27", "currentImage": "nginx:1.25"]] })

        let (_, all) = try c.planJSON(["deployment/web", "*=registry.local/all:2"])
        #expect(PlanSchema.violations(all) == [])
        for p in all.planPods {
            #expect(p["containers"] == [
                ["name": "app", "image": "registry.local/all:2", "currentImage": "nginx:1.25"],
                ["name": "sidecar", "image": "registry.local/all:2", "currentImage": "busybox:1.36"],
            ])
        }
    }

    @Test("StatefulSet with --partition: ordinals >= partition update highest first, 0 and 1 hold for the partition",
          arguments: ["2", "40%"])
    func statefulSetPartition(partition: String) throws {
        let c = try TestCluster(Workloads.scenario([Workloads.statefulSet(replicas: 5)]))
        defer { c.stop() }
        let (run, plan) = try c.planJSON(["statefulset/db", "postgres=postgres:16.3", "--partition", partition])
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        #expect(plan.planWorkloads.first?["kind"] == "StatefulSet")
        let pods = plan.planPods
        #expect(pods.names == ["db-4", "db-3", "db-2", "db-1", "db-0"])
        #expect(pods.map { $0["action"]?.string ?? "" } == ["update", "update", "update", "hold", "hold"])
        #expect(pods.batches == [1, 2, 3, nil, nil])
        #expect(pods.withAction("hold").allSatisfy { $0["reason"] == "partition" })
        #expect(pods.withAction("update").allSatisfy {
            $0["containers"] == [["name": "postgres", "image": "postgres:16.3", "currentImage": "postgres:16.2"]]
        })
    }

    @Test("DaemonSet from a manifest: one pod per node, all updated")
    func daemonSet() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.daemonSet()], nodeCount: 3))
        defer { c.stop() }
        let file = try c.writeManifest("agent.yaml", Workloads.daemonSet(image: "fluent/fluent-bit:3.1"))
        let (run, plan) = try c.planJSON(["-f", file, "--max-unavailable", "2"])
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        #expect(plan.planWorkloads.first?["kind"] == "DaemonSet")
        #expect(plan.planWorkloads.first?["name"] == "agent")
        #expect(plan.planPods.names.sorted() == c.podNames(prefix: "agent-"))
        #expect(plan.planPods.count == 3)
        #expect(plan.planPods.batches == [1, 1, 2])
        #expect(plan.planPods.allSatisfy {
            $0["containers"] == [["name": "agent", "image": "fluent/fluent-bit:3.1", "currentImage": "fluent/fluent-bit:3.0.4"]]
        })
    }

    @Test("Bare Pod: from a -f pod manifest and as pod/x c=IMAGE")
    func barePod() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.pod("x"), Workloads.pod("y")]))
        defer { c.stop() }
        let file = try c.writeManifest("x.yaml", Workloads.pod("x", image: "nginx:1.27"))
        let (r1, fromFile) = try c.planJSON(["-f", file])
        let (r2, fromRef) = try c.planJSON(["pod/x", "c=nginx:1.27"])
        for (run, plan) in [(r1, fromFile), (r2, fromRef)] {
            #expect(run.status == 0, "\(run)")
            #expect(PlanSchema.violations(plan) == [])
            #expect(plan.planWorkloads.count == 1)
            let w = try #require(plan.planWorkloads.first)
            #expect(w["kind"] == "Pod" && w["name"] == "x" && w["namespace"] == "default")
            #expect(plan.planPods.count == 1)
            let pod = try #require(plan.planPods.first)
            #expect(pod["name"] == "x" && pod["action"] == "update" && pod["batch"] == 1)
            #expect(pod["containers"] == [["name": "c", "image": "nginx:1.27", "currentImage": "nginx:1.25"]])
        }
    }

    @Test("Batches respect --max-unavailable as a count and as a percentage (rounded down, at least 1)",
          arguments: [("1", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), ("3", [3, 3, 3, 1]), ("25%", [2, 2, 2, 2, 2]), ("50%", [5, 5]),
                      ("5%", [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), ("100%", [10])])
    func maxUnavailable(flag: String, sizes: [Int]) throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 10)]))
        defer { c.stop() }
        let (run, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--max-unavailable", flag])
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        let batches = plan.planPods.compactMap { $0["batch"]?.int }
        #expect(batches.count == 10)
        #expect(batches == batches.sorted(), "pods are listed in batch order")
        var counts: [Int: Int] = [:]
        for b in batches { counts[b, default: 0] += 1 }
        #expect(counts.keys.sorted() == Array(1...sizes.count))
        #expect(counts.keys.sorted().map { counts[$0]! } == sizes)
    }

    @Test("A pod that is already not ready is updated first, in batch 1")
    func notReadyFirst() throws {
        let c = try TestCluster(Workloads.scenario(
            [Workloads.deployment(replicas: 6)], podOverrides: [Scenario.PodOverride(workload: "web", index: 4, ready: false)]))
        defer { c.stop() }
        let notReady = c.server.store.list(Resources.pods, namespace: "default").items.filter { pod in
            (pod[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"] == "Ready" && $0["status"] == "False" }
        }.compactMap { $0[path: ["metadata", "name"]]?.string }
        #expect(notReady.count == 1)
        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--max-unavailable", "2"])
        #expect(PlanSchema.violations(plan) == [])
        let first = try #require(plan.planPods.first)
        #expect(first["name"]?.string == notReady.first)
        #expect(first["batch"] == 1)
        #expect(first["ready"] == false)
        #expect(plan.planPods.batches == [1, 1, 2, 2, 3, 3])
    }

    @Test("--exit-code: 1 with pending updates, 0 when every pod is up to date")
    func exitCode() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let pending = try c.run(["plan", "deployment/web", "app=nginx:1.27", "--exit-code"])
        #expect(pending.status == 1, "\(pending)")
        #expect(pending.stdout.contains("update"))
        let current = try c.writeManifest("current.yaml", Workloads.deployment(replicas: 2))
        let upToDate = try c.run(["plan", "-f", current, "--exit-code", "-o", "json"])
        #expect(upToDate.status == 0, "\(upToDate)")
        let plan = try JSONValue(parsing: upToDate.stdout)
        #expect(plan.planPods.count == 2)
        #expect(plan.planPods.allSatisfy { $0["action"] == "keep" && $0["batch"] == nil })
        let sameImage = try c.run(["plan", "deployment/web", "app=nginx:1.25", "--exit-code"])
        #expect(sameImage.status == 0, "\(sameImage)")
        let noFlag = try c.run(["plan", "deployment/web", "app=nginx:1.27"])
        #expect(noFlag.status == 0, "without --exit-code pending updates still exit 0: \(noFlag)")
    }

    @Test("-o yaml parses to the same plan as -o json")
    func yamlOutput() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.statefulSet(replicas: 3)]))
        defer { c.stop() }
        let args = ["statefulset/db", "postgres=postgres:16.3", "--partition", "1"]
        let (_, json) = try c.planJSON(args)
        let yaml = try c.run(["plan"] + args + ["-o", "yaml"])
        #expect(yaml.status == 0, "\(yaml)")
        let docs = try YAML.documents(from: yaml.stdout, fileName: "stdout")
        #expect(docs.count == 1)
        let parsed = try #require(docs.first?.value)
        #expect(PlanSchema.violations(parsed) == [])
        #expect(parsed == json)
        #expect(parsed.planPods.map { $0["action"]?.string ?? "" } == ["update", "update", "hold"])
    }
}
