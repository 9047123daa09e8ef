#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings the binary makes before it does anything else.
public enum ProcessTuning {
    /// Two malloc arenas instead of glibc's default of eight per core: each write and watch thread
    /// would otherwise get an arena of its own, and memory freed in one is never reused by another
    /// (5 MB more peak RSS in a 1,000-pod rollout). The threads mostly wait on the network, so they
    /// contend little for the two.
    public static func apply() {
        #if canImport(Glibc)
        // glibc's mallopt (<malloc.h> is not part of the Glibc module) and M_ARENA_MAX.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, 2)
        #endif
    }
}
