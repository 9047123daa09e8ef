import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TLS terminator before a plain-HTTP KubeSim: `socat OPENSSL-LISTEN:PORT,...,verify=0|1 TCP:127.0.0.1:SIMPORT`
/// on a free loopback port, using a `TestPKI` server certificate (and requiring a client certificate
/// signed by its CA when asked).
final class TLSFront {
    /// The port socat listens on.
    let port: UInt16
    /// The certificates in use.
    let pki: TestPKI
    private let process: Process

    /// "https://127.0.0.1:PORT".
    var url: String { "https://127.0.0.1:\(port)" }

    /// Starts socat and waits until it accepts connections.
    init(targetPort: UInt16, pki: TestPKI, requireClientCertificate: Bool, logDirectory: String) throws {
        let socat = try ExternalTools.require("socat")
        self.pki = pki
        var lastError = "no attempt"
        for _ in 0..<5 {
            let port = try Self.freePort()
            let listen = "OPENSSL-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork,cert=\(pki.serverCert),key=\(pki.serverKey),cafile=\(pki.caCert),verify=\(requireClientCertificate ? 1 : 0)"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: socat)
            p.arguments = [listen, "TCP:127.0.0.1:\(targetPort)"]
            p.standardInput = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            if Self.waitUntilListening(port: port, process: p) {
                self.port = port
                self.process = p
                return
            }
            lastError = p.isRunning ? "socat did not listen on \(port) within 5s" : "socat exited with status \(p.terminationStatus) (port \(port) taken?)"
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
            }
        }
        throw E2EError.tool("cannot start the socat TLS front: \(lastError)")
    }

    /// Stops socat; its forked children end with their connections. SIGKILL, because a child that
    /// Foundation spawns from a Swift concurrency thread inherits that thread's blocked SIGTERM.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A port that was free a moment ago (bound to 0 and released).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError.io("socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw E2EError.io("cannot bind an ephemeral port") }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// Polls until a TCP connect to the port succeeds, socat exits, or 5 s pass.
    static func waitUntilListening(port: UInt16, process: Process) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline && process.isRunning {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = port.bigEndian
            let ok = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if ok { return true }
            usleep(10_000)
        }
        return false
    }
}
