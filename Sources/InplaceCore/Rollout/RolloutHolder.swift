import Foundation

/// Who runs a rollout, and whether that holder is still alive: the lock that keeps two clients
/// from rolling the same workload at once.
public struct RolloutHolder: Sendable, Equatable {
    /// Seconds without a renewal after which a holder counts as gone.
    public static let leaseSeconds: Double = 30
    /// How often a running rollout renews its record.
    public static let renewSeconds: Double = 5

    public var user: String
    public var host: String
    public var pid: Int32

    public init(user: String, host: String, pid: Int32) {
        self.user = user
        self.host = host
        self.pid = pid
    }

    /// This process.
    public static var current: RolloutHolder {
        let env = ProcessInfo.processInfo.environment
        var user = env["USER"] ?? env["LOGNAME"]
        if user == nil, let pw = getpwuid(getuid()), let name = pw.pointee.pw_name { user = String(cString: name) }
        return RolloutHolder(user: user ?? "unknown", host: ProcessInfo.processInfo.hostName,
                             pid: ProcessInfo.processInfo.processIdentifier)
    }

    /// `user@host pid N`, as recorded.
    public var description: String { "\(user)@\(host) pid \(pid)" }

    /// Parses the recorded form.
    public init?(_ text: String) {
        guard let at = text.firstIndex(of: "@"), let space = text.range(of: " pid ", options: .backwards),
              let pid = Int32(text[space.upperBound...]) else { return nil }
        user = String(text[..<at])
        host = String(text[text.index(after: at)..<space.lowerBound])
        self.pid = pid
    }

    /// Whether a recorded holder still holds the rollout: it renewed within the lease, and, when it
    /// ran on this host, its process still exists (a killed rollout can be resumed at once).
    public static func isLive(recorded: String, renewTime: String, now: Double = Date().timeIntervalSince1970,
                              processExists: (Int32) -> Bool = RolloutHolder.processExists) -> Bool {
        guard let renewed = SystemClock.parse(renewTime), now - renewed < leaseSeconds else { return false }
        if let holder = RolloutHolder(recorded), holder.host == ProcessInfo.processInfo.hostName {
            return holder.pid == ProcessInfo.processInfo.processIdentifier || processExists(holder.pid)
        }
        return true
    }

    /// True when a process with this pid exists on this host.
    public static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
