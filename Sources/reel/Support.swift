import ArgumentParser
import Catalog
import Foundation
import HTTP
import ReelKit

/// The library option every command that uses a library takes.
struct LibraryOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The library folder (default: $REEL_LIBRARY, else $XDG_DATA_HOME/reel, else ~/.local/share/reel).",
        valueName: "dir"))
    var library: String?

    func path() throws(ReelError) -> String {
        try LibraryLocation.resolve(option: library, environment: ProcessInfo.processInfo.environment)
    }

    func open() throws(ReelError) -> Library {
        try Library.open(at: try path())
    }
}

/// A command whose failures are `ReelError`s: printed as one line on stderr, exited with their status.
protocol ReelCommand: ParsableCommand {
    func execute() throws(ReelError)
}

extension ReelCommand {
    func run() throws {
        do {
            try execute()
        } catch {
            Terminal.error(error.message)
            throw ExitCode(error.status.rawValue)
        }
    }
}

/// The async form of ``ReelCommand``, for commands that talk to a remote.
protocol AsyncReelCommand: AsyncParsableCommand {
    func execute() async throws(ReelError)
}

extension AsyncReelCommand {
    func run() async throws {
        do {
            try await execute()
        } catch {
            Terminal.error(error.message)
            throw ExitCode(error.status.rawValue)
        }
    }
}

/// Where output goes, and whether a person is looking at it.
enum Terminal {
    static let stdoutIsTTY = isatty(STDOUT_FILENO) == 1
    static let stderrIsTTY = isatty(STDERR_FILENO) == 1
    static let stdinIsTTY = isatty(STDIN_FILENO) == 1
    static let colour = stdoutIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true

    /// The terminal's width in columns, or nil when stdout is not a terminal.
    static var width: Int? {
        guard stdoutIsTTY else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// One line on stderr, for errors and for warnings about single files alike.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("reel: \(message)\n".utf8))
    }

    /// Rewrites one status line on stderr while a person watches; nothing when stderr is not a terminal.
    static func progress(_ line: String) {
        guard stderrIsTTY else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
    }

    /// Asks a yes/no question on stderr and reads the answer from stdin; only "y" or "yes" is yes.
    static func confirm(_ question: String) -> Bool {
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = Swift.readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return answer == "y" || answer == "yes"
    }

    static func endProgress() {
        guard stderrIsTTY else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    static func dim(_ text: String) -> String { colour ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    static func bold(_ text: String) -> String { colour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    static func red(_ text: String) -> String { colour ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
}

/// Prints JSON values, one document or one per line.
enum JSONOutput {
    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        return encoder
    }

    static func print<T: Encodable>(_ value: T, pretty: Bool = true) throws(ReelError) {
        do {
            let data = try encoder(pretty: pretty).encode(value)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } catch {
            throw ReelError("could not write JSON: \(error)", status: .failure)
        }
    }
}

/// A query given as command-line words (`search`, `stats`): unknown single-dash words are its own
/// negations (`-tag:draft`), but a `--word` is a mistyped option, not something to search for.
enum QueryArguments {
    static func validate(_ words: [String]) throws {
        if let option = words.first(where: { $0.hasPrefix("--") && $0.count > 2 }) {
            throw ValidationError("unknown option '\(option)' (to search for it, quote it: '\"\(option)\"')")
        }
    }
}

/// A session on one remote for one command: the key found for it (never printed), an HTTP client that is
/// shut down when the command's work is done.
enum RemoteAccess {
    static func with<T>(
        _ record: RemoteRecord, attempts: Int = 6, _ body: (RemoteSession, HTTPClient) async throws(ReelError) -> T
    ) async throws(ReelError) -> T {
        let key = try RemoteKey.find(for: record, environment: ProcessInfo.processInfo.environment)
        let client = HTTPClient()
        defer { client.shutdown() }
        let session = try RemoteSession(remote: record, key: key, client: client, attempts: attempts)
        return try await body(session, client)
    }
}
