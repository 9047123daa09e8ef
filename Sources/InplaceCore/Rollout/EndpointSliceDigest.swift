import JSON

/// An EndpointSlice as the drain reads it, made straight from the slice's bytes: its metadata and,
/// for each endpoint, the addresses and pod it lists as ready (an endpoint whose `conditions.ready`
/// is not false), without the tree of its endpoints (100 of them in a full slice, most unchanged in
/// each event).
///
/// The digest is itself a JSON object: `{"metadata": {...}, "endpoints": [[[addresses], pod], ...]}`,
/// one entry per endpoint in the slice's order (`[[], null]` for one not ready). An entry a watch
/// read before is the very value it read then (`JSONScanner.elements(remembering:)`), so comparing
/// two versions of a slice entry by entry costs next to nothing where they agree.
public enum EndpointSliceDigest {
    /// The metadata a shared watch filters and orders by: name, namespace, labels, resourceVersion.
    static let metadata = JSONProjection(dropping: [
        ["managedFields"], ["ownerReferences"], ["annotations"], ["generateName"], ["creationTimestamp"], ["uid"], ["generation"],
    ])

    /// Reads one EndpointSlice into its digest.
    @Sendable
    public static func read(_ s: inout JSONScanner) throws(JSONParseError) -> JSONValue {
        var meta: JSONValue = .object(JSONObject())
        var endpoints: [JSONValue] = []
        try s.members { s, key throws(JSONParseError) in
            switch key {
            case "metadata": meta = try s.value(keeping: metadata)
            case "endpoints":
                // The API server writes the metadata first: the slice's name tells its versions apart.
                let identity = meta["name"]?.string.map { (meta["namespace"]?.string ?? "") + "/" + $0 } ?? ""
                endpoints = try s.elements(remembering: endpointsReader, identity: identity) { s throws(JSONParseError) in
                    try s.remembered(as: endpointReader) { s throws(JSONParseError) in try readEndpoint(&s) }
                }
            default: break
            }
        }
        return .object(JSONObject(uncheckedMembers: [.init(key: "metadata", value: meta), .init(key: "endpoints", value: .array(endpoints))]))
    }

    /// Stands for the slice's endpoints, read as `readEndpoint` reads each, in the watch's subtree
    /// cache: an event of a slice re-reads only the endpoints that changed since its last one.
    static let endpointsReader = JSONProjection(dropping: [])

    /// Stands for `readEndpoint` in the watch's subtree cache: a slice event repeats all but one of
    /// its endpoints, and an endpoint's bytes read the same each time.
    static let endpointReader = JSONProjection(dropping: [])

    /// One endpoint as `[readyAddresses, readyPod]`: its addresses and its pod's name (null when
    /// not a pod) when it is ready, `[[], null]` when not.
    private static func readEndpoint(_ s: inout JSONScanner) throws(JSONParseError) -> JSONValue {
        var addresses: [JSONValue] = []
        var ready: Bool?
        var kind: String?
        var pod: String?
        try s.members { s, key throws(JSONParseError) in
            switch key {
            case "addresses": try s.elements { s throws(JSONParseError) in if let a = try s.string() { addresses.append(.string(a)) } }
            case "conditions":
                try s.members { s, key throws(JSONParseError) in if key == "ready" { ready = try s.bool() } }
            case "targetRef":
                try s.members { s, key throws(JSONParseError) in
                    switch key {
                    case "kind": kind = try s.string()
                    case "name": pod = try s.string()
                    default: break
                    }
                }
            default: break
            }
        }
        guard ready != false else { return [[], .null] }
        return [.array(addresses), kind == "Pod" ? pod.map(JSONValue.string) ?? .null : .null]
    }
}
