import JSON

/// The spec of a `coordination.k8s.io/v1` Lease used for leader election, with its object identity.
public struct LeaseRecord: Sendable, Equatable {
    /// Who holds the lease; empty when it was released.
    public var holderIdentity: String
    public var leaseDurationSeconds: Int
    /// MicroTime when the current holder acquired it.
    public var acquireTime: String?
    /// MicroTime when the holder last renewed it.
    public var renewTime: String?
    /// How many times the holder changed.
    public var leaseTransitions: Int
    /// The object's resourceVersion (nil for a lease not yet created).
    public var resourceVersion: String?

    public init(holderIdentity: String, leaseDurationSeconds: Int, acquireTime: String?, renewTime: String?,
                leaseTransitions: Int, resourceVersion: String? = nil) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
        self.resourceVersion = resourceVersion
    }

    /// Reads a Lease object as the API returns it.
    public init(lease: JSONValue) {
        let spec = lease["spec"] ?? .emptyObject
        self.init(holderIdentity: spec["holderIdentity"]?.string ?? "",
                  leaseDurationSeconds: spec["leaseDurationSeconds"]?.int ?? 0,
                  acquireTime: spec["acquireTime"]?.string, renewTime: spec["renewTime"]?.string,
                  leaseTransitions: spec["leaseTransitions"]?.int ?? 0,
                  resourceVersion: lease[path: ["metadata", "resourceVersion"]]?.string)
    }

    /// The whole Lease object to create or replace (with the resourceVersion, so a replace is conditional).
    public func object(name: String, namespace: String) -> JSONValue {
        var metadata = JSONObject([("name", .string(name)), ("namespace", .string(namespace))])
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        var spec = JSONObject([("holderIdentity", .string(holderIdentity)),
                               ("leaseDurationSeconds", .int(leaseDurationSeconds))])
        if let acquireTime { spec["acquireTime"] = .string(acquireTime) }
        if let renewTime { spec["renewTime"] = .string(renewTime) }
        spec["leaseTransitions"] = .int(leaseTransitions)
        return .object(JSONObject([
            ("apiVersion", "coordination.k8s.io/v1"), ("kind", "Lease"),
            ("metadata", .object(metadata)), ("spec", .object(spec)),
        ]))
    }
}
