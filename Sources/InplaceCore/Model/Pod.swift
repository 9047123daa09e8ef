import JSON

/// A live pod as the API returns it, with typed accessors for planning and rollouts.
public struct Pod: Sendable, Equatable {
    /// The whole object.
    public var object: JSONValue

    public init(_ object: JSONValue) { self.object = object }

    public var name: String { object[path: ["metadata", "name"]]?.string ?? "" }
    public var namespace: String { object[path: ["metadata", "namespace"]]?.string ?? "default" }
    public var uid: String { object[path: ["metadata", "uid"]]?.string ?? "" }
    public var resourceVersion: String? { object[path: ["metadata", "resourceVersion"]]?.string }
    public var labels: [String: String] { object[path: ["metadata", "labels"]]?.stringMap ?? [:] }
    public var annotations: [String: String] { object[path: ["metadata", "annotations"]]?.stringMap ?? [:] }
    /// The value of one annotation (without building the map of all of them).
    public func annotation(_ key: String) -> String? { object["metadata"]?["annotations"]?[key]?.string }
    public var isTerminating: Bool { object[path: ["metadata", "deletionTimestamp"]] != nil }
    public var nodeName: String? { object[path: ["spec", "nodeName"]]?.string }
    public var podIP: String? { object[path: ["status", "podIP"]]?.string }
    public var phase: String { object[path: ["status", "phase"]]?.string ?? "Pending" }

    /// The uid of the controlling owner (`ownerReferences[controller=true]`).
    public var controllerUID: String? {
        object[path: ["metadata", "ownerReferences"]]?.array?.first { $0["controller"]?.bool == true }?["uid"]?.string
    }

    /// The StatefulSet ordinal: the integer after the last `-` in the name.
    public var ordinal: Int? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        return Int(name[name.index(after: dash)...])
    }

    /// Names and images of the containers that run for the pod's life, in spec order: its
    /// containers, then its native sidecars (names are unique across both lists).
    public var containers: [(name: String, image: String)] {
        ((object[path: ["spec", "containers"]]?.array ?? []) + sidecarSpecs).map {
            ($0["name"]?.string ?? "", $0["image"]?.string ?? "")
        }
    }

    /// The native sidecars: `initContainers[]` with `restartPolicy: Always`.
    public var sidecarSpecs: [JSONValue] {
        (object[path: ["spec", "initContainers"]]?.array ?? []).filter(Self.isSidecar)
    }

    /// True for an init container that is a native sidecar (`restartPolicy: Always`).
    public static func isSidecar(_ container: JSONValue) -> Bool { container["restartPolicy"]?.string == "Always" }

    /// True when the spec lists the readiness gate `conditionType`.
    public func hasReadinessGate(_ conditionType: String = InPlace.gateConditionType) -> Bool {
        (object[path: ["spec", "readinessGates"]]?.array ?? []).contains { $0["conditionType"]?.string == conditionType }
    }

    /// The status condition of this type, if any.
    public func condition(_ type: String) -> JSONValue? {
        object[path: ["status", "conditions"]]?.array?.first { $0["type"]?.string == type }
    }

    /// True when the condition of this type has status "True".
    public func conditionIsTrue(_ type: String) -> Bool { condition(type)?["status"]?.string == "True" }

    /// True when the pod is Ready (its Ready condition is True) and not terminating.
    public var isReady: Bool { !isTerminating && conditionIsTrue("Ready") }

    /// The status of the named container (a native sidecar's among `initContainerStatuses`), if reported.
    public func containerStatus(_ name: String) -> JSONValue? {
        object[path: ["status", "containerStatuses"]]?.array?.first { $0["name"]?.string == name }
            ?? object[path: ["status", "initContainerStatuses"]]?.array?.first { $0["name"]?.string == name }
    }
}
