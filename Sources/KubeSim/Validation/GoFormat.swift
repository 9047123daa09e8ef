import JSON

/// Go-style renderings of values inside validation messages (`map[string]string{"a":"b"}`).
enum GoFormat {
    static func stringMap(_ m: [String: String]) -> String {
        "map[string]string{" + m.keys.sorted().map { "\(JSONValue.quote($0)):\(JSONValue.quote(m[$0]!))" }.joined(separator: ", ") + "}"
    }

    static func labelSelector(_ v: JSONValue?) -> String {
        guard let v, v.object != nil else { return "nil" }
        let ml = JSONValue.stringMap(v["matchLabels"])
        let matchLabels = ml.isEmpty ? "map[string]string(nil)" : stringMap(ml)
        let exprs = v["matchExpressions"]?.array ?? []
        let me: String
        if exprs.isEmpty {
            me = "[]v1.LabelSelectorRequirement(nil)"
        } else {
            me = "[]v1.LabelSelectorRequirement{" + exprs.map { e in
                let values = (e["values"]?.array ?? []).compactMap(\.string).map { JSONValue.quote($0) }.joined(separator: ", ")
                return "v1.LabelSelectorRequirement{Key:\(JSONValue.quote(e["key"]?.string ?? "")), Operator:\(JSONValue.quote(e["operator"]?.string ?? "")), Values:[]string{\(values)}}"
            }.joined(separator: ", ") + "}"
        }
        return "v1.LabelSelector{MatchLabels:\(matchLabels), MatchExpressions:\(me)}"
    }
}
