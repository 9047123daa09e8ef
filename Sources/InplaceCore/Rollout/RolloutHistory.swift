import Foundation
import JSON

/// The last rollouts of a workload (annotation `inplace.kubectl.io/history`, next to the rollout
/// record), bounded like `revisionHistoryLimit`: what `history` lists and `undo --to-revision`
/// picks from. The bound never drops the last rollout that completed, the state `undo` returns to.
public struct RolloutHistory: Sendable, Equatable {
    /// The workload annotation that keeps the history.
    public static let annotation = "inplace.kubectl.io/history"
    /// Revisions kept when the workload names no other bound.
    public static let defaultLimit = 10

    /// How one rollout ended (or stands).
    public enum Phase: String, Sendable, Equatable {
        case running, paused, failed, complete, rolledBack
    }

    /// One rollout of the workload.
    public struct Entry: Sendable, Equatable {
        public var revision: Int
        /// The rollout record's id.
        public var id: String
        public var phase: Phase
        /// Target image per container.
        public var images: [String: String]
        public var startedAt: String
        /// When it ended (complete, failed, paused); empty while it runs.
        public var finishedAt: String
        /// Who ran it (the record's holder).
        public var holder: String
        /// Why (`--cause`, or the manifest's `kubernetes.io/change-cause`).
        public var cause: String
        /// The failure or note, as the record said last.
        public var message: String
        /// Target pod labels and annotations by `labels/KEY` (nil: removed), as the record has them;
        /// a value longer than `metadataValueLimit` is left out (the annotation holds ten revisions).
        public var metadata: [String: String?] = [:]

        /// An entry as the annotation keeps it.
        public init(revision: Int, id: String, phase: Phase, images: [String: String], startedAt: String,
                    finishedAt: String = "", holder: String = "", cause: String = "", message: String = "") {
            self.revision = revision
            self.id = id
            self.phase = phase
            self.images = images
            self.startedAt = startedAt
            self.finishedAt = finishedAt
            self.holder = holder
            self.cause = cause
            self.message = message
        }

        /// The entry's JSON (also what `history -o json` prints).
        public var json: JSONValue {
            var o = JSONObject([
                ("revision", .int(revision)), ("id", .string(id)), ("phase", .string(phase.rawValue)),
                ("images", RolloutRecord.map(images)), ("startedAt", .string(startedAt)),
                ("finishedAt", .string(finishedAt)), ("holder", .string(holder)), ("cause", .string(cause)),
                ("message", .string(message)),
            ])
            if !metadata.isEmpty { o["metadata"] = RolloutRecord.optionalMap(metadata) }
            return .object(o)
        }

        /// The labels and annotations `undo --to-revision` sets back: this revision's targets.
        public var restoredMetadata: [MetadataChange] {
            metadata.sorted { $0.key < $1.key }.compactMap { entry in
                guard let (field, key) = MetadataChange.parse(recordKey: entry.key) else { return nil }
                return MetadataChange(field: field, key: key, from: nil, to: entry.value)
            }
        }

        init?(_ v: JSONValue) {
            guard let revision = v["revision"]?.int, let id = v["id"]?.string,
                  let phase = v["phase"]?.string.flatMap(Phase.init(rawValue:)) else { return nil }
            self.init(revision: revision, id: id, phase: phase, images: v["images"]?.stringMap ?? [:],
                      startedAt: v["startedAt"]?.string ?? "", finishedAt: v["finishedAt"]?.string ?? "",
                      holder: v["holder"]?.string ?? "", cause: v["cause"]?.string ?? "", message: v["message"]?.string ?? "")
            metadata = RolloutRecord.optionalMap(v["metadata"])
        }
    }

    /// Why a revision cannot be restored.
    public enum RestoreError: Error, Equatable, CustomStringConvertible {
        case noSuchRevision(Int, available: [Int])
        case notComplete(Entry)

        public var description: String {
            switch self {
            case .noSuchRevision(let n, let available):
                let list = available.isEmpty ? "none recorded" : available.map(String.init).joined(separator: ", ")
                return "revision \(n) is not in the history (revisions: \(list))"
            case .notComplete(let e):
                let why = e.message.isEmpty ? "" : " (\(e.message))"
                return "revision \(e.revision) did not complete: it is \(e.phase.text)\(why); only a revision whose rollout completed can be restored"
            }
        }
    }

    /// The longest label or annotation value a revision keeps (label values are at most 63).
    public static let metadataValueLimit = 1024

    /// A record's label and annotation targets as a revision keeps them.
    static func kept(_ metadata: [String: String?]) -> [String: String?] {
        metadata.filter { ($0.value?.utf8.count ?? 0) <= metadataValueLimit }
    }

    /// Oldest first.
    public var entries: [Entry]
    public var limit: Int

    /// A history of `entries`, bounded to `limit`.
    public init(entries: [Entry] = [], limit: Int = RolloutHistory.defaultLimit) {
        self.entries = entries
        self.limit = max(1, limit)
    }

    /// The history a workload object carries (empty when it has none or it cannot be read).
    public init(workload: JSONValue) {
        let text = workload[path: ["metadata", "annotations", Self.annotation]]?.string
        self.init(text: text)
    }

    /// The history of an annotation's text.
    public init(text: String?) {
        guard let text, let v = try? JSONValue(parsing: text) else { self.init(); return }
        self.init(entries: (v["revisions"]?.array ?? []).compactMap(Entry.init).sorted { $0.revision < $1.revision },
                  limit: v["limit"]?.int ?? Self.defaultLimit)
    }

    /// The annotation's JSON.
    public var json: JSONValue {
        .object(JSONObject([("limit", .int(limit)), ("revisions", .array(entries.map(\.json)))]))
    }

    /// The newest entry whose rollout completed: the state `undo` returns to.
    public var lastComplete: Entry? { entries.last { $0.phase == .complete } }

    /// The history once `record` is written: its rollout's entry added or brought up to date
    /// (a rollback marks the rollout it follows rolled back once it has completed), then bounded.
    public func recording(_ record: RolloutRecord) -> RolloutHistory {
        var h = self
        let finished = record.phase == .running ? "" : record.renewTime
        if !record.rollbackOf.isEmpty {
            if record.phase != .running, let i = h.entries.firstIndex(where: { $0.id == record.rollbackOf }) {
                h.entries[i].phase = record.phase == .failed && record.message.contains("; rolled back ") ? .rolledBack : .failed
                h.entries[i].finishedAt = finished
                h.entries[i].message = record.message
            }
            return h.bounded()
        }
        let phase: Phase = switch record.phase {
        case .running: .running
        case .paused: .paused
        case .failed: .failed
        case .complete: .complete
        }
        if let i = h.entries.firstIndex(where: { $0.id == record.id }) {
            h.entries[i].phase = phase
            h.entries[i].images = record.images
            h.entries[i].metadata = Self.kept(record.metadata)
            h.entries[i].finishedAt = finished
            h.entries[i].holder = record.holder
            h.entries[i].message = record.message
            if !record.cause.isEmpty { h.entries[i].cause = record.cause }
        } else {
            for i in h.entries.indices where h.entries[i].phase == .running {
                h.entries[i].phase = .failed
                h.entries[i].finishedAt = record.startedAt
                h.entries[i].message = "interrupted: another rollout replaced it"
            }
            var entry = Entry(revision: (h.entries.map(\.revision).max() ?? 0) + 1, id: record.id, phase: phase,
                              images: record.images, startedAt: record.startedAt, finishedAt: finished,
                              holder: record.holder, cause: record.cause, message: record.message)
            entry.metadata = Self.kept(record.metadata)
            h.entries.append(entry)
        }
        return h.bounded()
    }

    /// The newest `limit` entries, and the last complete one when it is older than those.
    public func bounded() -> RolloutHistory {
        guard entries.count > limit else { return self }
        var kept = Array(entries.suffix(limit))
        if let last = lastComplete, !kept.contains(where: { $0.id == last.id }) {
            kept.removeFirst()
            kept.insert(last, at: 0)
        }
        return RolloutHistory(entries: kept, limit: limit)
    }

    /// The entry `undo --to-revision` returns to: only one whose rollout completed.
    public func restorable(revision: Int) -> Result<Entry, RestoreError> {
        guard let e = entries.first(where: { $0.revision == revision }) else {
            return .failure(.noSuchRevision(revision, available: entries.map(\.revision)))
        }
        guard e.phase == .complete else { return .failure(.notComplete(e)) }
        return .success(e)
    }

    /// A JSON-patch pointer to the annotation (`/` escaped as `~1`).
    public static var annotationPointer: String {
        "/metadata/annotations/" + annotation.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}

extension RolloutHistory.Phase {
    /// The phase as `history` prints it.
    public var text: String {
        switch self {
        case .rolledBack: "rolled back"
        default: rawValue
        }
    }
}
