import JSON

/// Pod validation: the pod spec checks the simulator makes on create, and ValidatePodUpdate's rules
/// for a live pod (pkg/apis/core/validation/validation.go).
public enum PodValidation {
    /// The list of updatable fields in the real Forbidden message.
    public static let updatableFieldsMessage =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"

    /// Checks of a pod spec at `path` ("spec" or "spec.template.spec").
    static func validateSpec(_ spec: JSONValue?, path: String) -> [FieldError] {
        var errs: [FieldError] = []
        let containers = spec?["containers"]?.array ?? []
        if containers.isEmpty { errs.append(.required("\(path).containers")) }
        var names = Set<String>()
        for (field, list) in [("initContainers", spec?["initContainers"]?.array ?? []), ("containers", containers)] {
            for (i, c) in list.enumerated() {
                let p = "\(path).\(field)[\(i)]"
                let name = c["name"]?.string ?? ""
                if name.isEmpty {
                    errs.append(.required("\(p).name"))
                } else if !ObjectMetaValidation.isDNS1123Label(name) {
                    errs.append(.invalid("\(p).name", name, ObjectMetaValidation.dns1123LabelMessage))
                } else if !names.insert(name).inserted {
                    errs.append(FieldError(.duplicate, "\(p).name", badValue: FieldError.quoted(name)))
                }
                let image = c["image"]?.string ?? ""
                if image.isEmpty { errs.append(.required("\(p).image")) }
                for (j, port) in (c["ports"]?.array ?? []).enumerated() {
                    let cp = port["containerPort"]?.int ?? 0
                    if cp < 1 || cp > 65535 {
                        errs.append(.invalidInt("\(p).ports[\(j)].containerPort", cp, "must be between 1 and 65535, inclusive"))
                    }
                    if let proto = port["protocol"]?.string, !["TCP", "UDP", "SCTP"].contains(proto) {
                        errs.append(.notSupported("\(p).ports[\(j)].protocol", proto, ["SCTP", "TCP", "UDP"]))
                    }
                }
            }
        }
        if let rp = spec?["restartPolicy"]?.string, !["Always", "OnFailure", "Never"].contains(rp) {
            errs.append(.notSupported("\(path).restartPolicy", rp, ["Always", "OnFailure", "Never"]))
        }
        if let dns = spec?["dnsPolicy"]?.string, !["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"].contains(dns) {
            errs.append(.notSupported("\(path).dnsPolicy", dns, ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"]))
        }
        for (i, g) in (spec?["readinessGates"]?.array ?? []).enumerated() {
            let t = g["conditionType"]?.string ?? ""
            if !ObjectMetaValidation.isQualifiedName(t) {
                errs.append(
                    .invalid(
                        "\(path).readinessGates[\(i)].conditionType", t,
                        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                    ))
            }
        }
        return errs
    }

    /// ValidatePodUpdate: what a write to a live pod may change.
    public static func validateUpdate(new: JSONValue, old: JSONValue) -> [FieldError] {
        var errs = ObjectMetaValidation.validateUpdate(new: new, old: old)
        errs += validateSpec(new["spec"], path: "spec")
        let newSpec = new["spec"] ?? .emptyObject
        let oldSpec = old["spec"] ?? .emptyObject
        for field in ["containers", "initContainers"] {
            let n = newSpec[field]?.array ?? []
            let o = oldSpec[field]?.array ?? []
            if n.count != o.count {
                errs.append(.forbidden("spec.\(field)", "pod updates may not add or remove containers"))
                return errs
            }
            for (i, c) in n.enumerated() {
                let image = c["image"]?.string ?? ""
                if image.isEmpty {
                    if !errs.contains(FieldError.required("spec.\(field)[\(i)].image")) { errs.append(.required("spec.\(field)[\(i)].image")) }
                } else if image.trimmingSpaces() != image || image.hasSuffix("\n") || image.hasPrefix("\n") {
                    errs.append(.invalid("spec.\(field)[\(i)].image", image, "must not have leading or trailing whitespace"))
                }
            }
        }
        if let nd = newSpec["activeDeadlineSeconds"]?.int {
            if nd < 0 || nd > Int(Int32.max) {
                errs.append(.invalidInt("spec.activeDeadlineSeconds", nd, "must be between 0 and 2147483647, inclusive"))
                return errs
            }
            if let od = oldSpec["activeDeadlineSeconds"]?.int, od < nd {
                errs.append(.invalidInt("spec.activeDeadlineSeconds", nd, "must be less than or equal to previous value"))
                return errs
            }
        } else if oldSpec["activeDeadlineSeconds"] != nil {
            errs.append(FieldError(.invalid, "spec.activeDeadlineSeconds", badValue: "null", "must not update from a positive integer to nil value"))
        }
        let newTolerations = newSpec["tolerations"]?.array ?? []
        for old in oldSpec["tolerations"]?.array ?? [] {
            let o = old.removing("tolerationSeconds")
            if !newTolerations.contains(where: { normalized($0.removing("tolerationSeconds")) == normalized(o) }) {
                errs.append(.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"))
                break
            }
        }
        let oldGates = (oldSpec["schedulingGates"]?.array ?? []).compactMap { $0["name"]?.string }
        for (i, g) in (newSpec["schedulingGates"]?.array ?? []).enumerated() {
            let name = g["name"]?.string ?? ""
            if !oldGates.contains(name) {
                errs.append(.forbidden("spec.schedulingGates[\(i)]", "only deletion is allowed, but found new scheduling gate '\(name)'"))
            }
        }
        if normalized(newSpec) == normalized(oldSpec) { return errs }
        var munged = newSpec
        for field in ["containers", "initContainers"] {
            if var list = munged[field]?.array, let olds = oldSpec[field]?.array {
                for i in list.indices where i < olds.count { list[i]["image"] = olds[i]["image"] }
                munged[field] = .array(list)
            }
        }
        munged["activeDeadlineSeconds"] = oldSpec["activeDeadlineSeconds"]
        munged["schedulingGates"] = oldSpec["schedulingGates"]
        munged["tolerations"] = oldSpec["tolerations"]
        if let og = oldSpec["terminationGracePeriodSeconds"]?.int, og < 0, munged["terminationGracePeriodSeconds"]?.int == 1 {
            munged["terminationGracePeriodSeconds"] = .int(og)
        }
        if normalized(munged) != normalized(oldSpec) {
            let diff = SpecDiff.describe(old: normalized(oldSpec), new: normalized(munged))
            errs.append(.forbidden("spec", updatableFieldsMessage + "\n" + diff))
        }
        return errs
    }

    /// ValidatePodStatusUpdate: condition types must be qualified names; nodeName may not change.
    static func validateStatusUpdate(new: JSONValue, old: JSONValue) -> [FieldError] {
        var errs = ObjectMetaValidation.validateUpdate(new: new, old: old)
        let system: Set<String> = ["PodScheduled", "Ready", "Initialized"]
        for (i, c) in (new[path: ["status", "conditions"]]?.array ?? []).enumerated() {
            let t = c["type"]?.string ?? ""
            if system.contains(t) { continue }
            if !ObjectMetaValidation.isQualifiedName(t) {
                errs.append(
                    .invalid(
                        "metadata.conditions[\(i)].Type", t,
                        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                    ))
            }
        }
        return errs
    }

    /// The value with what Go's semantic equality ignores removed: nulls, empty lists, empty
    /// strings and false booleans (unset and zero are the same in Go structs).
    static func normalized(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o):
            var out = JSONObject()
            for m in o {
                let n = normalized(m.value)
                switch n {
                case .null: continue
                case .array(let a) where a.isEmpty: continue
                case .string(let s) where s.isEmpty && m.key != "service": continue
                case .bool(false) where zeroBools.contains(m.key): continue
                default: out.appendUnchecked(m.key, n)
                }
            }
            return .object(out)
        case .array(let a): return .array(a.map(normalized))
        default: return v
        }
    }

    static let zeroBools: Set<String> = ["hostNetwork", "hostPID", "hostIPC", "stdin", "stdinOnce", "tty", "readOnly"]
}

/// A short, readable description of how two pod specs differ (the "diff hint" of the Forbidden message).
enum SpecDiff {
    static func describe(old: JSONValue, new: JSONValue) -> String {
        var lines: [String] = []
        walk(old, new, path: "", into: &lines)
        let shown = lines.prefix(20)
        var out = "  core.PodSpec{\n" + shown.joined(separator: "\n")
        if lines.count > shown.count { out += "\n  \t... // \(lines.count - shown.count) more differences" }
        return out + "\n  }\n"
    }

    private static func walk(_ a: JSONValue?, _ b: JSONValue?, path: String, into lines: inout [String]) {
        if a == b { return }
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            var keys = x.keys
            for k in y.keys where !keys.contains(k) { keys.append(k) }
            for k in keys { walk(x[k], y[k], path: path.isEmpty ? k : "\(path).\(k)", into: &lines) }
        case (.array(let x)?, .array(let y)?) where x.count == y.count:
            for i in x.indices { walk(x[i], y[i], path: "\(path)[\(i)]", into: &lines) }
        default:
            if let a { lines.append("- \t\(path): \(a.serialized())") }
            if let b { lines.append("+ \t\(path): \(b.serialized())") }
        }
    }
}
