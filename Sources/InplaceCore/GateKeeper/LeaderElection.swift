import KubeFormats
/// What a candidate does with the election Lease in one round.
public enum LeaseDecision: Sendable, Equatable {
    /// No Lease exists: create it, held by us.
    case create(LeaseRecord)
    /// We hold it: write a new renewTime.
    case renew(LeaseRecord)
    /// It was released or its holder stopped renewing: take it (one more transition).
    case takeOver(LeaseRecord)
    /// Someone else holds it: wait; it counts as expired after `expiresIn` more seconds without change.
    case follow(holder: String, expiresIn: Double)
}

/// Leader election over a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it:
/// pure decisions; the driver (`LeaseElector`) does the reads and conditional writes.
///
/// Expiry is judged from when this candidate first saw the Lease in its current state (local
/// monotonic time), not from the renewTime in it, so clocks that disagree between machines cannot
/// make two candidates believe they both hold it. The only use of renewTime is `observationLag`:
/// how late the candidate saw a renewal, credited when it is below one retry period.
public struct LeaderElection: Sendable, Equatable {
    /// This candidate's identity (holderIdentity when it leads).
    public var identity: String
    /// Seconds a holder's lease lasts without renewal.
    public var leaseDuration: Double

    public init(identity: String, leaseDuration: Double) {
        self.identity = identity
        self.leaseDuration = leaseDuration
    }

    /// The whole seconds written as leaseDurationSeconds (at least 1).
    public var leaseDurationSeconds: Int { max(1, Int(leaseDuration.rounded(.up))) }

    /// How often a candidate tries to acquire or renew: an eighth of the lease, between 0.1 s and 2 s.
    public var retryPeriod: Double { min(2, max(0.1, leaseDuration / 8)) }

    /// How long a leader keeps acting after its last successful renewal: two thirds of the lease, so
    /// it stops writing before any standby can see the lease expire.
    public var renewDeadline: Double { leaseDuration * 2 / 3 }

    /// How long before `seenAt` (wall time) the renewal in `renewTime` happened, when that is between
    /// 0 and one retry period (the delay of seeing it); 0 otherwise (clock skew, or a lease found
    /// long after its last renewal, which then gets a whole lease duration as client-go gives it).
    public func observationLag(renewTime: String?, seenAt: Double) -> Double {
        guard let renewTime, let renewed = RFC3339.parse(renewTime) else { return 0 }
        let lag = seenAt - renewed
        return lag >= 0 && lag <= retryPeriod ? lag : 0
    }

    /// Decides one round.
    ///
    /// - Parameters:
    ///   - current: the Lease as read now, nil when it does not exist.
    ///   - unchangedFor: seconds since this candidate first saw `current` in exactly this state.
    ///   - now: wall time (seconds since 1970) for acquireTime and renewTime.
    public func decide(current: LeaseRecord?, unchangedFor: Double, now: Double) -> LeaseDecision {
        let stamp = RFC3339.format(now, fractionDigits: 6)
        guard let current else {
            return .create(LeaseRecord(holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds,
                                       acquireTime: stamp, renewTime: stamp, leaseTransitions: 0))
        }
        if current.holderIdentity == identity {
            var renewed = current
            renewed.leaseDurationSeconds = leaseDurationSeconds
            renewed.renewTime = stamp
            if renewed.acquireTime == nil { renewed.acquireTime = stamp }
            return .renew(renewed)
        }
        let theirs = current.leaseDurationSeconds > 0 ? Double(current.leaseDurationSeconds) : leaseDuration
        if !current.holderIdentity.isEmpty && unchangedFor < theirs {
            return .follow(holder: current.holderIdentity, expiresIn: theirs - unchangedFor)
        }
        return .takeOver(LeaseRecord(holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds,
                                     acquireTime: stamp, renewTime: stamp, leaseTransitions: current.leaseTransitions + 1,
                                     resourceVersion: current.resourceVersion))
    }

    /// The record that gives the lease up: no holder, renewed now, one second long, so any standby
    /// takes it at its next attempt.
    public func release(_ current: LeaseRecord, now: Double) -> LeaseRecord? {
        guard current.holderIdentity == identity else { return nil }
        var released = current
        released.holderIdentity = ""
        released.leaseDurationSeconds = 1
        released.renewTime = RFC3339.format(now, fractionDigits: 6)
        return released
    }
}
