import ArgumentParser
import ReelKit

@main
struct Reel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reel",
        abstract: "A local library for AI video generations.",
        discussion: """
            reel keeps every clip you generate, with its prompt and real media metadata, in a library on \
            your disk: a SQLite catalog and a content-addressed store.

            Start with `reel init`, then `reel remote add` and `reel sync`, or `reel import ~/Downloads`.
            Shell completion: `reel --generate-completion-script bash|zsh|fish`.
            """,
        version: ReelVersion.full,
        subcommands: [Init.self, Import.self, Sync.self, Track.self, Probe.self, List.self, Show.self, Verify.self, Remote.self]
    )
}
