import Foundation
import Testing

/// What the compiler must refuse: a rollout's state is confined to its event loop, so a write sent
/// to the pool may not take the `WorkloadRollout` along. Checked by type-checking small files
/// against the `InplaceCore` module this test target was built with.
@Suite struct SendableContractTests {
    @Test("capturing a WorkloadRollout in a write pool closure does not compile")
    func rolloutCannotBeCapturedInAWrite() throws {
        let result = try Self.typecheck("""
            import InplaceCore

            func send(_ rollout: WorkloadRollout, pool: WritePool) {
                pool.submit { _ = rollout.plan }
            }
            """)
        #expect(result.status != 0)
        #expect(result.output.contains("capture of 'rollout' with non-Sendable type 'WorkloadRollout'"), "\(result.output)")
    }

    @Test("a write closure capturing only Sendable values compiles against the same module")
    func sendableCapturesCompile() throws {
        let result = try Self.typecheck("""
            import InplaceCore

            func send(_ rollout: WorkloadRollout, pool: WritePool) {
                let cluster = rollout.cluster
                let path = rollout.workload.ref.path
                let control = rollout.control
                pool.submit {
                    _ = try? cluster.get(path)
                    control.requestStop(.interrupted)
                }
            }
            """)
        #expect(result.status == 0, "\(result.output)")
    }

    /// Type-checks `source` in Swift 6 mode against the modules beside the running test bundle.
    static func typecheck(_ source: String) throws -> (status: Int32, output: String) {
        let modules = try #require(modulesDirectory(), "no InplaceCore.swiftmodule near \(testExecutable.path)")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sendable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("check.swift")
        try source.write(to: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-swift-version", "6", "-I", modules.path,
                             "-module-cache-path", dir.appendingPathComponent("cache").path, file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    static var testExecutable: URL { URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath() }

    /// The build folder's `Modules` (or the folder itself, for older layouts) holding `InplaceCore.swiftmodule`.
    static func modulesDirectory() -> URL? {
        var candidates: [URL] = [testExecutable]
        candidates += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map(\.bundleURL)
        for start in candidates {
            var dir = start.deletingLastPathComponent()
            for _ in 0..<4 {
                for folder in [dir.appendingPathComponent("Modules"), dir]
                where FileManager.default.fileExists(atPath: folder.appendingPathComponent("InplaceCore.swiftmodule").path) {
                    return folder
                }
                dir = dir.deletingLastPathComponent()
            }
        }
        return nil
    }
}
