import Foundation

// `make bench`: measures kubectl-inplace against KubeSim and prints every figure with its target.
// Usage: inplace-bench PATH/TO/kubectl-inplace [all|plan|rollout|realistic|many|cost] [--pods N] [--trace]
//   rollout    1,000 pods at a fast kubelet (400 ms): makespan, writes, hand-off latency (traced)
//   realistic  1,000 pods at issue 12's realistic kubelet: makespan; client CPU and RSS (untraced)
//   many       50 Deployments x 20 pods from one directory against one of them alone
//   cost       the fast profile untraced, three times: the client's cost (median CPU and highest peak RSS
//              per 1,000 pods), which the traced rollout run overstates by what writing its trace costs

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write("usage: inplace-bench PATH/TO/kubectl-inplace [all|plan|rollout|realistic|many|cost] [--pods N] [--trace]\n".data(using: .utf8)!)
    exit(2)
}
let binary = URL(fileURLWithPath: args[1]).standardizedFileURL.path
let which = args.count > 2 && !args[2].hasPrefix("--") ? args[2] : "all"
let podsFlag = args.firstIndex(of: "--pods").flatMap { $0 + 1 < args.count ? Int(args[$0 + 1]) : nil }
let work = FileManager.default.temporaryDirectory.appendingPathComponent("inplace-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
let report = Report()
print("inplace-bench: \(binary); load average \(loadAverage())")
do {
    if which == "plan" || which == "all" {
        try PlanBenchmark(binary: binary, pods: podsFlag ?? 10_000, workDir: work).run(report: report)
    }
    if which == "rollout" || which == "all" {
        try RolloutBenchmark(binary: binary, pods: podsFlag ?? 1_000, maxUnavailable: 100, profile: .fast, workDir: work,
                             label: "rollout", trace: true).run(report: report)
    }
    if which == "cost" || which == "all" {
        try RolloutBenchmark(binary: binary, pods: podsFlag ?? 1_000, maxUnavailable: 100, profile: .fast, workDir: work,
                             label: "cost", trace: args.contains("--trace"), runs: 3).run(report: report)
    }
    if which == "realistic" || which == "all" {
        try RolloutBenchmark(binary: binary, pods: podsFlag ?? 1_000, maxUnavailable: 100, profile: .realistic, workDir: work,
                             label: "realistic").run(report: report)
    }
    if which == "many" || which == "all" {
        try ManyWorkloadsBenchmark(binary: binary, count: podsFlag.map { max(1, $0 / 20) } ?? 50, replicas: 20, profile: .fast,
                                   workDir: work).run(report: report)
    }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
let ok = report.summary()
if ProcessInfo.processInfo.environment["INPLACE_BENCH_KEEP"] == nil {
    try? FileManager.default.removeItem(atPath: work)
} else {
    print("kept \(work)")
}
exit(ok ? 0 : 1)
