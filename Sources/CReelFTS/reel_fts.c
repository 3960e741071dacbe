// The FTS5 tokenizer "reel".
//
// FTS5's unicode61 makes a whole run of Chinese characters one token, so a two-character word inside a
// sentence is never found; trigram misses one- and two-character words. This tokenizer wraps unicode61
// (which keeps its Unicode tables for case and diacritic folding) and splits any CJK run in the tokens
// it yields into overlapping pairs:
//
//   document  城市夜景  ->  城市 市夜 夜景 景      (n characters, n positions: a pair starting at each
//                                                  character, the last character alone)
//   query     城市夜    ->  城市 市夜            (+ the last character alone when more tokens follow)
//
// so a CJK string of two or more characters is a phrase of its pairs that matches exactly where the
// string occurs. A single character is matched as a prefix query ("夜"*): every occurrence starts a pair
// or ends a run. Query builders append * to any term that ends in a CJK character (harmless for pairs).
#include "reel_fts.h"
#include <stdlib.h>
#include <string.h>

int reel_fts_is_cjk(unsigned int c) {
    return (c >= 0x1100 && c <= 0x11FF)      // Hangul Jamo
        || (c >= 0x3005 && c <= 0x3007)      // 々 〆 〇
        || (c >= 0x3040 && c <= 0x30FF)      // Hiragana, Katakana
        || (c >= 0x3130 && c <= 0x318F)      // Hangul compatibility Jamo
        || (c >= 0x31F0 && c <= 0x31FF)      // Katakana phonetic extensions
        || (c >= 0x3400 && c <= 0x4DBF)      // CJK extension A
        || (c >= 0x4E00 && c <= 0x9FFF)      // CJK unified ideographs
        || (c >= 0xA960 && c <= 0xA97F)      // Hangul Jamo extended A
        || (c >= 0xAC00 && c <= 0xD7FF)      // Hangul syllables, Jamo extended B
        || (c >= 0xF900 && c <= 0xFAFF)      // CJK compatibility ideographs
        || (c >= 0xFF66 && c <= 0xFF9F)      // halfwidth Katakana
        || (c >= 0x20000 && c <= 0x3134F);   // CJK extensions B to G
}

// Decodes one UTF-8 sequence at s (n bytes left); invalid bytes decode as U+FFFD, one byte long.
static int decode_utf8(const unsigned char *s, int n, unsigned int *out) {
    unsigned int c = s[0];
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || len > n) { *out = 0xFFFD; return 1; }
    if (len == 1) { *out = c; return 1; }
    c &= 0xFF >> (len + 1);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) { *out = 0xFFFD; return 1; }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *out = c;
    return len;
}

typedef struct ReelTokenizer {
    fts5_tokenizer unicode;        // unicode61's methods
    Fts5Tokenizer *words;          // unicode61, for the text as given
    Fts5Tokenizer *pieces;         // a second unicode61 for the non-CJK pieces of a mixed token: unicode61
                                   // folds into a buffer of its own, which a nested call would reallocate
} ReelTokenizer;

typedef int (*TokenCallback)(void *, int, const char *, int, int, int);

typedef struct TokenizeRun {
    ReelTokenizer *tokenizer;
    void *context;
    TokenCallback emit;
    const char *text;
    int flags;
    int query;
    int pieceBase;                 // offset of the piece being tokenized by `pieces`
    int pendingStart, pendingEnd;  // query mode: the last character of a CJK run, sent only if more follows
} TokenizeRun;

static int flush_pending(TokenizeRun *run) {
    if (run->pendingEnd <= run->pendingStart) return SQLITE_OK;
    int start = run->pendingStart, end = run->pendingEnd;
    run->pendingStart = run->pendingEnd = 0;
    return run->emit(run->context, 0, run->text + start, end - start, start, end);
}

static int on_piece_token(void *ctx, int tflags, const char *token, int n, int start, int end) {
    TokenizeRun *run = ctx;
    int rc = flush_pending(run);
    if (rc != SQLITE_OK) return rc;
    return run->emit(run->context, tflags, token, n, start + run->pieceBase, end + run->pieceBase);
}

// Emits the pairs of the CJK run text[start, end) and its last character (see the top of the file).
static int emit_cjk_run(TokenizeRun *run, int start, int end) {
    int rc = flush_pending(run);
    const unsigned char *s = (const unsigned char *)run->text;
    int previous = -1;  // start of the previous character
    int at = start;
    while (rc == SQLITE_OK && at < end) {
        unsigned int c;
        int len = decode_utf8(s + at, end - at, &c);
        if (previous >= 0) rc = run->emit(run->context, 0, run->text + previous, at + len - previous, previous, at + len);
        previous = at;
        at += len;
    }
    if (rc != SQLITE_OK || previous < 0) return rc;
    if (run->query && previous > start) {
        run->pendingStart = previous;
        run->pendingEnd = end;
        return SQLITE_OK;
    }
    return run->emit(run->context, 0, run->text + previous, end - previous, previous, end);
}

static int on_word_token(void *ctx, int tflags, const char *token, int n, int start, int end) {
    TokenizeRun *run = ctx;
    int hasHighBytes = 0;
    for (int i = 0; i < n; i++) {
        if ((unsigned char)token[i] >= 0xE1) { hasHighBytes = 1; break; }  // every CJK code point is >= U+1100
    }
    if (!hasHighBytes) {
        int rc = flush_pending(run);
        return rc != SQLITE_OK ? rc : run->emit(run->context, tflags, token, n, start, end);
    }
    // Split the original span into CJK runs and other pieces; the pieces go through unicode61 again.
    const unsigned char *s = (const unsigned char *)run->text;
    int at = start, pieceStart = start;
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK && at < end) {
        unsigned int c;
        int len = decode_utf8(s + at, end - at, &c);
        if (!reel_fts_is_cjk(c)) { at += len; continue; }
        if (at > pieceStart) {
            run->pieceBase = pieceStart;
            rc = run->tokenizer->unicode.xTokenize(
                run->tokenizer->pieces, run, run->flags, run->text + pieceStart, at - pieceStart, on_piece_token);
            if (rc != SQLITE_OK) break;
        }
        int runStart = at;
        while (at < end) {
            int l = decode_utf8(s + at, end - at, &c);
            if (!reel_fts_is_cjk(c)) break;
            at += l;
        }
        rc = emit_cjk_run(run, runStart, at);
        pieceStart = at;
    }
    if (rc == SQLITE_OK && end > pieceStart) {
        run->pieceBase = pieceStart;
        rc = run->tokenizer->unicode.xTokenize(
            run->tokenizer->pieces, run, run->flags, run->text + pieceStart, end - pieceStart, on_piece_token);
    }
    return rc;
}

static void reel_delete(Fts5Tokenizer *handle) {
    ReelTokenizer *t = (ReelTokenizer *)handle;
    if (!t) return;
    if (t->words) t->unicode.xDelete(t->words);
    if (t->pieces) t->unicode.xDelete(t->pieces);
    sqlite3_free(t);
}

static int reel_create(void *api_ptr, const char **args, int nargs, Fts5Tokenizer **out) {
    fts5_api *api = api_ptr;
    *out = 0;
    ReelTokenizer *t = sqlite3_malloc(sizeof *t);
    if (!t) return SQLITE_NOMEM;
    memset(t, 0, sizeof *t);
    void *unicodeContext = 0;
    int rc = api->xFindTokenizer(api, "unicode61", &unicodeContext, &t->unicode);
    // Diacritics fold by default ("café" finds "cafe"); options given to "reel" go to unicode61.
    static const char *defaults[] = {"remove_diacritics", "2"};
    const char **use = nargs > 0 ? args : defaults;
    int count = nargs > 0 ? nargs : 2;
    if (rc == SQLITE_OK) rc = t->unicode.xCreate(unicodeContext, use, count, &t->words);
    if (rc == SQLITE_OK) rc = t->unicode.xCreate(unicodeContext, use, count, &t->pieces);
    if (rc != SQLITE_OK) {
        reel_delete((Fts5Tokenizer *)t);
        return rc;
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static int reel_tokenize(Fts5Tokenizer *handle, void *context, int flags, const char *text, int n, TokenCallback emit) {
    ReelTokenizer *t = (ReelTokenizer *)handle;
    TokenizeRun run = {t, context, emit, text, flags, (flags & FTS5_TOKENIZE_QUERY) != 0, 0, 0, 0};
    return t->unicode.xTokenize(t->words, &run, flags, text, n, on_word_token);
}

static fts5_api *fts5_api_of(sqlite3 *db) {
    fts5_api *api = 0;
    sqlite3_stmt *statement = 0;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, 0) == SQLITE_OK) {
        sqlite3_bind_pointer(statement, 1, (void *)&api, "fts5_api_ptr", 0);
        sqlite3_step(statement);
    }
    sqlite3_finalize(statement);
    return api;
}

int reel_fts_register(sqlite3 *db) {
    fts5_api *api = fts5_api_of(db);
    if (!api) return SQLITE_ERROR;
    fts5_tokenizer methods = {reel_create, reel_delete, reel_tokenize};
    return api->xCreateTokenizer(api, "reel", api, &methods, 0);
}
