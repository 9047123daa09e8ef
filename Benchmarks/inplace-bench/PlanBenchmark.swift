import Foundation

/// Issue 2's benchmark: `plan` over 10,000 pods against `kubectl get pods -o json` on the same server.
struct PlanBenchmark {
    let binary: String
    let pods: Int
    let workDir: String

    func run() throws -> Bool {
        print("== plan: \(pods) pods on KubeSim ==")
        let seedStart = Date()
        let sim = try SimProcess(arguments: ["--bulk", String(pods), "--page-size", "500"], workDir: workDir)
        defer { sim.stop() }
        print(String(format: "kube-sim serving %d pods after %.2fs (pages of at most 500)", pods, Date().timeIntervalSince(seedStart)))
        let kubeconfig = sim.kubeconfig
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": workDir, "KUBECONFIG": kubeconfig]

        var kubectl: ChildProcess.Measurement?
        if let path = ChildProcess.which("kubectl") {
            kubectl = ChildProcess.measure([path, "get", "pods", "-o", "json"], environment: env)
        } else {
            print("kubectl not found on PATH: no comparison")
        }
        let planArgs = [binary, "plan", "deployment/bulk", "app=nginx:1.27", "--allow-missing-gate", "-o", "json"]
        let out = workDir + "/plan.json"
        let plan = ChildProcess.measure(planArgs, environment: env, stdoutPath: out)
        let planned = (try? String(contentsOfFile: out, encoding: .utf8))?.components(separatedBy: "\"action\":\"update\"").count ?? 1

        func row(_ name: String, _ m: ChildProcess.Measurement) {
            print(String(format: "%-34@ %8.2fs wall %8.2fs cpu %8.1f MB peak RSS  (exit %d)", name as NSString,
                         m.wallSeconds, m.cpuSeconds, m.peakRSSMegabytes, m.exitCode))
        }
        if let kubectl { row("kubectl get pods -o json", kubectl) }
        row("kubectl-inplace plan -o json", plan)
        print("pods planned for update: \(planned - 1)")
        var ok = plan.exitCode == 0 && planned - 1 == pods
        if let kubectl, kubectl.wallSeconds > 0 {
            let ratio = plan.wallSeconds / kubectl.wallSeconds
            print(String(format: "plan / kubectl wall time: %.2f (target <= 0.50) %@", ratio, ratio <= 0.5 ? "PASS" : "FAIL"))
            ok = ok && ratio <= 0.5
        }
        print(String(format: "plan peak RSS: %.1f MB (target <= 100 MB) %@", plan.peakRSSMegabytes,
                     plan.peakRSSMegabytes <= 100 ? "PASS" : "FAIL"))
        return ok && plan.peakRSSMegabytes <= 100
    }
}
