import Foundation

/// The catalog's time format: ISO-8601 in UTC with milliseconds, which sorts as text.
public enum Timestamp {
    /// The catalog form of a date, e.g. "2024-06-20T06:02:26.278Z".
    public static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// The date a catalog time stands for (with or without milliseconds), or nil when it is not one.
    public static func date(from text: String) -> Date? {
        (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: .gmt)))
    }

    /// Now, in the catalog form.
    public static func now() -> String { string(from: Date()) }
}
