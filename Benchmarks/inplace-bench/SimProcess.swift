import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `kube-sim` server in its own process, so a measured client's peak RSS is its own: with an
/// in-process server, glibc's posix_spawn (CLONE_VM) makes Linux record the parent's RSS high-water
/// mark into the child's ru_maxrss at exec.
final class SimProcess {
    let process = Process()
    let kubeconfig: String

    /// The simulator's scheduling niceness (the client runs at 0); `INPLACE_BENCH_SIM_NICE` overrides it.
    static let niceness: Int32 = ProcessInfo.processInfo.environment["INPLACE_BENCH_SIM_NICE"].flatMap { Int32($0) } ?? 10

    /// Starts `kube-sim` (next to this executable) with `arguments`, waiting until it serves.
    init(arguments: [String], workDir: String) throws {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        kubeconfig = workDir + "/kubeconfig"
        let ready = workDir + "/sim.ready"
        try? FileManager.default.removeItem(atPath: ready)
        process.executableURL = here.appendingPathComponent("kube-sim")
        process.arguments = arguments + ["--kubeconfig", kubeconfig, "--ready-file", ready]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // The API server of a real cluster runs on other machines: here it shares the two cores with
        // the client, so it yields them to the client whenever both are ready to run, and the client's
        // figures (hand-off latency above all) measure the client, not the contest for the cores.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(process.processIdentifier), Self.niceness)
        let deadline = Date(timeIntervalSinceNow: 60)
        while !FileManager.default.fileExists(atPath: ready) {
            guard process.isRunning, Date() < deadline else { throw BenchError("kube-sim did not start") }
            usleep(50_000)
        }
    }

    /// The simulator's CPU time so far (user and system), from /proc; 0 where there is none.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // After the command name: state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// A benchmark that could not run.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
