import Testing
@testable import InplaceCore

/// Planning thousands of pods gives what the straightforward computations give: the batches of a
/// window that counts every pod by hand over one whole queue, and the window's own lists under any
/// sequence of starts and finishes.
@Suite struct PlanAtScaleTests {
    /// A reproducible pseudo-random sequence (64-bit LCG).
    struct Dice {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
    }

    let image = SpecDifference(imageChanges: [ImageChange(container: "app", from: "a:1", to: "a:2")])
    let labelsOnly = SpecDifference(metadataChanges: [MetadataChange(field: .labels, key: "tier", from: nil, to: "web")])

    /// Pods in a shuffled order: some NotReady, some already up to date, some with labels alone to change.
    func pods(_ n: Int, dice: inout Dice) -> [PodFacts] {
        var out = (0..<n).map { i -> PodFacts in
            var pod = PodFacts(name: "web-\(String(i, radix: 36))", uid: "uid-\(i)", ready: !dice.chance(3))
            pod.difference = dice.chance(5) ? SpecDifference() : dice.chance(10) ? labelsOnly : image
            return pod
        }
        for i in out.indices.reversed() { out.swapAt(i, dice.next(i + 1)) }
        return out
    }

    /// The batches as the window's rules give them, counted by hand over the whole queue at once:
    /// unavailable = desired − Ready pods not in flight; a pod that restarts may leave while fewer than
    /// max-unavailable (+ surge) are in flight and, if Ready, while that keeps the unavailable pods
    /// within max-unavailable; a pod that stays in service always may; each batch returns Ready.
    func referenceBatches(_ updating: [PodFacts], live: [PodFacts], desired: Int, maxUnavailable: Int, surge: Int) -> [String: Int] {
        let limit = surge > 0 ? max(0, maxUnavailable) : max(1, maxUnavailable)
        var ready = Dictionary(live.map { ($0.name, $0.ready) }, uniquingKeysWith: { _, b in b })
        var readyIdle = ready.values.filter { $0 }.count + (live.count < desired + surge ? surge : 0)
        var desired = desired
        var queue = updating[...]
        var out: [String: Int] = [:]
        var batch = 0
        func turn() -> [PodFacts] {
            var started: [PodFacts] = []
            var outOfService = 0
            while let pod = queue.first {
                let inService = pod.difference.imageChanges.isEmpty
                if !inService {
                    guard outOfService < limit + surge else { break }
                    if ready[pod.name] == true {
                        let unavailable = surge > 0 ? desired - readyIdle : max(0, desired - readyIdle)
                        guard unavailable + 1 <= limit else { break }
                        readyIdle -= 1
                    }
                    outOfService += 1
                }
                queue.removeFirst()
                started.append(pod)
            }
            return started
        }
        while !queue.isEmpty {
            batch += 1
            var started = turn()
            if started.isEmpty {
                desired -= max(0, desired - readyIdle)
                started = turn()
                if started.isEmpty { break }
            }
            for pod in started {
                let inService = pod.difference.imageChanges.isEmpty
                if !inService || ready[pod.name] != true { readyIdle += 1 }
                ready[pod.name] = true
                out[pod.name] = batch
            }
        }
        return out
    }

    @Test("thousands of pods: every pod's batch is the one the whole-queue count gives", arguments: 0..<12)
    func batchesAtScale(seed: Int) {
        var dice = Dice(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let n = [1, 37, 2_000, 3_001][seed % 4]
        let live = pods(n, dice: &dice)
        let maxUnavailable: IntOrPercent = [.count(1), .count(7), .percent(25), .count(300), .count(0)][dice.next(5)]
        let surge: IntOrPercent? = dice.chance(30) ? .count(dice.next(4)) : nil
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let plan = Planner.plan(ref: ref, replicas: n + dice.next(3), pods: live,
                                options: PlanOptions(maxUnavailable: maxUnavailable, allowMissingGate: true, maxSurge: surge))
        let updating = plan.pods.filter { $0.action == .update }.map(\.name)
        let facts = Dictionary(live.map { ($0.name, $0) }, uniquingKeysWith: { _, b in b })
        let expected = referenceBatches(updating.map { facts[$0]! }, live: live, desired: plan.desired,
                                        maxUnavailable: plan.maxUnavailable, surge: plan.surge)
        let got = Dictionary(plan.pods.compactMap { p in p.batch.map { (p.name, $0) } }, uniquingKeysWith: { a, _ in a })
        #expect(got == expected, "seed \(seed): \(n) pods, max-unavailable \(plan.maxUnavailable), surge \(plan.surge)")
        #expect(plan.pods.count == n)
        #expect(Set(plan.pods.map(\.name)).count == n)
        let batches = updating.compactMap { got[$0] }
        #expect(batches == batches.sorted(), "pods to update are listed in batch order")
    }

    @Test("the window's queue and pods in flight follow every start and finish, a pod started twice included", arguments: 0..<8)
    func windowListsUnderAnySequence(seed: Int) {
        var dice = Dice(state: UInt64(seed) &+ 77)
        let names = (0..<400).map { "pod-\($0)" }
        var w = RolloutWindow(maxUnavailable: 1_000, desired: names.count)
        w.sync(names.map { RolloutWindow.Member(name: $0, uid: "uid-\($0)", ready: true) })
        var pending: [String] = []
        var active: [String] = []
        var inFlight: Set<String> = []
        for _ in 0..<3_000 {
            switch dice.next(10) {
            case 0..<3:
                let batch = (0..<dice.next(40)).map { _ in dice.chance(5) ? "gone-\(dice.next(9))" : names[dice.next(names.count)] }
                let first = dice.chance(20)
                // Labels alone: the pods stay in service, so the window starts every one.
                w.enqueue(batch.map { PodTarget(name: $0, changes: [], metadata: labelsOnly.metadataChanges) }, first: first)
                pending = first ? batch + pending : pending + batch
            case 3..<6:
                let turn = w.start(now: 0)
                var started: [String] = [], skipped: [String] = []
                while let next = pending.first {
                    if next.hasPrefix("gone-") { skipped.append(next); pending.removeFirst(); continue }
                    started.append(next)
                    active.append(next)
                    inFlight.insert(next)
                    pending.removeFirst()
                }
                #expect(turn.started.map(\.name) == started)
                #expect(turn.skipped.map(\.name) == skipped)
            default:
                let name = !active.isEmpty && dice.chance(80) ? active[dice.next(active.count)] : names[dice.next(names.count)]
                w.finish(name, ready: true)
                if inFlight.remove(name) != nil { active.removeAll { $0 == name } }
            }
            #expect(w.pending.map(\.name) == pending)
            #expect(w.active == active)
        }
    }

    @Test("schema path affixes are the grapheme-aware ones, non-ASCII paths included")
    func schemaPathAffixes() {
        let paths = ["containers[].resources.limits.cpu", "containers[].resources.requests.memory", "overhead.cpu", "volumes[].emptyDir.sizeLimit",
                     "initContainers[].volumeMounts", "x\u{301}resources.limits.cpu", "resources.limits\u{301}.cpu", "e\u{301}[].ports",
                     "[].ports\u{301}", "containers[].resources", "overhead", ".", "", "é.resources.requests.é", "overhead.\u{301}x",
                     "containers[].readinessProbe.\u{301}timeoutSeconds", "containers[].readinessProbe.timeoutSeconds"]
        for path in paths {
            let parent = path.lastIndex(of: ".").map { path[..<$0] }
            let quantity = (parent.map { $0.hasSuffix("resources.limits") || $0.hasSuffix("resources.requests") } ?? false)
                || path.hasSuffix("emptyDir.sizeLimit") || path.hasPrefix("overhead.")
            #expect(SchemaPath.isQuantity(path) == quantity, "\(path)")
            #expect(SchemaPath.hasSuffix(path, "[].ports") == path.hasSuffix("[].ports"), "\(path)")
            #expect(SchemaPath.hasSuffix(path, "[].volumeMounts") == path.hasSuffix("[].volumeMounts"), "\(path)")
            #expect(SchemaPath.hasPrefix(path, "containers[].readinessProbe.") == path.hasPrefix("containers[].readinessProbe."), "\(path)")
        }
    }
}

