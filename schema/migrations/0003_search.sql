-- reel catalog, version 3: full text that finds Chinese, Japanese and Korean words.
--
-- unicode61 made a whole run of CJK characters one token, so "赛博朋克" inside a sentence was never found.
-- The "reel" tokenizer (registered by reel on every connection; see Sources/CReelFTS) splits CJK runs into
-- overlapping character pairs and folds other scripts as unicode61 did. The index is rebuilt from the
-- generation_search view; the triggers of version 1 keep writing to the new table, which has the same name.
-- A consequence worth knowing: the sqlite3 shell, which lacks the tokenizer, can read the catalog but not
-- change generations or tags (their triggers touch the index).
DROP TABLE generation_fts;
CREATE VIRTUAL TABLE generation_fts USING fts5 (
    prompt, tags,
    content = 'generation_search', content_rowid = 'id',
    tokenize = 'reel'
);
INSERT INTO generation_fts (generation_fts) VALUES ('rebuild');
