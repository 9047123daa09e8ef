import Foundation
import KubeFormats

/// Who runs a rollout, and whether that holder is still alive: the lock that keeps two clients
/// from rolling the same workload at once.
public struct RolloutHolder: Sendable, Equatable {
    /// The lease of records that do not say theirs.
    public static let defaultLeaseSeconds: Double = 30
    /// The environment variable that shortens the lease this process writes (seconds; for tests of
    /// abandoned rollouts, which would otherwise wait 30 s).
    public static let leaseVariable = "KUBECTL_INPLACE_ROLLOUT_LEASE_SECONDS"
    /// Seconds without a renewal after which a holder counts as gone: written in each record, so
    /// every reader judges a holder by the lease it renews.
    public static let leaseSeconds: Double = {
        let text = ProcessInfo.processInfo.environment[leaseVariable] ?? ""
        guard let s = Double(text.hasSuffix("s") ? String(text.dropLast()) : text), s >= 1 else { return defaultLeaseSeconds }
        return s
    }()
    /// How often a running rollout renews its record: six times per lease, at most every 5 s.
    public static var renewSeconds: Double { min(5, leaseSeconds / 6) }

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
    public static func isLive(recorded: String, renewTime: String, lease: Double = leaseSeconds,
                              now: Double = Date().timeIntervalSince1970,
                              processExists: (Int32) -> Bool = RolloutHolder.processExists) -> Bool {
        guard let renewed = RFC3339.parse(renewTime), now - renewed < lease else { return false }
        if let holder = RolloutHolder(recorded), holder.host == ProcessInfo.processInfo.hostName {
            return holder.pid == ProcessInfo.processInfo.processIdentifier || processExists(holder.pid)
        }
        return true
    }

    /// Whether the holder of `record` still holds it, judged by the lease the record carries.
    public static func isLive(_ record: RolloutRecord, now: Double = Date().timeIntervalSince1970) -> Bool {
        isLive(recorded: record.holder, renewTime: record.renewTime, lease: record.leaseSeconds, now: now)
    }

    /// When a running rollout's lease runs out (seconds since 1970): its last renewal plus its
    /// lease. Nil for a rollout that is not running or whose renewal time is unreadable.
    public static func leaseEnd(_ record: RolloutRecord) -> Double? {
        guard record.phase == .running, let renewed = RFC3339.parse(record.renewTime) else { return nil }
        return renewed + record.leaseSeconds
    }

    /// True when a running rollout's holder stopped renewing for longer than its lease: nobody
    /// drives it any more, wherever the holder ran.
    public static func isAbandoned(_ record: RolloutRecord, now: Double = Date().timeIntervalSince1970) -> Bool {
        leaseEnd(record).map { now >= $0 } ?? false
    }

    /// True when a process with this pid exists on this host.
    public static func processExists(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
