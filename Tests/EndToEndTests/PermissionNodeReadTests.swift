import Foundation
import JSON
import KubeSim
import Testing

/// Issue 14, the reads that features added: nodes (kubelet versions for native sidecars and
/// resizes, labels for `--scatter-by`; cluster-scoped, so a ClusterRole) and the workload lists of
/// `plan -l`, `plan --all` and `-A`. Each test runs the binary as a token bound to exactly what
/// `rbac` printed.
extension PermissionTests {
    /// Applies what `rbac ARGS --service-account ACCOUNT` prints (its RoleBinding named after the
    /// account, so that several accounts of one test keep their own) and returns a kubeconfig for
    /// that account's token through `front` (one front per test: each new one rewrites the CA).
    static func bound(_ c: TestCluster, _ front: TLSFront, _ args: [String], account: String) throws -> String {
        let printed = try c.run(["rbac"] + args + ["--service-account", account])
        #expect(printed.status == 0, "\(printed)")
        try apply(printed.stdout, in: c) { doc in
            if doc["kind"] == "RoleBinding" { doc[path: ["metadata", "name"]] = .string("\(doc[path: ["metadata", "name"]]?.string ?? "")-\(account)") }
        }
        let token = c.server.serviceAccountToken(namespace: "default", name: account)
        return try c.writeManifest("kubeconfig-\(account)", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front),
                                                                                   user: ["token": .string(token)]))
    }

    @Test("native sidecar: `rbac --for rollout` lets the plan read each node's kubelet; with --node-reads=false the pods are blocked naming the read and the command")
    func sidecarKubeletVersionsWithPrintedRBAC() throws {
        var scenario = Workloads.scenario([SetImageAcrossWorkloadsTests.withSidecar(Workloads.deployment("api", replicas: 2))], nodeCount: 2)
        scenario.kubeletVersions = ["node-1": "v1.31.4"]
        let c = try TestCluster(scenario)
        defer { c.stop() }
        let front = try c.startTLSFront()
        let nodeOf = Dictionary(uniqueKeysWithValues: c.livePods(prefix: "api-").map {
            ($0[path: ["metadata", "name"]]?.string ?? "", $0[path: ["spec", "nodeName"]]?.string ?? "")
        })
        try #require(Set(nodeOf.values) == ["node-1", "node-2"], "\(nodeOf)")

        let full = try Self.bound(c, front, ["--for", "rollout"], account: "deployer")
        let (_, plan) = try c.planJSON(["deploy/api", "log-agent=busybox:1.37"], kubeconfig: .some(full))
        for p in plan.planPods {
            let node = nodeOf[p["name"]?.string ?? ""]
            if node == "node-1" {
                #expect(p["action"] == "blocked" && (p["reason"]?.string ?? "").contains("node node-1 runs kubelet v1.31.4"), "\(p)")
            } else {
                #expect(p["action"] == "update", "node-2's kubelet (1.32) was read: \(p)")
            }
        }
        #expect(plan.planPods.count == 2)
        #expect(Self.forbidden(c).isEmpty, "refused: \(Self.forbidden(c))")

        let namespaced = try Self.bound(c, front, ["--for", "rollout", "--node-reads=false"], account: "namespaced")
        let (_, blind) = try c.planJSON(["deploy/api", "log-agent=busybox:1.37"], kubeconfig: .some(namespaced))
        #expect(blind.planPods.count == 2 && blind.planPods.allSatisfy { p in
            let reason = p["reason"]?.string ?? ""
            return p["action"] == "blocked" && reason.contains("the kubelet version of node \(nodeOf[p["name"]?.string ?? ""] ?? "?") is unknown")
                && reason.contains("reading nodes is forbidden (get nodes") && reason.contains("kubectl inplace rbac --for rollout")
        }, "\(blind.planPods)")
        #expect(Self.forbidden(c).contains { $0.hasPrefix("GET /api/v1/nodes/") })
    }

    @Test("--scatter-by a node label as a token bound to `rbac --for plan`: the nodes' labels are used, no fallback; without the node read the warning names it")
    func scatterByNodeLabelWithPrintedRBAC() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)], nodeCount: 3))
        defer { c.stop() }
        let front = try c.startTLSFront()
        c.settle()
        let zoneKey = "topology.kubernetes.io/zone"
        for (i, zone) in ["zone-a", "zone-b", "zone-c"].enumerated() {
            UpdateOrderRolloutTests.label(c, "node-\(i + 1)", [zoneKey: zone], node: true)
        }
        let args = ["deployment/web", "app=nginx:1.27", "--scatter-by", zoneKey]

        let reader = try Self.bound(c, front, ["--for", "plan"], account: "reader")
        let (run, plan) = try c.planJSON(args, kubeconfig: .some(reader))
        #expect(plan.planWorkloads.first?[path: ["summary", "scatterLabelOf"]] == "node", "\(plan.planWorkloads.first?["summary"] ?? nil)")
        #expect(Set(plan.planPods.withAction("update").compactMap { $0["scatter"]?.string }) == ["zone-a", "zone-b", "zone-c"])
        #expect(!run.stderr.contains("uses the pods' own label"), "\(run.stderr)")
        #expect(Self.forbidden(c).isEmpty, "refused: \(Self.forbidden(c))")

        let namespaced = try Self.bound(c, front, ["--for", "plan", "--node-reads=false"], account: "namespaced")
        let (blindRun, blind) = try c.planJSON(args, kubeconfig: .some(namespaced))
        #expect(blind.planWorkloads.first?[path: ["summary", "scatterLabelOf"]] != "node")
        #expect(blindRun.stderr.contains("reading nodes is forbidden (list nodes") && blindRun.stderr.contains("rbac --for rollout"),
                "\(blindRun.stderr)")
    }

    @Test("resize at 1.33 as a token bound to `rbac --for rollout`: kubelets read, pods resized; a Role without node reads still rolls out image changes")
    func resizeWithPrintedRBAC() throws {
        let before = ResizeRolloutTests.web(requests: ["cpu": "100m", "memory": "64Mi"], limits: ["cpu": "200m"], policy: ResizeRolloutTests.cpuPolicy)
        let c = try ResizeRolloutTests.cluster(before, version: "v1.33.1", traffic: false)
        defer { c.stop() }
        let front = try c.startTLSFront()
        let desired = ResizeRolloutTests.web(requests: ["cpu": "150m", "memory": "64Mi"], limits: ["cpu": "300m"], policy: ResizeRolloutTests.cpuPolicy)
        let file = try c.writeManifest("web.yaml", desired)

        let namespaced = try Self.bound(c, front, ["--for", "rollout", "--node-reads=false"], account: "namespaced")
        let (_, blind) = try c.planJSON(["-f", file], kubeconfig: .some(namespaced))
        #expect(blind.planPods.count == 4 && blind.planPods.allSatisfy {
            $0["action"] == "blocked" && ($0["reason"]?.string ?? "").contains("is unknown: reading nodes is forbidden (get nodes")
        }, "\(blind.planPods)")
        let refused = try c.run(["rollout", "-f", file], kubeconfig: .some(namespaced))
        #expect(refused.status != 0 && refused.stderr.contains("reading nodes is forbidden"), "\(refused)")
        #expect(ResizeRolloutTests.resizeWrites(c).isEmpty)

        let full = try Self.bound(c, front, ["--for", "rollout"], account: "deployer")
        c.server.requestLog.clear()
        let r = try c.run(["rollout", "-f", file, "--grace-period", "0"], kubeconfig: .some(full), timeout: 120)
        #expect(r.status == 0, "\(r)")
        #expect(Set(ResizeRolloutTests.resizeWrites(c).filter { $0.statusCode < 300 }.map(\.path)).count == 4, "one resize per pod")
        #expect(c.livePods(prefix: "web-").allSatisfy {
            ResizeRolloutTests.appSpec($0)?[path: ["resources", "requests", "cpu"]] == "150m"
        })
        #expect(Self.forbidden(c).isEmpty, "refused: \(Self.forbidden(c))")

        c.server.requestLog.clear()
        let image = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0"], kubeconfig: .some(namespaced), timeout: 120)
        #expect(image.status == 0, "a rollout that needs no node read is not stopped by its absence: \(image)")
        #expect(DurableRolloutTests.updated(c) == 4)
        #expect(Self.forbidden(c).isEmpty, "no node was asked for: \(Self.forbidden(c))")
    }

    @Test("`plan -l` and `plan --all` as a token bound to `rbac --for plan`; `plan -A` needs `rbac --for plan -A` (a ClusterRole)")
    func planSelectsWithPrintedRBAC() throws {
        var scenario = Workloads.scenario([
            Workloads.deployment("web", replicas: 1),
            Workloads.deployment("api", replicas: 1, namespace: "team-b"),
        ])
        scenario.objects = [SetImageAcrossWorkloadsTests.namespace("team-b")]
        let c = try TestCluster(scenario)
        defer { c.stop() }
        let front = try c.startTLSFront()

        let reader = try Self.bound(c, front, ["--for", "plan"], account: "reader")
        let (labelled, byLabel) = try c.planJSON(["-l", "app=web", "app=nginx:1.27"], kubeconfig: .some(reader))
        #expect(SetImageAcrossWorkloadsTests.planned(byLabel) == ["default/Deployment/web"], "\(labelled)")
        let (_, all) = try c.planJSON(["--all", "app=nginx:1.27"], kubeconfig: .some(reader))
        #expect(SetImageAcrossWorkloadsTests.planned(all) == ["default/Deployment/web"])
        #expect(Self.forbidden(c).isEmpty, "refused: \(Self.forbidden(c))")

        let across = try c.run(["plan", "--all", "-A", "app=nginx:1.27"], kubeconfig: .some(reader))
        #expect(across.status != 0 && across.stderr.contains("forbidden"), "a Role does not list across namespaces: \(across)")

        let printed = try c.run(["rbac", "--for", "plan", "-A", "--service-account", "everywhere"])
        #expect(printed.stdout.contains("kind: ClusterRole\n") && !printed.stdout.contains("kind: Role\n"), "\(printed.stdout)")
        let file = try c.write("rbac-plan-all.yaml", printed.stdout)
        let (status, text) = try c.kubectl(["apply", "-f", file])
        #expect(status == 0, "kubectl apply:\n\(text)")
        #expect(text.contains("clusterrole.rbac.authorization.k8s.io/kubectl-inplace-plan created"), "\(text)")
        #expect(text.contains("clusterrolebinding.rbac.authorization.k8s.io/kubectl-inplace-plan-default-everywhere created"), "\(text)")
        let everywhere = try c.writeManifest("kubeconfig-everywhere", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: ["token": .string(c.server.serviceAccountToken(namespace: "default", name: "everywhere"))]))
        c.server.requestLog.clear()
        let (_, planned) = try c.planJSON(["--all", "-A", "app=nginx:1.27"], kubeconfig: .some(everywhere))
        #expect(SetImageAcrossWorkloadsTests.planned(planned) == ["default/Deployment/web", "team-b/Deployment/api"])
        let (_, labelledAll) = try c.planJSON(["-l", "app in (web,api)", "-A", "app=nginx:1.27"], kubeconfig: .some(everywhere))
        #expect(SetImageAcrossWorkloadsTests.planned(labelledAll) == ["default/Deployment/web", "team-b/Deployment/api"])
        #expect(Self.forbidden(c).isEmpty, "refused: \(Self.forbidden(c))")
    }

    @Test("the ClusterRole reading nodes applies with the real kubectl (client and server dry run, then for real) and grants get and list on nodes only")
    func nodeReaderApplies() throws {
        let c = try TestCluster(Workloads.scenario([]))
        defer { c.stop() }
        let printed = try c.run(["rbac", "--for", "plan", "-n", "default"])
        #expect(printed.status == 0, "\(printed)")
        let file = try c.write("rbac-plan.yaml", printed.stdout)
        for mode in ["--dry-run=client", "--dry-run=server", "--dry-run=none"] {
            let (status, text) = try c.kubectl(["apply", mode, "-f", file])
            #expect(status == 0, "kubectl apply \(mode):\n\(text)")
            for object in ["role.rbac.authorization.k8s.io/kubectl-inplace-plan", "rolebinding.rbac.authorization.k8s.io/kubectl-inplace-plan",
                           "clusterrole.rbac.authorization.k8s.io/kubectl-inplace-read-nodes",
                           "clusterrolebinding.rbac.authorization.k8s.io/kubectl-inplace-read-nodes-default-kubectl-inplace-plan"] {
                #expect(text.contains("\(object) created"), "\(mode): \(text)")
            }
        }
        let role = c.server.store.get(Resources.clusterRoles, namespace: "", name: "kubectl-inplace-read-nodes")
        #expect(role?["rules"] == [["apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]]], "\(role ?? nil)")
        let creds = try Self.credentials(c, serviceAccount: "kubectl-inplace-plan")
        #expect(try Self.canI(c, creds, "list", "nodes") == true)
        #expect(try Self.canI(c, creds, "patch", "nodes") == false, "read-only")

        let without = try c.run(["rbac", "--for", "plan", "--node-reads=false"])
        #expect(!without.stdout.contains("ClusterRole") && without.stdout.contains("kind: Role\n"), "\(without.stdout)")
    }
}
