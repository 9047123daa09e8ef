/// The virtual load generators: each sends its Service's requests round-robin to the endpoints
/// the EndpointSlices list as ready at that moment, and counts a request as dropped when the
/// target pod's serving container is not running (or the pod is gone). No sockets: one timer per
/// generator, a few requests per tick.
final class TrafficEngine {
    unowned let engine: ClusterEngine

    private struct Generator {
        var spec: TrafficSpec
        var epoch: Int
        var lastTick: Double
        var carry: Double = 0
        var next = 0
    }

    private var generators: [ObjectKey: Generator] = [:]
    private var epochs = 0

    init(engine: ClusterEngine) { self.engine = engine }

    /// The tick interval for a rate: one request per tick, at most 200 ticks a second (faster
    /// rates send several requests per tick).
    private static func interval(_ rate: Double) -> Double { max(0.005, min(0.05, 1 / max(rate, 1e-6))) }

    func start(_ spec: TrafficSpec) {
        let key = ObjectKey(namespace: spec.namespace, name: spec.service)
        epochs += 1
        generators[key] = Generator(spec: spec, epoch: epochs, lastTick: engine.now)
        engine.board.update(key) { _ in }
        engine.after(Self.interval(spec.rate), background: true, .traffic(service: key, epoch: epochs))
    }

    func stop(_ key: ObjectKey) {
        guard var g = generators[key] else { return }
        tick(key, epoch: g.epoch)
        g = generators[key] ?? g
        generators[key] = nil
    }

    func tick(_ key: ObjectKey, epoch: Int) {
        guard var g = generators[key], g.epoch == epoch else { return }
        let now = engine.now
        let due = g.carry + g.spec.rate * (now - g.lastTick)
        let count = Int(due)
        g.carry = due - Double(count)
        g.lastTick = now
        if count > 0 {
            let endpoints = engine.endpoints.readyEndpoints(key)
            var sent = 0, served = 0, unroutable = 0
            var drops: [String: Int] = [:]
            for _ in 0..<count {
                guard !endpoints.isEmpty else {
                    unroutable += 1
                    continue
                }
                let target = endpoints[g.next % endpoints.count]
                g.next &+= 1
                sent += 1
                if engine.kubelet.isServing(podUID: target.uid, container: g.spec.container) {
                    served += 1
                } else {
                    drops[target.podName, default: 0] += 1
                }
            }
            engine.board.update(key) { c in
                c.sent += sent
                c.served += served
                c.unroutable += unroutable
                for (pod, n) in drops {
                    c.dropped += n
                    c.droppedByPod[pod, default: 0] += n
                }
            }
        }
        generators[key] = g
        engine.after(Self.interval(g.spec.rate), background: true, .traffic(service: key, epoch: epoch))
    }
}
