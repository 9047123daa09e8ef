/// An I/O loop a consumer thread may drive itself while it waits for its queue (the watches' loop):
/// the thread that decodes an event is then the one that acts on it, with no wake between them,
/// and the loop's own thread rests until the consumer lets go.
public protocol WaitLoop: AnyObject, Sendable {
    /// Makes the calling thread the loop's driver while it waits; false when another thread already is.
    func adopt() -> Bool
    /// Runs one turn of the loop on the adopting thread: waits at most `seconds` for a socket, a
    /// timer or `wake()`, and handles what is ready (its consumers woken as the loop's own thread would).
    func wait(seconds: Double)
    /// Ends the adopting thread's `wait` (from another thread).
    func wake()
    /// Hands the loop back to its own thread.
    func release()
}
