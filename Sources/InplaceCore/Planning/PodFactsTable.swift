/// The facts of a workload's pods as the list pages arrive: one entry per pod name (a list that
/// restarts after an expired page token repeats pods: the later facts replace the earlier), with
/// equal label sets and image changes stored once, as most pods of a workload share them.
struct PodFactsTable {
    /// The facts, in the order their names first arrived.
    private(set) var values: [PodFacts] = []
    private var index: [String: Int] = [:]
    private var labelSets: Set<[String: String]> = []
    private var imageChanges: Set<[ImageChange]> = []

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

    /// The facts (in an array of their number: the one grown by appending can be nearly twice
    /// that), leaving the table empty.
    mutating func take() -> [PodFacts] {
        defer { self = PodFactsTable() }
        return values.withUnsafeBufferPointer { Array($0) }
    }
}
