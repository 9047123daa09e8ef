import Foundation
import JSON

/// What a timer does when it fires.
enum TimerAction {
    /// A step of one container's lifecycle (ignored when the container's epoch moved on).
    case container(uid: String, index: Int, epoch: Int, step: ContainerStep)
    /// A terminating pod's grace period is over.
    case podTermination(uid: String)
    /// The kubelet's next sync of a pod whose spec changed.
    case podSync(uid: String)
    /// The runtime applied a pod's admitted resize.
    case resizeApplied(uid: String, epoch: Int)
    /// A pod's endpoint state reaches a Service's EndpointSlices.
    case endpoint(service: ObjectKey, podUID: String, info: EndpointInfo?)
    /// A Service's batched Endpoints write is due.
    case endpointsResync(service: ObjectKey)
    /// A load generator sends its next requests.
    case traffic(service: ObjectKey, epoch: Int)
    /// A controller re-checks an object (e.g. when minReadySeconds pass).
    case resync(ObjectRef)
}

/// The simulation thread's state: the cache, the timer queue and the components. Everything here
/// runs on that one thread; other threads talk to it through the mailbox.
final class ClusterEngine {
    let api: APIServer
    var store: ObjectStore { api.store }
    var options: ClusterOptions
    let mailbox: SimulationMailbox
    let log: TransitionLog
    let board: TrafficBoard
    var cache = ObjectCache()
    var timers = TimerQueue<TimerAction>()
    var processedRV = 0
    var lastOwnWriteRV = 0
    let startedAt = SimClock.now()
    /// The workload of each known pod, by uid.
    var workloadOf: [String: String] = [:]

    private(set) var scheduler: Scheduler!
    private(set) var kubelet: Kubelet!
    private(set) var replicaSets: ReplicaSetController!
    private(set) var deployments: DeploymentController!
    private(set) var statefulSets: StatefulSetController!
    private(set) var daemonSets: DaemonSetController!
    private(set) var endpoints: EndpointSliceController!
    private(set) var disruption: DisruptionController!
    private(set) var traffic: TrafficEngine!

    init(api: APIServer, options: ClusterOptions, mailbox: SimulationMailbox, log: TransitionLog, board: TrafficBoard) {
        self.api = api
        self.options = options
        self.mailbox = mailbox
        self.log = log
        self.board = board
        scheduler = Scheduler(engine: self)
        kubelet = Kubelet(engine: self)
        replicaSets = ReplicaSetController(engine: self)
        deployments = DeploymentController(engine: self)
        statefulSets = StatefulSetController(engine: self)
        daemonSets = DaemonSetController(engine: self)
        endpoints = EndpointSliceController(engine: self)
        disruption = DisruptionController(engine: self)
        traffic = TrafficEngine(engine: self)
    }

    var now: Double { SimClock.now() }

    private var imageOutcomes: [String: ImageBehaviour.Outcome] = [:]

    /// What starting a container of `image` leads to (kept until the image behaviour changes).
    func imageOutcome(_ image: String) -> ImageBehaviour.Outcome {
        if let known = imageOutcomes[image] { return known }
        let outcome = options.images.outcome(for: image)
        imageOutcomes[image] = outcome
        return outcome
    }

    /// When what is being handled happened: a change's commit, or a timer's deadline. Timers
    /// scheduled while handling it count from then, so a chain of kubelet steps takes the sum of
    /// its latencies however busy the simulation is; nil (controllers' turns) counts from now.
    private var causeTime: Double?

    /// Schedules a timer `delay` seconds after the cause being handled (or now).
    func after(_ delay: Double, background: Bool = false, _ action: TimerAction) {
        let t = now
        let base = causeTime.map { min($0, t) } ?? t
        timers.schedule(at: base + max(0, delay), background: background, action)
    }

    // MARK: The loop

    func run(snapshot: [(ResourceType, JSONValue)], snapshotRV: Int) {
        processedRV = snapshotRV
        adopt(snapshot)
        for spec in options.traffic { traffic.start(spec) }
        reconcile(controllers: true)
        mailbox.finish(processedRV: processedRV, idle: isIdle)
        while let batch = mailbox.next(deadline: timers.nextDeadline) {
            for e in batch.events {
                causeTime = e.committedAt
                handle(e)
            }
            causeTime = nil
            for (c, ack) in batch.commands {
                apply(c)
                ack?.signal()
            }
            fireDueTimers()
            reconcile(controllers: processedRV >= lastOwnWriteRV)
            mailbox.finish(processedRV: processedRV, idle: isIdle)
        }
    }

    var isIdle: Bool {
        processedRV >= lastOwnWriteRV && timers.foregroundCount == 0 && !scheduler.hasWork && !kubelet.hasWork
            && replicaSets.dirty.isEmpty && deployments.dirty.isEmpty && statefulSets.dirty.isEmpty && daemonSets.dirty.isEmpty
            && !endpoints.hasWork
    }

    /// Runs the timers due now; timers they schedule run on a later turn, after this turn's writes.
    private func fireDueTimers() {
        let t = now
        var due: [(TimerAction, Double)] = []
        while let entry = timers.popDue(now: t) { due.append((entry.payload, entry.deadline)) }
        defer { causeTime = nil }
        for (action, deadline) in due {
            causeTime = deadline
            switch action {
            case .container(let uid, let index, let epoch, let step): kubelet.fire(uid: uid, index: index, epoch: epoch, step: step)
            case .podTermination(let uid): kubelet.finishTermination(uid: uid)
            case .podSync(let uid): kubelet.syncDue(uid: uid)
            case .resizeApplied(let uid, let epoch): kubelet.resizeApplied(uid: uid, epoch: epoch)
            case .endpoint(let svc, let podUID, let info): endpoints.publish(service: svc, podUID: podUID, info: info)
            case .endpointsResync(let svc): endpoints.endpointsResync(svc)
            case .traffic(let svc, let epoch): traffic.tick(svc, epoch: epoch)
            case .resync(let ref): markDirty(ref)
            }
        }
    }

    /// One turn's writes. The kubelet and the EndpointSlice controller write their own state and
    /// do so every turn (so no state they report is skipped); the controllers that act on the
    /// cache wait until it has seen their previous writes.
    private func reconcile(controllers: Bool) {
        if controllers {
            scheduler.reconcile()
            replicaSets.reconcile()
            deployments.reconcile()
            statefulSets.reconcile()
            daemonSets.reconcile()
            disruption.reconcile()
        }
        kubelet.flush()
        endpoints.reconcile()
    }

    private func apply(_ c: ClusterCommand) {
        switch c {
        case .startTraffic(let spec): traffic.start(spec)
        case .stopTraffic(let key): traffic.stop(key)
        case .resetTraffic(let key): board.reset(key)
        case .setLatencies(let l): options.latencies = l
        case .setImages(let i):
            options.images = i
            imageOutcomes = [:]
        }
    }

    // MARK: Events

    private func adopt(_ snapshot: [(ResourceType, JSONValue)]) {
        for (r, obj) in snapshot where ObjectCache.tracked.contains(r) {
            cache.apply(r, ObjectKey(namespace: r.namespaced ? obj.metaNamespace : "", name: obj.metaName), obj)
        }
        for pod in cache.all(Resources.pods).sorted(by: { $0.key < $1.key }).map(\.value) {
            record(pod, .observed(ready: pod.isPodReady))
            kubelet.podChanged(old: nil, new: pod)
            scheduler.podChanged(old: nil, new: pod)
        }
        for k in cache.all(Resources.replicaSets).keys { replicaSets.dirty.insert(k) }
        for k in cache.all(Resources.deployments).keys { deployments.dirty.insert(k) }
        for k in cache.all(Resources.statefulSets).keys { statefulSets.dirty.insert(k) }
        for k in cache.all(Resources.daemonSets).keys { daemonSets.dirty.insert(k) }
        endpoints.adoptAll()
    }

    private func handle(_ e: StoreEvent) {
        processedRV = max(processedRV, e.resourceVersion)
        guard ObjectCache.tracked.contains(e.resource) else { return }
        let new: JSONValue? = e.type == .deleted ? nil : e.object
        let old = cache.apply(e.resource, e.key, new)
        if let old, let new, old.metaUID != new.metaUID {
            dispatch(e.resource, e.key, old: old, new: nil)
            dispatch(e.resource, e.key, old: nil, new: new)
        } else {
            dispatch(e.resource, e.key, old: old, new: new)
        }
    }

    private func dispatch(_ r: ResourceType, _ key: ObjectKey, old: JSONValue?, new: JSONValue?) {
        switch r {
        case Resources.pods:
            podEvent(old: old, new: new)
        case Resources.replicaSets:
            replicaSets.dirty.insert(key)
            markOwnerDirty(old?.controllerUID)
            markOwnerDirty(new?.controllerUID)
        case Resources.deployments:
            deployments.dirty.insert(key)
        case Resources.statefulSets:
            statefulSets.dirty.insert(key)
        case Resources.daemonSets:
            daemonSets.dirty.insert(key)
        case Resources.controllerRevisions:
            markOwnerDirty(old?.controllerUID)
            markOwnerDirty(new?.controllerUID)
        case Resources.nodes:
            scheduler.nodesChanged()
            for k in cache.all(Resources.daemonSets).keys { daemonSets.dirty.insert(k) }
        case Resources.services:
            endpoints.serviceChanged(key, old: old, new: new)
        case Resources.endpointSlices:
            endpoints.sliceChanged(old: old, new: new)
        case Resources.podDisruptionBudgets:
            disruption.dirty.insert(key)
        case Resources.endpoints:
            if new == nil, let svc = cache.get(Resources.services, key), svc[path: ["spec", "selector"]] != nil {
                endpoints.markDirty(key)
            }
        default:
            break
        }
    }

    private func podEvent(old: JSONValue?, new: JSONValue?) {
        if old == nil, let new {
            record(new, .created(ready: new.isPodReady))
        }
        if let old, let new {
            let wasReady = old.isPodReady
            let isReady = new.isPodReady
            if wasReady != isReady { record(new, .ready(isReady)) }
            if old.nodeName.isEmpty && !new.nodeName.isEmpty { record(new, .scheduled(node: new.nodeName)) }
            if !old.isTerminating && new.isTerminating { record(new, .terminating) }
            let before = Self.foreignConditions(old)
            for (type, status) in Self.foreignConditions(new) where before[type] != status {
                record(new, .condition(type: type, status: status))
            }
        }
        kubelet.podChanged(old: old, new: new)
        scheduler.podChanged(old: old, new: new)
        markOwnerDirty(old?.controllerUID)
        markOwnerDirty(new?.controllerUID)
        endpoints.podChanged(old: old, new: new)
        if let ns = (new ?? old)?[path: ["metadata", "namespace"]]?.string { disruption.podChanged(namespace: ns) }
        if new == nil, let old { record(old, .deleted) }
    }

    /// The conditions of a pod that the kubelet does not own, type → status.
    static func foreignConditions(_ pod: JSONValue) -> [String: String] {
        var out: [String: String] = [:]
        for c in pod[path: ["status", "conditions"]]?.array ?? [] {
            guard let t = c["type"]?.string, !KubeletStatus.ownedConditions.contains(t) else { continue }
            out[t] = c["status"]?.string ?? ""
        }
        return out
    }

    /// Marks the controller of the object with this uid for a sync.
    func markOwnerDirty(_ uid: String?) {
        guard let uid, let ref = cache.ref(uid: uid) else { return }
        markDirty(ref)
    }

    func markDirty(_ ref: ObjectRef) {
        switch ref.resource {
        case Resources.replicaSets: replicaSets.dirty.insert(ref.key)
        case Resources.deployments: deployments.dirty.insert(ref.key)
        case Resources.statefulSets: statefulSets.dirty.insert(ref.key)
        case Resources.daemonSets: daemonSets.dirty.insert(ref.key)
        default: break
        }
    }

    // MARK: Transition log

    /// The workload a pod belongs to ("Deployment/web", "StatefulSet/db", "Pod/x").
    func workload(of pod: JSONValue) -> String {
        let uid = pod.metaUID
        if let w = workloadOf[uid] { return w }
        var w = "Pod/\(pod.metaName)"
        if let ref = pod.controllerRef, let kind = ref["kind"]?.string, let name = ref["name"]?.string {
            w = "\(kind)/\(name)"
            if kind == "ReplicaSet", let rs = cache.get(Resources.replicaSets, ObjectKey(namespace: pod.metaNamespace, name: name)),
                let dref = rs.controllerRef, dref["kind"]?.string == "Deployment", let d = dref["name"]?.string
            {
                w = "Deployment/\(d)"
            }
        }
        workloadOf[uid] = w
        return w
    }

    /// Appends a transition of `pod` to the log.
    func record(_ pod: JSONValue, _ kind: PodTransition.Kind, message: String? = nil) {
        log.append(
            PodTransition(
                time: Date(), elapsed: now - startedAt, namespace: pod.metaNamespace, pod: pod.metaName, uid: pod.metaUID,
                workload: workload(of: pod), kind: kind, message: message))
    }
}
