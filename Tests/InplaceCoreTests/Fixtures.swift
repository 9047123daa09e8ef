import JSON
@testable import InplaceCore

/// Realistic objects: a template as written in a manifest, and a pod as kube-apiserver returns it.
enum Fixtures {
    static let template: JSONValue = try! JSONValue(parsing: #"""
    {"metadata":{"labels":{"app":"web"}},
     "spec":{"readinessGates":[{"conditionType":"InPlaceUpdateReady"}],
       "containers":[
         {"name":"app","image":"nginx:1.25","ports":[{"containerPort":80}],
          "env":[{"name":"MODE","value":"prod"},{"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}}],
          "resources":{"limits":{"cpu":"0.5","memory":"128Mi"}},
          "readinessProbe":{"httpGet":{"port":80}},
          "volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg"}]},
         {"name":"sidecar","image":"busybox:1.36","command":["sh","-c","sleep 1d"]}],
       "volumes":[{"name":"cfg","configMap":{"name":"web-cfg"}}]}}
    """#)

    /// A pod created from `template`, with everything the API server and admission add.
    static func livePod(name: String = "web-7c9d-abcde", appImage: String = "nginx:1.25", ready: Bool = true,
                        gate: Bool = true, gateCondition: String? = "True") -> JSONValue {
        var pod = try! JSONValue(parsing: #"""
        {"apiVersion":"v1","kind":"Pod",
         "metadata":{"name":"NAME","namespace":"default","uid":"u-1","resourceVersion":"100",
           "labels":{"app":"web","pod-template-hash":"7c9d"},
           "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7c9d","uid":"rs-1","controller":true,"blockOwnerDeletion":true}]},
         "spec":{
           "readinessGates":[{"conditionType":"InPlaceUpdateReady"}],
           "containers":[
             {"name":"app","image":"IMAGE","imagePullPolicy":"IfNotPresent",
              "ports":[{"containerPort":80,"protocol":"TCP"}],
              "env":[{"name":"MODE","value":"prod"},{"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}}],
              "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"500m","memory":"128Mi"}},
              "readinessProbe":{"httpGet":{"path":"/","port":80,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
              "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
              "volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg"},
                {"name":"kube-api-access-x2x7q","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]},
             {"name":"sidecar","image":"busybox:1.36","command":["sh","-c","sleep 1d"],"resources":{},
              "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent",
              "volumeMounts":[{"name":"kube-api-access-x2x7q","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}]}],
           "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
           "serviceAccountName":"default","serviceAccount":"default","nodeName":"node-1","securityContext":{},
           "schedulerName":"default-scheduler","enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority","priority":0,
           "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},
                          {"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
           "volumes":[{"name":"cfg","configMap":{"name":"web-cfg","defaultMode":420}},
             {"name":"kube-api-access-x2x7q","projected":{"defaultMode":420,"sources":[
               {"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},
               {"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},
               {"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}]}}]},
         "status":{"phase":"Running","podIP":"10.0.0.5","conditions":[]}}
        """#)
        pod[path: ["metadata", "name"]] = .string(name)
        pod[path: ["spec", "containers"]] = .array(pod[path: ["spec", "containers"]]!.array!.map { c in
            var c = c
            if c["name"] == "app" { c["image"] = .string(appImage) }
            return c
        })
        if !gate { pod[path: ["spec", "readinessGates"]] = nil }
        var conditions: [JSONValue] = [["type": "Ready", "status": .string(ready ? "True" : "False")]]
        if let gateCondition { conditions.append(["type": "InPlaceUpdateReady", "status": .string(gateCondition)]) }
        pod[path: ["status", "conditions"]] = .array(conditions)
        return pod
    }

    static func with(_ value: JSONValue, _ path: [String], _ newValue: JSONValue?) -> JSONValue {
        var v = value
        v[path: path] = newValue
        return v
    }

    static func setContainerField(_ template: JSONValue, container: Int, field: String, _ value: JSONValue?) -> JSONValue {
        var t = template
        var containers = t[path: ["spec", "containers"]]!.array!
        containers[container][field] = value
        t[path: ["spec", "containers"]] = .array(containers)
        return t
    }
}
