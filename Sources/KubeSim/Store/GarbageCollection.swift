import JSON

/// Background cascading deletion, as the garbage collector does it: once an owner is gone, every
/// object whose owners are all gone is deleted, recursively.
enum GarbageCollection {
    static func collect(ownerUID: String, in batch: inout ObjectStore.Batch) {
        guard !ownerUID.isEmpty else { return }
        var live = Set<String>()
        var dependents: [String: [(ResourceType, ObjectKey)]] = [:]
        for r in batch.resources {
            for (key, obj) in batch.all(r) {
                live.insert(obj.metaUID)
                for owner in obj.ownerUIDs { dependents[owner, default: []].append((r, key)) }
            }
        }
        live.remove(ownerUID)
        var queue = [ownerUID]
        while let uid = queue.popLast() {
            for (r, key) in dependents[uid] ?? [] {
                guard let obj = batch.get(r, key) else { continue }
                if obj.ownerUIDs.contains(where: { live.contains($0) }) { continue }
                batch.write(r, key, .delete(obj))
                live.remove(obj.metaUID)
                queue.append(obj.metaUID)
            }
        }
    }
}
