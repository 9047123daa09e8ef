#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be read; `notFound` is what loading rules treat as "skip this file".
public enum FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case notFound
    case isDirectory
    case unreadable(String)

    /// The reason as text.
    public var description: String {
        switch self {
        case .notFound: return "no such file or directory"
        case .isDirectory: return "is a directory"
        case .unreadable(let reason): return reason
        }
    }
}

/// Everything the client reads from the outside world (environment variables, home directory,
/// files, the terminal), injected so configuration loading and credential plugins are testable.
public struct Environment: Sendable {
    /// Environment variables (e.g. `KUBECONFIG`, `HOME`, `PATH`, `KUBERNETES_SERVICE_HOST`).
    public var variables: [String: String]
    /// The home directory used for `~/.kube/config`; nil when unknown.
    public var homeDirectory: String?
    /// The working directory, against which relative kubeconfig paths are made absolute.
    public var currentDirectory: String
    /// Where in-cluster credentials live (`token`, `ca.crt`, `namespace`).
    public var serviceAccountDirectory: String
    /// Whether standard input is a terminal (decides exec plugin interactivity).
    public var stdinIsTerminal: Bool
    /// Reads a whole file.
    public var readFile: @Sendable (String) throws(FileReadError) -> [UInt8]

    /// An environment built from explicit values; `readFile` defaults to the real file system.
    public init(
        variables: [String: String],
        homeDirectory: String? = nil,
        currentDirectory: String = "/",
        serviceAccountDirectory: String = Environment.defaultServiceAccountDirectory,
        stdinIsTerminal: Bool = false,
        readFile: @escaping @Sendable (String) throws(FileReadError) -> [UInt8] = Environment.readFileFromDisk
    ) {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.currentDirectory = currentDirectory
        self.serviceAccountDirectory = serviceAccountDirectory
        self.stdinIsTerminal = stdinIsTerminal
        self.readFile = readFile
    }

    /// The directory Kubernetes mounts service account credentials into.
    public static let defaultServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The environment of this process.
    public static func current() -> Environment {
        var vars: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") {
                let key = String(s[..<eq])
                if vars[key] == nil { vars[key] = String(s[s.index(after: eq)...]) }
            }
            p += 1
        }
        var cwd = "/"
        if let buf = getcwd(nil, 0) {
            cwd = String(cString: buf)
            free(buf)
        }
        let home = vars["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        return Environment(
            variables: vars, homeDirectory: home, currentDirectory: cwd,
            stdinIsTerminal: isatty(0) == 1)
    }

    /// Reads a file with POSIX calls, classifying the failure.
    @Sendable public static func readFileFromDisk(_ path: String) throws(FileReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw .notFound }
            throw .unreadable(String(cString: strerror(e)))
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
