import Foundation
import JSON
import Testing
@testable import KubeClient
import KubeFormats

@Suite("Request authentication material and TLS routing")
struct AuthHeaderAndRoutingTests {
    @Test func basicAuthAndImpersonationHeadersReachTheServer() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        let client = try testClient(server, credentials: Credentials(username: "admin", password: "pw", impersonateUser: "jane", impersonateGroups: ["dev", "ops"]))
        _ = try client.get("/api")
        let h = try #require(server.requests.first?.headers)
        #expect(h["authorization"] == "Basic " + Base64.encode(Array("admin:pw".utf8)))
        #expect(h["impersonate-user"] == "jane")
        #expect(h["impersonate-group"] == "dev, ops")
    }

    @Test func tokenFileIsReReadAfterItsPeriod() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let path = dir + "/token"
        try "first\n".write(toFile: path, atomically: true, encoding: .utf8)
        let env = Environment(variables: [:])
        let cached = TokenFileSource(path: path, initialToken: "first\n", environment: env)
        let eager = TokenFileSource(path: path, initialToken: "first\n", environment: env, period: .zero)
        try "second".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(cached.token() == "first")
        #expect(eager.token() == "second")
        try FileManager.default.removeItem(atPath: path)
        #expect(eager.token() == "second")
    }

    @Test func staticTokenIsSentAsBearer() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        let client = try testClient(server, credentials: Credentials(bearerToken: "abc\n"))
        _ = try client.get("/api")
        #expect(server.requests.first?.headers["authorization"] == "Bearer abc")
    }

    @Test func tlsServerNameReroutesWithConnectToAndHostHeader() throws {
        let server = try ServerURL.parse("https://10.0.0.5:6443/prefix", defaultTLS: true)
        let r = TLSServerNameRouting.route(url: server.base + "/api/v1/pods?limit=1", server: server, serverName: "kube.internal")
        #expect(r.url == "https://kube.internal:6443/prefix/api/v1/pods?limit=1")
        #expect(r.connectTo == "kube.internal:6443:10.0.0.5:6443")
        #expect(r.hostHeader == "10.0.0.5:6443")

        let v6 = try ServerURL.parse("https://[fd00::5]", defaultTLS: true)
        let r6 = TLSServerNameRouting.route(url: v6.base + "/api", server: v6, serverName: "kube.internal")
        #expect(r6.url == "https://kube.internal:443/api" && r6.connectTo == "kube.internal:443:[fd00::5]:443" && r6.hostHeader == "[fd00::5]")

        let same = TLSServerNameRouting.route(url: server.base + "/api", server: server, serverName: "10.0.0.5")
        #expect(same.connectTo == nil && same.url == server.base + "/api")
        let plain = try ServerURL.parse("http://10.0.0.5:8080", defaultTLS: false)
        #expect(TLSServerNameRouting.route(url: plain.base + "/api", server: plain, serverName: "x").connectTo == nil)
    }

    @Test func base64AndPathHelpers() {
        for s in ["", "a", "ab", "abc", "abcd", "hello, wörld"] {
            #expect(Base64.decode(Base64.encode(Array(s.utf8))) == Array(s.utf8))
        }
        #expect(Base64.decode("aGVs\nbG8=\r\n") == Array("hello".utf8))
        #expect(Base64.decode("aGVsbG8") == nil)
        #expect(Base64.decode("aGV=bG8=") == nil)
        #expect(FilePath.clean("/a/b/../c/./d//") == "/a/c/d")
        #expect(FilePath.clean("../x/../../y") == "../../y")
        #expect(FilePath.directory("/etc/kube/config") == "/etc/kube")
        #expect(FilePath.absolute("ca.pem", base: "/etc/kube") == "/etc/kube/ca.pem")
        #expect(FilePath.absolute("/abs/ca.pem", base: "/etc/kube") == "/abs/ca.pem")
    }
}
