import ArgumentParser
import Foundation
import ReelKit

struct Remote: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add, list and remove the remotes reel syncs from, and keep their keys.",
        discussion: """
            Example:
              reel remote add luma --dialect official --url https://api.lumalabs.ai
              reel remote login luma < key.txt
              reel remote ls
            """,
        subcommands: [Add.self, List.self, Remove.self, Login.self, Test.self])

    struct Add: ReelCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a remote.",
            discussion: """
                Example:
                  reel remote add sim --dialect web --url http://127.0.0.1:40123 --key-env SIM_KEY
                  reel remote add hk --dialect proxy --url https://api.example-proxy.com --no-list

                The key comes from the environment variable named by --key-env (default REEL_<NAME>_KEY), else from \
                `reel remote login`. The catalog keeps the variable's name, never the key.
                """)

        @OptionGroup var options: LibraryOptions
        @Argument(help: "A short name for the remote.") var name: String
        @Option(help: "web, proxy or official.") var dialect: String
        @Option(help: "The service's base URL (http or https).") var url: String
        @Option(name: .customLong("key-env"), help: "The environment variable that holds the API key.") var keyEnv: String?
        @Flag(name: .customLong("no-list"), help: "The host has no list route (proxy): only tracked ids are synced.")
        var noList = false

        func execute() throws(ReelError) {
            let library = try options.open()
            let remote = try Remotes(library: library).add(name: name, dialect: dialect, url: url, keyEnv: keyEnv, hasList: !noList)
            print("added \(remote.name): \(remote.dialect) at \(remote.baseURL); key from $\(remote.keyEnv ?? "") or `reel remote login \(remote.name)`")
        }
    }

    struct List: ReelCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List the remotes.",
            discussion: """
                Example:
                  reel remote ls
                """)

        @OptionGroup var options: LibraryOptions

        func execute() throws(ReelError) {
            let library = try options.open()
            let remotes = try Remotes(library: library).list()
            if remotes.isEmpty {
                if Terminal.stdoutIsTTY { print("no remotes; add one with `reel remote add`") }
                return
            }
            let rows = remotes.map { [$0.name, $0.dialect, $0.baseURL, "$" + ($0.keyEnv ?? ""), $0.lastSyncAt.map { DateText.short($0) } ?? "never"] }
            for line in TableLayout.render(header: ["NAME", "DIALECT", "URL", "KEY", "SYNCED"], rows: rows, width: Terminal.width) {
                print(line)
            }
        }
    }

    struct Remove: ReelCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove a remote that has no generations in the library.",
            discussion: """
                Example:
                  reel remote rm old-proxy
                """)

        @OptionGroup var options: LibraryOptions
        @Argument(help: "The remote's name.") var name: String

        func execute() throws(ReelError) {
            let library = try options.open()
            try Remotes(library: library).remove(name)
            let credentials = CredentialsFile(path: try CredentialsFile.location(environment: ProcessInfo.processInfo.environment))
            try credentials.remove(name)
            print("removed \(name)")
        }
    }

    struct Login: ReelCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep a remote's API key in the credentials file (read from stdin).",
            discussion: """
                Example:
                  reel remote login luma              # asks for the key without echoing it
                  pass show luma | reel remote login luma

                The key is stored in $XDG_CONFIG_HOME/reel/credentials (~/.config/reel/credentials) with mode \
                0600; reel refuses a credentials file that others can read. An environment variable named by \
                the remote's --key-env wins over the file.
                """)

        @OptionGroup var options: LibraryOptions
        @Argument(help: "The remote's name.") var name: String

        func execute() throws(ReelError) {
            let library = try options.open()
            _ = try Remotes(library: library).named(name)
            let key = try SecretInput.readLine(prompt: "API key for \(name): ")
            guard !key.isEmpty else { throw ReelError("no key given on standard input", status: .usage) }
            let credentials = CredentialsFile(path: try CredentialsFile.location(environment: ProcessInfo.processInfo.environment))
            try credentials.store(key: key, for: name)
            print("stored the key for \(name) in \(credentials.path)")
        }
    }
}

/// Reads a secret from stdin: on a terminal with a prompt and without echo.
enum SecretInput {
    static func readLine(prompt: String) throws(ReelError) -> String {
        let isTTY = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if isTTY {
            FileHandle.standardError.write(Data(prompt.utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        defer {
            if isTTY {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        return (Swift.readLine(strippingNewline: true) ?? "").trimmingCharacters(in: .whitespaces)
    }
}
