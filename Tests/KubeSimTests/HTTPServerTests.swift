import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("HTTP server")
struct HTTPServerTests {
    @Test("keep-alive serves several requests on one connection")
    func keepAlive() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let c = TestConnection(port: s.port)
        for _ in 0..<3 {
            let r = c.request("GET", "/api/v1/namespaces/default")
            #expect(r.status == 200)
            #expect(r.json["kind"]?.string == "Namespace")
        }
        #expect(s.requestLog.entries.count == 3)
    }

    @Test("chunked request bodies are read")
    func chunkedRequestBody() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let c = TestConnection(port: s.port)
        let body = Array(Fixtures.pod("chunky").serialized().utf8)
        let half = body.count / 2
        var raw = Array("POST \(Fixtures.podsPath) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        raw += Array(String(half, radix: 16).utf8) + [13, 10] + body[..<half] + [13, 10]
        raw += Array(String(body.count - half, radix: 16).utf8) + [13, 10] + body[half...] + [13, 10]
        raw += Array("0\r\n\r\n".utf8)
        c.sendRaw(raw)
        let r = c.readResponse()
        #expect(r?.status == 201)
        #expect(r?.json[path: ["metadata", "name"]]?.string == "chunky")
    }

    @Test("malformed requests get 400 and the connection closes")
    func malformed() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let c = TestConnection(port: s.port)
        c.sendRaw(Array("NOT A REQUEST\r\n\r\n".utf8))
        #expect(c.readResponse()?.status == 400)
        let c2 = TestConnection(port: s.port)
        c2.sendRaw(Array("POST /api/v1/namespaces HTTP/1.1\r\nContent-Length: abc\r\n\r\n".utf8))
        #expect(c2.readResponse()?.status == 400)
        #expect(HTTP.get(s.port, "/version").status == 200)
    }

    @Test("stop closes open connections, including watches, and joins threads")
    func stopClosesConnections() throws {
        let s = try Fixtures.server()
        let idle = TestConnection(port: s.port)
        #expect(idle.request("GET", "/version").status == 200)
        let watch = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1&resourceVersion=\(s.store.resourceVersion)")
        #expect(watch.status == 200)
        let started = Date()
        s.stop()
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(watch.next() == nil)
        #expect(idle.readLine() == nil)
        #expect(s.openConnections == 0)
    }

    @Test("a client that disconnects mid-watch does not block the server")
    func clientDisconnectsMidWatch() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        do {
            let w = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1")
            #expect(w.status == 200)
        }
        for i in 0..<5 { _ = s.client.create(Resources.pods, Fixtures.pod("p\(i)")) }
        let deadline = Date().addingTimeInterval(3)
        while s.api.activeWatchCount > 0 && Date() < deadline { usleep(20_000) }
        #expect(s.api.activeWatchCount == 0)
        #expect(HTTP.get(s.port, "/version").status == 200)
    }

    @Test("unknown paths: 404 page for non-API paths, a NotFound Status under /api")
    func notFoundPaths() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let plain = HTTP.get(s.port, "/nothing")
        #expect(plain.status == 404)
        #expect(plain.text == "404 page not found\n")
        let api = HTTP.get(s.port, "/api/v1/foos")
        #expect(api.status == 404)
        #expect(api.json["reason"]?.string == "NotFound")
        #expect(api.json["message"]?.string == "the server could not find the requested resource")
    }
}

@Suite("HTTP details")
struct HTTPDetailTests {
    @Test("Expect: 100-continue gets an interim 100 before the body is sent")
    func expectContinue() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let c = TestConnection(port: s.port, timeoutSeconds: 2)
        let body = Fixtures.pod("big").serializedBytes()
        c.sendRaw(Array("POST \(Fixtures.podsPath) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nExpect: 100-continue\r\n\r\n".utf8))
        let interim = c.readHead()
        #expect(interim?.0 == 100)
        c.sendRaw(body)
        #expect(c.readResponse()?.status == 201)
    }
}
