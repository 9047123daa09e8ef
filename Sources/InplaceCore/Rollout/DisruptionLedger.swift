/// The PodDisruptionBudgets of one invocation, shared by its workloads: which Ready pods each budget
/// has lent out of service, and to which workload. A budget selecting the pods of two workloads
/// rolled at once is one allowance: each window counts its own pods as it sees them, and the pods the
/// others took out through the ledger, each pod once. Taking is atomic with the decision
/// (`transaction`), so two windows never spend the same disruption.
public final class DisruptionLedger: Sendable {
    /// What the budgets have lent: budget key (`namespace/name`) → pod key (`namespace/name`) → workload.
    public struct State: Sendable {
        var lent: [String: [String: String]] = [:]

        /// Pods `budget` lent to workloads other than `workload`.
        public func lentToOthers(_ budget: String, except workload: String) -> Int {
            lent[budget]?.values.lazy.filter { $0 != workload }.count ?? 0
        }

        /// Pods `budget` lent to workloads other than `workload` that `counted` (by pod key) still
        /// counts healthy: the others are unhealthy already where they are counted.
        public func lentToOthers(_ budget: String, except workload: String, counted: (String) -> Bool) -> Int {
            var n = 0
            for (pod, taker) in lent[budget] ?? [:] where taker != workload && counted(pod) { n += 1 }
            return n
        }

        /// Records that `workload` took the Ready pod `pod` out of service under `budgets`.
        public mutating func take(_ pod: String, by workload: String, budgets: [String]) {
            for b in budgets { lent[b, default: [:]][pod] = workload }
        }

        /// The pod is healthy again (or no longer counted): it gives back what it took.
        mutating func release(_ pod: String) {
            for b in lent.keys { lent[b]?[pod] = nil }
        }
    }

    /// How one window names itself and its budgets in the ledger.
    public struct Share: Sendable {
        public let ledger: DisruptionLedger
        /// The namespace of the workload (budgets and pods are namespaced).
        public let namespace: String
        /// The workload, as the ledger tells the takers apart.
        public let workload: String

        public init(ledger: DisruptionLedger, namespace: String, workload: String) {
            self.ledger = ledger
            self.namespace = namespace
            self.workload = workload
        }

        /// The ledger's key of a budget of this namespace.
        public func key(_ budget: DisruptionBudget) -> String { namespace + "/" + budget.name }
        /// The ledger's key of a pod of this namespace.
        public func key(pod: String) -> String { namespace + "/" + pod }
    }

    private struct Guarded {
        var state = State()
        var listeners: [@Sendable () -> Void] = []
    }

    private let guarded = Mutex(Guarded())

    public init() {}

    /// Runs `body` with the ledger held: a decision and the take it leads to are one step.
    public func transaction<T: Sendable>(_ body: (inout State) -> T) -> T {
        guarded.withLock { body(&$0.state) }
    }

    /// What is lent now.
    public var snapshot: State { guarded.withLock { $0.state } }

    /// Gives back what `pod` took; every listener hears of it (a window held by the budget may go on).
    public func release(_ pod: String) {
        let listeners = guarded.withLock { g in
            g.state.release(pod)
            return g.listeners
        }
        for l in listeners { l() }
    }

    /// Calls `listener` whenever a pod gives back what it took.
    public func onRelease(_ listener: @escaping @Sendable () -> Void) {
        guarded.withLock { $0.listeners.append(listener) }
    }
}
