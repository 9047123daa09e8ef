import Foundation
import JSON
import Synchronization
import Testing
@testable import InplaceCLI
@testable import InplaceCore

@Suite struct ControllerOptionsTests {
    func parse(_ args: [String], env: [String: String] = [:]) throws -> ControllerOptions {
        let parsed = try ArgumentParser(flags: Command.controller.allFlags, command: "c").parse(args)
        return try ControllerOptions(parsed, namespaceFlag: parsed.value("namespace"), environment: env, command: "c")
    }

    @Test func defaults() throws {
        let o = try parse([], env: ["POD_NAME": "kubectl-inplace-controller-7d9f-x2x7q"])
        #expect(o.namespaces == .all)
        #expect(o.scopes == [GateKeeperScope(path: "/api/v1/pods")])
        #expect(o.healthPort == 0)
        #expect(o.leaseName == "kubectl-inplace-controller")
        #expect(o.leaseNamespace == nil)
        #expect(o.leaseDuration == 15)
        #expect(o.identity == "kubectl-inplace-controller-7d9f-x2x7q")
        #expect(!o.printManifest)
        #expect(try parse([]).identity == "\(ProcessInfo.processInfo.hostName)_\(ProcessInfo.processInfo.processIdentifier)")
    }

    @Test func namespacesAndSelector() throws {
        let one = try parse(["-n", "shop", "-l", "app=web"])
        #expect(one.scopes == [GateKeeperScope(path: "/api/v1/namespaces/shop/pods", labelSelector: "app=web")])
        #expect(one.scopeDescription == "namespace shop matching app=web")
        let two = try parse(["--namespaces", "shop, payments"])
        #expect(two.namespaces == .only(["shop", "payments"]))
        #expect(two.scopes.map(\.path) == ["/api/v1/namespaces/shop/pods", "/api/v1/namespaces/payments/pods"])
        #expect(try parse(["-A"]).namespaces == .all)
        #expect(throws: CLIError.self) { try parse(["-A", "-n", "shop"]) }
        #expect(throws: CLIError.self) { try parse(["--namespaces", "a", "-n", "b"]) }
        #expect(throws: CLIError.self) { try parse(["--namespaces", ","]) }
    }

    @Test func leaseHealthAndIdentityFlags() throws {
        let o = try parse(["--lease-name", "gk", "--lease-namespace", "ops", "--lease-duration", "2s", "--health-port=8080",
                           "--identity", "laptop"])
        #expect(o.leaseName == "gk")
        #expect(o.leaseNamespace == "ops")
        #expect(o.leaseDuration == 2)
        #expect(o.healthPort == 8080)
        #expect(o.identity == "laptop")
        #expect(throws: CLIError.self) { try parse(["--lease-duration", "500ms"]) }
        #expect(throws: CLIError.self) { try parse(["--lease-duration", "soon"]) }
        #expect(throws: CLIError.self) { try parse(["--health-port", "70000"]) }
        #expect(throws: CLIError.self) { try parse(["--identity="]) }
    }

    @Test func manifestFlags() throws {
        let o = try parse(["--print-manifest", "--image", "registry.example.com/kubectl-inplace:0.1.0", "--install-namespace", "ops"])
        #expect(o.printManifest)
        #expect(o.image == "registry.example.com/kubectl-inplace:0.1.0")
        #expect(o.installNamespace == "ops")
        #expect(throws: CLIError.self) { try parse(["--image", "x:1"]) }
        #expect(throws: CLIError.self) { try parse(["--print-manifest", "--image", "Bad Image"]) }
    }
}

@Suite struct PrepareOptionsTests {
    func parse(_ args: [String]) throws -> PrepareOptions {
        try PrepareOptions(ArgumentParser(flags: Command.prepare.allFlags, command: "c").parse(args), command: "c")
    }

    @Test func flags() throws {
        let d = try parse([])
        #expect(d.wait && d.dryRun == .none && d.timeout == 600)
        let o = try parse(["--wait=false", "--timeout", "90s", "--dry-run=server"])
        #expect(!o.wait && o.timeout == 90 && o.dryRun == .server)
        #expect(try parse(["--timeout", "0"]).timeout == 0)
        #expect(throws: CLIError.self) { try parse(["--dry-run=maybe"]) }
        #expect(throws: CLIError.self) { try parse(["--timeout", "ten"]) }
        #expect(throws: CLIError.self) { try parse(["--wait=perhaps"]) }
    }

    @Test func usageErrorsExit2BeforeConnecting() {
        #expect(runCLI(["prepare"]).code == 2)
        let images = runCLI(["prepare", "deployment/web", "app=nginx:1.27"])
        #expect(images.code == 2)
        #expect(images.err.contains("takes no CONTAINER=IMAGE"))
        #expect(runCLI(["prepare", "-f", "/nonexistent/app.yaml"]).code == 2)
        #expect(runCLI(["controller", "extra"]).code == 2)
    }
}

@Suite struct ControllerManifestTests {
    @Test func objectsInApplyOrderWithTheLeastPrivilege() throws {
        let objects = ControllerManifest.objects(image: "registry.example.com/kip:1", namespace: "ops")
        #expect(objects.map { $0["kind"]?.string ?? "" }
                == ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment"])
        let clusterRole = try #require(objects.first { $0["kind"] == "ClusterRole" })
        #expect(clusterRole["rules"] == [
            ["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]],
            ["apiGroups": [""], "resources": ["pods/status"], "verbs": ["patch"]],
            ["apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets"], "verbs": ["list", "watch"]],
        ])
        let role = try #require(objects.first { $0["kind"] == "Role" })
        #expect(role[path: ["metadata", "namespace"]] == "ops")
        #expect(role["rules"] == [["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "create", "update"]]])
        for binding in objects where binding["kind"]?.string?.hasSuffix("Binding") == true {
            #expect(binding["subjects"] == [["kind": "ServiceAccount", "name": "kubectl-inplace-controller", "namespace": "ops"]])
        }
    }

    @Test func deploymentRunsTheControllerWithProbesAndARestrictedContext() throws {
        let d = try #require(ControllerManifest.objects(image: "registry.example.com/kip:1", namespace: "ops").last)
        #expect(d[path: ["spec", "replicas"]] == 1)
        let pod = try #require(d[path: ["spec", "template", "spec"]])
        #expect(pod["serviceAccountName"] == "kubectl-inplace-controller")
        #expect(pod[path: ["securityContext", "runAsNonRoot"]] == true)
        let c = try #require(pod["containers"]?[0])
        #expect(c["image"] == "registry.example.com/kip:1")
        #expect(c["args"] == ["controller", "--health-port=8080", "--lease-namespace=$(POD_NAMESPACE)"])
        #expect(c["env"]?.array?.map { $0["name"]?.string ?? "" } == ["POD_NAME", "POD_NAMESPACE"])
        #expect(c[path: ["env"]]?[1]?[path: ["valueFrom", "fieldRef", "fieldPath"]] == "metadata.namespace")
        #expect(c[path: ["livenessProbe", "httpGet", "path"]] == "/healthz")
        #expect(c[path: ["readinessProbe", "httpGet", "path"]] == "/readyz")
        #expect(c[path: ["securityContext", "allowPrivilegeEscalation"]] == false)
        #expect(c[path: ["securityContext", "readOnlyRootFilesystem"]] == true)
        #expect(c[path: ["securityContext", "capabilities", "drop"]] == ["ALL"])
        #expect(c[path: ["resources", "limits", "memory"]] == "128Mi")
    }

    @Test func printManifestNeedsNoCluster() {
        let r = runCLI(["controller", "--print-manifest", "--image", "registry.example.com/kip:1"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix("# kubectl-inplace"))
        #expect(r.out.components(separatedBy: "\n---\n").dropFirst().count == 7)
        #expect(r.out.contains("image: registry.example.com/kip:1"))
        #expect(r.out.contains("kind: ClusterRole\n"))
        #expect(r.err.isEmpty)
    }
}

@Suite struct HealthServerTests {
    func get(_ port: Int, _ path: String) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { return "connect failed" }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func answersProbesFromItsChecks() throws {
        let ready = Mutex(false)
        let server = try HealthServer(port: 0, checks: [
            "/healthz": { nil },
            "/readyz": { ready.withLock { $0 } ? nil : "pods not listed yet" },
        ])
        defer { server.stop() }
        #expect(server.port > 0)
        #expect(get(server.port, "/healthz").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(get(server.port, "/healthz").hasSuffix("\r\n\r\nok\n"))
        let notReady = get(server.port, "/readyz")
        #expect(notReady.hasPrefix("HTTP/1.1 503 "))
        #expect(notReady.hasSuffix("pods not listed yet\n"))
        ready.withLock { $0 = true }
        #expect(get(server.port, "/readyz?verbose").hasPrefix("HTTP/1.1 200 OK"))
        #expect(get(server.port, "/metrics").hasPrefix("HTTP/1.1 404 "))
    }

    @Test func aBusyPortIsAClearError() throws {
        let first = try HealthServer(port: 0, checks: [:])
        defer { first.stop() }
        #expect(throws: HealthServerError.self) { try HealthServer(port: first.port, checks: [:]) }
    }
}

@Suite struct NativeRolloutFollowerTests {
    let workload = Workload(kind: .deployment, object: [
        "metadata": ["name": "web", "namespace": "default"], "spec": ["selector": ["matchLabels": ["app": "web"]]],
    ])
    let rolledOut: JSONValue = [
        "metadata": ["name": "web", "generation": 2], "spec": ["replicas": 2],
        "status": ["observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2],
    ]

    func pod(gated: Bool = true, ready: Bool = true, gone: Bool = false, warning: String? = nil) -> NativeRolloutFollower.PodState {
        NativeRolloutFollower.PodState(gated: gated, ready: ready, gone: gone, warning: warning)
    }

    @Test func doneOnlyWhenRolledOutAndEveryLivePodIsGatedAndReady() {
        let done = NativeRolloutFollower.evaluate(workload, object: rolledOut, listed: true,
                                                  pods: ["a": pod(), "b": pod(), "old": pod(gated: false, ready: false, gone: true)])
        #expect(done.0 == .done("deployment \"web\" successfully rolled out"))
        let waiting = NativeRolloutFollower.evaluate(workload, object: rolledOut, listed: true,
                                                     pods: ["a": pod(gated: false), "b": pod(ready: false, warning: "CrashLoopBackOff - back-off 10s")])
        #expect(!waiting.0.isDone)
        #expect(waiting.1 == "Waiting for deployment/web: 1 pod(s) without the readiness gate, 1 pod(s) not Ready... (Warning: CrashLoopBackOff - back-off 10s)")
        #expect(!NativeRolloutFollower.evaluate(workload, object: rolledOut, listed: true, pods: nil).0.isDone)
    }

    @Test func aMissingWorkloadFailsOnceListed() {
        #expect(NativeRolloutFollower.evaluate(workload, object: nil, listed: false, pods: [:]).1 == "")
        if case .failed = NativeRolloutFollower.evaluate(workload, object: nil, listed: true, pods: [:]).0 {} else {
            Issue.record("a deleted workload fails the wait")
        }
    }
}
