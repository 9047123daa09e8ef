/// Cobra's "Did you mean this?": names within two edits of a mistyped word, or starting with it.
public enum Suggestions {
    /// Candidates for `word` among `names`, closest first (cobra's `SuggestionsFor`, distance 2).
    public static func `for`(_ word: String, among names: [String], maxDistance: Int = 2) -> [String] {
        guard !word.isEmpty else { return [] }
        let lower = word.lowercased()
        var scored: [(String, Int)] = []
        for name in names where name != word {
            let d = distance(lower, name.lowercased())
            if d <= maxDistance || name.lowercased().hasPrefix(lower) { scored.append((name, d)) }
        }
        var seen = Set<String>()
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.0).filter { seen.insert($0).inserted }
    }

    /// The text cobra appends to an unknown-command error (empty when nothing is close).
    public static func text(_ candidates: [String]) -> String {
        guard !candidates.isEmpty else { return "" }
        return "\n\nDid you mean this?\n" + candidates.map { "\t\($0)\n" }.joined()
    }

    /// Levenshtein distance between two strings.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
