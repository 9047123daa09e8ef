import Foundation

// `make bench`: measures kubectl-inplace against KubeSim and prints the figures the issues ask for.
// Usage: inplace-bench PATH/TO/kubectl-inplace [plan|rollout|all]

let args = CommandLine.arguments
guard args.count >= 2 else {
    FileHandle.standardError.write("usage: inplace-bench PATH/TO/kubectl-inplace [plan|rollout|all]\n".data(using: .utf8)!)
    exit(2)
}
let binary = URL(fileURLWithPath: args[1]).standardizedFileURL.path
let which = args.count > 2 ? args[2] : "all"
let work = FileManager.default.temporaryDirectory.appendingPathComponent("inplace-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }

var allOK = true
do {
    if which == "plan" || which == "all" {
        allOK = try PlanBenchmark(binary: binary, pods: 10_000, workDir: work).run() && allOK
    }
    if which == "rollout" || which == "all" {
        allOK = try RolloutBenchmark(binary: binary, pods: 1_000, maxUnavailable: 100, workDir: work).run() && allOK
    }
} catch {
    print("benchmark failed: \(error)")
    exit(1)
}
print(allOK ? "all targets met" : "some targets missed")
