import Foundation
import JSON
import Testing
import YAML

/// `make dist`: the release archive holds what a user installs, its sha256 is the archive's, and the
/// krew manifest generated from it names the same archive, digest and version. The packing step runs
/// here on the test build; the static release binary itself is checked when `make test` built it
/// (`INPLACE_DIST_BINARY`).
@Suite("Release: archive, sha256, krew manifest, static binary")
struct ReleaseTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let distBinary = ProcessInfo.processInfo.environment["INPLACE_DIST_BINARY"].flatMap { $0.isEmpty ? nil : $0 }

    func tool(_ path: String, _ args: [String], in dir: String, env: [String: String]? = nil) throws -> RunResult {
        try BinaryRunner(executable: URL(fileURLWithPath: path))
            .run(args, environment: env ?? BinaryRunner.baseEnvironment(home: dir), workingDirectory: dir, timeout: 60)
    }

    /// The client version the binary reports (`v0.1.0`).
    func clientVersion(_ runner: BinaryRunner, in dir: String) throws -> String {
        let r = try runner.run(["version", "--client", "-o", "json"], environment: BinaryRunner.baseEnvironment(home: dir),
                               workingDirectory: dir)
        return try #require(JSONValue(parsing: Array(r.stdout.utf8))[path: ["clientVersion", "gitVersion"]]?.string)
    }

    @Test("make dist-package: the archive's files, its sha256 and the krew manifest agree")
    func archiveShaAndKrewManifest() throws {
        let runner = try BinaryRunner.locate()
        let dir = try TestCluster.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/dist"
        let make = try tool("/usr/bin/make", ["-s", "-C", Self.repositoryRoot, "dist-package", "BIN=\(runner.executable.path)", "DIST=\(out)"],
                            in: dir)
        #expect(make.status == 0, "\(make)")
        let version = try clientVersion(runner, in: dir)
        let name = "kubectl-inplace_\(version)_linux_\(Self.arch).tar.gz"
        let archive = out + "/" + name
        #expect(make.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == archive)

        let listing = try tool("/bin/tar", ["-tzf", archive], in: dir).stdout.split(separator: "\n").map(String.init)
        for file in ["./kubectl-inplace", "./kubectl_complete-inplace", "./LICENSE", "./README.md", "./man/kubectl-inplace.1",
                     "./completions/kubectl-inplace.bash", "./completions/kubectl-inplace.zsh", "./completions/kubectl-inplace.fish"] {
            #expect(listing.contains(file), "\(file) in \(listing)")
        }
        let digest = try #require(try tool("/usr/bin/sha256sum", [archive], in: dir).stdout.split(separator: " ").first.map(String.init))
        #expect(digest.count == 64)
        let shaFile = try String(contentsOfFile: archive + ".sha256", encoding: .utf8)
        #expect(shaFile == "\(digest)  \(name)\n")

        let manifest = try #require(try YAML.documents(from: Array(String(contentsOfFile: out + "/plugins/inplace.yaml", encoding: .utf8).utf8),
                                                       fileName: "inplace.yaml").first?.value)
        #expect(manifest["kind"]?.string == "Plugin" && manifest[path: ["metadata", "name"]]?.string == "inplace")
        #expect(manifest[path: ["spec", "version"]]?.string == version)
        let platform = try #require(manifest[path: ["spec", "platforms"]]?[0])
        #expect(platform["sha256"]?.string == digest, "the manifest's sha256 is the archive's")
        #expect(platform["uri"]?.string?.hasSuffix("/\(version)/\(name)") == true)
        #expect(platform["bin"]?.string == "kubectl-inplace")
        #expect(platform[path: ["selector", "matchLabels", "arch"]]?.string == Self.arch)

        let again = try tool("/usr/bin/make", ["-s", "-C", Self.repositoryRoot, "dist-package", "BIN=\(runner.executable.path)", "DIST=\(out)"],
                             in: dir)
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: archive + ".sha256", encoding: .utf8) == shaFile, "the archive is reproducible")
    }

    @Test("controller --print-manifest names the image of this version")
    func manifestImageFollowsVersion() throws {
        let runner = try BinaryRunner.locate()
        let dir = try TestCluster.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let version = try clientVersion(runner, in: dir)
        let r = try runner.run(["controller", "--print-manifest"], environment: BinaryRunner.baseEnvironment(home: dir), workingDirectory: dir)
        #expect(r.status == 0)
        #expect(r.stdout.contains("image: ghcr.io/kubectl-inplace/kubectl-inplace:\(version.dropFirst())\n"), "\(r.stdout)")
        let dockerfile = try String(contentsOfFile: Self.repositoryRoot + "/Dockerfile", encoding: .utf8)
        let makefile = try String(contentsOfFile: Self.repositoryRoot + "/Makefile", encoding: .utf8)
        #expect(dockerfile.contains("libcurl4") && dockerfile.contains("libyaml-0-2"))
        #expect(makefile.contains("IMAGE ?= ghcr.io/kubectl-inplace/kubectl-inplace:$(VERSION)"), "make image tags what the manifest names")
    }

    @Test("The static release binary runs with an empty environment and no Swift runtime on the library path",
          .enabled(if: distBinary != nil, "set by `make test`, which builds it with `make dist`"))
    func staticBinaryRunsInACleanEnvironment() throws {
        let binary = try #require(Self.distBinary)
        let dir = try TestCluster.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ldd = try tool("/usr/bin/ldd", [binary], in: dir)
        #expect(!ldd.stdout.contains("libswift") && !ldd.stdout.contains("libFoundation"), "\(ldd.stdout)")
        #expect(!ldd.stdout.contains("not found"), "\(ldd.stdout)")
        let version = try tool(binary, ["version", "--client"], in: dir, env: [:])
        #expect(version.status == 0 && version.stdout.hasPrefix("Client Version: v"), "\(version)")
        let manifest = try tool(binary, ["controller", "--print-manifest"], in: dir, env: [:])
        #expect(manifest.status == 0 && manifest.stdout.contains("kind: Deployment"), "\(manifest)")
    }

    static var arch: String {
        #if arch(x86_64)
        return "amd64"
        #else
        return "arm64"
        #endif
    }
}
