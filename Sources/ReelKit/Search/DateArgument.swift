import Foundation

/// A date typed as an option (`verify --since`): whatever the search language's `created:` takes (`2024`,
/// `2024-06`, `2024-06-01`, `2024-06-01T14:30`, `today`, `yesterday`, `-7d`, in the local time zone), or a
/// full ISO 8601 time with its zone (`2024-06-01T14:30:00Z`).
public enum DateArgument {
    /// The start of the period `text` names, as a catalog timestamp. A bad date is a usage error (64).
    public static func start(of text: String, now: Date = Date(), timeZone: TimeZone = .current) throws(ReelError) -> String {
        if let instant = Timestamp.date(from: text) { return Timestamp.string(from: instant) }
        let token = QueryToken(kind: .field(name: "since", value: text), source: text, column: 1)
        do {
            return try QueryFields(now: now, timeZone: timeZone).dateInterval(text, field: FieldValue(name: "since", token: token)).lower
        } catch {
            throw ReelError(
                "'\(text)' is not a date; write 2024-06-01, 2024-06, 2024-06-01T14:30, today, -7d or 2024-06-01T14:30:00Z",
                status: .usage)
        }
    }
}
