-- Version 4 (issue 7): what the user asked for when reel made a generation (`reel create`, `reel extend`),
-- as reel's canonical request in JSON. The remote's own payload (raw_json) often leaves it out: a proxy's
-- item names no aspect, model or parent. NULL for everything reel did not create.
ALTER TABLE generations ADD COLUMN request_json TEXT;
