import CReelFTS

/// What callers of the full-text index need to know about the "reel" FTS5 tokenizer that every
/// ``Connection`` registers.
///
/// The tokenizer splits runs of CJK characters into overlapping pairs and folds everything else like
/// unicode61 with `remove_diacritics 2`. A query term that ends in a CJK character must be a prefix query
/// (`"夜"*`) so that a single character is found wherever it stands; ``quoted(_:)`` does that.
public enum FullText {
    /// The tokenizer's name, for `CREATE VIRTUAL TABLE … USING fts5 (…, tokenize = 'reel')`.
    public static let tokenizerName = "reel"

    /// True for the characters the tokenizer pairs up (Han, kana, Hangul).
    public static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        reel_fts_is_cjk(scalar.value) != 0
    }

    /// `text` as one FTS5 string (a phrase), safe for MATCH whatever it holds: double quotes are
    /// doubled, NUL becomes a space, and no FTS5 operator is recognised inside a string. `prefix` makes it a prefix query;
    /// text ending in a CJK character always is one.
    public static func quoted(_ text: String, prefix: Bool = false) -> String {
        // Trailing punctuation is no token; what counts is the last character the tokenizer keeps.
        let lastKept = text.unicodeScalars.last { $0.properties.isAlphabetic || $0.properties.numericType != nil }
        let endsInCJK = lastKept.map(isCJK) ?? false
        // Scalar by scalar, not Character by Character: a quote or a NUL followed by a combining mark
        // is one Character that equals neither, and would go through raw (found by scripts/fuzz).
        var escaped = String.UnicodeScalarView()
        escaped.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            // FTS5's expression parser stops at a NUL inside a bound string ("unterminated string").
            case "\u{0}": escaped.append(" ")
            case "\"": escaped.append(contentsOf: "\"\"".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        escaped.append("\"")
        let quoted = String(escaped)
        return prefix || endsInCJK ? quoted + "*" : quoted
    }
}
