import Foundation

/// Certificates made with the `openssl` CLI for one test: a CA, a server certificate for
/// 127.0.0.1/localhost (SAN) signed by it, a client certificate signed by it, and an unrelated
/// "wrong" CA. EC P-256 keys, valid for a day.
struct TestPKI: Sendable {
    let directory: String
    var caCert: String { directory + "/ca.crt" }
    var wrongCACert: String { directory + "/wrong-ca.crt" }
    var serverCert: String { directory + "/server.crt" }
    var serverKey: String { directory + "/server.key" }
    var clientCert: String { directory + "/client.crt" }
    var clientKey: String { directory + "/client.key" }

    /// Generates everything into `directory`.
    init(directory: String) throws {
        self.directory = directory
        let openssl = try ExternalTools.require("openssl")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        func selfSigned(_ name: String, _ cn: String) throws {
            try ExternalTools.run(openssl, ["req", "-x509"] + ec + ["-keyout", "\(name).key", "-out", "\(name).crt", "-days", "1", "-subj", "/CN=\(cn)"],
                                  in: directory)
        }
        func signed(_ name: String, subject: String, extensions: String) throws {
            try ExternalTools.run(openssl, ["req"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject], in: directory)
            try String(extensions).write(toFile: directory + "/\(name).ext", atomically: true, encoding: .utf8)
            try ExternalTools.run(openssl, [
                "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", String(UInt32.random(in: 1...UInt32.max)),
                "-days", "1", "-extfile", "\(name).ext", "-out", "\(name).crt",
            ], in: directory)
        }
        try selfSigned("ca", "kubectl-inplace-e2e-ca")
        try selfSigned("wrong-ca", "kubectl-inplace-e2e-wrong-ca")
        try signed("server", subject: "/CN=127.0.0.1",
                   extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try signed("client", subject: "/O=system:masters/CN=e2e-admin", extensions: "extendedKeyUsage=clientAuth\n")
    }

    /// A client certificate signed by the CA for user `cn` in groups `organizations` (paths of the
    /// certificate and key).
    func clientCertificate(cn: String, organizations: [String] = []) throws -> (cert: String, key: String) {
        let openssl = try ExternalTools.require("openssl")
        let name = "client-\(cn)"
        let subject = organizations.map { "/O=\($0)" }.joined() + "/CN=\(cn)"
        try ExternalTools.run(openssl, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                        "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject], in: directory)
        try "extendedKeyUsage=clientAuth\n".write(toFile: directory + "/\(name).ext", atomically: true, encoding: .utf8)
        try ExternalTools.run(openssl, [
            "x509", "-req", "-in", "\(name).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", String(UInt32.random(in: 1...UInt32.max)),
            "-days", "1", "-extfile", "\(name).ext", "-out", "\(name).crt",
        ], in: directory)
        return (directory + "/\(name).crt", directory + "/\(name).key")
    }

    /// A file's contents.
    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// A file's contents in base64 (for the kubeconfig `*-data` fields).
    func base64(_ path: String) throws -> String { Data(try read(path).utf8).base64EncodedString() }
}
