import Foundation
import KubeFormats

/// Decides whether a rollout may start on a workload, given the rollout already recorded there:
/// one rollout at a time, a live holder is never overridden, a gone one only on request.
public enum RolloutAdmission {
    /// What to do.
    public enum Decision: Sendable, Equatable {
        /// Go ahead (nothing recorded, or a finished, paused or failed rollout is superseded).
        case proceed
        /// Refuse with exit 5 and this message; nothing is written.
        case refuse(String)
    }

    /// For `rollout`, `set image` and `undo`: a new rollout replaces the recorded one.
    public static func forNew(_ ref: WorkloadRef, record: RolloutRecord?, takeOver: Bool, program: String,
                              now: Double = Date().timeIntervalSince1970) -> Decision {
        guard let record, record.phase == .running else { return .proceed }
        if RolloutHolder.isLive(record, now: now) {
            return .refuse(heldMessage(ref, record, program: program, now: now))
        }
        if takeOver { return .proceed }
        return .refuse(
            "\(ref) has an unfinished rollout \(record.id) by \(record.holder) (\(record.updated)/\(record.total) pods updated; last renewed \(ago(record.renewTime, now: now))): continue it with `\(program) resume \(ref)`, or replace it with --take-over")
    }

    /// For `resume`: continuing a rollout whose holder is gone is what resume is for.
    public static func forResume(_ ref: WorkloadRef, record: RolloutRecord, program: String,
                                 now: Double = Date().timeIntervalSince1970) -> Decision {
        guard record.phase == .running,
              RolloutHolder.isLive(record, now: now) else { return .proceed }
        return .refuse(heldMessage(ref, record, program: program, now: now))
    }

    static func heldMessage(_ ref: WorkloadRef, _ record: RolloutRecord, program: String, now: Double) -> String {
        "\(ref) is being rolled out by \(record.holder) since \(record.startedAt) (renewed \(ago(record.renewTime, now: now))): wait for it, or `\(program) pause \(ref)`; if that process is gone, its lease expires \(DurationText.format(record.leaseSeconds)) after its last renewal and --take-over replaces it"
    }

    /// `12s ago`, `3m ago`, or `at TIME` when unparsable.
    public static func ago(_ time: String, now: Double = Date().timeIntervalSince1970) -> String {
        guard let t = RFC3339.parse(time) else { return "at \(time)" }
        let s = max(0, Int(now - t))
        if s < 120 { return "\(s)s ago" }
        if s < 7200 { return "\(s / 60)m ago" }
        return "\(s / 3600)h ago"
    }
}
