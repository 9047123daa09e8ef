/// A min-heap of timers ordered by deadline (then by insertion), O(log n) per insert and pop.
/// Cancellation is lazy: payloads carry epochs that handlers check when the timer fires.
struct TimerQueue<Payload> {
    struct Entry {
        var deadline: Double
        var sequence: UInt64
        var background: Bool
        var payload: Payload
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0
    /// Pending timers that are not background work (traffic ticks, back-off retries).
    private(set) var foregroundCount = 0

    var count: Int { heap.count }
    var nextDeadline: Double? { heap.first?.deadline }

    mutating func schedule(at deadline: Double, background: Bool = false, _ payload: Payload) {
        nextSequence += 1
        heap.append(Entry(deadline: deadline, sequence: nextSequence, background: background, payload: payload))
        if !background { foregroundCount += 1 }
        siftUp(heap.count - 1)
    }

    /// The earliest timer whose deadline is at or before `now`, removed from the queue.
    mutating func popDue(now: Double) -> Entry? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        if !first.background { foregroundCount -= 1 }
        return first
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].deadline < heap[b].deadline || (heap[a].deadline == heap[b].deadline && heap[a].sequence < heap[b].sequence)
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < heap.count && less(l, m) { m = l }
            if r < heap.count && less(r, m) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }
}
