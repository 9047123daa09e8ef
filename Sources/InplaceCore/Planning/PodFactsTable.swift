/// The facts of a workload's pods as the list pages arrive: one entry per pod name (a list that
/// restarts after an expired page token repeats pods: the later facts replace the earlier), with
/// equal label sets and image changes stored once, as most pods of a workload share them.
struct PodFactsTable {
    /// The facts, in the order their names first arrived.
    private(set) var values: [PodFacts] = []
    private var index: [String: Int] = [:]
    private var labelSets: Set<[String: String]> = []
    private var imageChanges: Set<[ImageChange]> = []

    /// A table with room for `expected` pods (the workload's replicas, up to 50,000): 10,000 pods'
    /// facts grown by doubling would be held twice while the array moves, and keep up to twice their room.
    init(expected: Int = 0) {
        values.reserveCapacity(min(max(0, expected), 50_000))
        index.reserveCapacity(min(max(0, expected), 50_000))
    }

    /// Adds the facts of one pod, replacing those of an earlier pod of the same name.
    mutating func add(_ facts: PodFacts) {
        var facts = facts
        facts.labels = labelSets.insert(facts.labels).memberAfterInsert
        if !facts.difference.imageChanges.isEmpty {
            facts.difference.imageChanges = imageChanges.insert(facts.difference.imageChanges).memberAfterInsert
        }
        if let i = index[facts.name] {
            values[i] = facts
        } else {
            index[facts.name] = values.count
            values.append(facts)
        }
    }

    /// The facts (moved to an array of their number when more came than expected, as the grown
    /// one can have room for twice as many), leaving the table empty.
    mutating func take() -> [PodFacts] {
        defer { self = PodFactsTable() }
        index = [:]
        guard values.capacity > values.count + values.count / 8 + 16 else { return values }
        return values.withUnsafeBufferPointer { Array($0) }
    }
}
