import ArgumentParser
import Foundation
import ReelKit

struct Export: ReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put the clips a query selects in a folder, named from their prompts, with their metadata.",
        discussion: """
            Clips are hard-linked when the folder is on the library's filesystem (no space used), copied \
            otherwise. The library's own files are never changed. Running the same export again changes only \
            what changed; .reel-export.json in the folder records what reel put there, and only those files are \
            ever replaced or (with --update) removed.

            Template fields: {id} {prompt} {created} {model} {aspect} {res} {dur} {state} {remote} {tags} \
            {index} {ext}; {id:.8} and {prompt:.60} cut, {created:%Y-%m-%d} is strftime, {index:04} pads, and \
            / makes folders. Default: \(ExportTemplate.defaultText)

            Examples:
              reel export 'tag:keeper' --to ~/Clips
              reel export '"neon city" aspect:9:16' --to ~/Edit/neon --embed-metadata --embed-thumbnail
              reel export --all --to /mnt/archive --template '{created:%Y}/{created:%m}/{prompt:.50}_{id:.8}.{ext}' \\
                  --sidecar --manifest csv --update
              reel export liked:yes --to ~/Clips --dry-run
            """)

    @OptionGroup var options: LibraryOptions

    // Unrecognised dashes are query terms, as in `reel search`: `reel export neon -tag:draft --to DIR`.
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("The query (its words are joined with spaces).", valueName: "query"))
    var query: [String] = []

    @Option(help: ArgumentHelp("The folder to export into (created when missing).", valueName: "dir"))
    var to: String

    @Flag(help: "Export every generation (what an empty query means; asked for so that it is never an accident).")
    var all = false

    @Option(help: ArgumentHelp("How to name files (see above).", valueName: "template"))
    var template: String = ExportTemplate.defaultText

    @Flag(help: "Copy the bytes, even where a hard link would do.") var copy = false
    @Flag(help: "Make symbolic links to the library's files.") var symlink = false
    @Flag(help: "Write each clip with its prompt, date, model, tags and source as container tags (a remux, never a re-encode).")
    var embedMetadata = false
    @Flag(help: "With --embed-metadata: the thumbnail becomes the MP4's cover art.") var embedThumbnail = false
    @Flag(help: "Write a .json beside each clip: every field, the media metadata, the tags, the remote's payload.")
    var sidecar = false
    @Option(help: ArgumentHelp("Write one listing of the export, reel-manifest.csv or .jsonl.", valueName: "csv|jsonl"))
    var manifest: String?
    @Flag(help: "Remove from the folder what reel exported before and that no longer matches.") var update = false
    @Flag(help: "Print what would be done; write nothing.") var dryRun = false
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(help: "Clips written at once with --embed-metadata (default: the number of cores).") var jobs: Int?

    func validate() throws {
        try QueryArguments.validate(query)
        if query.isEmpty && !all { throw ValidationError("say what to export: a query, or --all for everything") }
        if !query.isEmpty && all { throw ValidationError("--all exports everything: give it without a query") }
        if copy && symlink { throw ValidationError("choose --copy or --symlink") }
        if embedMetadata && symlink { throw ValidationError("--embed-metadata writes new files: it cannot go with --symlink") }
        if embedThumbnail && !embedMetadata { throw ValidationError("--embed-thumbnail goes with --embed-metadata") }
        if let manifest, ExportOptions.ManifestFormat(rawValue: manifest) == nil {
            throw ValidationError("--manifest is csv or jsonl")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be 1 or more") }
        if to.isEmpty { throw ValidationError("--to needs a folder") }
    }

    func execute() throws(ReelError) {
        let compiled: SearchQuery
        let exportTemplate: ExportTemplate
        do {
            compiled = try SearchQuery.compile(query.joined(separator: " "))
        } catch {
            throw ReelError(error)
        }
        do {
            exportTemplate = try ExportTemplate(template)
        } catch {
            throw ReelError(error)
        }
        let library = try options.open()
        var settings = ExportOptions(directory: Self.absolute(to), template: exportTemplate)
        settings.method = copy ? .copy : symlink ? .symlink : .auto
        settings.embedMetadata = embedMetadata
        settings.embedThumbnail = embedThumbnail
        settings.sidecar = sidecar
        settings.manifest = manifest.flatMap(ExportOptions.ManifestFormat.init)
        settings.update = update
        if let jobs { settings.jobs = jobs }
        let exporter = Exporter(library: library, options: settings)
        let plan = try exporter.plan(compiled)
        if dryRun {
            printPlan(plan)
            return
        }
        let report = try Interrupts.polling { isCancelled throws(ReelError) in
            try exporter.run(plan, progress: { done, total in
                Terminal.progress("exporting \(done)/\(total)")
            }, isCancelled: isCancelled)
        }
        Terminal.endProgress()
        if json {
            try JSONOutput.print(report)
        } else {
            printReport(report, folder: settings.directory)
        }
        if report.interrupted { throw ReelError.interrupted }
        if !report.failed.isEmpty {
            throw ReelError("\(report.failed.count) clip(s) could not be exported (see above)", status: .dataError)
        }
    }

    private func printPlan(_ plan: ExportPlan) {
        for step in plan.steps where step.action != .unchanged || step.sidecarToWrite != nil {
            if step.action != .unchanged { print("\(step.action.rawValue)\t\(step.source)\t\(step.path)") }
            if let sidecar = step.sidecarToWrite { print("sidecar\t-\t\(sidecar)") }
        }
        for path in plan.removals { print("remove\t-\t\(path)") }
        if let manifest = plan.manifest, !manifest.unchanged { print("manifest\t-\t\(manifest.path)") }
        let unchanged = plan.steps.count(where: { $0.action == .unchanged })
        var summary = "dry run: \(plan.steps.count - unchanged) to write, \(unchanged) unchanged"
        if !plan.removals.isEmpty { summary += ", \(plan.removals.count) to remove" }
        Terminal.error(summary + "; nothing written")
        report(skipped: plan.skipped, notes: plan.notes)
    }

    private func printReport(_ report: ExportReport, folder: String) {
        self.report(skipped: report.skipped, notes: report.notes)
        for failure in report.failed { Terminal.error("\(failure.id.prefix(8)): \(failure.reason)") }
        var parts: [String] = []
        for (count, what) in [
            (report.linked, "linked"), (report.copied, "copied"), (report.symlinked, "symlinked"),
            (report.embedded, "written with tags"), (report.sidecars, "sidecars written"), (report.removed, "removed"),
        ] where count > 0 {
            parts.append("\(count) \(what)")
        }
        let unchanged = report.unchanged > 0 ? "\(report.unchanged) unchanged" : nil
        if parts.isEmpty && !report.interrupted && report.failed.isEmpty {
            print("nothing to do: \(report.unchanged) clip(s) already up to date in \(folder)")
        } else {
            print(([report.interrupted ? "interrupted:" : "exported to \(folder):"] + [(parts + [unchanged].compactMap { $0 }).joined(separator: ", ")]).joined(separator: " "))
        }
    }

    private func report(skipped: [ExportSkip], notes: [ExportSkip]) {
        for note in notes { Terminal.error("\(note.id.prefix(8)): \(note.reason)") }
        if !skipped.isEmpty {
            let shown = skipped.prefix(5).map { "\($0.id.prefix(8)) (\($0.reason))" }.joined(separator: ", ")
            Terminal.error("skipped \(skipped.count) without a stored video: \(shown)\(skipped.count > 5 ? ", …" : "")")
        }
    }

    private static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let full = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return full.count > 1 && full.hasSuffix("/") ? String(full.dropLast()) : full
    }
}
