import Foundation
import JSON
import Testing
@testable import KubeClient

@Suite("Tracing and redaction")
struct RedactionTests {
    static let secrets = [
        "s3cr3t-bearer-token", "exec-plugin-token-xyz", "hunter2-password", "PRIVATE-KEY-MATERIAL",
        "c2VjcmV0LWRhdGE=", "string-data-secret", "last-applied-secret", "refresh-abc", "Zm9vOmJhcg==",
    ]

    @Test func headersAreMasked() {
        #expect(Redactor.headerValue(name: "Authorization", value: "Bearer abc.def") == "Bearer <masked>")
        #expect(Redactor.headerValue(name: "authorization", value: "Basic Zm9vOmJhcg==") == "Basic <masked>")
        #expect(Redactor.headerValue(name: "Cookie", value: "session=1") == "<masked>")
        #expect(Redactor.headerValue(name: "Accept", value: "application/json") == "application/json")
    }

    @Test func jsonBodiesLoseSecretValuesButKeepShape() throws {
        let body = """
            {"kind":"ExecCredential","status":{"token":"exec-plugin-token-xyz","clientKeyData":"PRIVATE-KEY-MATERIAL","clientCertificateData":"-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----"},
             "users":[{"name":"u","user":{"password":"hunter2-password","client-key-data":"PRIVATE-KEY-MATERIAL","refresh-token":"refresh-abc"}}],
             "spec":{"automountServiceAccountToken":true,"containers":[{"name":"app","image":"nginx:1.27"}]}}
            """
        let out = Redactor.body(Array(body.utf8))
        for s in Self.secrets { #expect(!out.contains(s), "leaked \(s)") }
        let doc = try JSONValue(parsing: out)
        #expect(doc[path: ["status", "token"]] == "<masked>")
        #expect(doc[path: ["spec", "automountServiceAccountToken"]] == true)
        #expect(doc[path: ["spec", "containers"]]?[0]?["image"] == "nginx:1.27")
        #expect(doc["kind"] == "ExecCredential")
    }

    @Test func secretObjectsAndListsLoseTheirData() throws {
        let secret = """
            {"kind":"Secret","apiVersion":"v1","metadata":{"name":"db","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\\"stringData\\":{\\"x\\":\\"last-applied-secret\\"}}"}},
             "data":{"password":"c2VjcmV0LWRhdGE=","other":"c2VjcmV0LWRhdGE="},"stringData":{"k":"string-data-secret"}}
            """
        let list = #"{"kind":"SecretList","items":[{"metadata":{"name":"a"},"data":{"x":"c2VjcmV0LWRhdGE="}}]}"#
        let watchEvent = #"{"type":"ADDED","object":{"kind":"Secret","data":{"x":"c2VjcmV0LWRhdGE="}}}"#
        for body in [secret, list, watchEvent] {
            let out = Redactor.body(Array(body.utf8))
            for s in Self.secrets { #expect(!out.contains(s), "leaked \(s) from \(body)") }
        }
        let doc = try JSONValue(parsing: Redactor.body(Array(secret.utf8)))
        #expect(doc[path: ["data", "other"]] == "<masked>")
        #expect(doc[path: ["metadata", "name"]] == "db")
    }

    @Test func textBodiesAreScrubbed() {
        let text = """
            token: s3cr3t-bearer-token
            password=hunter2-password&user=me
            Authorization: Bearer s3cr3t-bearer-token
            client-key-data: PRIVATE-KEY-MATERIAL
            -----BEGIN RSA PRIVATE KEY-----
            PRIVATE-KEY-MATERIAL
            -----END RSA PRIVATE KEY-----
            kept: visible
            """
        let out = Redactor.body(Array(text.utf8))
        for s in Self.secrets { #expect(!out.contains(s), "leaked \(s): \(out)") }
        #expect(out.contains("kept: visible") && out.contains("user=me"))
    }

    @Test func longBodiesAreTruncatedAfterRedaction() {
        let big = #"{"token":"s3cr3t-bearer-token","data":""# + String(repeating: "x", count: 50_000) + #""}"#
        let out = Redactor.body(Array(big.utf8), limit: 1000)
        #expect(!out.contains("s3cr3t-bearer-token"))
        #expect(out.contains("[truncated"))
        #expect(out.utf8.count < 1100)
    }

    @Test func verbosityNineShowsEverythingExceptSecrets() throws {
        let responseBody = #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"db"},"data":{"password":"c2VjcmV0LWRhdGE="},"stringData":{"k":"string-data-secret"}}"#
        let server = LoopbackHTTPServer { _, _ in .json(200, responseBody, headers: [("Set-Cookie", "session=hunter2-password")]) }
        defer { server.stop() }
        let log = LogCapture()
        let client = try testClient(server, credentials: Credentials(bearerToken: "s3cr3t-bearer-token"), verbosity: 9, log: log)
        _ = try client.get("/api/v1/namespaces/default/secrets/db")
        _ = try client.post("/api/v1/namespaces/default/secrets", body: [
            "kind": "Secret", "metadata": ["name": "x"], "stringData": ["password": "hunter2-password"],
            "exec": ["status": ["token": "exec-plugin-token-xyz", "clientKeyData": "PRIVATE-KEY-MATERIAL"]],
        ])
        let text = log.text
        #expect(server.requests.first?.headers["authorization"] == "Bearer s3cr3t-bearer-token")
        for s in Self.secrets { #expect(!text.contains(s), "leaked \(s)") }
        #expect(text.contains("GET \(server.baseURL)/api/v1/namespaces/default/secrets/db 200 OK in "))
        #expect(text.contains("Authorization: Bearer <masked>"))
        #expect(text.contains("Request Body:") && text.contains("Response Body:"))
        #expect(text.contains(#""name":"db""#))
    }

    @Test func verbosityLevelsControlDetail() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, #"{"kind":"Pod","metadata":{"name":"visible-name"}}"#) }
        defer { server.stop() }
        func trace(_ v: Int) throws -> String {
            let log = LogCapture()
            let client = try testClient(server, credentials: Credentials(bearerToken: "s3cr3t-bearer-token"), verbosity: v, log: log)
            _ = try client.get("/api/v1/pods/p")
            return log.text
        }
        #expect(try trace(5).isEmpty)
        let six = try trace(6)
        #expect(six.contains("GET ") && six.contains(" 200 OK in ") && !six.contains("Request Headers") && !six.contains("visible-name"))
        let eight = try trace(8)
        #expect(eight.contains("Request Headers:") && eight.contains("Response Headers:") && !eight.contains("visible-name"))
        #expect(try trace(9).contains("visible-name"))
    }
}
