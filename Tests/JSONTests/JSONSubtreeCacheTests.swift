import Foundation
import Testing
@testable import JSON

@Suite struct JSONSubtreeCacheTests {
    /// A pod event whose spec (with brackets, quotes and escapes inside its strings) is long enough
    /// to be kept, and whose status is `status`.
    static func event(resourceVersion: Int, status: String, image: String = "nginx:1.25") -> String {
        #"{"type":"MODIFIED","object":{"metadata":{"name":"web-1","resourceVersion":"\#(resourceVersion)","#
            + #""ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-5d4f8","uid":"0d6c2a4e-8f1b-4c39-a0e5-7a2b9c1d3e4f","controller":true,"blockOwnerDeletion":true}]},"#
            + #""spec":{"nodeName":"node-1","volumes":[{"name":"cfg","configMap":{"name":"a}b]\"{c"}}],"#
            + #""containers":[{"name":"app","image":"\#(image)","args":["--flag=[x]","say \"hi\" \\ {"],"resources":{}}]},"#
            + #""status":\#(status)}}"#
    }

    static let readyStatus = #"{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-12-03T10:26:13Z","reason":"PodCompleted","message":"ready since the container started"}]}"#
    static let notReadyStatus = #"{"phase":"Running","conditions":[{"type":"Ready","status":"False","lastTransitionTime":"2026-12-03T10:26:14Z","reason":"ReadinessGatesNotReady","message":"the gate is off"}]}"#

    static let pod = JSONProjection(dropping: [["spec", "volumes"], ["spec", "containers", "args"]],
                                    sharing: [["spec"], ["status", "conditions"], ["metadata", "ownerReferences"]])
    static let event = pod.nested(under: "object")

    static func parse(_ text: String, _ projection: JSONProjection?, _ strings: inout JSONStringCache,
                      _ subtrees: inout JSONSubtreeCache) throws -> JSONValue {
        try Array(text.utf8).withUnsafeBufferPointer { try JSONValue(parsingUTF8: $0, projection: projection, strings: &strings, subtrees: &subtrees) }
    }

    /// Where the members of the object at `path` are stored: the same place for a shared value.
    static func storage(_ value: JSONValue, _ path: [String]) -> UnsafeRawPointer? {
        switch value[path: path] {
        case .object(let o)?: return o.members.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        case .array(let a)?: return a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
        default: return nil
        }
    }

    @Test func versionsShareTheMembersWhoseBytesRepeatAndBuildTheRest() throws {
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache()
        let texts = [Self.event(resourceVersion: 1, status: Self.readyStatus), Self.event(resourceVersion: 2, status: Self.notReadyStatus),
                     Self.event(resourceVersion: 3, status: Self.notReadyStatus, image: "nginx:1.26")]
        let parsed = try texts.map { try Self.parse($0, Self.event, &strings, &subtrees) }
        for (text, value) in zip(texts, parsed) {
            #expect(value == (try JSONValue(parsing: Array(text.utf8), projection: Self.event)))
        }
        let spec = ["object", "spec"], conditions = ["object", "status", "conditions"], owners = ["object", "metadata", "ownerReferences"]
        #expect(Self.storage(parsed[0], spec) == Self.storage(parsed[1], spec))
        #expect(Self.storage(parsed[1], spec) != Self.storage(parsed[2], spec))
        #expect(Self.storage(parsed[0], conditions) != Self.storage(parsed[1], conditions))
        #expect(Self.storage(parsed[1], conditions) == Self.storage(parsed[2], conditions))
        #expect(Self.storage(parsed[0], owners) == Self.storage(parsed[2], owners))
        #expect(parsed[2][path: spec + ["containers"]]?[0]?["image"] == "nginx:1.26")
    }

    /// `event`, for the pod `name` (its spec names the pod's node and volume, as a real pod's does).
    static func event(name: String, resourceVersion: Int, status: String, image: String = "nginx:1.25") -> String {
        event(resourceVersion: resourceVersion, status: status, image: image).replacingOccurrences(of: "web-1", with: name)
    }

    /// Owner and conditions alike across pods; the spec each pod's own, found under the pod's name.
    static let identified = JSONProjection(dropping: [["spec", "volumes"], ["spec", "containers", "args"]], sharing: [["spec"]],
                                           sharingAcross: [["status", "conditions"], ["metadata", "ownerReferences"]],
                                           identity: ["metadata", "name"]).nested(under: "object")

    @Test func aPodsOwnMembersAreKeptUnderItsNameAndAlikeOnesAcrossPods() throws {
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache()
        let a1 = try Self.parse(Self.event(name: "web-a", resourceVersion: 1, status: Self.readyStatus), Self.identified, &strings, &subtrees)
        let b1 = try Self.parse(Self.event(name: "web-b", resourceVersion: 2, status: Self.readyStatus), Self.identified, &strings, &subtrees)
        let a2 = try Self.parse(Self.event(name: "web-a", resourceVersion: 3, status: Self.readyStatus), Self.identified, &strings, &subtrees)
        let spec = ["object", "spec"], conditions = ["object", "status", "conditions"], owners = ["object", "metadata", "ownerReferences"]
        #expect(Self.storage(a1, spec) == Self.storage(a2, spec), "a pod's next version finds its spec")
        #expect(Self.storage(a1, spec) != Self.storage(b1, spec), "another pod's spec is its own, even when its bytes are equal")
        #expect(Self.storage(a1, conditions) == Self.storage(b1, conditions), "equal conditions are shared across pods")
        #expect(Self.storage(a1, owners) == Self.storage(b1, owners))
        for (value, name, version) in [(a1, "web-a", 1), (b1, "web-b", 2), (a2, "web-a", 3)] {
            let text = Self.event(name: name, resourceVersion: version, status: Self.readyStatus)
            #expect(value == (try JSONValue(parsing: Array(text.utf8), projection: Self.identified)))
        }
    }

    @Test func aMembersVersionsReplaceEachOtherInTheCache() throws {
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache()
        var kept: [Int] = []
        for version in 0..<40 {
            let text = Self.event(name: "web-a", resourceVersion: version, status: Self.readyStatus, image: "nginx:1.\(version)")
            let value = try Self.parse(text, Self.identified, &strings, &subtrees)
            #expect(value[path: ["object", "spec", "containers"]]?[0]?["image"]?.string == "nginx:1.\(version)")
            kept.append(subtrees.keptBytes)
        }
        #expect(kept[39] == kept[10], "each spec replaces the last one: \(kept)")
    }

    @Test func theSameBytesUnderAnotherProjectionAreBuiltForIt() throws {
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache()
        let keepsArgs = JSONProjection(dropping: [["spec", "volumes"]], sharing: [["spec"]]).nested(under: "object")
        let text = Self.event(resourceVersion: 1, status: Self.readyStatus)
        let first = try Self.parse(text, Self.event, &strings, &subtrees)
        let second = try Self.parse(text, keepsArgs, &strings, &subtrees)
        #expect(first[path: ["object", "spec", "containers"]]?[0]?["args"] == nil)
        #expect(second[path: ["object", "spec", "containers"]]?[0]?["args"]?.array?.count == 2)
        #expect(second == (try JSONValue(parsing: Array(text.utf8), projection: keepsArgs)))
    }

    @Test func withoutACacheOrASharedMemberNothingIsShared() throws {
        var strings = JSONStringCache(), none = JSONSubtreeCache(capacity: 0), subtrees = JSONSubtreeCache()
        let text = Self.event(resourceVersion: 1, status: Self.readyStatus)
        let a = try Self.parse(text, Self.event, &strings, &none), b = try Self.parse(text, Self.event, &strings, &none)
        #expect(a == b)
        #expect(Self.storage(a, ["object", "spec"]) != Self.storage(b, ["object", "spec"]))
        let unshared = JSONProjection(dropping: [["spec", "volumes"]]).nested(under: "object")
        let c = try Self.parse(text, unshared, &strings, &subtrees), d = try Self.parse(text, unshared, &strings, &subtrees)
        #expect(Self.storage(c, ["object", "spec"]) != Self.storage(d, ["object", "spec"]))
    }

    @Test func aSmallMemberIsBuiltEachTime() throws {
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache()
        let projection = JSONProjection(dropping: [], sharing: [["spec"]])
        let text = #"{"spec":{"nodeName":"node-1","containers":[{"name":"app","image":"nginx"}]},"n":1}"#
        let a = try Self.parse(text, projection, &strings, &subtrees), b = try Self.parse(text, projection, &strings, &subtrees)
        #expect(a == b)
        #expect(Self.storage(a, ["spec"]) != Self.storage(b, ["spec"]))
    }

    @Test func keptCopiesStayWithinTheByteBudget() throws {
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache(capacity: 4096)
        let projection = JSONProjection(dropping: [], sharing: [["spec"]])
        let filler = String(repeating: "x", count: JSONSubtreeCache.maximumBytes - 64)
        for i in 0..<(2 * JSONSubtreeCache.byteBudget / JSONSubtreeCache.maximumBytes) {
            let text = #"{"spec":{"i":\#(i),"filler":"\#(filler)"}}"#
            let value = try Self.parse(text, projection, &strings, &subtrees)
            #expect(value == (try JSONValue(parsing: text)))
            #expect(subtrees.keptBytes <= JSONSubtreeCache.byteBudget)
        }
        #expect(subtrees.keptBytes > JSONSubtreeCache.byteBudget - JSONSubtreeCache.maximumBytes)
    }

    @Test func brokenDocumentsStillFailAfterTheirSharedPartWasKept() throws {
        var strings = JSONStringCache(), subtrees = JSONSubtreeCache()
        let good = Self.event(resourceVersion: 1, status: Self.readyStatus)
        _ = try Self.parse(good, Self.event, &strings, &subtrees)
        let specStart = good.range(of: #""spec":"#)!.upperBound
        let statusStart = good.range(of: #","status":"#)!.lowerBound
        let spec = String(good[specStart..<statusStart])
        let broken = [
            String(good[..<statusStart]),  // ends right after the kept spec
            good.replacingOccurrences(of: #","status":"#, with: #" "status":"#),  // no comma after the kept spec
            good.replacingOccurrences(of: spec, with: String(spec.dropLast())),  // the spec does not close
            good.replacingOccurrences(of: #""nginx:1.25""#, with: "\"nginx:1.25\u{1}\""),  // a control byte inside
        ]
        for text in broken {
            #expect(throws: JSONParseError.self) { try Self.parse(text, Self.event, &strings, &subtrees) }
        }
        #expect(try Self.parse(good, Self.event, &strings, &subtrees) == (try JSONValue(parsing: Array(good.utf8), projection: Self.event)))
    }
}
