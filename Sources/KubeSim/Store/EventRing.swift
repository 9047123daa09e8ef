/// A fixed-capacity ring of the most recent store events: the history watches replay from.
struct EventRing {
    private var buffer: [StoreEvent?]
    private var head = 0
    private(set) var count = 0
    /// The resourceVersion of the newest event that fell out of the ring (0 while nothing did).
    private(set) var compactedResourceVersion = 0

    init(capacity: Int) { buffer = Array(repeating: nil, count: max(1, capacity)) }

    var capacity: Int { buffer.count }

    mutating func append(_ e: StoreEvent) {
        let index = (head + count) % buffer.count
        if count == buffer.count {
            if let old = buffer[head] { compactedResourceVersion = old.resourceVersion }
            buffer[head] = e
            head = (head + 1) % buffer.count
        } else {
            buffer[index] = e
            count += 1
        }
    }

    /// Forgets every event up to and including `resourceVersion` (simulates etcd compaction).
    mutating func compact(through resourceVersion: Int) {
        while count > 0, let e = buffer[head], e.resourceVersion <= resourceVersion {
            compactedResourceVersion = e.resourceVersion
            buffer[head] = nil
            head = (head + 1) % buffer.count
            count -= 1
        }
        compactedResourceVersion = max(compactedResourceVersion, resourceVersion)
    }

    /// Events newer than `resourceVersion`, oldest first.
    func events(after resourceVersion: Int) -> [StoreEvent] {
        eventsNewestFirst(after: resourceVersion).reversed()
    }

    /// Events newer than `resourceVersion`, newest first.
    func eventsNewestFirst(after resourceVersion: Int) -> [StoreEvent] {
        var out: [StoreEvent] = []
        var i = count - 1
        while i >= 0 {
            guard let e = buffer[(head + i) % buffer.count], e.resourceVersion > resourceVersion else { break }
            out.append(e)
            i -= 1
        }
        return out
    }
}
