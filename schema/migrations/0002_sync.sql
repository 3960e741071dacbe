-- reel catalog, version 2: what `reel sync` records beyond version 1.

-- A sync run's totals: items that reached a final state, bytes downloaded, and the process that ran it
-- (a run left 'running' by a process that no longer holds the library lock was killed).
ALTER TABLE sync_runs ADD COLUMN finished_items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN failed_items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_runs ADD COLUMN pid INTEGER;

-- The bytes an interrupted download had received (a file under the store's tmp/) and the validator
-- that lets the next attempt continue them with Range + If-Range.
ALTER TABLE media ADD COLUMN partial_path TEXT;
ALTER TABLE media ADD COLUMN partial_size INTEGER;
ALTER TABLE media ADD COLUMN partial_etag TEXT;
ALTER TABLE media ADD COLUMN partial_last_modified TEXT;

-- Sync asks for a remote's unfinished items and for media still to fetch.
CREATE INDEX generations_remote_state ON generations (remote, state);
CREATE INDEX media_unstored ON media (generation_id) WHERE state <> 'stored';

-- Nothing looks generations up by remote_id alone (sync goes by uid; UNIQUE (remote, remote_id) keeps its
-- own index), and every index on random UUIDs costs each inserted item a scattered page write.
DROP INDEX generations_remote_id;

-- A new generation has no tags yet, so its index row can be made from the new values directly rather
-- than read back through the view (the same text the view gives: prompt, title, no tags). Sync inserts
-- thousands of rows at a time.
DROP TRIGGER generations_fts_insert;
CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations BEGIN
    INSERT INTO generation_fts (rowid, prompt, tags)
    VALUES (new.id, new.prompt || CASE WHEN new.title IS NULL THEN '' ELSE ' ' || new.title END, '');
END;
