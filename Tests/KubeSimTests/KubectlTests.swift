import Foundation
import JSON
import Testing
@testable import KubeSim

/// Runs the real kubectl against a simulated server (skipped when kubectl is not installed).
struct Kubectl {
    let kubeconfig: String
    let cacheDir: String

    init(server: KubeSimServer) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kubesim-kubectl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        kubeconfig = dir + "/kubeconfig"
        cacheDir = dir + "/cache"
        try server.writeKubeconfig(to: kubeconfig)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: (kubeconfig as NSString).deletingLastPathComponent) }

    /// Runs kubectl with these arguments; returns the exit status, stdout and stderr.
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        let dir = (kubeconfig as NSString).deletingLastPathComponent
        let outPath = dir + "/out-\(UUID().uuidString)"
        let errPath = dir + "/err-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Fixtures.kubectl!)
        p.arguments = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir] + args
        p.standardOutput = FileHandle(forWritingAtPath: outPath)
        p.standardError = FileHandle(forWritingAtPath: errPath)
        try p.run()
        p.waitUntilExit()
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return (p.terminationStatus, out, err)
    }
}

@Suite("Real kubectl", .enabled(if: Fixtures.kubectl != nil, "kubectl is not installed (looked for /usr/bin/kubectl and kubectl on PATH)"))
struct KubectlTests {
    @Test("kubectl get pods -o json lists the seeded pods; get deploy, sts and ds work")
    func get() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let k = try Kubectl(server: s)
        defer { k.cleanUp() }
        let pods = try k.run(["get", "pods", "-o", "json"])
        #expect(pods.status == 0, "\(pods.err)")
        let list = try JSONValue(parsing: pods.out)
        let names = Set((list["items"]?.array ?? []).map(\.metaName))
        #expect(names == Set(s.store.list(Resources.pods, namespace: "default").items.map(\.metaName)))
        #expect(names.count == 10)
        let deploy = try k.run(["get", "deploy"])
        #expect(deploy.status == 0, "\(deploy.err)")
        #expect(deploy.out.contains("web"))
        #expect(deploy.out.contains("READY   UP-TO-DATE   AVAILABLE"))
        #expect(deploy.out.contains("4/4"))
        let human = try k.run(["get", "pods", "-o", "wide"])
        #expect(human.out.contains("READY   STATUS    RESTARTS"))
        #expect(human.out.contains("2/2     Running   0"))
        #expect(human.out.contains("READINESS GATES"))
        let others = try k.run(["get", "sts,ds"])
        #expect(others.status == 0, "\(others.err)")
        #expect(others.out.contains("statefulset.apps/db"))
        #expect(others.out.contains("daemonset.apps/agent"))
    }

    @Test("kubectl patch: labels and a container image succeed; an env change fails with the 422 message")
    func patch() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let k = try Kubectl(server: s)
        defer { k.cleanUp() }
        let pod = s.store.list(Resources.pods).items.first { $0.metaName.hasPrefix("web-") }!.metaName
        let labels = try k.run(["patch", "pod", pod, "-p", #"{"metadata":{"labels":{"a":"b"}}}"#])
        #expect(labels.status == 0, "\(labels.err)")
        #expect(s.store.get(Resources.pods, namespace: "default", name: pod)?.metaLabels["a"] == "b")
        let image = try k.run(["patch", "pod", pod, "-p", #"{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}"#])
        #expect(image.status == 0, "\(image.err)")
        let stored = s.store.get(Resources.pods, namespace: "default", name: pod)!
        #expect(stored[path: ["spec", "containers"]]?[0]?["image"]?.string == "nginx:1.27")
        #expect(stored[path: ["spec", "containers"]]?[1]?["image"]?.string == "busybox:1.36")
        let env = try k.run(["patch", "pod", pod, "-p", #"{"spec":{"containers":[{"name":"app","env":[{"name":"X","value":"1"}]}]}}"#])
        #expect(env.status != 0)
        #expect(env.err.contains("The Pod \"\(pod)\" is invalid: spec: Forbidden: pod updates may not change fields other than"))
        let patches = s.requestLog.matching(method: "PATCH")
        #expect(patches.count == 3)
        #expect(patches.allSatisfy { $0.contentType == "application/strategic-merge-patch+json" })
    }

    @Test("kubectl apply (client-side, server dry run and server-side) and delete")
    func applyAndDelete() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let k = try Kubectl(server: s)
        defer { k.cleanUp() }
        let file = (k.kubeconfig as NSString).deletingLastPathComponent + "/app.yaml"
        try """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
            spec:
              replicas: 2
              selector:
                matchLabels: {app: api}
              template:
                metadata:
                  labels: {app: api}
                spec:
                  containers:
                  - name: api
                    image: nginx:1.27
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let dry = try k.run(["apply", "--dry-run=server", "-f", file])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(s.store.get(Resources.deployments, namespace: "default", name: "api") == nil)
        let apply = try k.run(["apply", "-f", file])
        #expect(apply.status == 0, "\(apply.err)")
        #expect(s.store.get(Resources.deployments, namespace: "default", name: "api")?.metaAnnotations["kubectl.kubernetes.io/last-applied-configuration"] != nil)
        let again = try k.run(["apply", "-f", file])
        #expect(again.out.contains("unchanged"))
        let ssa = try k.run(["apply", "--server-side", "-f", file])
        #expect(ssa.status == 0, "\(ssa.err)")
        let del = try k.run(["delete", "-f", file])
        #expect(del.status == 0, "\(del.err)")
        #expect(s.store.get(Resources.deployments, namespace: "default", name: "api") == nil)
    }
}
