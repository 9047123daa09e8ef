import Synchronization

/// Whether connections may offer a cached TLS session: on until a handshake that offered one fails
/// (OpenSSL servers without a session id context, e.g. a TLS proxy verifying client certificates),
/// then off for the rest of the transport's life. Shared by the blocking transfers and the write loop.
final class SessionResumption: Sendable {
    private let allowed = Atomic<Bool>(true)

    /// True while a cached session may be offered.
    var isAllowed: Bool { allowed.load(ordering: .relaxed) }

    /// From now on every connection does a full handshake.
    func stop() { allowed.store(false, ordering: .relaxed) }
}
