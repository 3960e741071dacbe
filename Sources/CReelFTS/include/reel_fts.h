#ifndef REEL_FTS_H
#define REEL_FTS_H
#include <sqlite3.h>

/// Registers the FTS5 tokenizer "reel" on a connection: CJK runs become overlapping character pairs,
/// everything else goes through unicode61 (case and diacritics folded). Returns an SQLite result code.
int reel_fts_register(sqlite3 *db);

/// True for code points the tokenizer treats as CJK (Han, kana, Hangul): those it splits into pairs.
int reel_fts_is_cjk(unsigned int codepoint);

#endif
