#!/usr/bin/env python3
"""Store bench: the SQLite session store on a synthetic 1,000,000-event session.

build/bench/store_bench (bench/store_bench.c) drives capsule run's reader path (decode, view,
JSON and text, cap_store_event, writer thread) with records shaped like an agent building and
testing a project, then times each `capsule query` filter on the result. Figures:
  - events/s through the writer (its CPU time, and wall clock from the first event to the last
    commit, which also counts the reader's formatting and waits for the disk);
  - query latency per filter (first run, and again with SQLite's cache warm), rows returned;
  - database size per million events.
Targets (reported, not asserted): >= 200,000 events/s, <= 100 ms per filter.

    python3 bench/store.py [--events N] [--json FILE]
bench/run.py calls bench() with --only store (or as part of a full run).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "build", "bench", "store_bench")
TARGET_EPS = 200000
TARGET_QUERY_MS = 100


def bench(events=1000000, log=lambda s: None):
    if not os.access(BIN, os.X_OK):
        raise RuntimeError("%s is missing: run `make` first" % BIN)
    with tempfile.TemporaryDirectory(prefix="capsule-bench-store-") as d:
        log("  store    %d events " % events)
        p = subprocess.run([BIN, str(events), os.path.join(d, "bench.db")], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=1800)
        log("\n")
        if p.returncode:
            raise RuntimeError("store_bench failed: %s" % p.stderr.decode(errors="replace")[-500:])
        r = json.loads(p.stdout)
    r["db_mib_per_million"] = r["db_bytes"] / 2**20 * 1e6 / r["events"]
    r["targets"] = {"events_per_s": TARGET_EPS, "query_ms": TARGET_QUERY_MS}
    return r


def print_table(r):
    print("store: %d events, writer %.0f events/s (CPU), %.0f events/s wall clock end to end "
          "(reader formatting included); target >= %d/s" % (
              r["events"], r["writer_eps"], r["insert_eps"], TARGET_EPS))
    print("store: database %.0f MiB per million events (%.0f bytes/event)" % (
        r["db_mib_per_million"], r["bytes_per_event"]))
    print("%-46s %9s %9s %8s" % ("capsule query filter", "first ms", "warm ms", "rows"))
    for q in r["queries"]:
        print("%-46s %9.1f %9.1f %8d%s" % (q["filter"], q["first_ms"], q["ms"], q["rows"],
                                           "" if q["ms"] <= TARGET_QUERY_MS else "  (> target)"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--json", default=os.path.join(ROOT, "build", "bench", "store-results.json"))
    args = ap.parse_args()
    r = bench(args.events, lambda s: (sys.stderr.write(s), sys.stderr.flush()))
    print_table(r)
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(r, f, indent=2)
        f.write("\n")
    print("results: %s" % os.path.relpath(args.json))
    return 0


if __name__ == "__main__":
    sys.exit(main())
