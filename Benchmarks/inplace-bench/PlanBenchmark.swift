import Foundation

/// `plan` over 10,000 pods against `kubectl get pods -o json` on the same server: CPU (user+sys of
/// each process, from wait4) and peak RSS; wall times are shown but depend on the machine's load.
struct PlanBenchmark {
    let binary: String
    let pods: Int
    let workDir: String

    func run(report: Report) throws {
        print("\n== plan: \(pods) pods on KubeSim ==")
        let seedStart = Date()
        let sim = try SimProcess(arguments: ["--bulk", String(pods), "--page-size", "500"], workDir: workDir)
        defer { sim.stop() }
        print(String(format: "kube-sim serving %d pods after %.2fs (pages of at most 500); load average %@", pods,
                     Date().timeIntervalSince(seedStart), loadAverage()))
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": workDir, "KUBECONFIG": sim.kubeconfig]

        var kubectl: ChildProcess.Measurement?
        if let path = ChildProcess.which("kubectl") {
            kubectl = ChildProcess.measure([path, "get", "pods", "-o", "json"], environment: env)
        } else {
            print("kubectl not found on PATH: no comparison")
        }
        let out = workDir + "/plan.json"
        let plan = ChildProcess.measure([binary, "plan", "deployment/bulk", "app=nginx:1.27", "--allow-missing-gate", "-o", "json"],
                                        environment: env, stdoutPath: out)
        let planned = (try? String(contentsOfFile: out, encoding: .utf8))?.components(separatedBy: "\"action\":\"update\"").count ?? 1

        func row(_ name: String, _ m: ChildProcess.Measurement) {
            print(String(format: "%-34@ %8.2fs wall %8.2fs cpu %8.1f MB peak RSS  (exit %d)", name as NSString,
                         m.wallSeconds, m.cpuSeconds, m.peakRSSMegabytes, m.exitCode))
        }
        if let kubectl { row("kubectl get pods -o json", kubectl) }
        row("kubectl-inplace plan -o json", plan)
        print("pods planned for update: \(planned - 1)")
        if plan.exitCode != 0 || planned - 1 != pods {
            report.problem("plan: exit \(plan.exitCode), \(planned - 1) of \(pods) pods planned for update")
        }
        if let kubectl, kubectl.cpuSeconds > 0 {
            print(String(format: "plan / kubectl wall time: %.2f", plan.wallSeconds / kubectl.wallSeconds))
            report.add(Figure("plan: CPU / kubectl get pods -o json CPU", plan.cpuSeconds / kubectl.cpuSeconds, atMost: 0.05, format: "%.3f"))
        }
        report.add(Figure("plan: peak RSS", plan.peakRSSMegabytes, atMost: 30, format: "%.1f", unit: " MB"))
    }
}
