import Foundation
import JSON

extension APIServer {
    /// POST: decode, name generation, defaulting, BeforeCreate, admission, validation, store
    /// (201), or with dryRun=All the would-be object without storing it.
    func create(_ r: ResourceType, namespace: String, body: [UInt8], query q: QueryParameters) throws(APIError) -> (JSONValue, Int) {
        let dry = try dryRun(q, optionsKind: "CreateOptions")
        var obj = try decodeObject(body, r)
        return try createObject(r, namespace: namespace, obj: &obj, dryRun: dry)
    }

    /// The create pipeline for an already decoded object (also used by apply-patch creation).
    func createObject(_ r: ResourceType, namespace: String, obj: inout JSONValue, dryRun dry: Bool,
                      operation: FieldOperation = .update) throws(APIError) -> (JSONValue, Int) {
        obj = try prepareCreate(r, namespace: namespace, obj)
        ManagedFields.record(&obj, old: nil, resource: r, subresource: nil, operation: operation, now: Timestamp.now())
        obj = ObjectMetaOrder.canonical(obj)
        if dry {
            if store.get(r, namespace: namespace, name: obj.metaName) != nil { throw APIError.alreadyExists(r, obj.metaName) }
            return (obj, 201)
        }
        let key = ObjectKey(namespace: r.namespaced ? namespace : "", name: obj.metaName)
        let toStore = obj
        let commit = try store.transact(r, key) { current throws(APIError) -> StoreWrite in
            if current != nil { throw APIError.alreadyExists(r, key.name) }
            return .put(toStore)
        }
        if r == Resources.namespaces { populateNamespace(key.name) }
        return (commit.object!, 201)
    }

    /// Everything a create does before storing: namespace, generateName, defaulting, BeforeCreate,
    /// admission and validation. Public so that controllers can build objects exactly as the
    /// server would store them.
    public func prepareCreate(_ r: ResourceType, namespace: String, _ input: JSONValue) throws(APIError) -> JSONValue {
        var obj = typed(input, r)
        if r.namespaced {
            let bodyNS = obj.metaNamespace
            if !bodyNS.isEmpty && bodyNS != namespace {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            obj.setMeta("namespace", .string(namespace))
        } else {
            obj.setMeta("namespace", nil)
        }
        if obj.metaName.isEmpty, let prefix = obj[path: ["metadata", "generateName"]]?.string, !prefix.isEmpty {
            obj.setMeta("name", .string(prefix + random.nameSuffix()))
        }
        if !obj.metaResourceVersion.isEmpty {
            throw APIError.badRequest("resourceVersion should not be set on objects to be created")
        }
        ObjectDefaults.apply(r, &obj)
        Strategy.prepareForCreate(r, &obj, podGeneration: options.podGeneration)
        obj.setMeta("uid", .string(random.uuid()))
        obj.setMeta("creationTimestamp", .string(Timestamp.now()))
        obj.setMeta("deletionTimestamp", nil)
        obj.setMeta("deletionGracePeriodSeconds", nil)
        obj.setMeta("managedFields", nil)
        obj.setMeta("selfLink", nil)
        if r.namespaced {
            guard let ns = store.get(Resources.namespaces, name: namespace) else {
                throw APIError.notFound(Resources.namespaces, namespace)
            }
            if ns[path: ["metadata", "deletionTimestamp"]] != nil || ns[path: ["status", "phase"]]?.string == "Terminating" {
                throw APIError(
                    code: 403, reason: "Forbidden",
                    message: "\(r.groupResource) \"\(obj.metaName)\" is forbidden: unable to create new content in namespace \(namespace) because it is being terminated",
                    name: obj.metaName, group: r.group, kind: r.resource)
            }
        }
        if r == Resources.pods { try admitPod(&obj, namespace: namespace) }
        if r == Resources.services { allocateServiceAddresses(&obj) }
        let errs = Strategy.validateCreate(r, obj)
        if !errs.isEmpty { throw APIError.invalid(r, obj.metaName, errs) }
        return ObjectMetaOrder.canonical(obj)
    }

    /// The ServiceAccount, DefaultTolerationSeconds and Priority admission of a new pod.
    func admitPod(_ pod: inout JSONValue, namespace: String) throws(APIError) {
        var saName = pod[path: ["spec", "serviceAccountName"]]?.string ?? ""
        if saName.isEmpty { saName = pod[path: ["spec", "serviceAccount"]]?.string ?? "" }
        if saName.isEmpty { saName = "default" }
        guard let sa = store.get(Resources.serviceAccounts, namespace: namespace, name: saName) else {
            throw APIError(
                code: 403, reason: "Forbidden",
                message: "pods \"\(pod.metaName)\" is forbidden: error looking up service account \(namespace)/\(saName): serviceaccount \"\(saName)\" not found",
                name: pod.metaName, group: "", kind: "pods")
        }
        let automount = sa["automountServiceAccountToken"]?.bool ?? true
        PodAdmission.admit(&pod, automountDefault: automount, suffix: random.nameSuffix())
    }

    func allocateServiceAddresses(_ svc: inout JSONValue) {
        let type = svc[path: ["spec", "type"]]?.string ?? "ClusterIP"
        if type != "ExternalName" {
            let requested = svc[path: ["spec", "clusterIP"]]?.string ?? ""
            let ip: String
            if requested.isEmpty {
                let n = allocations.withLock { a -> Int in
                    a.nextServiceIP += 1
                    return a.nextServiceIP
                }
                ip = "10.96.\(n / 250).\(n % 250 + 1)"
            } else {
                ip = requested
            }
            svc[path: ["spec", "clusterIP"]] = .string(ip)
            svc[path: ["spec", "clusterIPs"]] = [.string(ip)]
            if svc[path: ["spec", "ipFamilies"]] == nil { svc[path: ["spec", "ipFamilies"]] = ["IPv4"] }
            if svc[path: ["spec", "ipFamilyPolicy"]] == nil { svc[path: ["spec", "ipFamilyPolicy"]] = "SingleStack" }
        }
        if type == "NodePort" || type == "LoadBalancer", var ports = svc[path: ["spec", "ports"]]?.array {
            for i in ports.indices where ports[i]["nodePort"] == nil {
                ports[i]["nodePort"] = .int(allocations.withLock { a -> Int in
                    a.nextNodePort += 1
                    return a.nextNodePort
                })
            }
            svc[path: ["spec", "ports"]] = .array(ports)
        }
    }

    /// What the service-account and root-CA controllers put in every new namespace.
    func populateNamespace(_ name: String) {
        _ = try? store.create(
            Resources.serviceAccounts,
            ["kind": "ServiceAccount", "apiVersion": "v1", "metadata": ["name": "default", "namespace": .string(name)]])
        _ = try? store.create(
            Resources.configMaps,
            [
                "kind": "ConfigMap", "apiVersion": "v1",
                "metadata": [
                    "name": "kube-root-ca.crt", "namespace": .string(name),
                    "annotations": ["kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."],
                ],
                "data": ["ca.crt": "-----BEGIN CERTIFICATE-----\nkube-sim\n-----END CERTIFICATE-----\n"],
            ])
    }

    /// The objects every cluster starts with.
    func bootstrap() {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            var obj: JSONValue = ["kind": "Namespace", "apiVersion": "v1", "metadata": ["name": .string(ns)]]
            ObjectDefaults.apply(Resources.namespaces, &obj)
            Strategy.prepareForCreate(Resources.namespaces, &obj)
            _ = try? store.create(Resources.namespaces, obj)
            populateNamespace(ns)
        }
        var svc: JSONValue = [
            "kind": "Service", "apiVersion": "v1",
            "metadata": ["name": "kubernetes", "namespace": "default", "labels": ["component": "apiserver", "provider": "kubernetes"]],
            "spec": ["clusterIP": "10.96.0.1", "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]]],
        ]
        ObjectDefaults.apply(Resources.services, &svc)
        allocateServiceAddresses(&svc)
        _ = try? store.create(Resources.services, svc)
    }
}
