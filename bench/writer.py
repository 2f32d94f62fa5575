"""A busy application, as a process of its own: insert a row, update a random one, again and
again, each in its own transaction, until the file `stop` appears; then print the longest time
it had to wait between two writes, how many it made and its server process (whose lock waits
the server logs), as JSON. Run by test_online.py and
bench/online.py: `python writer.py URL STOPFILE FIRST_ID`."""
from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import psycopg


def main(url: str, stop: Path, first_id: int) -> None:
    longest = 0.0
    writes = 0
    next_id = first_id
    with psycopg.connect(url, autocommit=True) as conn:
        pid = conn.info.backend_pid
        last = time.perf_counter()
        while not stop.exists():
            conn.execute("insert into app.items (id, name, owner_id) values (%s, %s, %s)", (next_id, f"new {next_id}", 1 + next_id % 10))
            next_id += 1
            conn.execute("update app.items set name = name || '' where id = %s", (random.randint(1, 1_000_000),))
            now = time.perf_counter()
            longest = max(longest, now - last)
            last = now
            writes += 2
    print(json.dumps({"longest_ms": round(longest * 1000, 1), "writes": writes, "pid": pid}))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
