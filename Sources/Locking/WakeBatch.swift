#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A consumer a producer wakes after handing it work (a queue's waiting thread).
public protocol BatchWakeable: AnyObject, Sendable {
    /// Wakes the consumer if it waits; called once at the end of a batch that handed it work.
    func wakeNow()
}

/// Wakes held to the end of a batch: a thread handing many items to consumers in one go (the events
/// decoded from one read, the answers and events of one ready socket) wakes each consumer once, at the
/// end, rather than once per item, so the consumer takes them in one pass instead of waking, taking
/// one, and sleeping again for the next. Outside `run`, a producer wakes its consumer at once.
/// Producers inside a batch must not wait for their consumer (it is woken only when the batch ends).
public enum WakeBatch {
    /// The consumers to wake when the outermost `run` of this thread ends.
    private final class Pending {
        var depth = 0
        var consumers: [any BatchWakeable] = []
        /// Hand-overs held since the last wake a producer made itself.
        var held = 0
    }

    /// Most hand-overs a batch holds before a producer wakes its consumer itself: a long burst (a
    /// socket with many events buffered) is taken in parts, not held, with every item it carries,
    /// until its end.
    public static let holdLimit = 64

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { raw in
            #if canImport(Darwin)
            Unmanaged<AnyObject>.fromOpaque(raw).release()
            #else
            if let raw { Unmanaged<AnyObject>.fromOpaque(raw).release() }
            #endif
        }
        return key
    }()

    private static var current: Pending {
        if let raw = pthread_getspecific(key) { return Unmanaged<Pending>.fromOpaque(raw).takeUnretainedValue() }
        let fresh = Pending()
        pthread_setspecific(key, Unmanaged.passRetained(fresh).toOpaque())
        return fresh
    }

    /// Runs `body`; every consumer a producer deferred to this batch (`deferWake`) is woken once when
    /// it returns (nested runs wake at the end of the outermost).
    public static func run<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let pending = current
        pending.depth += 1
        defer {
            pending.depth -= 1
            if pending.depth == 0 { pending.held = 0 }
            if pending.depth == 0 && !pending.consumers.isEmpty {
                let consumers = pending.consumers
                pending.consumers.removeAll(keepingCapacity: true)
                for consumer in consumers { consumer.wakeNow() }
            }
        }
        return try body()
    }

    /// Called by a producer that just handed `consumer` an item: true when a batch is running on this
    /// thread and will wake the consumer at its end; false when the producer must wake it now (no
    /// batch runs, or this one has held `holdLimit` hand-overs).
    public static func deferWake(_ consumer: any BatchWakeable) -> Bool {
        guard let raw = pthread_getspecific(key) else { return false }
        let pending = Unmanaged<Pending>.fromOpaque(raw).takeUnretainedValue()
        guard pending.depth > 0 else { return false }
        pending.held += 1
        if pending.held > holdLimit {
            pending.held = 0
            return false
        }
        if !pending.consumers.contains(where: { $0 === consumer }) { pending.consumers.append(consumer) }
        return true
    }

    /// True while a batch runs on the calling thread.
    public static var isRunning: Bool {
        guard let raw = pthread_getspecific(key) else { return false }
        return Unmanaged<Pending>.fromOpaque(raw).takeUnretainedValue().depth > 0
    }
}
