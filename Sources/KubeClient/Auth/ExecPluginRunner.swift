#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The outcome of running a process to completion.
struct ProcessOutput: Sendable {
    var exitCode: Int32?
    var signal: Int32?
    var stdout: [UInt8]
    var stderr: [UInt8]
    /// True when the process wrote more than the output limit and was killed for it.
    var exceededLimit = false
}

/// Runs credential plugins with posix_spawn, capturing stdout and stderr.
enum ExecPluginRunner {
    /// Finds `command` like Go's exec.LookPath: a name with a slash is used as is, otherwise each
    /// `PATH` entry is tried; the file must exist and be executable.
    static func lookPath(_ command: String, path: String?) -> String? {
        if command.contains("/") { return isExecutable(command) ? command : nil }
        for dir in (path ?? "").split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + command
            if isExecutable(candidate) { return candidate }
        }
        return nil
    }

    private static func isExecutable(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFDIR else { return false }
        return access(path, X_OK) == 0
    }

    /// Most bytes read from each of stdout and stderr (an ExecCredential is a few KiB).
    static let defaultOutputLimit = 1 << 20

    /// Runs `executable` with `arguments` and exactly `environment`; stdin is inherited when
    /// `passStdin`, else /dev/null. A process writing more than `outputLimit` bytes to stdout or
    /// stderr is killed (`exceededLimit`). Returns an errno text when the spawn itself fails.
    static func run(
        executable: String, arguments: [String], environment: [(String, String)], passStdin: Bool,
        outputLimit: Int = defaultOutputLimit
    ) -> Result<ProcessOutput, SpawnFailure> {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { return .failure(SpawnFailure(errno)) }
        guard makePipe(&errPipe) else {
            let e = errno
            close(outPipe[0]); close(outPipe[1])
            return .failure(SpawnFailure(e))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if !passStdin { posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attr, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) }
        let envp = environment.map { strdup("\($0.0)=\($0.1)") }
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var rc: Int32 = 0
        for attempt in 0..<5 {
            rc = (argv + [nil]).withUnsafeBufferPointer { a in
                (envp + [nil]).withUnsafeBufferPointer { e in
                    posix_spawn(&pid, executable, &actions, &attr,
                        UnsafeMutablePointer(mutating: a.baseAddress!), UnsafeMutablePointer(mutating: e.baseAddress!))
                }
            }
            // ETXTBSY: another process briefly holds the file open for writing (e.g. a freshly
            // written script inherited by a concurrent fork); it clears within milliseconds.
            guard rc == ETXTBSY, attempt < 4 else { break }
            usleep(UInt32(10_000 << attempt))
        }
        close(outPipe[1])
        close(errPipe[1])
        if rc != 0 {
            close(outPipe[0]); close(errPipe[0])
            return .failure(SpawnFailure(rc))
        }
        let (stdout, stderr, exceeded) = drain(outPipe[0], errPipe[0], limit: outputLimit)
        close(outPipe[0])
        close(errPipe[0])
        if exceeded { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let termSignal = status & 0x7f
        var output = ProcessOutput(exitCode: nil, signal: nil, stdout: stdout, stderr: stderr, exceededLimit: exceeded)
        if termSignal == 0 {
            output.exitCode = (status >> 8) & 0xff
        } else {
            output.signal = termSignal
        }
        return .success(output)
    }

    /// A pipe whose ends close on exec (the child gets copies through dup2 only).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// Reads both pipes until both reach end of file, or until one has given more than `limit`
    /// bytes (the third value is then true).
    private static func drain(_ a: Int32, _ b: Int32, limit: Int) -> ([UInt8], [UInt8], Bool) {
        var outputs: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: a, events: Int16(POLLIN), revents: 0), pollfd(fd: b, events: Int16(POLLIN), revents: 0)]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while open[0] || open[1] {
            for i in 0..<2 { fds[i].fd = open[i] ? (i == 0 ? a : b) : -1; fds[i].revents = 0 }
            let n = poll(&fds, 2, -1)
            if n < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<2 where open[i] && fds[i].revents != 0 {
                let fd = i == 0 ? a : b
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    outputs[i].append(contentsOf: buffer[0..<count])
                    if outputs[i].count > limit { return (outputs[0], outputs[1], true) }
                } else if count == 0 || errno != EINTR {
                    open[i] = false
                }
            }
        }
        return (outputs[0], outputs[1], false)
    }

    /// A failed spawn, with its errno.
    struct SpawnFailure: Error, Sendable {
        var code: Int32
        init(_ code: Int32) { self.code = code }
        var text: String { String(cString: strerror(code)) }
    }
}
