#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A `Mutex` whose hand-overs ThreadSanitizer can see. Swift's `Mutex` on Linux is a PI futex:
/// a contended lock passes to the waiter inside the kernel, with no atomic in instrumented code,
/// so TSan reports the guarded state as raced (`make test-tsan` did so 41 times for KubeSim's
/// ObjectStore state, then for HTTPServer's and RequestLog's: every access inside `withLock`). Each
/// hold is annotated as acquire/release of this lock's address when the TSan runtime is present;
/// otherwise it is just Synchronization's `Mutex`. Each module using it names it `Mutex` with an
/// internal typealias, so this is the one place the annotation lives.
public final class SanitizerVisibleMutex<Value>: Sendable {
    @usableFromInline let mutex: Synchronization.Mutex<Value>

    /// A lock guarding `value`.
    @inlinable
    public init(_ value: sending Value) { mutex = Synchronization.Mutex(value) }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    public func withLock<Result, E: Error>(_ body: (inout sending Value) throws(E) -> sending Result) throws(E) -> sending Result {
        let address = Unmanaged.passUnretained(self).toOpaque()
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            ThreadSanitizerAnnotations.acquire?(address)
            defer { ThreadSanitizerAnnotations.release?(address) }
            return try body(&value)
        }
    }

    /// Runs `body` with exclusive access to the value if no other thread holds the lock; nil (and
    /// `body` not run) when one does.
    @inlinable
    public func withLockIfAvailable<Result, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result? {
        let address = Unmanaged.passUnretained(self).toOpaque()
        return try mutex.withLockIfAvailable { (value: inout sending Value) throws(E) -> sending Result in
            ThreadSanitizerAnnotations.acquire?(address)
            defer { ThreadSanitizerAnnotations.release?(address) }
            return try body(&value)
        }
    }
}

/// `__tsan_acquire` / `__tsan_release`, found at run time (nil without `--sanitize=thread`).
public enum ThreadSanitizerAnnotations {
    /// The signature of both annotations.
    public typealias Annotation = @convention(c) (UnsafeMutableRawPointer?) -> Void

    /// Marks a happens-after edge from the last release of the address.
    public static let acquire: Annotation? = lookup("__tsan_acquire")
    /// Marks a release of the address.
    public static let release: Annotation? = lookup("__tsan_release")

    private static func lookup(_ name: String) -> Annotation? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Annotation.self)
    }
}
