import Foundation
import InplaceCore
import YAML

/// Reads `-f` inputs (files, directories with `-R`, `-` for stdin, http(s) URLs) into manifest documents.
public struct ManifestReader: Sendable {
    /// Extensions kubectl reads from directories.
    static let extensions = [".yaml", ".yml", ".json"]

    public let recursive: Bool
    public let stdin: @Sendable () -> [UInt8]

    public init(recursive: Bool, stdin: @escaping @Sendable () -> [UInt8]) {
        self.recursive = recursive
        self.stdin = stdin
    }

    /// Every document of every input, in order.
    public func read(_ paths: [String]) throws -> [ManifestDocument] {
        var docs: [ManifestDocument] = []
        var readStdin = false
        for path in paths {
            if path == "-" {
                guard !readStdin else { throw CLIError.input("-f -: standard input can only be read once") }
                readStdin = true
                docs += try parse(stdin(), name: "<stdin>")
                continue
            }
            if ManifestURLFetcher.isURL(path) {
                docs += try parse(ManifestURLFetcher.fetch(path), name: path)
                continue
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw CLIError.input("the path \"\(path)\" does not exist")
            }
            if isDir.boolValue {
                let files = try filesIn(directory: path)
                guard !files.isEmpty else {
                    throw CLIError.input("\(path): no manifest files (\(Self.extensions.joined(separator: ", "))) in this directory\(recursive ? "" : " (use -R to read subdirectories)")")
                }
                for file in files { docs += try parse(readFile(file), name: file) }
            } else {
                docs += try parse(readFile(path), name: path)
            }
        }
        return docs
    }

    func filesIn(directory: String) throws -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        let entries = try fm.contentsOfDirectory(atPath: directory).sorted()
        for entry in entries {
            let full = directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: full, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                if recursive { out += try filesIn(directory: full) }
            } else if Self.extensions.contains(where: { entry.hasSuffix($0) }) {
                out.append(full)
            }
        }
        return out
    }

    func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.input("\(path): cannot be read")
        }
        return [UInt8](data)
    }

    func parse(_ bytes: [UInt8], name: String) throws -> [ManifestDocument] {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw CLIError.input("\(name): the file is empty")
        }
        let docs: [YAMLDocument]
        do {
            docs = try YAML.documents(from: bytes, fileName: name)
        } catch {
            throw CLIError.input(error.description)
        }
        if docs.isEmpty { throw CLIError.input("\(name): no objects in the file (only comments or empty documents)") }
        return docs.map { doc in
            let location = SourceLocation(file: name, line: doc.line, column: 1)
            return ManifestDocument(value: doc.value, location: location) { path in
                guard let mark = doc.mark(for: path) else { return location }
                return SourceLocation(file: name, line: mark.line, column: mark.column)
            }
        }
    }
}
