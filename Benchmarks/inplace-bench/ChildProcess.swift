import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command to completion and measures it: wall time, CPU time and peak RSS (from wait4).
struct ChildProcess {
    /// What one run cost.
    struct Measurement {
        var exitCode: Int32
        var wallSeconds: Double
        var cpuSeconds: Double
        var peakRSSMegabytes: Double
    }

    /// Runs `argv` with `environment`, stdout and stderr sent to `/dev/null` (or `output` files).
    static func measure(_ argv: [String], environment: [String: String], stdoutPath: String = "/dev/null",
                        stderrPath: String = "/dev/null") -> Measurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArgs + cEnv).forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        guard posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv) == 0 else {
            return Measurement(exitCode: 127, wallSeconds: 0, cpuSeconds: 0, peakRSSMegabytes: 0)
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let wall = Date().timeIntervalSince(start)
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Measurement(exitCode: exited, wallSeconds: wall, cpuSeconds: cpu, peakRSSMegabytes: Double(usage.ru_maxrss) / 1024)
    }

    /// The absolute path of `name` on PATH, if any.
    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }
}
