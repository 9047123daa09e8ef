import Foundation
import JSON

/// Server-side printing (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the columns and
/// cells the real API server's printers produce for `kubectl get`, per kind.
enum TableConvertor {
    struct Column {
        var name: String
        var type: String
        var priority: Int = 0
        var format: String = ""
    }

    static let contentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    /// A Table of objects with list metadata.
    static func table(_ r: ResourceType, _ items: [JSONValue], resourceVersion: String?, continueToken: String? = nil, remaining: Int? = nil)
        -> JSONValue
    {
        var meta = JSONObject()
        if let resourceVersion { meta["resourceVersion"] = .string(resourceVersion) }
        if let continueToken { meta["continue"] = .string(continueToken) }
        if let remaining { meta["remainingItemCount"] = .int(remaining) }
        let cols = columns(r)
        let defs: [JSONValue] = cols.map { c in
            ["name": .string(c.name), "type": .string(c.type), "format": .string(c.format), "description": .string(c.name), "priority": .int(c.priority)]
        }
        let rows: [JSONValue] = items.map { obj in
            var metadata = obj["metadata"] ?? .emptyObject
            metadata["managedFields"] = nil
            return [
                "cells": .array(cells(r, obj)),
                "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata],
            ]
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(meta), "columnDefinitions": .array(defs), "rows": .array(rows)]
    }

    static let name = Column(name: "Name", type: "string", format: "name")
    static let age = Column(name: "Age", type: "string")

    static func columns(_ r: ResourceType) -> [Column] {
        switch r.resource {
        case "pods":
            return [
                name, Column(name: "Ready", type: "string"), Column(name: "Status", type: "string"), Column(name: "Restarts", type: "string"), age,
                Column(name: "IP", type: "string", priority: 1), Column(name: "Node", type: "string", priority: 1),
                Column(name: "Nominated Node", type: "string", priority: 1), Column(name: "Readiness Gates", type: "string", priority: 1),
            ]
        case "deployments":
            return [
                name, Column(name: "Ready", type: "string"), Column(name: "Up-to-date", type: "integer"), Column(name: "Available", type: "integer"), age,
                Column(name: "Containers", type: "string", priority: 1), Column(name: "Images", type: "string", priority: 1),
                Column(name: "Selector", type: "string", priority: 1),
            ]
        case "replicasets":
            return [
                name, Column(name: "Desired", type: "integer"), Column(name: "Current", type: "integer"), Column(name: "Ready", type: "integer"), age,
                Column(name: "Containers", type: "string", priority: 1), Column(name: "Images", type: "string", priority: 1),
                Column(name: "Selector", type: "string", priority: 1),
            ]
        case "statefulsets":
            return [
                name, Column(name: "Ready", type: "string"), age, Column(name: "Containers", type: "string", priority: 1),
                Column(name: "Images", type: "string", priority: 1),
            ]
        case "daemonsets":
            return [
                name, Column(name: "Desired", type: "integer"), Column(name: "Current", type: "integer"), Column(name: "Ready", type: "integer"),
                Column(name: "Up-to-date", type: "integer"), Column(name: "Available", type: "integer"), Column(name: "Node Selector", type: "string"), age,
                Column(name: "Containers", type: "string", priority: 1), Column(name: "Images", type: "string", priority: 1),
                Column(name: "Selector", type: "string", priority: 1),
            ]
        case "services":
            return [
                name, Column(name: "Type", type: "string"), Column(name: "Cluster-IP", type: "string"), Column(name: "External-IP", type: "string"),
                Column(name: "Port(s)", type: "string"), age, Column(name: "Selector", type: "string", priority: 1),
            ]
        case "nodes":
            return [
                name, Column(name: "Status", type: "string"), Column(name: "Roles", type: "string"), age, Column(name: "Version", type: "string"),
                Column(name: "Internal-IP", type: "string", priority: 1), Column(name: "External-IP", type: "string", priority: 1),
                Column(name: "OS-Image", type: "string", priority: 1), Column(name: "Kernel-Version", type: "string", priority: 1),
                Column(name: "Container-Runtime", type: "string", priority: 1),
            ]
        case "namespaces": return [name, Column(name: "Status", type: "string"), age]
        case "controllerrevisions": return [name, Column(name: "Controller", type: "string"), Column(name: "Revision", type: "integer"), age]
        case "serviceaccounts": return [name, Column(name: "Secrets", type: "integer"), age]
        case "configmaps": return [name, Column(name: "Data", type: "integer"), age]
        case "secrets": return [name, Column(name: "Type", type: "string"), Column(name: "Data", type: "integer"), age]
        case "leases": return [name, Column(name: "Holder", type: "string"), age]
        case "endpoints": return [name, Column(name: "Endpoints", type: "string"), age]
        case "endpointslices":
            return [name, Column(name: "AddressType", type: "string"), Column(name: "Ports", type: "string"), Column(name: "Endpoints", type: "string"), age]
        case "events":
            return [
                Column(name: "Last Seen", type: "string"), Column(name: "Type", type: "string"), Column(name: "Reason", type: "string"),
                Column(name: "Object", type: "string"), Column(name: "Subobject", type: "string", priority: 1),
                Column(name: "Source", type: "string", priority: 1), Column(name: "Message", type: "string"),
                Column(name: "First Seen", type: "string", priority: 1), Column(name: "Count", type: "string", priority: 1),
                Column(name: "Name", type: "string", priority: 1),
            ]
        default: return [name, age]
        }
    }

    /// "a,b,c + N more..." as the endpoints printers shorten address lists.
    static func shortList(_ items: [String], max: Int = 3) -> String {
        if items.isEmpty { return "<none>" }
        if items.count <= max { return items.joined(separator: ",") }
        return items.prefix(max).joined(separator: ",") + " + \(items.count - max) more..."
    }

    static func cells(_ r: ResourceType, _ o: JSONValue) -> [JSONValue] {
        let nm = JSONValue.string(o.metaName)
        let ageCell = JSONValue.string(age(of: o))
        func int(_ path: [String]) -> JSONValue { .int(o[path: path]?.int ?? 0) }
        let template = o[path: ["spec", "template", "spec"]]
        let containers = (template?["containers"]?.array ?? []).compactMap { $0["name"]?.string }.joined(separator: ",")
        let images = (template?["containers"]?.array ?? []).compactMap { $0["image"]?.string }.joined(separator: ",")
        let selector = LabelSelector(object: o[path: ["spec", "selector"]]).text
        switch r.resource {
        case "pods": return podCells(o)
        case "deployments":
            let ready = "\(o[path: ["status", "readyReplicas"]]?.int ?? 0)/\(o[path: ["spec", "replicas"]]?.int ?? 1)"
            return [nm, .string(ready), int(["status", "updatedReplicas"]), int(["status", "availableReplicas"]), ageCell, .string(containers), .string(images), .string(selector)]
        case "replicasets":
            return [nm, int(["spec", "replicas"]), int(["status", "replicas"]), int(["status", "readyReplicas"]), ageCell, .string(containers), .string(images), .string(selector)]
        case "statefulsets":
            let ready = "\(o[path: ["status", "readyReplicas"]]?.int ?? 0)/\(o[path: ["spec", "replicas"]]?.int ?? 1)"
            return [nm, .string(ready), ageCell, .string(containers), .string(images)]
        case "daemonsets":
            let ns = JSONValue.stringMap(template?["nodeSelector"])
            let nodeSelector = ns.isEmpty ? "<none>" : ns.keys.sorted().map { "\($0)=\(ns[$0]!)" }.joined(separator: ",")
            return [
                nm, int(["status", "desiredNumberScheduled"]), int(["status", "currentNumberScheduled"]), int(["status", "numberReady"]),
                int(["status", "updatedNumberScheduled"]), int(["status", "numberAvailable"]), .string(nodeSelector), ageCell, .string(containers),
                .string(images), .string(selector),
            ]
        case "services":
            let ports = (o[path: ["spec", "ports"]]?.array ?? []).map { p -> String in
                let port = p["port"]?.int ?? 0
                let proto = p["protocol"]?.string ?? "TCP"
                if let np = p["nodePort"]?.int { return "\(port):\(np)/\(proto)" }
                return "\(port)/\(proto)"
            }.joined(separator: ",")
            let sel = JSONValue.stringMap(o[path: ["spec", "selector"]])
            let selText = sel.isEmpty ? "<none>" : sel.keys.sorted().map { "\($0)=\(sel[$0]!)" }.joined(separator: ",")
            let type = o[path: ["spec", "type"]]?.string ?? "ClusterIP"
            let external = type == "LoadBalancer" ? "<pending>" : "<none>"
            return [nm, .string(type), .string(o[path: ["spec", "clusterIP"]]?.string ?? "<none>"), .string(external), .string(ports.isEmpty ? "<none>" : ports), ageCell, .string(selText)]
        case "nodes":
            let ready = (o[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == "Ready" }?["status"]?.string == "True"
            let addresses = o[path: ["status", "addresses"]]?.array ?? []
            func address(_ t: String) -> String { addresses.first { $0["type"]?.string == t }?["address"]?.string ?? "<none>" }
            return [
                nm, .string(ready ? "Ready" : "NotReady"), "<none>", ageCell, .string(o[path: ["status", "nodeInfo", "kubeletVersion"]]?.string ?? ""),
                .string(address("InternalIP")), .string(address("ExternalIP")), .string(o[path: ["status", "nodeInfo", "osImage"]]?.string ?? ""),
                .string(o[path: ["status", "nodeInfo", "kernelVersion"]]?.string ?? ""),
                .string(o[path: ["status", "nodeInfo", "containerRuntimeVersion"]]?.string ?? ""),
            ]
        case "namespaces": return [nm, .string(o[path: ["status", "phase"]]?.string ?? ""), ageCell]
        case "controllerrevisions":
            let owner = (o[path: ["metadata", "ownerReferences"]]?.array ?? []).first { $0["controller"]?.bool == true }
            let controller = owner.map { "\(($0["kind"]?.string ?? "").lowercased()).\(($0["apiVersion"]?.string ?? "").split(separator: "/").first ?? "")/\($0["name"]?.string ?? "")" } ?? "<none>"
            return [nm, .string(controller), int(["revision"]), ageCell]
        case "serviceaccounts": return [nm, .int(o["secrets"]?.array?.count ?? 0), ageCell]
        case "configmaps": return [nm, .int((o["data"]?.object?.count ?? 0) + (o["binaryData"]?.object?.count ?? 0)), ageCell]
        case "secrets": return [nm, .string(o["type"]?.string ?? "Opaque"), .int(o["data"]?.object?.count ?? 0), ageCell]
        case "leases": return [nm, .string(o[path: ["spec", "holderIdentity"]]?.string ?? ""), ageCell]
        case "endpoints":
            var list: [String] = []
            for subset in o["subsets"]?.array ?? [] {
                let ports = (subset["ports"]?.array ?? []).compactMap { $0["port"]?.int }
                for a in subset["addresses"]?.array ?? [] {
                    let ip = a["ip"]?.string ?? ""
                    if ports.isEmpty { list.append(ip) } else { for p in ports { list.append("\(ip):\(p)") } }
                }
            }
            return [nm, .string(shortList(list)), ageCell]
        case "endpointslices":
            let ports = (o["ports"]?.array ?? []).compactMap { $0["port"]?.int }.map(String.init)
            let addresses = (o["endpoints"]?.array ?? []).flatMap { ($0["addresses"]?.array ?? []).compactMap(\.string) }
            return [nm, .string(o["addressType"]?.string ?? ""), .string(ports.isEmpty ? "<unset>" : ports.joined(separator: ",")), .string(shortList(addresses)), ageCell]
        case "events": return eventCells(o)
        default: return [nm, ageCell]
        }
    }

    /// pkg/printers/internalversion printEvent: times from lastTimestamp/firstTimestamp (eventTime
    /// for events.k8s.io writers), the object as lower-case kind/name, the source as component, host.
    static func eventCells(_ o: JSONValue) -> [JSONValue] {
        func since(_ field: String) -> String {
            let text = o[field]?.string ?? o["eventTime"]?.string ?? o[path: ["metadata", "creationTimestamp"]]?.string
            guard let text, let t = Timestamp.parse(text) else { return "<unknown>" }
            return humanDuration(Int(Date().timeIntervalSince1970) - t)
        }
        let involved = o["involvedObject"] ?? .emptyObject
        let object = (involved["kind"]?.string ?? "").lowercased() + "/" + (involved["name"]?.string ?? "")
        var source = o[path: ["source", "component"]]?.string ?? o["reportingComponent"]?.string ?? ""
        if let host = o[path: ["source", "host"]]?.string, !host.isEmpty { source += ", " + host }
        let count = o["count"]?.int ?? 1
        return [.string(since("lastTimestamp")), .string(o["type"]?.string ?? ""), .string(o["reason"]?.string ?? ""),
                .string(object), .string(involved["fieldPath"]?.string ?? ""), .string(source), .string(o["message"]?.string ?? ""),
                .string(since("firstTimestamp")), .string(String(count)), .string(o.metaName)]
    }

    static func podCells(_ pod: JSONValue) -> [JSONValue] {
        let statuses = pod[path: ["status", "containerStatuses"]]?.array ?? []
        let total = pod[path: ["spec", "containers"]]?.array?.count ?? 0
        var reason = pod[path: ["status", "phase"]]?.string ?? ""
        if let r = pod[path: ["status", "reason"]]?.string, !r.isEmpty { reason = r }
        var restarts = 0
        var ready = 0
        var hasRunning = false
        var lastRestart: Int?
        for c in statuses.reversed() {
            restarts += c["restartCount"]?.int ?? 0
            if let finished = c[path: ["lastState", "terminated", "finishedAt"]]?.string, let t = Timestamp.parse(finished) {
                lastRestart = max(lastRestart ?? 0, t)
            }
            if let w = c[path: ["state", "waiting", "reason"]]?.string, !w.isEmpty {
                reason = w
            } else if let t = c[path: ["state", "terminated", "reason"]]?.string, !t.isEmpty {
                reason = t
            } else if c["ready"]?.bool == true && c[path: ["state", "running"]] != nil {
                hasRunning = true
                ready += 1
            }
        }
        let conditions = pod[path: ["status", "conditions"]]?.array ?? []
        if reason == "Completed" && hasRunning {
            reason = conditions.contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" } ? "Running" : "NotReady"
        }
        let phase = pod[path: ["status", "phase"]]?.string ?? ""
        if pod[path: ["metadata", "deletionTimestamp"]] != nil && phase != "Succeeded" && phase != "Failed" { reason = "Terminating" }
        var restartText = String(restarts)
        if restarts != 0, let last = lastRestart {
            restartText = "\(restarts) (\(humanDuration(Int(Date().timeIntervalSince1970) - last)) ago)"
        }
        let gates = pod[path: ["spec", "readinessGates"]]?.array ?? []
        var gatesText = "<none>"
        if !gates.isEmpty {
            let trueCount = gates.filter { g in
                conditions.contains { $0["type"]?.string == g["conditionType"]?.string && $0["status"]?.string == "True" }
            }.count
            gatesText = "\(trueCount)/\(gates.count)"
        }
        func orNone(_ s: String?) -> JSONValue { .string((s ?? "").isEmpty ? "<none>" : s!) }
        return [
            .string(pod.metaName), .string("\(ready)/\(total)"), .string(reason), .string(restartText), .string(age(of: pod)),
            orNone(pod[path: ["status", "podIP"]]?.string), orNone(pod[path: ["spec", "nodeName"]]?.string),
            orNone(pod[path: ["status", "nominatedNodeName"]]?.string), .string(gatesText),
        ]
    }

    static func age(of o: JSONValue) -> String {
        guard let ts = o[path: ["metadata", "creationTimestamp"]]?.string, let t = Timestamp.parse(ts) else { return "<unknown>" }
        return humanDuration(Int(Date().timeIntervalSince1970) - t)
    }

    /// apimachinery's duration.HumanDuration.
    static func humanDuration(_ seconds: Int) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let d = (hours / 24) % 365
            return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d"
        }
        return "\(hours / 24 / 365)y"
    }
}
