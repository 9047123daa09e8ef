import Foundation
import JSON

/// What one election round ended with.
public enum LeaseOutcome: Sendable, Equatable {
    /// This candidate holds the lease; `acquired` when it became the holder in this round.
    case leading(acquired: Bool)
    /// Another candidate holds it.
    case following(holder: String, expiresIn: Double)
    /// The API could not be reached or refused; leadership lapses at the renew deadline.
    case failed(String)
}

/// Runs `LeaderElection` rounds against the cluster: reads the Lease, then creates or replaces it
/// conditionally (a conflict means another candidate won the round).
public final class LeaseElector: Sendable {
    public let election: LeaderElection
    public let name: String
    public let namespace: String
    private let cluster: any ClusterAPI
    private let clock: any RolloutClock
    private let wallTime: @Sendable () -> Double
    /// What this candidate last saw of the lease and when it last renewed it.
    private let state = Mutex(Observed())

    /// The lease as this candidate last saw it (`observedKey` at `observedAt`) and its last renewal.
    private struct Observed {
        var observedKey: String?
        var observedAt: Double = 0
        var lastRenewal: Double?
    }

    public init(cluster: any ClusterAPI, election: LeaderElection, name: String, namespace: String,
                clock: any RolloutClock = SystemClock(),
                wallTime: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.cluster = cluster
        self.election = election
        self.name = name
        self.namespace = namespace
        self.clock = clock
        self.wallTime = wallTime
    }

    /// The Lease's API path.
    public var path: String { "\(collection)/\(name)" }
    var collection: String { APIResource.leases.path(namespace: namespace) }

    /// True while this candidate renewed the lease within the renew deadline: the only time it may write.
    public var isLeader: Bool {
        guard let lastRenewal = state.withLock({ $0.lastRenewal }) else { return false }
        return clock.monotonic - lastRenewal < election.renewDeadline
    }

    /// One round: read the Lease, decide, write when the decision needs it.
    public func attempt() -> LeaseOutcome {
        let current: LeaseRecord?
        do {
            current = LeaseRecord(lease: try cluster.get(path))
        } catch let e as ClusterOperationError where e.kind == .notFound {
            current = nil
        } catch {
            return .failed("reading lease \(namespace)/\(name): \(error)")
        }
        let now = clock.monotonic
        let wall = wallTime()
        let decision = election.decide(current: current, unchangedFor: observe(current, at: now, wall: wall), now: wall)
        switch decision {
        case .follow(let holder, let expiresIn):
            setRenewal(nil)
            return .following(holder: holder, expiresIn: expiresIn)
        case .create(let record):
            return write(record, create: true, acquired: true, at: now, previousHolder: "")
        case .renew(let record):
            return write(record, create: false, acquired: false, at: now, previousHolder: current?.holderIdentity ?? "")
        case .takeOver(let record):
            return write(record, create: false, acquired: true, at: now, previousHolder: current?.holderIdentity ?? "")
        }
    }

    /// Gives the lease up if this candidate holds it (holderIdentity cleared); true when released.
    @discardableResult
    public func release() -> Bool {
        setRenewal(nil)
        guard let lease = try? cluster.get(path),
              let released = election.release(LeaseRecord(lease: lease), now: wallTime()) else { return false }
        return (try? cluster.replace(path, body: released.object(name: name, namespace: namespace))) != nil
    }

    private func write(_ record: LeaseRecord, create: Bool, acquired: Bool, at now: Double,
                       previousHolder: String) -> LeaseOutcome {
        do {
            let body = record.object(name: name, namespace: namespace)
            let stored = create ? try cluster.create(collection, body: body) : try cluster.replace(path, body: body)
            _ = observe(LeaseRecord(lease: stored), at: now, wall: nil)
            setRenewal(now)
            return .leading(acquired: acquired)
        } catch let e as ClusterOperationError where e.kind == .conflict || Self.alreadyExists(e) {
            setRenewal(nil)
            return .following(holder: previousHolder.isEmpty ? "another candidate" : previousHolder,
                              expiresIn: election.leaseDuration)
        } catch {
            return .failed("writing lease \(namespace)/\(name): \(error)")
        }
    }

    /// Seconds since the renewal in `record` happened, as this candidate can vouch for it: since it
    /// first saw the record in its current state, plus the observation lag (`wall` is the wall time of
    /// this read; nil for our own writes).
    private func observe(_ record: LeaseRecord?, at now: Double, wall: Double?) -> Double {
        let key = record.map { "\($0.resourceVersion ?? "")|\($0.holderIdentity)|\($0.renewTime ?? "")" } ?? "absent"
        let lag = wall.map { election.observationLag(renewTime: record?.renewTime, seenAt: $0) } ?? 0
        return state.withLock { s in
            if key != s.observedKey {
                s.observedKey = key
                s.observedAt = now - lag
            }
            return now - s.observedAt
        }
    }

    private func setRenewal(_ value: Double?) {
        state.withLock { $0.lastRenewal = value }
    }

    static func alreadyExists(_ e: ClusterOperationError) -> Bool {
        e.message.contains("already exists") || e.message.contains("AlreadyExists")
    }
}
