/// How long the simulated kubelet and controllers take, in seconds. Zero (the default) means
/// "immediately, but still asynchronously": the step happens on the simulation's next turn.
public struct Latencies: Sendable, Equatable {
    /// From a change of a pod's spec until the kubelet's next sync of the pod acts on it (until
    /// then the status shows the containers as they were).
    public var sync: Double
    /// Stopping a running container (SIGTERM until exit).
    public var kill: Double
    /// Pulling an image.
    public var pull: Double
    /// Creating and starting a container once its image is there.
    public var start: Double
    /// From a container's start until it reports ready.
    public var readiness: Double
    /// From a pod's readiness change until EndpointSlices show it.
    public var endpointPropagation: Double
    /// From a pod's graceful deletion until it is gone.
    public var termination: Double
    /// How long a container whose image is marked as crashing runs before it exits with code 1.
    public var crashAfter: Double
    /// How long `ErrImagePull` shows before it turns into `ImagePullBackOff`.
    public var errImagePullHold: Double
    /// The first image pull back-off (doubles per failure up to `maxBackoff`); the kubelet's is 10 s.
    public var imagePullBackoff: Double
    /// The first crash-loop back-off (doubles per crash up to `maxBackoff`); the kubelet's is 10 s.
    public var crashLoopBackoff: Double
    /// The longest back-off; the kubelet's is 5 minutes.
    public var maxBackoff: Double

    /// Latencies; every step defaults to zero and the back-offs to the kubelet's.
    public init(
        sync: Double = 0, kill: Double = 0, pull: Double = 0, start: Double = 0, readiness: Double = 0, endpointPropagation: Double = 0,
        termination: Double = 0, crashAfter: Double = 0, errImagePullHold: Double = 0, imagePullBackoff: Double = 10,
        crashLoopBackoff: Double = 10, maxBackoff: Double = 300
    ) {
        self.sync = sync
        self.kill = kill
        self.pull = pull
        self.start = start
        self.readiness = readiness
        self.endpointPropagation = endpointPropagation
        self.termination = termination
        self.crashAfter = crashAfter
        self.errImagePullHold = errImagePullHold
        self.imagePullBackoff = imagePullBackoff
        self.crashLoopBackoff = crashLoopBackoff
        self.maxBackoff = maxBackoff
    }

    /// Every step immediate (the default).
    public static let zero = Latencies()

    /// Small realistic values for demos: sync 300 ms, kill 100 ms, pull 300 ms, start 200 ms, ready 300 ms,
    /// endpoint propagation 200 ms, termination 500 ms, crash after 1 s.
    public static let demo = Latencies(
        sync: 0.3, kill: 0.1, pull: 0.3, start: 0.2, readiness: 0.3, endpointPropagation: 0.2, termination: 0.5, crashAfter: 1,
        errImagePullHold: 1)

    /// The back-off after `failures` failures (1: the first back-off), doubling, capped at `maxBackoff`.
    func backoff(base: Double, failures: Int) -> Double {
        var d = base
        var n = 1
        while n < failures && d < maxBackoff {
            d *= 2
            n += 1
        }
        return min(d, maxBackoff)
    }
}
