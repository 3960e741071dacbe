import ArgumentParser
import Catalog
import Foundation
import HTTP
import ReelKit
import RemoteAPI

struct Upload: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Upload a picture to a remote and print its public URL (for --image, keyframes, anything).",
        discussion: """
            Only web remotes have an upload call. Proxies take pictures inline (as data URLs, in the create \
            call) and the official API takes picture URLs only.

            Examples:
              reel upload start.jpg
              reel upload end.png --remote web

            Exit status: 0; 66 when the file is missing; 65 when it is not a JPEG, PNG, WebP or GIF picture \
            (or is over 20 MB); 69 when the remote has no upload call or cannot be reached; 77 when it \
            refuses the key; 64 when several remotes could take it and none is named.
            """)

    @OptionGroup var options: LibraryOptions
    @Argument(help: ArgumentHelp("The picture.", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("The remote (default: the only web remote).", valueName: "name")) var remote: String?

    func execute() async throws(ReelError) {
        let image = try ImageFile(path: file)
        let library = try options.open()
        let remotes = Remotes(library: library)
        let record: RemoteRecord
        if let remote {
            record = try remotes.named(remote)
        } else {
            let web = try remotes.list().filter { $0.dialect == Dialect.web.rawValue }
            guard web.count == 1 else {
                throw ReelError(
                    web.isEmpty ? "no web remote to upload to: only web remotes have an upload call"
                        : "several web remotes (\(web.map(\.name).joined(separator: ", "))): name one with --remote",
                    status: web.isEmpty ? .unavailable : .usage)
            }
            record = web[0]
        }
        let form = MultipartForm(field: "file", fileName: image.fileName, fileType: image.mimeType, bytes: image.bytes)
        let uploaded = try await Interrupts.cancellable { () async throws(ReelError) in
            try await RemoteAccess.with(record, attempts: 3) { session, _ throws(ReelError) in try await session.upload(form) }
        }
        guard let url = uploaded else {
            let why = record.dialect == Dialect.proxy.rawValue
                ? "proxies take pictures inline, as data URLs in the create call"
                : "the official API takes picture URLs only: put it somewhere public first"
            throw ReelError("remote \(record.name) (\(record.dialect)) has no upload call; \(why)", status: .unavailable)
        }
        print(url)
    }
}
