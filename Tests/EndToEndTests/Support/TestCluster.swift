import Foundation
import JSON
import KubeSim
import YAML

/// One test's isolated world: a temporary directory (also `HOME`, so no real kubeconfig is ever
/// read), a KubeSim server on an ephemeral port seeded with a scenario, a kubeconfig for it, the
/// TLS fronts started for it, and a way to run the built binary against it.
final class TestCluster {
    /// The temporary directory.
    let dir: String
    /// The simulated API server.
    let server: KubeSimServer
    /// The built binary.
    let runner: BinaryRunner
    /// A kubeconfig pointing at `server` over plain HTTP (what `KUBECONFIG` is set to by default).
    let kubeconfig: String
    private var fronts: [TLSFront] = []

    /// The delay from a pod spec change to the kubelet's next sync of the pod in every test's
    /// cluster (a real kubelet acts at its next sync, and shows the old status until then).
    static let kubeletSync: Double = 0.25

    /// Starts a server seeded with `scenario` and writes its kubeconfig. The kubelet syncs a
    /// changed pod after `kubeletSync` seconds unless the scenario sets its own sync latency.
    init(_ scenario: Scenario, kubeletSync: Double = TestCluster.kubeletSync) throws {
        var scenario = scenario
        if scenario.cluster.latencies.sync == 0 { scenario.cluster.latencies.sync = kubeletSync }
        runner = try BinaryRunner.locate()
        dir = try TestCluster.makeTemporaryDirectory()
        do {
            server = try KubeSimServer(scenario: scenario)
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
        kubeconfig = dir + "/kubeconfig"
        try server.writeKubeconfig(to: kubeconfig)
    }

    /// Stops the TLS fronts and the server and deletes the directory.
    func stop() {
        for front in fronts { front.stop() }
        server.stop()
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kubectl-inplace-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes a file under the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String, mode: Int? = nil) throws -> String {
        try write(name, Array(text.utf8), mode: mode)
    }

    /// Writes bytes to a file under the directory and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8], mode: Int? = nil) throws -> String {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw E2EError.io("cannot write \(path)") }
        if let mode { try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path) }
        return path
    }

    /// Writes manifests as one multi-document YAML file and returns its path.
    @discardableResult
    func writeManifest(_ name: String, _ objects: JSONValue...) throws -> String {
        try write(name, objects.map { YAML.emit($0) }.joined(separator: "---\n"))
    }

    /// Runs the real kubectl (`/usr/bin/kubectl`) against this cluster; its stdout and stderr together.
    func kubectl(_ args: [String]) throws -> (status: Int32, output: String) {
        let r = try BinaryRunner(executable: URL(fileURLWithPath: "/usr/bin/kubectl"))
            .run(["--kubeconfig", kubeconfig] + args, environment: BinaryRunner.baseEnvironment(home: dir), workingDirectory: dir, timeout: 60)
        return (r.status, r.stdout + r.stderr)
    }

    /// Runs the binary with `KUBECONFIG` set to `kubeconfig` (nil: unset) and the extra variables.
    func run(_ args: [String], kubeconfig: String?? = .none, env extra: [String: String] = [:], stdin: [UInt8]? = nil,
             timeout: Double = 30) throws -> RunResult {
        var env = BinaryRunner.baseEnvironment(home: dir)
        let config: String? = kubeconfig ?? self.kubeconfig
        if let config { env["KUBECONFIG"] = config }
        for (k, v) in extra { env[k] = v }
        return try runner.run(args, environment: env, stdin: stdin, workingDirectory: dir, timeout: timeout)
    }

    /// Runs `plan ARGS -o json` and parses its stdout (failing when it is not JSON, or exits 2+ without `--exit-code`).
    func planJSON(_ args: [String], kubeconfig: String?? = .none, env: [String: String] = [:]) throws -> (RunResult, JSONValue) {
        let r = try run(["plan"] + args + ["-o", "json"], kubeconfig: kubeconfig, env: env)
        guard r.status == 0 || r.status == 1 || (r.status == 2 && args.contains("--exit-code")) else { throw E2EError.failedRun(r) }
        do {
            return (r, try JSONValue(parsing: r.stdout))
        } catch {
            throw E2EError.notJSON("\(error)", r)
        }
    }

    /// Starts a TLS front (socat) before the server; it is stopped with the cluster.
    func startTLSFront(requireClientCertificate: Bool = false) throws -> TLSFront {
        let pki = try TestPKI(directory: dir + "/pki")
        let front = try TLSFront(targetPort: server.port, pki: pki, requireClientCertificate: requireClientCertificate, logDirectory: dir)
        fronts.append(front)
        return front
    }

    /// Starts a TLS front (socat) requiring a client certificate before another port of the server
    /// (a `certificateListener`); it is stopped with the cluster.
    func startTLSFront(targetPort: UInt16) throws -> TLSFront {
        let pki = try TestPKI(directory: dir + "/pki-\(targetPort)")
        let front = try TLSFront(targetPort: targetPort, pki: pki, requireClientCertificate: true, logDirectory: dir)
        fronts.append(front)
        return front
    }

    /// The pods of the default namespace whose names start with `prefix`, by name.
    func podNames(prefix: String, namespace: String = "default") -> [String] {
        server.store.list(Resources.pods, namespace: namespace).items
            .compactMap { $0[path: ["metadata", "name"]]?.string }
            .filter { $0.hasPrefix(prefix) }
            .sorted()
    }
}

/// Failures of the test harness itself.
enum E2EError: Error, CustomStringConvertible {
    case io(String)
    case failedRun(RunResult)
    case notJSON(String, RunResult)
    case missingTool(String)
    case tool(String)

    var description: String {
        switch self {
        case .io(let m): return m
        case .failedRun(let r): return "the binary failed: \(r)"
        case let .notJSON(why, r): return "stdout is not JSON (\(why)): \(r)"
        case .missingTool(let m): return m
        case .tool(let m): return m
        }
    }
}
