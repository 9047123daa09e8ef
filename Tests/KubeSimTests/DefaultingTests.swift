import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Defaulting and admission")
struct DefaultingTests {
    @Test("quantities are stored in canonical form")
    func quantities() {
        let cases: [(String, String)] = [
            ("0.5", "500m"), ("1000m", "1"), ("1Gi", "1Gi"), ("1024Mi", "1Gi"), ("1536Mi", "1536Mi"), ("2000", "2k"),
            ("100m", "100m"), ("0.1", "100m"), ("1.5Gi", "1536Mi"), ("128974848", "128974848"), ("1e3", "1e3"), ("0", "0"),
            ("250m", "250m"), ("1", "1"), ("64Mi", "64Mi"), ("0.5Ki", "512"), ("1500m", "1500m"), ("100M", "100M"),
        ]
        for (input, expected) in cases { #expect(Quantity.canonical(input) == expected, "\(input)") }
        #expect(Quantity.canonical("abc") == nil)
        #expect(Quantity.milliValue("1.5") == 1500)
    }

    @Test("a created pod gets the API server's defaults and the admission plugins' additions")
    func podDefaults() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        var pod = Fixtures.pod("a", image: "nginx")
        pod[path: ["spec", "containers"]] = [
            [
                "name": "app", "image": "nginx",
                "ports": [["containerPort": 80]],
                "resources": ["limits": ["cpu": "0.5", "memory": "1024Mi"]],
                "livenessProbe": ["httpGet": ["port": 80]],
                "env": [["name": "NS", "valueFrom": ["fieldRef": ["fieldPath": "metadata.namespace"]]]],
            ],
            ["name": "tagged", "image": "busybox:1.36"],
        ]
        let r = HTTP.request(s.port, "POST", Fixtures.podsPath, body: pod).json
        let spec = r["spec"]!
        #expect(spec["restartPolicy"]?.string == "Always")
        #expect(spec["dnsPolicy"]?.string == "ClusterFirst")
        #expect(spec["schedulerName"]?.string == "default-scheduler")
        #expect(spec["securityContext"] == .emptyObject)
        #expect(spec["terminationGracePeriodSeconds"]?.int == 30)
        #expect(spec["enableServiceLinks"]?.bool == true)
        #expect(spec["priority"]?.int == 0)
        #expect(spec["preemptionPolicy"]?.string == "PreemptLowerPriority")
        #expect(spec["serviceAccountName"]?.string == "default")
        #expect(spec["serviceAccount"]?.string == "default")
        let app = spec["containers"]![0]!
        #expect(app["imagePullPolicy"]?.string == "Always")
        #expect(spec["containers"]?[1]?["imagePullPolicy"]?.string == "IfNotPresent")
        #expect(app["terminationMessagePath"]?.string == "/dev/termination-log")
        #expect(app["terminationMessagePolicy"]?.string == "File")
        #expect(app["ports"]?[0]?["protocol"]?.string == "TCP")
        #expect(app[path: ["resources", "limits", "cpu"]]?.string == "500m")
        #expect(app[path: ["resources", "limits", "memory"]]?.string == "1Gi")
        #expect(app[path: ["resources", "requests", "cpu"]]?.string == "500m")
        #expect(app["livenessProbe"] == ["httpGet": ["port": 80, "path": "/", "scheme": "HTTP"], "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3])
        #expect(app["env"]?[0]?[path: ["valueFrom", "fieldRef", "apiVersion"]]?.string == "v1")
        #expect(spec["containers"]?[1]?["resources"] == .emptyObject)
        let volume = spec["volumes"]?.array?.last
        let volumeName = volume?["name"]?.string ?? ""
        #expect(volumeName.hasPrefix("kube-api-access-") && volumeName.count == 21)
        #expect(volume?[path: ["projected", "sources"]]?[0]?[path: ["serviceAccountToken", "expirationSeconds"]]?.int == 3607)
        #expect(volume?[path: ["projected", "defaultMode"]]?.int == 420)
        for c in spec["containers"]!.array! {
            let mount = c["volumeMounts"]?.array?.last
            #expect(mount == ["name": .string(volumeName), "readOnly": true, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"])
        }
        let tolerations = spec["tolerations"]?.array ?? []
        #expect(tolerations.count == 2)
        #expect(tolerations.allSatisfy { $0["tolerationSeconds"]?.int == 300 && $0["effect"]?.string == "NoExecute" })
        #expect(r[path: ["status", "qosClass"]]?.string == "Burstable")
    }

    @Test("automountServiceAccountToken false means no token volume; a missing service account is Forbidden")
    func serviceAccountAdmission() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        var pod = Fixtures.pod("a")
        pod[path: ["spec", "automountServiceAccountToken"]] = false
        let r = HTTP.request(s.port, "POST", Fixtures.podsPath, body: pod).json
        #expect(r[path: ["spec", "volumes"]] == nil)
        var other = Fixtures.pod("b")
        other[path: ["spec", "serviceAccountName"]] = "missing"
        let f = HTTP.request(s.port, "POST", Fixtures.podsPath, body: other)
        #expect(f.status == 403)
        #expect(f.json["message"]?.string == "pods \"b\" is forbidden: error looking up service account default/missing: serviceaccount \"missing\" not found")
    }

    @Test("workload defaults: Deployment, StatefulSet, DaemonSet and their templates")
    func workloadDefaults() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let d = s.store.get(Resources.deployments, namespace: "default", name: "web")!
        #expect(d[path: ["spec", "strategy"]] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "25%", "maxSurge": "25%"]])
        #expect(d[path: ["spec", "revisionHistoryLimit"]]?.int == 10)
        #expect(d[path: ["spec", "progressDeadlineSeconds"]]?.int == 600)
        #expect(d[path: ["spec", "template", "metadata", "creationTimestamp"]] == .null)
        #expect(d[path: ["spec", "template", "spec", "containers"]]?[0]?["imagePullPolicy"]?.string == "IfNotPresent")
        #expect(d[path: ["spec", "template", "spec", "volumes"]] == nil)
        let sts = s.store.get(Resources.statefulSets, namespace: "default", name: "db")!
        #expect(sts[path: ["spec", "updateStrategy"]] == ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
        #expect(sts[path: ["spec", "podManagementPolicy"]]?.string == "OrderedReady")
        #expect(sts[path: ["spec", "persistentVolumeClaimRetentionPolicy"]] == ["whenDeleted": "Retain", "whenScaled": "Retain"])
        let ds = s.store.get(Resources.daemonSets, namespace: "default", name: "agent")!
        #expect(ds[path: ["spec", "updateStrategy"]] == ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]])
        let svc = s.store.get(Resources.services, namespace: "default", name: "web")!
        #expect(svc[path: ["spec", "type"]]?.string == "ClusterIP")
        #expect(svc[path: ["spec", "clusterIP"]]?.string?.hasPrefix("10.96.") == true)
        #expect(svc[path: ["spec", "ports"]]?[0]?["protocol"]?.string == "TCP")
    }

    @Test("a corpus manifest seeds and its pods look like live pods")
    func corpusManifest() throws {
        let path = "/work/shared/corpus/microservices-demo/kubernetes-manifests.yaml"
        var scenario = Scenario()
        guard let docs = try? ManifestFiles.readDocuments(path) else {
            Issue.record("YAML manifests cannot be read yet: \(path)")
            return
        }
        scenario.add(manifests: docs)
        let s = try Fixtures.server(scenario: scenario)
        defer { s.stop() }
        let deployments = s.store.list(Resources.deployments).items
        #expect(deployments.count == 12)
        let pods = s.store.list(Resources.pods).items
        #expect(pods.count >= 12)
        for p in pods {
            #expect(p[path: ["spec", "serviceAccountName"]]?.string?.isEmpty == false)
            #expect(p[path: ["status", "phase"]]?.string == "Running")
        }
    }
}
