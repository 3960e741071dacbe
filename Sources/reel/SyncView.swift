import Foundation
import ReelKit

/// Shows a running sync: one live line on a terminal, else a line per page and phase (on stderr, so
/// that stdout holds only the summary).
final class SyncView: @unchecked Sendable {
    private let live = Terminal.stderrIsTTY
    private var lastDraw = ContinuousClock.now - .seconds(1)

    func update(_ event: SyncProgress.Event, _ p: SyncProgress) {
        if live {
            let now = ContinuousClock.now
            guard event == .phase || now - lastDraw >= .milliseconds(100) else { return }
            lastDraw = now
            if p.phase == .done { Terminal.endProgress() } else { Terminal.progress(Self.line(p)) }
            return
        }
        switch event {
        case .page:
            Self.log("\(p.remote): page \(p.pages): \(p.summary.seen) seen, \(p.summary.new) new, \(p.summary.updated) updated")
        case .phase where p.phase == .media:
            Self.log("\(p.remote): fetching \(p.filesTotal) file\(p.filesTotal == 1 ? "" : "s")")
        case .phase where p.phase == .polling:
            Self.log("\(p.remote): asking again about unfinished items")
        case .phase where p.phase == .posters:
            Self.log("\(p.remote): making thumbnails from videos")
        case .file where p.filesDone == p.filesTotal || p.filesDone % 100 == 0:
            Self.log("\(p.remote): files \(p.filesDone)/\(p.filesTotal), \(MediaSummary.byteCount(p.summary.bytes))")
        default:
            break
        }
    }

    /// `sim: media · 12 pages · 180 new, 3 updated · files 120/800 · 45.2 MB · 12.3 MB/s · ETA 0:42`
    static func line(_ p: SyncProgress) -> String {
        let s = p.summary
        var parts = ["\(p.remote): \(p.phase.rawValue)", "\(p.pages) page\(p.pages == 1 ? "" : "s")", "\(s.new) new, \(s.updated) updated"]
        if p.filesTotal > 0 {
            parts.append("files \(p.filesDone)/\(p.filesTotal)")
            parts.append(MediaSummary.byteCount(s.bytes))
            let elapsed = max(p.elapsed, 0.001)
            parts.append(MediaSummary.byteCount(Int64(Double(s.bytes) / elapsed)) + "/s")
            if p.filesDone > 0 && p.filesDone < p.filesTotal {
                let remaining = elapsed / Double(p.filesDone) * Double(p.filesTotal - p.filesDone)
                parts.append("ETA " + Self.clock(remaining))
            }
        }
        if s.failed > 0 { parts.append("\(s.failed) failed") }
        return parts.joined(separator: " · ")
    }

    /// The summary line printed when a remote's sync ends.
    static func summaryLine(_ s: SyncSummary) -> String {
        var text = "\(s.remote): \(s.new) new, \(s.updated) updated, \(s.finished) finished, \(s.failed) failed; "
        text += "\(s.downloaded) file\(s.downloaded == 1 ? "" : "s") (\(MediaSummary.byteCount(s.bytes))) in \(String(format: "%.1f", s.seconds)) s"
        var notes: [String] = []
        if s.running > 0 { notes.append("\(s.running) still running on the remote") }
        if s.missing > 0 { notes.append("\(s.missing) no longer on the remote (kept)") }
        if s.pendingFiles > 0 { notes.append("\(s.pendingFiles) file\(s.pendingFiles == 1 ? "" : "s") still to fetch") }
        if s.status == "interrupted" { notes.append("interrupted: run `reel sync` again to continue") }
        if s.dryRun { notes.append("dry run: nothing was written") }
        return notes.isEmpty ? text : text + " (" + notes.joined(separator: "; ") + ")"
    }

    private static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }

    private static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
