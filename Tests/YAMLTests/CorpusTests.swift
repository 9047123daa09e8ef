import Foundation
import Testing
import JSON
import YAML

/// The shared corpus of real public manifests: `<repo>/../shared/corpus`, found from this file's
/// location (symlinks resolved), since CI clones the repository next to `shared/`.
enum Corpus {
    static let directory: String? = {
        let file = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let repo = file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let corpus = repo.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: corpus, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        return corpus
    }()

    /// Paths of the YAML and JSON files in the corpus, sorted.
    static func manifestFiles() -> [String] {
        guard let directory, let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            if relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") || relative.hasSuffix(".json") {
                files.append(directory + "/" + relative)
            }
        }
        return files.sorted()
    }

    /// The documents of one corpus file.
    static func documents(of path: String) throws -> [YAMLDocument] {
        let data = try #require(FileManager.default.contents(atPath: path))
        return try YAML.documents(from: [UInt8](data), fileName: path)
    }
}

/// Every manifest of the shared corpus parses, and survives emit + re-parse.
@Suite(.enabled(if: Corpus.directory != nil, "shared/corpus not found next to the repository; corpus tests skipped"))
struct CorpusTests {
    @Test func corpusHasManifests() {
        #expect(Corpus.manifestFiles().count >= 30)
    }

    /// Corpus files that repeat `spec.selector`, which kubectl rejects as a duplicate mapping key.
    static let duplicateKeyFiles: [String: String] = [
        "_archived/openshift-origin/etcd-controller.yaml": "12:3: mapping key \"selector\" already defined at line 6",
        "_archived/openshift-origin/etcd-discovery-controller.yaml": "12:3: mapping key \"selector\" already defined at line 6",
        "_archived/openshift-origin/openshift-controller.yaml": "12:3: mapping key \"selector\" already defined at line 8",
    ]

    static func knownDuplicate(_ path: String) -> String? {
        duplicateKeyFiles.first { path.hasSuffix($0.key) }?.value
    }

    @Test func everyCorpusFileParsesIntoKubernetesObjects() throws {
        for path in Corpus.manifestFiles() where Self.knownDuplicate(path) == nil {
            let docs = try Corpus.documents(of: path)
            #expect(!docs.isEmpty, "\(path) gave no documents")
            for doc in docs {
                #expect(doc.value["kind"]?.string != nil, "\(path) document \(doc.index) has no kind")
                #expect(doc.value["apiVersion"]?.string != nil, "\(path) document \(doc.index) has no apiVersion")
                #expect(doc.positions[""]?.line == doc.line)
                #expect(doc.positions["kind"] != nil)
            }
        }
    }

    @Test func corpusFilesWithDuplicateKeysAreRejectedWithBothLines() throws {
        var rejected = 0
        for path in Corpus.manifestFiles() {
            guard let expected = Self.knownDuplicate(path) else { continue }
            rejected += 1
            do {
                _ = try Corpus.documents(of: path)
                Issue.record("\(path) should be rejected for its duplicate key")
            } catch let error as YAMLError {
                #expect(error.description == path + ":" + expected)
            }
        }
        #expect(rejected == Self.duplicateKeyFiles.count)
    }

    @Test func microservicesDemoHasItsDeployments() throws {
        let path = try #require(Corpus.manifestFiles().first { $0.hasSuffix("microservices-demo/kubernetes-manifests.yaml") })
        let docs = try Corpus.documents(of: path)
        let deployments = docs.filter { $0.value["kind"] == "Deployment" }
        #expect(deployments.count == 12)
        let frontend = try #require(deployments.first { $0.value["metadata"]?["name"] == "frontend" })
        let image = try #require(frontend.value[path: ["spec", "template", "spec"]]?["containers"]?[0]?["image"]?.string)
        #expect(image.contains("frontend"))
        let mark = try #require(frontend.positions["spec.template.spec.containers[0].image"])
        let lines = String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[mark.line - 1].contains("image:"))
        #expect(lines[mark.line - 1].contains(image))
    }

    @Test func crlfCorpusFileParses() throws {
        let path = try #require(Corpus.manifestFiles().first { $0.hasSuffix("sysdig-cloud/sysdig-daemonset.yaml") })
        let docs = try Corpus.documents(of: path)
        #expect(docs.first?.value["kind"] == "DaemonSet")
        for doc in docs { #expect(!doc.value.serialized().contains("\\r")) }
    }

    @Test func everyCorpusDocumentRoundTripsThroughEmit() throws {
        var count = 0
        for path in Corpus.manifestFiles() where Self.knownDuplicate(path) == nil {
            for doc in try Corpus.documents(of: path) {
                let text = YAML.emit(doc.value)
                let again = try YAML.documents(from: Array(text.utf8), fileName: "emitted")
                #expect(again.count == 1, "\(path) #\(doc.index) emitted \(again.count) documents")
                #expect(again.first.map { identical($0.value, doc.value) } == true, "\(path) #\(doc.index) changed:\n\(text)")
                count += 1
            }
        }
        #expect(count >= 80)
    }
}
