#!/usr/bin/env python3
"""The baseline scripts/bench-sync compares `reel sync --no-media` with: a plain, honest Python mirror
of a web-dialect remote's list into a fresh SQLite file.

It pages GET BASE/api/generations?offset=N&limit=100 with one requests.Session (keep-alive, the
bearer key in the Authorization header) until a page comes back empty, and upserts every item of a
page into one table (id primary key, prompt, state, created_at, the item's raw JSON) with
INSERT ... ON CONFLICT(id) DO UPDATE, one transaction per page. The database runs in WAL mode with
synchronous=FULL, as reel's catalog does, so both pay the same fsyncs per commit and the comparison
is fair. It does less than reel: no overlap between pages (reel re-reads a few items per page to
notice items that move while it pages), no per-field decoding or media planning, no sync-run rows.

    Benchmarks/sync-baseline.py BASE_URL API_KEY DB_PATH

Prints one JSON object on stdout: {"seen": items upserted, "pages": requests made, "seconds": time}.
"""
import json
import sqlite3
import sys
import time

import requests


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit("usage: sync-baseline.py BASE_URL API_KEY DB_PATH")
    base, key, path = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    start = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute(
        "CREATE TABLE IF NOT EXISTS generations ("
        " id TEXT PRIMARY KEY, prompt TEXT, state TEXT, created_at TEXT, raw TEXT NOT NULL)"
    )
    upsert = (
        "INSERT INTO generations (id, prompt, state, created_at, raw) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET prompt = excluded.prompt, state = excluded.state,"
        " created_at = excluded.created_at, raw = excluded.raw"
    )
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    offset = seen = pages = 0
    while True:
        response = session.get(f"{base}/api/generations", params={"offset": offset, "limit": 100}, timeout=30)
        response.raise_for_status()
        pages += 1
        items = response.json()["data"]
        if not items:
            break
        rows = [
            (item["id"], item.get("prompt"), item.get("state"), item.get("created_at"), json.dumps(item))
            for item in items
        ]
        db.execute("BEGIN")
        db.executemany(upsert, rows)
        db.execute("COMMIT")
        seen += len(items)
        offset += len(items)
    db.close()
    print(json.dumps({"seen": seen, "pages": pages, "seconds": round(time.perf_counter() - start, 3)}))


if __name__ == "__main__":
    main()
