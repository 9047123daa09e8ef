@testable import JSON
import Testing
@testable import InplaceCore

/// The EndpointSlice digest the drain reads: made from the slice's bytes, it must list as ready
/// exactly what reading the whole slice does.
@Suite struct EndpointSliceDigestTests {
    /// What the drain read of a whole slice before the digest: ready (not `ready: false`) endpoints'
    /// addresses, and the names of those whose target is a Pod.
    static func reference(_ slice: JSONValue) -> (addresses: [String], pods: [String]) {
        var addresses: [String] = [], pods: [String] = []
        for endpoint in slice["endpoints"]?.array ?? [] where endpoint["conditions"]?["ready"]?.bool != false {
            for address in endpoint["addresses"]?.array ?? [] { if let a = address.string { addresses.append(a) } }
            if let target = endpoint["targetRef"], let name = target["name"]?.string, target["kind"]?.string == "Pod" { pods.append(name) }
        }
        return (addresses, pods)
    }

    static func digest(_ slice: JSONValue) throws -> JSONValue {
        try JSONValue(parsing: slice.serializedBytes(), projection: RolloutProjections.endpointSlice)
    }

    /// The ready addresses and pods a digest lists, in the slice's order.
    static func listed(_ digest: JSONValue) -> (addresses: [String], pods: [String]) {
        let entries = digest["endpoints"]?.array ?? []
        return (entries.flatMap { ($0[0]?.array ?? []).compactMap(\.string) }, entries.compactMap { $0[1]?.string })
    }

    /// A digest's entries as the reference reads the whole slice: per endpoint, its ready addresses
    /// and pod (`[[], null]` when not ready).
    static func referenceEntries(_ slice: JSONValue) -> [JSONValue] {
        (slice["endpoints"]?.array ?? []).map { endpoint -> JSONValue in
            guard endpoint["conditions"]?["ready"]?.bool != false, endpoint.object != nil else { return [[], .null] }
            let addresses = (endpoint["addresses"]?.array ?? []).filter { $0.string != nil }
            let target = endpoint["targetRef"]
            let pod: JSONValue = target?["kind"]?.string == "Pod" ? target?["name"].flatMap { $0.string == nil ? nil : $0 } ?? .null : .null
            return [.array(addresses), pod]
        }
    }

    @Test("a full slice: the digest keeps the metadata a shared watch filters by and the ready listings only")
    func fullSlice() throws {
        let slice: JSONValue = [
            "metadata": ["name": "web-x", "namespace": "default", "labels": ["kubernetes.io/service-name": "web"],
                         "resourceVersion": "42", "ownerReferences": [["kind": "Service", "name": "web", "uid": "s"]],
                         "managedFields": [["manager": "kube-controller-manager"]]],
            "addressType": "IPv4", "ports": [["port": 80, "protocol": "TCP"]],
            "endpoints": [
                ["addresses": ["10.0.0.5"], "conditions": ["ready": true, "serving": true, "terminating": false], "nodeName": "node-1",
                 "zone": "a", "targetRef": ["kind": "Pod", "name": "web-7c9d-abcde", "namespace": "default", "uid": "u-1"]],
                ["addresses": ["10.0.0.6"], "conditions": ["ready": false], "targetRef": ["kind": "Pod", "name": "web-7c9d-fghij"]],
            ],
        ]
        let d = try Self.digest(slice)
        #expect(d["metadata"] == ["name": "web-x", "namespace": "default", "labels": ["kubernetes.io/service-name": "web"],
                                  "resourceVersion": "42"])
        #expect(Self.listed(d).addresses == ["10.0.0.5"])
        #expect(Self.listed(d).pods == ["web-7c9d-abcde"])
        #expect(d.object?.keys == ["metadata", "endpoints"])
        #expect(d["endpoints"] == [[["10.0.0.5"], "web-7c9d-abcde"], [[], .null]], "an entry per endpoint, in order")
    }

    @Test("odd endpoints read as the whole slice reads them: no conditions, null ready, other kinds, many addresses, escapes")
    func oddEndpoints() throws {
        let endpoints: [JSONValue] = [
            ["addresses": ["10.0.0.1", "10.0.0.2"], "targetRef": ["kind": "Pod", "name": "a"]],
            ["addresses": ["10.0.0.3"], "conditions": ["ready": .null], "targetRef": ["name": "b", "kind": "Pod"]],
            ["addresses": ["10.0.0.4"], "conditions": ["ready": "false"], "targetRef": ["kind": "Node", "name": "c"]],
            ["addresses": ["10.0.0.5"], "conditions": [:], "targetRef": ["kind": "Pod"]],
            ["conditions": ["ready": false, "serving": true], "addresses": ["10.0.0.6"], "targetRef": ["kind": "Pod", "name": "d"]],
            ["addresses": .null, "targetRef": .null, "conditions": .null],
            ["addresses": [7, "10.0.0.7", ["x"]], "conditions": ["serving": false, "ready": true],
             "targetRef": ["kind": "Pod", "name": "e\"\\\u{1}é", "extra": [["deep": [1, 2.5e3, true, .null]]]]],
            "not an endpoint", 12,
        ]
        for count in 0...endpoints.count {
            let slice: JSONValue = ["endpoints": .array(Array(endpoints.prefix(count))), "metadata": ["name": "s"]]
            let d = try Self.digest(slice)
            let (addresses, pods) = Self.listed(d)
            #expect(addresses == Self.reference(slice).addresses, "first \(count) endpoints")
            #expect(pods == Self.reference(slice).pods, "first \(count) endpoints")
        }
    }

    @Test("random slices: the digest lists what the whole slice lists, and indexes the same changes")
    func randomSlices() throws {
        var dice = PlanAtScaleTests.Dice(state: 12)
        var whole = EndpointIndex(), digested = EndpointIndex()
        for round in 0..<200 {
            var endpoints: [JSONValue] = []
            for i in 0..<dice.next(30) {
                var e = JSONObject()
                if dice.next(8) != 0 { e["addresses"] = .array((0..<dice.next(3)).map { .string("10.1.\(round % 7).\(i * 3 + $0)") }) }
                switch dice.next(5) {
                case 0: break
                case 1: e["conditions"] = ["ready": false, "terminating": true]
                case 2: e["conditions"] = ["serving": true]
                default: e["conditions"] = ["ready": true, "serving": true, "terminating": false]
                }
                if dice.next(6) != 0 {
                    e["targetRef"] = ["kind": dice.next(9) == 0 ? "Node" : "Pod", "name": .string("pod-\(dice.next(40))"), "uid": "u"]
                }
                if dice.next(4) == 0 { e["nodeName"] = "node-1"; e["zone"] = "z"; e["hints"] = ["forZones": [["name": "z"]]] }
                endpoints.append(.object(e))
            }
            let slice: JSONValue = ["metadata": ["name": .string("s\(dice.next(3))"), "namespace": "ns"],
                                    "endpoints": .array(endpoints), "ports": [["port": 80]]]
            let d = try Self.digest(slice)
            #expect(Self.listed(d).addresses == Self.reference(slice).addresses)
            #expect(Self.listed(d).pods == Self.reference(slice).pods)
            #expect(d["endpoints"]?.array == Self.referenceEntries(slice))
            let reference: JSONValue = ["metadata": slice["metadata"]!, "endpoints": .array(Self.referenceEntries(slice))]
            let changedWhole = whole.record(reference), changedDigested = digested.record(d)
            #expect(changedWhole == changedDigested)
            for i in 0..<40 {
                #expect(whole.listsReady(podIP: nil, podName: "pod-\(i)") == digested.listsReady(podIP: nil, podName: "pod-\(i)"))
            }
            for address in Self.reference(slice).addresses { #expect(digested.listsReady(podIP: address, podName: "")) }
        }
    }

    @Test("a watch's slice events, read through its subtree cache (endpoints remembered by their bytes), digest as each read alone")
    func rememberedEndpoints() throws {
        var dice = PlanAtScaleTests.Dice(state: 7)
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache()
        // An index fed as a watch feeds it (its unchanged entries the very values read before, found
        // equal in place) against one fed each slice read alone (every entry compared as a value).
        var watched = EndpointIndex(), alone = EndpointIndex()
        let hints: JSONValue = ["forZones": [["name": "europe-west1-b"], ["name": "europe-west1-c"], ["name": "europe-west1-d"]]]
        var endpoints: [JSONValue] = (0..<40).map { i in
            ["addresses": [.string("10.2.0.\(i)")], "conditions": ["ready": true, "serving": true, "terminating": false],
             "nodeName": .string("node-\(i % 5)"), "hints": hints, "targetRef": ["kind": "Pod", "name": .string("web-7c9d-\(i)"), "uid": "u"]]
        }
        #expect(endpoints[0].serializedBytes().count >= 128)
        for round in 0..<120 {
            let i = dice.next(endpoints.count)
            switch dice.next(4) {
            case 0: endpoints[i]["conditions"] = ["ready": false, "serving": true, "terminating": true]
            case 1: endpoints[i]["addresses"] = [.string("10.3.\(round % 250).\(i)")]
            case 2: endpoints[i]["targetRef"]?["kind"] = dice.next(2) == 0 ? "Node" : "Pod"
            default: endpoints[i]["conditions"] = ["ready": true, "serving": true, "terminating": false]
            }
            let slice: JSONValue = ["metadata": ["name": "s", "namespace": "ns", "resourceVersion": .string("\(round)")],
                                    "endpoints": .array(endpoints)]
            let bytes = slice.serializedBytes()
            let remembered = try bytes.withUnsafeBufferPointer {
                try JSONValue(parsingUTF8: $0, projection: RolloutProjections.endpointSlice, strings: &strings, subtrees: &subtrees)
            }
            let fresh = try Self.digest(slice)
            #expect(remembered == fresh, "round \(round)")
            #expect(Self.listed(remembered).pods == Self.reference(slice).pods)
            #expect(watched.record(remembered) == alone.record(fresh), "round \(round): the same change seen")
            for e in endpoints {
                let ip = e["addresses"]?[0]?.string, pod = e["targetRef"]?["name"]?.string ?? ""
                #expect(watched.listsReady(podIP: ip, podName: pod) == alone.listsReady(podIP: ip, podName: pod), "round \(round): \(pod)")
                #expect(watched.listsReady(podIP: nil, podName: pod) == Self.reference(slice).pods.contains(pod), "round \(round): \(pod)")
            }
        }
        // The endpoints were read through the cache, not around it.
        #expect(subtrees.keptBytes >= endpoints.count * 128)
    }

    @Test("a slice that is not valid JSON is refused, as the whole parse refuses it")
    func invalidSliceIsRefused() {
        for text in [#"{"endpoints":[{"addresses":["10.0.0.1"}]}"#, #"{"endpoints":[{"conditions":{"ready":tru}}]}"#,
                     #"{"metadata":{"name":"s"},"endpoints":[{"targetRef":{"name":"a\q"}}]}"#, #"{"endpoints":[1,]}"#] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(text.utf8), projection: RolloutProjections.endpointSlice) }
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
        }
    }
}
