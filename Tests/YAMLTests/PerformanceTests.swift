import Foundation
import Testing
import JSON
import YAML

/// Parsing cost of a 1 MB manifest stream (run with `swift test -c release --filter Performance`
/// for the real figure; the bound here only catches pathological slowdowns in debug builds).
@Suite struct PerformanceTests {
    /// About 1 MB of Deployments in the style of real manifests.
    static func megabyteManifest() -> [UInt8] {
        var text = ""
        var i = 0
        while text.utf8.count < 1_000_000 {
            text += """
            ---
            # service \(i)
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: service-\(i)
              labels: {app: service-\(i), tier: backend}
              annotations:
                kubernetes.io/change-cause: "deploy \(i)"
            spec:
              replicas: 3
              selector:
                matchLabels:
                  app: service-\(i)
              template:
                metadata:
                  labels:
                    app: service-\(i)
                spec:
                  serviceAccountName: default
                  securityContext:
                    fsGroup: 1000
                    runAsNonRoot: true
                  containers:
                  - name: server
                    image: gcr.io/project/service-\(i):v0.10.\(i % 7)
                    ports:
                    - containerPort: 8080
                    env:
                    - name: PORT
                      value: "8080"
                    - name: DISABLE_PROFILER
                      value: "1"
                    readinessProbe:
                      initialDelaySeconds: 20
                      periodSeconds: 15
                      grpc: {port: 8080}
                    resources:
                      requests: {cpu: 100m, memory: 64Mi}
                      limits: {cpu: 200m, memory: 128Mi}
                    command:
                    - /bin/sh
                    - -c
                    - |
                      echo starting
                      exec /server --port=8080

            """
            i += 1
        }
        return Array(text.utf8)
    }

    @Test func megabyteManifestParsesQuickly() throws {
        let bytes = Self.megabyteManifest()
        let clock = ContinuousClock()
        var documents: [YAMLDocument] = []
        let elapsed = try clock.measure {
            documents = try YAML.documents(from: bytes, fileName: "big.yaml")
        }
        var positionCount = 0
        let positionsElapsed = clock.measure {
            for doc in documents { positionCount += doc.positions.count }
        }
        print("YAML performance: parsed \(bytes.count) bytes, \(documents.count) documents in \(elapsed); "
            + "\(positionCount) positions materialized in \(positionsElapsed)")
        #expect(positionCount > 40 * documents.count)
        #expect(documents.count > 500)
        #expect(documents.last?.value["spec"]?["template"]?["spec"]?["containers"]?[0]?["ports"]?[0]?["containerPort"] == 8080)
        #expect(elapsed < .seconds(10))
    }
}
