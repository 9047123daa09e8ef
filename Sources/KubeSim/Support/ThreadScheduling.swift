#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Scheduling hints for the simulator's own threads.
enum ThreadScheduling {
    /// Linux's SCHED_BATCH policy, which Glibc's module map does not export.
    private static let schedBatch: Int32 = 3

    /// Marks the calling thread as batch work (Linux SCHED_BATCH): when a commit wakes it, it does
    /// not preempt the committing thread, so the simulated kubelet and controllers finish their
    /// turn instead of yielding to every watch stream and pump they wake. Does nothing elsewhere.
    static func runAsBatch() {
        #if os(Linux)
        var param = sched_param(sched_priority: 0)
        _ = sched_setscheduler(0, schedBatch, &param)
        #endif
    }
}
