import Foundation
import JSON
import KubeSim
import Testing

/// `set image` over several workloads (names, `-l`, `--all`, `-A`) and native sidecars
/// (`initContainers[]` with `restartPolicy: Always`), end to end through the binary against KubeSim:
/// only the named container changes, in exactly the workloads that have it; a sidecar is updated
/// where its node's kubelet restarts it (1.32+) and blocked elsewhere; a classic init container never.
@Suite("set image across workloads, and native sidecars")
struct SetImageAcrossWorkloadsTests {
    /// A container `log-agent` on busybox:1.36.
    static let agent: JSONValue = ["name": "log-agent", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 3600"]]

    /// `manifest` with `log-agent` as one more container.
    static func withAgent(_ manifest: JSONValue) -> JSONValue {
        var m = manifest
        m.containers = m.containers + [agent]
        return m
    }

    /// `manifest` with `log-agent` as a native sidecar (and, with `setup`, a classic init container).
    static func withSidecar(_ manifest: JSONValue, setup: Bool = false) -> JSONValue {
        var m = manifest
        var sidecar = agent
        sidecar["restartPolicy"] = "Always"
        m[path: ["spec", "template", "spec", "initContainers"]] = .array(
            (setup ? [["name": "setup", "image": "busybox:1.36", "command": ["true"]]] : []) + [sidecar])
        return m
    }

    static func namespace(_ name: String) -> JSONValue { ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]] }

    /// What a test compares about a pod: every container's (and native sidecar's) spec image,
    /// containerID and restartCount, by name.
    struct Containers: Equatable, CustomStringConvertible {
        var uid: String
        var images: [String: String] = [:]
        var ids: [String: String] = [:]
        var restarts: [String: Int] = [:]

        init(_ pod: JSONValue) {
            uid = pod[path: ["metadata", "uid"]]?.string ?? ""
            for c in (pod[path: ["spec", "containers"]]?.array ?? []) + (pod[path: ["spec", "initContainers"]]?.array ?? []) {
                images[c["name"]?.string ?? ""] = c["image"]?.string ?? ""
            }
            for s in (pod[path: ["status", "containerStatuses"]]?.array ?? []) + (pod[path: ["status", "initContainerStatuses"]]?.array ?? []) {
                let n = s["name"]?.string ?? ""
                ids[n] = s["containerID"]?.string ?? ""
                restarts[n] = s["restartCount"]?.int ?? 0
            }
        }

        var description: String { "images=\(images.sorted { $0.key < $1.key }) restarts=\(restarts.sorted { $0.key < $1.key })" }
    }

    static func containers(_ c: TestCluster, prefix: String, namespace: String = "default") -> [String: Containers] {
        Dictionary(uniqueKeysWithValues: c.livePods(prefix: prefix, namespace: namespace).map {
            ($0[path: ["metadata", "name"]]?.string ?? "", Containers($0))
        })
    }

    /// Every pod of `after` is the pod of `before` (same uid) with only `container` changed: image
    /// `image`, a new container, restartCount + 1; every other container the same container.
    static func expectOnly(_ container: String, changedTo image: String, before: [String: Containers], after: [String: Containers],
                           sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Set(after.keys) == Set(before.keys), "no pod replaced", sourceLocation: sourceLocation)
        for (name, b) in before {
            guard let a = after[name] else { continue }
            #expect(a.uid == b.uid, "\(name) kept its uid", sourceLocation: sourceLocation)
            #expect(a.images[container] == image, "\(name): \(a)", sourceLocation: sourceLocation)
            #expect(a.ids[container] != b.ids[container] && a.restarts[container] == (b.restarts[container] ?? 0) + 1,
                    "\(name): \(container) restarted once: \(a)", sourceLocation: sourceLocation)
            for other in b.images.keys where other != container {
                #expect(a.images[other] == b.images[other] && a.ids[other] == b.ids[other] && a.restarts[other] == b.restarts[other],
                        "\(name): \(other) untouched: before \(b), after \(a)", sourceLocation: sourceLocation)
            }
        }
    }

    /// The workloads of a JSON plan, as `namespace/Kind/name`, sorted.
    static func planned(_ plan: JSONValue) -> [String] {
        (plan["workloads"]?.array ?? []).compactMap { w in
            guard let ns = w["namespace"]?.string, let kind = w["kind"]?.string, let name = w["name"]?.string else { return nil }
            return "\(ns)/\(kind)/\(name)"
        }.sorted()
    }

    @Test("set image deploy/a deploy/b app=X updates both and only them; -l part-of=shop selects by label")
    func severalNamedWorkloads() throws {
        var a = Workloads.deployment("a", replicas: 2), b = Workloads.deployment("b", replicas: 2)
        for i in [0, 1] {
            var m = i == 0 ? a : b
            m[path: ["metadata", "labels", "app.kubernetes.io/part-of"]] = "shop"
            if i == 0 { a = m } else { b = m }
        }
        let c = try TestCluster(Workloads.scenario([a, b, Workloads.deployment("c", replicas: 2)]))
        defer { c.stop() }
        let before = [Self.containers(c, prefix: "a-"), Self.containers(c, prefix: "b-"), Self.containers(c, prefix: "c-")]
        let r = try c.run(["set", "image", "deploy/a", "deploy/b", "app=nginx:1.27", "--grace-period", "0"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        Self.expectOnly("app", changedTo: "nginx:1.27", before: before[0], after: Self.containers(c, prefix: "a-"))
        Self.expectOnly("app", changedTo: "nginx:1.27", before: before[1], after: Self.containers(c, prefix: "b-"))
        #expect(Self.containers(c, prefix: "c-") == before[2], "deploy/c untouched")

        let bySelector = try c.run(["set", "image", "-l", "app.kubernetes.io/part-of=shop", "sidecar=busybox:1.37", "--grace-period", "0"],
                                   timeout: 120)
        #expect(bySelector.status == 0, "\(bySelector)")
        #expect(Self.containers(c, prefix: "a-").values.allSatisfy { $0.images["sidecar"] == "busybox:1.37" && $0.restarts["sidecar"] == 1 })
        #expect(Self.containers(c, prefix: "b-").values.allSatisfy { $0.images["sidecar"] == "busybox:1.37" && $0.restarts["sidecar"] == 1 })
        #expect(Self.containers(c, prefix: "c-") == before[2], "deploy/c has no part-of=shop label")
    }

    @Test("set image --all log-agent=X: only that container, in the three workloads that have it (one as a native sidecar), behind the gate; the fourth untouched")
    func allWorkloadsWithTheContainer() throws {
        let c = try TestCluster(Workloads.scenario([
            Self.withAgent(Workloads.deployment("web", replicas: 2)),
            Self.withAgent(Workloads.statefulSet("db", replicas: 2)),
            Self.withSidecar(Workloads.deployment("api", replicas: 2)),
            Workloads.deployment("cache", replicas: 2),
        ]))
        defer { c.stop() }
        let prefixes = ["web-", "db-", "api-", "cache-"]
        let before = Dictionary(uniqueKeysWithValues: prefixes.map { ($0, Self.containers(c, prefix: $0)) })

        let (_, plan) = try c.planJSON(["--all", "log-agent=busybox:1.37"])
        #expect(Self.planned(plan) == ["default/Deployment/api", "default/Deployment/web", "default/StatefulSet/db"])
        let dry = try c.run(["set", "image", "--all", "log-agent=busybox:1.37", "--dry-run=client", "-o", "json"])
        #expect(dry.status == 0, "\(dry)")
        #expect(Self.planned((try? JSONValue(parsing: dry.stdout)) ?? .null) == Self.planned(plan), "\(dry.stdout)")
        #expect(c.ourWrites.isEmpty, "plan and the client dry run write nothing")

        let r = try c.run(["set", "image", "--all", "log-agent=busybox:1.37", "--grace-period", "0"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        for prefix in ["web-", "db-", "api-"] {
            Self.expectOnly("log-agent", changedTo: "busybox:1.37", before: before[prefix]!, after: Self.containers(c, prefix: prefix))
        }
        #expect(Self.containers(c, prefix: "cache-") == before["cache-"]!, "the workload without log-agent is untouched")
        #expect(!c.ourWrites.contains { $0.path.contains("/cache") }, "nothing was written to cache or its pods")

        let api = try #require(c.object(Resources.deployments, "api"))
        #expect((api[path: ["spec", "template", "spec", "initContainers"]]?.array ?? []).first?["image"]?.string == "busybox:1.37",
                "the Deployment's template carries the sidecar's new image, so its controller keeps the pods")
        let status = c.livePods(prefix: "api-").compactMap { pod in
            (pod[path: ["status", "initContainerStatuses"]]?.array ?? []).first { $0["name"]?.string == "log-agent" }
        }
        #expect(status.count == 2 && status.allSatisfy { $0["image"]?.string == "docker.io/library/busybox:1.37" && $0["ready"]?.bool == true })
        for pod in before["api-"]!.keys {
            let kinds = PodWrite.of(c.ourWrites).filter { $0.pod == pod }.map(\.kind)
            let off = kinds.firstIndex(of: .gateOff), patch = kinds.firstIndex(of: .imagePatch), on = kinds.lastIndex(of: .gateOn)
            #expect(off != nil && patch != nil && on != nil && off! < patch! && patch! < on!, "\(pod): gate off, sidecar patch, gate on: \(kinds)")
        }
        c.settle(thenWait: 0.5)
        #expect(c.livePods(prefix: "api-").count == 2 && Self.containers(c, prefix: "api-").keys == before["api-"]!.keys,
                "the Deployment controller replaced no pod afterwards")
    }

    @Test("set image --all -A: every namespace; without -A only the current one; bad combinations are usage errors")
    func allNamespaces() throws {
        var scenario = Workloads.scenario([
            Self.withAgent(Workloads.deployment("web", replicas: 1)),
            Self.withSidecar(Workloads.deployment("api", replicas: 1, namespace: "team-b")),
            Workloads.deployment("cache", replicas: 1, namespace: "team-c"),
        ])
        scenario.objects = [Self.namespace("team-b"), Self.namespace("team-c")]
        let c = try TestCluster(scenario)
        defer { c.stop() }
        let (_, here) = try c.planJSON(["--all", "log-agent=busybox:1.37"])
        #expect(Self.planned(here) == ["default/Deployment/web"])
        let (_, everywhere) = try c.planJSON(["--all", "-A", "log-agent=busybox:1.37"])
        #expect(Self.planned(everywhere) == ["default/Deployment/web", "team-b/Deployment/api"])
        let (_, labelled) = try c.planJSON(["-l", "app in (api,cache)", "-A", "app=nginx:1.27"])
        #expect(Self.planned(labelled) == ["team-b/Deployment/api", "team-c/Deployment/cache"], "-l with -A looks in every namespace")

        let before = Self.containers(c, prefix: "api-", namespace: "team-b")
        let cache = Self.containers(c, prefix: "cache-", namespace: "team-c")
        let r = try c.run(["set", "image", "--all", "-A", "log-agent=busybox:1.37", "--grace-period", "0"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        Self.expectOnly("log-agent", changedTo: "busybox:1.37", before: before, after: Self.containers(c, prefix: "api-", namespace: "team-b"))
        #expect(Self.containers(c, prefix: "web-").values.allSatisfy { $0.images["log-agent"] == "busybox:1.37" })
        #expect(Self.containers(c, prefix: "cache-", namespace: "team-c") == cache)

        for (args, message) in [
            (["--all", "-l", "app=web", "log-agent=x:1"], "cannot set --all and --selector"),
            (["--all", "deploy/web", "log-agent=x:1"], "name cannot be provided with --all"),
            (["--all", "*=x:1"], "not *"),
            (["-A", "deploy/web", "app=x:1"], "needs --all or -l"),
        ] {
            let bad = try c.run(["set", "image"] + args)
            #expect(bad.status == 2 && bad.stderr.contains(message), "\(args): \(bad)")
        }
        let none = try c.run(["plan", "--all", "nosuch=x:1"])
        #expect(none.status == 2 && none.stderr.contains("has a container named nosuch"), "\(none)")
    }

    @Test("A native sidecar on a node whose kubelet is older than 1.32 is blocked with the version; once the node runs 1.32 it is updated and restarted")
    func sidecarDependsOnTheKubeletOfEachPod() throws {
        var scenario = Workloads.scenario([Self.withSidecar(Workloads.deployment("api", replicas: 2))], nodeCount: 2)
        scenario.kubeletVersions = ["node-1": "v1.31.4"]
        let c = try TestCluster(scenario)
        defer { c.stop() }
        let pods = c.livePods(prefix: "api-")
        let nodeOf = Dictionary(uniqueKeysWithValues: pods.map { ($0[path: ["metadata", "name"]]!.string!, $0[path: ["spec", "nodeName"]]!.string!) })
        #expect(Set(nodeOf.values) == ["node-1", "node-2"], "\(nodeOf)")

        let (_, plan) = try c.planJSON(["deploy/api", "log-agent=busybox:1.37"])
        for p in plan[path: ["workloads"]]?[0]?["pods"]?.array ?? [] {
            let name = p["name"]?.string ?? ""
            if nodeOf[name] == "node-1" {
                #expect(p["action"]?.string == "blocked")
                #expect((p["reason"]?.string ?? "").contains("node node-1 runs kubelet v1.31.4"), "\(p)")
            } else {
                #expect(p["action"]?.string == "update", "\(p)")
            }
        }
        let refused = try c.run(["set", "image", "deploy/api", "log-agent=busybox:1.37", "--grace-period", "0"])
        #expect(refused.status == 2 && refused.stderr.contains("kubelet v1.31.4"), "\(refused)")
        #expect(c.ourWrites.isEmpty, "nothing was written")

        _ = try c.server.client.patch(Resources.nodes, namespace: "", name: "node-1", subresource: "status",
                                      patch: ["status": ["nodeInfo": ["kubeletVersion": "v1.32.2"]]]).get()
        let before = Self.containers(c, prefix: "api-")
        let r = try c.run(["set", "image", "deploy/api", "log-agent=busybox:1.37", "--grace-period", "0"], timeout: 120)
        #expect(r.status == 0, "\(r)")
        Self.expectOnly("log-agent", changedTo: "busybox:1.37", before: before, after: Self.containers(c, prefix: "api-"))

        let updated = Self.containers(c, prefix: "api-")
        let undo = try c.run(["undo", "deploy/api", "--grace-period", "0"], timeout: 120)
        #expect(undo.status == 0, "\(undo)")
        Self.expectOnly("log-agent", changedTo: "busybox:1.36", before: updated, after: Self.containers(c, prefix: "api-"))
    }

    @Test("The real kubectl reads the per-node kubelet versions and the sidecar statuses, and its own set image on a live pod restarts the sidecar only on the new kubelet")
    func realKubectlSeesTheSameObjects() throws {
        var scenario = Workloads.scenario([Self.withSidecar(Workloads.deployment("api", replicas: 2))], nodeCount: 2)
        scenario.kubeletVersions = ["node-1": "v1.31.4"]
        let c = try TestCluster(scenario)
        defer { c.stop() }
        let nodes = try c.kubectl(["get", "nodes", "-o", "custom-columns=NAME:.metadata.name,VERSION:.status.nodeInfo.kubeletVersion", "--no-headers"])
        #expect(nodes.status == 0, "\(nodes.output)")
        #expect(nodes.output.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") } == ["node-1 v1.31.4", "node-2 v1.32.0"],
                "\(nodes.output)")
        let pods = c.livePods(prefix: "api-")
        for pod in pods {
            let name = pod[path: ["metadata", "name"]]?.string ?? ""
            let node = pod[path: ["spec", "nodeName"]]?.string ?? ""
            let set = try c.kubectl(["set", "image", "pod/\(name)", "log-agent=busybox:1.37"])
            #expect(set.status == 0, "kubectl set image changes a live pod's sidecar image (A1): \(set.output)")
            c.settle(thenWait: 0.5)
            let shown = try c.kubectl(["get", "pod", name, "-o",
                                       "jsonpath={.spec.initContainers[0].image} {.status.initContainerStatuses[0].image} {.status.initContainerStatuses[0].restartCount}"])
            #expect(shown.status == 0, "\(shown.output)")
            let expected = node == "node-1" ? "busybox:1.37 docker.io/library/busybox:1.36 0" : "busybox:1.37 docker.io/library/busybox:1.37 1"
            #expect(shown.output == expected, "\(node): \(shown.output)")
        }
        let describe = try c.kubectl(["describe", "pod", pods[0][path: ["metadata", "name"]]?.string ?? ""])
        #expect(describe.status == 0 && describe.output.contains("Init Containers:") && describe.output.contains("log-agent:"), "\(describe.output)")
    }

    @Test("A classic init container's image change is blocked: nothing written, the plan says why")
    func classicInitContainerIsBlocked() throws {
        let c = try TestCluster(Workloads.scenario([Self.withSidecar(Workloads.deployment("api", replicas: 2), setup: true)]))
        defer { c.stop() }
        let (_, plan) = try c.planJSON(["deploy/api", "setup=busybox:1.37"])
        let pods = plan[path: ["workloads"]]?[0]?["pods"]?.array ?? []
        #expect(pods.count == 2 && pods.allSatisfy {
            $0["action"]?.string == "blocked" && ($0["reason"]?.string ?? "").contains("spec.initContainers[setup].image")
        }, "\(plan)")
        let before = Self.containers(c, prefix: "api-")
        let r = try c.run(["set", "image", "deploy/api", "setup=busybox:1.37"])
        #expect(r.status == 2 && r.stderr.contains("spec.initContainers[setup].image"), "\(r)")
        #expect(c.ourWrites.isEmpty)
        #expect(Self.containers(c, prefix: "api-") == before)
    }
}
