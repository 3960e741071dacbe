-- reel catalog, version 1.
-- Times are ISO-8601 UTC text ('2024-06-20T06:02:26.278Z'), so they sort and compare as strings.
-- Tables are STRICT: a value of the wrong type is an error, not a silent conversion.

-- A remote account reel syncs from. key_env names the environment variable holding the API key;
-- the key itself is never stored here.
CREATE TABLE remotes (
    name         TEXT PRIMARY KEY NOT NULL CHECK (name <> ''),
    dialect      TEXT NOT NULL CHECK (dialect IN ('web', 'proxy', 'official')),
    base_url     TEXT NOT NULL CHECK (base_url LIKE 'http://%' OR base_url LIKE 'https://%'),
    key_env      TEXT,
    has_list     INTEGER NOT NULL DEFAULT 1 CHECK (has_list IN (0, 1)),
    created_at   TEXT NOT NULL,
    last_sync_at TEXT
) STRICT;

-- One generation (a clip), from a remote or imported from a local file.
-- uid is what users type (a lowercase UUID; any unique prefix works). For remote items it is the
-- remote's id. A local import whose file name contains a UUID keeps it in remote_id with remote NULL,
-- so that sync can adopt that row when the generation arrives, instead of adding a second item.
CREATE TABLE generations (
    id                INTEGER PRIMARY KEY,
    uid               TEXT NOT NULL UNIQUE CHECK (uid <> ''),
    remote            TEXT REFERENCES remotes (name) ON UPDATE CASCADE ON DELETE RESTRICT,
    remote_id         TEXT,
    origin            TEXT NOT NULL CHECK (origin IN ('remote', 'local', 'created')),
    prompt            TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed', 'unknown')),
    raw_state         TEXT,
    created_at        TEXT,
    model             TEXT,
    aspect            TEXT,
    resolution        TEXT,
    duration_s        REAL,
    loop              INTEGER CHECK (loop IN (0, 1)),
    kind              TEXT CHECK (kind IN ('text', 'image', 'extend', 'local')),
    parent_uid        TEXT,
    failure_reason    TEXT,
    liked             INTEGER CHECK (liked IN (0, 1)),
    title             TEXT,
    note              TEXT,
    first_seen_at     TEXT NOT NULL,
    last_seen_at      TEXT NOT NULL,
    remote_missing_at TEXT,
    raw_json          TEXT CHECK (raw_json IS NULL OR json_valid(raw_json)),
    UNIQUE (remote, remote_id)
) STRICT;
CREATE INDEX generations_created ON generations (created_at DESC, id DESC);
CREATE INDEX generations_remote_id ON generations (remote_id) WHERE remote_id IS NOT NULL;

-- A file in the content store, named by the SHA-256 of its bytes.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),
    stored_at   TEXT NOT NULL,
    verified_at TEXT
) STRICT, WITHOUT ROWID;

-- What libavformat read from a blob. probe_json is the whole reading (ffprobe's key names);
-- the columns beside it are the ones search filters on.
CREATE TABLE media_info (
    blob_sha256 TEXT PRIMARY KEY NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
    container   TEXT,
    duration_s  REAL,
    bit_rate    INTEGER,
    width       INTEGER,
    height      INTEGER,
    rotation    INTEGER,
    fps         REAL,
    video_codec TEXT,
    audio_codec TEXT,
    probe_json  TEXT NOT NULL CHECK (json_valid(probe_json)),
    probed_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- One file a generation has or should have. blob_sha256 is set only once the file is in the store.
CREATE TABLE media (
    id            INTEGER PRIMARY KEY,
    generation_id INTEGER NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    role          TEXT NOT NULL CHECK (role IN ('video', 'video_raw', 'thumbnail', 'last_frame', 'source_image')),
    ordinal       INTEGER NOT NULL DEFAULT 0,
    remote_url    TEXT,
    source_path   TEXT,
    blob_sha256   TEXT REFERENCES blobs (sha256) ON DELETE RESTRICT,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'stored', 'failed', 'gone')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    updated_at    TEXT NOT NULL,
    UNIQUE (generation_id, role, ordinal),
    CHECK (state <> 'stored' OR blob_sha256 IS NOT NULL)
) STRICT;
CREATE INDEX media_blob ON media (blob_sha256) WHERE blob_sha256 IS NOT NULL;

-- The user's own layer. Remote data never writes here.
CREATE TABLE tags (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (name <> ''),
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE generation_tags (
    generation_id INTEGER NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    tag_id        INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    added_at      TEXT NOT NULL,
    PRIMARY KEY (generation_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX generation_tags_tag ON generation_tags (tag_id, generation_id);

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    remote      TEXT NOT NULL REFERENCES remotes (name) ON UPDATE CASCADE ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
    full        INTEGER NOT NULL DEFAULT 0 CHECK (full IN (0, 1)),
    seen        INTEGER NOT NULL DEFAULT 0,
    added       INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    downloaded  INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
) STRICT;

-- Full text over prompts and tags. The FTS index keeps no copy of the text: its content is the view
-- below, and the triggers keep the index in step with generations and tags.
CREATE VIEW generation_search (id, prompt, tags) AS
    SELECT g.id, g.prompt || CASE WHEN g.title IS NULL THEN '' ELSE ' ' || g.title END,
           coalesce((SELECT group_concat(t.name, ' ')
                     FROM generation_tags gt JOIN tags t ON t.id = gt.tag_id
                     WHERE gt.generation_id = g.id), '')
    FROM generations g;

CREATE VIRTUAL TABLE generation_fts USING fts5 (
    prompt, tags,
    content = 'generation_search', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- An external-content FTS5 index must be told the old values to remove, exactly as they were indexed,
-- so every change removes the row (from the view, before the change) and adds it back (after).
CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations BEGIN
    INSERT INTO generation_fts (rowid, prompt, tags)
        SELECT id, prompt, tags FROM generation_search WHERE id = new.id;
END;
CREATE TRIGGER generations_fts_before_update BEFORE UPDATE OF prompt, title ON generations BEGIN
    INSERT INTO generation_fts (generation_fts, rowid, prompt, tags)
        SELECT 'delete', id, prompt, tags FROM generation_search WHERE id = old.id;
END;
CREATE TRIGGER generations_fts_after_update AFTER UPDATE OF prompt, title ON generations BEGIN
    INSERT INTO generation_fts (rowid, prompt, tags)
        SELECT id, prompt, tags FROM generation_search WHERE id = new.id;
END;
CREATE TRIGGER generations_fts_delete BEFORE DELETE ON generations BEGIN
    INSERT INTO generation_fts (generation_fts, rowid, prompt, tags)
        SELECT 'delete', id, prompt, tags FROM generation_search WHERE id = old.id;
END;
-- A tag change re-indexes its generation. While a generation itself is being deleted its index row is
-- already gone; the view no longer yields it, so these do nothing then.
CREATE TRIGGER generation_tags_fts_before_insert BEFORE INSERT ON generation_tags BEGIN
    INSERT INTO generation_fts (generation_fts, rowid, prompt, tags)
        SELECT 'delete', id, prompt, tags FROM generation_search WHERE id = new.generation_id;
END;
CREATE TRIGGER generation_tags_fts_after_insert AFTER INSERT ON generation_tags BEGIN
    INSERT INTO generation_fts (rowid, prompt, tags)
        SELECT id, prompt, tags FROM generation_search WHERE id = new.generation_id;
END;
CREATE TRIGGER generation_tags_fts_before_delete BEFORE DELETE ON generation_tags BEGIN
    INSERT INTO generation_fts (generation_fts, rowid, prompt, tags)
        SELECT 'delete', id, prompt, tags FROM generation_search WHERE id = old.generation_id;
END;
CREATE TRIGGER generation_tags_fts_after_delete AFTER DELETE ON generation_tags BEGIN
    INSERT INTO generation_fts (rowid, prompt, tags)
        SELECT id, prompt, tags FROM generation_search WHERE id = old.generation_id;
END;
CREATE TRIGGER tags_fts_before_rename BEFORE UPDATE OF name ON tags BEGIN
    INSERT INTO generation_fts (generation_fts, rowid, prompt, tags)
        SELECT 'delete', s.id, s.prompt, s.tags FROM generation_search s
        JOIN generation_tags gt ON gt.generation_id = s.id WHERE gt.tag_id = old.id;
END;
CREATE TRIGGER tags_fts_after_rename AFTER UPDATE OF name ON tags BEGIN
    INSERT INTO generation_fts (rowid, prompt, tags)
        SELECT s.id, s.prompt, s.tags FROM generation_search s
        JOIN generation_tags gt ON gt.generation_id = s.id WHERE gt.tag_id = new.id;
END;
-- A cascade from tags would run the generation_tags triggers after the tag is gone, when the view can no
-- longer produce the indexed text; removing the links first, while the tag exists, keeps the index exact.
CREATE TRIGGER tags_fts_before_delete BEFORE DELETE ON tags BEGIN
    DELETE FROM generation_tags WHERE tag_id = old.id;
END;
