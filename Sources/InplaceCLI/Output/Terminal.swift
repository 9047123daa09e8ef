#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a command writes: data to stdout, progress and errors to stderr. Tests capture it.
public protocol Terminal: AnyObject, Sendable {
    /// Writes data (plans, JSON events, status) to stdout.
    func out(_ text: String)
    /// Writes progress, warnings and errors to stderr.
    func err(_ text: String)
    /// True when stdout is an interactive terminal.
    var stdoutIsTTY: Bool { get }
    /// True when stderr is an interactive terminal (live progress redraws in place only then).
    var stderrIsTTY: Bool { get }
    /// Columns of the terminal (80 when unknown).
    var width: Int { get }
    /// Rows of the terminal (24 when unknown): the live view stays within them.
    var height: Int { get }
    /// Reads all of standard input (`-f -`).
    func readStandardInput() -> [UInt8]
}

extension Terminal {
    /// 24 rows, for terminals that cannot tell.
    public var height: Int { 24 }
}

/// The process's real stdout, stderr and stdin.
public final class StandardTerminal: Terminal, Sendable {
    /// Held through each write, so concurrent writers' texts do not interleave.
    private let lock = Mutex(())

    public init() {}

    public func out(_ text: String) { lock.withLock { _ in Self.write(1, text) } }
    public func err(_ text: String) { lock.withLock { _ in Self.write(2, text) } }
    public var stdoutIsTTY: Bool { isatty(1) == 1 }
    public var stderrIsTTY: Bool { isatty(2) == 1 }

    public var width: Int {
        var ws = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        return 80
    }

    public var height: Int {
        var ws = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_row > 0 { return Int(ws.ws_row) }
        return 24
    }

    public func readStandardInput() -> [UInt8] {
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(0, &buf, buf.count)
            if n <= 0 { break }
            data.append(contentsOf: buf[0..<n])
        }
        return data
    }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBufferPointer { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }
}
