/// Work a consumer thread does while it waits for its queue: the transfers of the writes it started
/// itself. A thread that adopts the loop sends its writes on it and reads their answers while it
/// waits, so neither the hand-over of a write nor its answer needs another thread to wake.
public protocol WaitLoop: AnyObject, Sendable {
    /// Makes the calling thread the loop's: the writes it starts from now on run on the loop.
    func adopt()
    /// Runs the loop's transfers (on the adopting thread) for at most `seconds`, returning as soon
    /// as `wake()` has been called; a wake that came before the call ends it after one turn.
    func wait(seconds: Double)
    /// Runs what is ready now (answers received, writes handed over) without waiting.
    func poll()
    /// Ends the adopting thread's `wait` (from any thread, that one included).
    func wake()
    /// Runs the loop until none of its transfers is in flight, then lets go of the thread: the
    /// writes it starts later go where they went before `adopt()`.
    func release()
}
