import CCurl
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libcurl's process-wide initialisation, done once before the first handle is made.
enum CurlGlobal {
    /// Touching this runs `curl_global_init` exactly once (Swift globals initialise atomically).
    static let initialized: Bool = kcurl_global_init_all() == CURLE_OK
}

/// A CURLSH share handle holding the DNS cache and TLS session cache for all easy handles of a
/// client, with one pthread mutex per data kind as libcurl requires for cross-thread use.
///
/// The connection cache is deliberately not shared: libcurl 7.88 documents sharing connections
/// between concurrent threads as unsupported. Keep-alive comes from reusing pooled easy handles.
/// `@unchecked`: a C pointer, which libcurl serialises through the pthread mutexes this class hands it.
final class CurlShare: @unchecked Sendable {
    /// The CURLSH pointer (immutable after init; libcurl serialises access through the locks).
    let handle: UnsafeMutableRawPointer
    private let locks: UnsafeMutablePointer<pthread_mutex_t>
    private static let lockCount = 16

    init() {
        _ = CurlGlobal.initialized
        handle = curl_share_init()
        locks = .allocate(capacity: Self.lockCount)
        for i in 0..<Self.lockCount { pthread_mutex_init(locks + i, nil) }
        kcurl_share_setopt_pointer(handle, CURLSHOPT_USERDATA, UnsafeMutableRawPointer(locks))
        kcurl_share_setopt_lock(handle) { _, data, _, user in
            guard let user else { return }
            let locks = user.assumingMemoryBound(to: pthread_mutex_t.self)
            pthread_mutex_lock(locks + Int(data.rawValue) % 16)
        }
        kcurl_share_setopt_unlock(handle) { _, data, user in
            guard let user else { return }
            let locks = user.assumingMemoryBound(to: pthread_mutex_t.self)
            pthread_mutex_unlock(locks + Int(data.rawValue) % 16)
        }
        kcurl_share_setopt_long(handle, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue))
        kcurl_share_setopt_long(handle, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue))
    }

    deinit {
        curl_share_cleanup(handle)
        for i in 0..<Self.lockCount { pthread_mutex_destroy(locks + i) }
        locks.deallocate()
    }
}
