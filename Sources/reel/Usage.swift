import ArgumentParser
import Catalog
import Foundation
import HTTP
import ReelKit
import RemoteAPI

struct Usage: AsyncReelCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what each remote says of your allowance: generations left, or credits.",
        discussion: """
            web remotes: generations consumed, capacity and available this month, and the plan; official \
            remotes: the credit balance; proxy remotes offer no usage call, which is said on their line.

            Examples:
              reel usage
              reel usage --remote luma --json

            Exit status: 0; 69 when the named remote offers no usage call or cannot be reached; 77 when it \
            refuses the key.
            """)

    @OptionGroup var options: LibraryOptions
    @Option(help: ArgumentHelp("Only this remote.", valueName: "name")) var remote: String?
    @Flag(help: "Print one JSON object per remote.") var json = false

    /// One remote's answer as `--json` prints it; field names are stable.
    struct Output: Encodable {
        let remote: String
        let dialect: String
        let offered: Bool
        let consumed: Int?
        let capacity: Int?
        let available: Int?
        let plan: String?
        let subscription_active: Bool?
        let credit_cents: Double?
    }

    func execute() async throws(ReelError) {
        let library = try options.open()
        let remotes = Remotes(library: library)
        let chosen = if let remote { [try remotes.named(remote)] } else { try remotes.list() }
        guard !chosen.isEmpty else { throw ReelError("no remotes; add one with `reel remote add`", status: .usage) }
        var worst: ReelError?
        for record in chosen {
            do throws(ReelError) {
                let usage = try await RemoteAccess.with(record, attempts: 3) { session, _ throws(ReelError) in try await session.usage() }
                if usage == nil, remote != nil {
                    throw ReelError("remote \(record.name) (\(record.dialect)) offers no usage or credits call", status: .unavailable)
                }
                try show(record, usage)
            } catch {
                if remote != nil || error.status == .interrupted { throw error }
                Terminal.error(error.message)  // one remote down does not hide the others
                worst = error
            }
        }
        if let worst { throw ReelError("not every remote answered", status: worst.status) }
    }

    private func show(_ record: RemoteRecord, _ usage: RemoteUsage?) throws(ReelError) {
        if json {
            try JSONOutput.print(Output(
                remote: record.name, dialect: record.dialect, offered: usage != nil, consumed: usage?.consumed,
                capacity: usage?.capacity, available: usage?.available, plan: usage?.plan,
                subscription_active: usage?.subscriptionActive, credit_cents: usage?.creditCents), pretty: false)
            return
        }
        guard let usage else {
            print("\(record.name)\tnot offered (\(record.dialect) remotes have no usage call)")
            return
        }
        var parts: [String] = []
        if let available = usage.available { parts.append("\(available) generations available") }
        if let consumed = usage.consumed, let capacity = usage.capacity { parts.append("\(consumed) of \(capacity) used") }
        if let plan = usage.plan { parts.append("plan \(plan)\(usage.subscriptionActive == false ? " (inactive)" : "")") }
        if let cents = usage.creditCents { parts.append(String(format: "credit balance $%.2f", cents / 100)) }
        print("\(record.name)\t" + parts.joined(separator: ", "))
    }
}
