-- Version 5 (issue 8): a whole `reel verify` remembers how far it got, so that one interrupted (Ctrl-C,
-- kill -9, a shut-down laptop) continues where it stopped instead of rehashing everything again.
-- Blobs are checked in sha256 order; `position` is the last one checked. The row of a run that ends is
-- marked finished, and the next run starts afresh. Only per-blob problems are kept (`problems`, a JSON
-- array of {kind, subject, detail}): the cheap whole-library checks run again on every attempt.
-- IF NOT EXISTS keeps the step safe to run twice.
CREATE TABLE IF NOT EXISTS verify_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    finished_at TEXT,
    position    TEXT CHECK (position IS NULL OR length(position) = 64),
    checked     INTEGER NOT NULL DEFAULT 0 CHECK (checked >= 0),
    bytes       INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    problems    TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(problems))
) STRICT;
