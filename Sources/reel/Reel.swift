import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
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
        // The libraries' versions are printed by main: asking libavformat for its version loads it, which
        // every command would then pay for (see CFFmpegLoader).
        version: "reel \(ReelVersion.number)",
        subcommands: [
            Init.self, Import.self, Sync.self, Create.self, Extend.self, Wait.self, Track.self, Probe.self, List.self, Search.self, Show.self, Tag.self,
            Stats.self, Export.self, Remove.self, Upload.self, Usage.self, Verify.self, GarbageCollect.self, DoctorCommand.self, Remote.self,
        ]
    )

    static func main() async {
        MemoryTuning.apply()
        // A file-size limit (ulimit -f) must fail a write with EFBIG, which reel reports, not kill the process.
        signal(SIGXFSZ, SIG_IGN)
        if CommandLine.arguments.dropFirst() == ["--version"] {
            print(ReelVersion.full)
            return
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// glibc's allocator, tuned for reel's buffers.
enum MemoryTuning {
    /// API pages and media chunks are a few hundred kB: above glibc's default mmap threshold (128 kB)
    /// each one is a fresh mmap, page faults and a munmap. Keeping them on the heap made a 10,000-item
    /// sync 27% faster. `mallopt` is looked up at run time (Swift's Glibc module does not export
    /// malloc.h), so a libc without it is simply left as it is.
    static func apply() {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
        _ = mallopt(mmapThreshold, 32 << 20)
        _ = mallopt(trimThreshold, 128 << 20)
        #endif
    }
}
