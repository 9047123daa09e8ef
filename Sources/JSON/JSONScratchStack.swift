/// The members or elements of the containers a parser is inside, innermost last, in one buffer
/// for the whole document (an array here grew by doubling in every document). A container's values
/// are copied out into an array of its exact size when it closes.
final class JSONScratchStack<Element> {
    /// Allocated at the first push: a parser that only scans needs none.
    private var base: UnsafeMutablePointer<Element>?
    private var capacity = 0
    /// The number of values held.
    private(set) var count = 0

    init() {}

    deinit {
        guard let base else { return }
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Adds a value on top.
    @inline(__always)
    func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base.unsafelyUnwrapped + count).initialize(to: element)
        count += 1
    }

    /// The value at `index` (from the bottom), to read or replace in place.
    @inline(__always)
    subscript(index: Int) -> Element {
        get { base.unsafelyUnwrapped[index] }
        set { base.unsafelyUnwrapped[index] = newValue }
    }

    /// The values from `start` to the top, as an array; the stack keeps the `start` below them.
    func take(from start: Int) -> [Element] {
        let n = count - start
        count = start
        guard n > 0, let base else { return [] }
        let out = Array(UnsafeBufferPointer(start: base + start, count: n))
        (base + start).deinitialize(count: n)
        return out
    }

    /// Drops the values from `start` to the top (a container given up on an error).
    func pop(to start: Int) {
        guard start < count, let base else { return }
        (base + start).deinitialize(count: count - start)
        count = start
    }

    private func grow() {
        let larger = max(32, capacity * 2)
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: larger)
        if let base {
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
        }
        base = bigger
        capacity = larger
    }
}
