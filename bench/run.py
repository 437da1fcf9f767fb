#!/usr/bin/env python3
"""Capsule overhead bench: each workload bare, under `capsule run`, and under `strace -f`.

Workloads
  storm     bench/storm.c: open("/etc/hostname") / read 64 B / close, N times
            (N = 1,000,000 here, ~0.6 s bare, so that capsule's fixed start-up and
            teardown cost, measured separately on /bin/true, does not dominate)
  forkexec  bench/forkexec.c: fork + execve("/bin/true") + waitpid, N times
  build     a generated C project (~30 files + Makefile), `make -j2` from clean
  floor     the storm's own loop time bare and under capsule with a 1 GiB ring buffer (the
            kernel never waits for the reader): what the BPF programs alone cost
  enrich    bench/enrich.c: in-memory records through decode + enrichment + text and JSON
            output on one core, in events/s (no kernel, no capsule run)

Runs are interleaved (bare, capsule, strace, bare, capsule, ...) so that drift in
machine load hits every mode alike; the table reports medians. Targets are
measurements, not tests: they are reported, and only make the exit status 1 with
--check. A run that fails (non-zero exit, missing summary.json, timeout) always
makes the exit status 1.

Run from the repo root (as `make bench` does). Python 3 stdlib only.
"""

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
BENCH_BIN = os.path.join(BUILD, "bench")

TARGET_STORM_RATIO = 1.5
TARGET_BUILD_RATIO = 1.05
TARGET_RSS_MIB = 64
TARGET_ENRICH_EPS = 500000
RUN_TIMEOUT_S = 900


class RunError(Exception):
    pass


# ---------------------------------------------------------------- the build job

BUILD_MAKEFILE = """\
CC ?= gcc
CFLAGS := -O2 -g -Wall -Wextra
SRCS := $(wildcard src/*.c)
OBJS := $(SRCS:src/%.c=obj/%.o)

app: $(OBJS)
\t$(CC) $(CFLAGS) $^ -o $@

obj/%.o: src/%.c src/common.h | obj
\t$(CC) $(CFLAGS) -c $< -o $@

obj:
\tmkdir -p $@

clean:
\trm -rf obj app
.PHONY: clean
"""

BUILD_FUNC = """
static uint64_t f{j}(uint64_t x, struct rec *r, size_t n)
{{
\tuint64_t h = x ^ {seed}u;
\tfor (size_t k = 0; k < n; k++) {{
\t\tr[k].a = h * 6364136223846793005ull + k;
\t\tr[k].b = (r[k].a >> {sh1}) ^ (h << {sh2});
\t\tsnprintf(r[k].name, sizeof(r[k].name), "m{i}f{j}-%zu", k);
\t\tr[k].w = (double)(r[k].b % 1000) / {div}.0;
\t\tif (r[k].w > {thr}.5)
\t\t\th += strlen(r[k].name);
\t\telse
\t\t\th ^= r[k].a;
\t\tswitch ((h + k) % 5) {{
\t\tcase 0: h = h * 31 + {j}; break;
\t\tcase 1: h ^= h >> 17; break;
\t\tcase 2: h += r[k].b; break;
\t\tcase 3: h -= (uint64_t)r[k].w; break;
\t\tdefault: h = (h << 3) | (h >> 61); break;
\t\t}}
\t}}
\treturn h;
}}
"""


def generate_project(root, nfiles, nfuncs):
    """Write a small C project: nfiles modules of nfuncs functions, a main, a Makefile."""
    src = os.path.join(root, "src")
    os.makedirs(src, exist_ok=True)
    with open(os.path.join(src, "common.h"), "w") as f:
        f.write("#pragma once\n#include <stddef.h>\n#include <stdint.h>\n\n")
        f.write("struct rec { uint64_t a, b; char name[32]; double w; };\n\n")
        for i in range(nfiles):
            f.write(f"uint64_t mod{i}_run(uint64_t seed);\n")
    for i in range(nfiles):
        with open(os.path.join(src, f"mod{i:02d}.c"), "w") as f:
            f.write('#include "common.h"\n#include <stdio.h>\n#include <string.h>\n')
            for j in range(nfuncs):
                f.write(BUILD_FUNC.format(i=i, j=j, seed=i * 131 + j, sh1=j % 13 + 1,
                                          sh2=i % 7 + 1, div=j + 3, thr=j * 7 % 50))
            f.write(f"\nuint64_t mod{i}_run(uint64_t seed)\n{{\n\tstruct rec r[16];\n"
                    "\tuint64_t h = seed;\n\n")
            for j in range(nfuncs):
                f.write(f"\th += f{j}(h, r, 16);\n")
            f.write("\treturn h;\n}\n")
    with open(os.path.join(src, "main.c"), "w") as f:
        f.write('#include "common.h"\n#include <stdio.h>\n\nint main(void)\n{\n\tuint64_t h = 1;\n\n')
        for i in range(nfiles):
            f.write(f"\th = mod{i}_run(h);\n")
        f.write('\tprintf("%llu\\n", (unsigned long long)h);\n\treturn 0;\n}\n')
    with open(os.path.join(root, "Makefile"), "w") as f:
        f.write(BUILD_MAKEFILE)


# ---------------------------------------------------------------- running things

def run_timed(cmd, cwd=None, timeout=RUN_TIMEOUT_S):
    """Run cmd, return wall seconds. Raises RunError on failure or timeout."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.communicate()
        raise RunError(f"timed out after {timeout} s: {' '.join(cmd)}")
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-15:]
        raise RunError(f"exit status {p.returncode}: {' '.join(cmd)}\n    " + "\n    ".join(tail))
    return wall


def run_capsule(capsule, cmd, cwd=None):
    """Run cmd under capsule in a throwaway log dir; return (wall, summary dict, log bytes)."""
    with tempfile.TemporaryDirectory(prefix="capsule-bench-", ignore_cleanup_errors=True) as d:
        extra = os.environ.get("CAPSULE_BENCH_ARGS", "").split()  # e.g. --no-db, to compare
        wall = run_timed([capsule, "run", "--allow-root", "--output", "/dev/null",
                          "--log-dir", d] + extra + ["--"] + cmd, cwd=cwd)
        path = os.path.join(d, "summary.json")
        try:
            with open(path) as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            raise RunError(f"capsule wrote no usable summary.json ({e}): {' '.join(cmd)}")
        ev = os.path.join(d, "events.jsonl")
        log_bytes = os.path.getsize(ev) if os.path.exists(ev) else None
    return wall, summary, log_bytes


def ensure_helper(name):
    """build/bench/<name>, compiled here if `make` has not built it (same flags as the Makefile)."""
    out = os.path.join(BENCH_BIN, name)
    src = os.path.join(ROOT, "bench", name + ".c")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        os.makedirs(BENCH_BIN, exist_ok=True)
        subprocess.run(["gcc", "-O2", "-g", "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                        "-D_GNU_SOURCE", src, "-o", out], check=True)
    return out


def run_enrich():
    """build/bench/enrich (linked with the library, so built by make) -> its JSON figures."""
    subprocess.run(["make", "-s", "-C", ROOT, "build/bench/enrich"], check=True)
    out = subprocess.run([os.path.join(BENCH_BIN, "enrich"), "--json"], check=True,
                         capture_output=True, text=True, timeout=RUN_TIMEOUT_S).stdout
    return json.loads(out)


def med(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- the bench

class Workload:
    def __init__(self, name, desc, cmd, cwd=None, prepare=None, strace=True, ratio_target=None,
                 zero_lost=False):
        self.name, self.desc, self.cmd, self.cwd = name, desc, cmd, cwd
        self.prepare = prepare          # untimed, before every run (e.g. make clean)
        self.strace = strace
        self.ratio_target = ratio_target
        self.zero_lost = zero_lost


def bench_workload(w, args, capsule, log):
    res = {"name": w.name, "description": w.desc, "cmd": w.cmd,
           "bare": [], "capsule": [], "strace": [],
           "events_recorded": [], "events_lost": [], "peak_rss_kb": [], "log_bytes": [],
           "capsule_duration_s": []}
    modes = ["bare"] + (["capsule"] if capsule else [])
    srep = args.strace_repeat if (w.strace and args.strace) else 0

    def one(mode, timed=True):
        if w.prepare:
            w.prepare()
        if mode == "bare":
            t = run_timed(w.cmd, cwd=w.cwd)
        elif mode == "strace":
            t = run_timed(["strace", "-f", "-o", "/dev/null", "--"] + w.cmd, cwd=w.cwd)
        else:
            t, s, nbytes = run_capsule(capsule, w.cmd, cwd=w.cwd)
            if timed:
                res["events_recorded"].append(s.get("events_recorded"))
                res["events_lost"].append(s.get("events_lost"))
                res["peak_rss_kb"].append(s.get("peak_rss_kb"))
                res["capsule_duration_s"].append(s.get("duration_s"))
                res["log_bytes"].append(nbytes)
        if timed:
            res[mode].append(t)
        log(f"{mode[0]}")
        return t

    log(f"  {w.name:<9}")
    for _ in range(args.warmup):          # page cache, dynamic loader, BPF verifier caches...
        for m in modes:
            one(m, timed=False)
    log("|")
    for r in range(args.repeat):
        for m in modes:
            one(m)
        if r < srep:
            one("strace")
    log("\n")

    bare = med(res["bare"])
    for m in ("bare", "capsule", "strace"):
        res[m + "_median_s"] = med(res[m])
    res["capsule_ratio"] = res["capsule_median_s"] / bare if res["capsule"] else None
    res["strace_ratio"] = res["strace_median_s"] / bare if res["strace"] else None

    targets = []
    if capsule and w.ratio_target is not None:
        targets.append({"what": "ratio", "limit": w.ratio_target,
                        "value": round(res["capsule_ratio"], 4),
                        "ok": res["capsule_ratio"] <= w.ratio_target})
    if capsule and w.zero_lost:
        lost = [x for x in res["events_lost"] if x is not None]
        worst = max(lost) if lost else None
        targets.append({"what": "events_lost", "limit": 0, "value": worst,
                        "ok": worst == 0})
    if capsule:
        rss = [x for x in res["peak_rss_kb"] if x is not None]
        worst = max(rss) / 1024 if rss else None
        targets.append({"what": "peak_rss_mib", "limit": TARGET_RSS_MIB,
                        "value": round(worst, 1) if worst is not None else None,
                        "ok": worst is not None and worst <= TARGET_RSS_MIB})
    res["targets"] = targets
    return res


def storm_floor(capsule, storm, n, repeat, log):
    """The storm's own loop time, bare and under capsule with a 1 GiB ring buffer: the kernel
    never has to wait for the reader, so the ratio is what the BPF programs alone cost the
    traced process (no reader in the way, however fast it were). Medians of repeat runs."""
    def own(argv):
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=RUN_TIMEOUT_S)
        if p.returncode:
            raise RunError(f"exit status {p.returncode}: {' '.join(argv)}")
        return float(p.stdout.split()[-1])
    bare, under = [], []
    with tempfile.TemporaryDirectory(prefix="capsule-bench-floor-", ignore_cleanup_errors=True) as d:
        for i in range(repeat):
            bare.append(own([storm, str(n), "-t"]))
            log("b")
            under.append(own([capsule, "run", "--allow-root", "--output", "/dev/null", "--no-db", "-b", "1024",
                              "--log-dir", os.path.join(d, str(i)), "--", storm, str(n), "-t"]))
            log("c")
    return {"bare_s": med(bare), "capsule_s": med(under), "ratio": med(under) / med(bare)}


def add_net_ratios(results, startup):
    """Ratio with capsule's fixed cost (load/attach/teardown, measured on /bin/true) taken out."""
    for r in results:
        r["capsule_net_ratio"] = None
        if startup is not None and r["capsule_median_s"] is not None and r["bare_median_s"]:
            r["capsule_net_ratio"] = max(r["capsule_median_s"] - startup, 0) / r["bare_median_s"]


def fmt_s(x):
    if x is None:
        return "-"
    return f"{x:.3f} s" if x < 1 else f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def fmt_r(x):
    return "-" if x is None else f"{x:.2f}x" if x < 10 else f"{x:.1f}x"


def target_text(res):
    parts = []
    for t in res["targets"]:
        if t["what"] == "ratio":
            parts.append(f"<={t['limit']}x {'ok' if t['ok'] else 'MISS'}")
        elif t["what"] == "events_lost":
            parts.append(f"0 lost {'ok' if t['ok'] else 'MISS'}")
        elif t["what"] == "peak_rss_mib" and not t["ok"]:
            parts.append(f"rss<={TARGET_RSS_MIB}MiB MISS")
    return ", ".join(parts) or "-"


def print_table(results, startup):
    cols = ["workload", "bare", "capsule", "ratio", "strace -f", "ratio", "events", "lost",
            "rss", "target"]
    rows = []
    for r in results:
        ev = [x for x in r["events_recorded"] if x is not None]
        lost = [x for x in r["events_lost"] if x is not None]
        rss = [x for x in r["peak_rss_kb"] if x is not None]
        rows.append([r["name"], fmt_s(r["bare_median_s"]), fmt_s(r["capsule_median_s"]),
                     fmt_r(r["capsule_ratio"]), fmt_s(r["strace_median_s"]),
                     fmt_r(r["strace_ratio"]),
                     str(int(med(ev))) if ev else "-", str(max(lost)) if lost else "-",
                     f"{max(rss) / 1024:.1f}M" if rss else "-", target_text(r)])
    widths = [max(len(c), *(len(row[i]) for row in rows)) for i, c in enumerate(cols)]
    line = lambda cells: "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()
    print(line(cols))
    for row in rows:
        print(line(row))
    if startup is not None:
        net = ", ".join(f"{r['name']} {fmt_r(r['capsule_net_ratio'])}" for r in results
                        if r.get("capsule_net_ratio") is not None)
        print(f"capsule fixed cost (run -- /bin/true, median): {fmt_s(startup)}"
              + (f"; ratios without it: {net}" if net else ""))
    rss_all = [x for r in results for x in r["peak_rss_kb"] if x is not None]
    if rss_all:
        worst = max(rss_all) / 1024
        print(f"capsule peak RSS: max {worst:.1f} MiB (target <= {TARGET_RSS_MIB} MiB) "
              f"{'ok' if worst <= TARGET_RSS_MIB else 'MISS'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=None, help="timed runs per mode (default 5, quick 2)")
    ap.add_argument("--strace-repeat", type=int, default=None,
                    help="timed strace runs per workload (default 1)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed runs per mode first (default 1)")
    ap.add_argument("--no-strace", dest="strace", action="store_false", help="skip strace -f")
    ap.add_argument("--strace-build", action="store_true",
                    help="also run the build job under strace -f (slow)")
    ap.add_argument("--no-capsule", dest="use_capsule", action="store_false",
                    help="bare (and strace) only")
    ap.add_argument("--quick", action="store_true", help="fewer iterations and runs: a smoke run")
    ap.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    ap.add_argument("--only", action="append", choices=["storm", "forkexec", "build", "enrich", "store"],
                    help="run only this workload (repeatable)")
    ap.add_argument("--storm-iters", type=int, default=None, help="default 1000000 (quick 100000)")
    ap.add_argument("--forkexec-iters", type=int, default=None, help="default 2000 (quick 200)")
    ap.add_argument("--build-files", type=int, default=None, help="default 30 (quick 8)")
    ap.add_argument("--capsule", default=os.path.join(BUILD, "capsule"))
    ap.add_argument("--json", default=os.path.join(BENCH_BIN, "results.json"))
    args = ap.parse_args()

    q = args.quick
    args.repeat = args.repeat if args.repeat is not None else (2 if q else 5)
    args.strace_repeat = args.strace_repeat if args.strace_repeat is not None else 1
    if args.warmup < 0 or args.repeat < 1 or args.strace_repeat < 0:
        ap.error("--repeat must be >= 1, --warmup and --strace-repeat >= 0")
    storm_n = args.storm_iters or (100000 if q else 1000000)
    fork_n = args.forkexec_iters or (200 if q else 2000)
    nfiles = args.build_files or (8 if q else 30)

    if args.strace and not shutil.which("strace"):
        print("bench: strace not found; running without it (apt-get install strace)", file=sys.stderr)
        args.strace = False

    capsule = None
    if args.use_capsule:
        capsule = args.capsule
        if not os.access(capsule, os.X_OK):
            print(f"bench: {capsule} is missing: run `make` first (or pass --no-capsule)",
                  file=sys.stderr)
            return 1
        if os.geteuid() != 0:
            print("bench: capsule needs root (run as root or via sudo)", file=sys.stderr)
            return 1

    storm = ensure_helper("storm")
    forkexec = ensure_helper("forkexec")

    def log(s):
        sys.stderr.write(s)
        sys.stderr.flush()

    failures = []
    results = []
    startup = None
    with tempfile.TemporaryDirectory(prefix="capsule-bench-build-") as proj:
        generate_project(proj, nfiles, 16)
        make_clean = lambda: subprocess.run(["make", "-s", "-C", proj, "clean"], check=True,
                                            stdout=subprocess.DEVNULL)
        workloads = [
            Workload("storm", f"{storm_n} x open/read/close of /etc/hostname",
                     [storm, str(storm_n)], ratio_target=TARGET_STORM_RATIO, zero_lost=True),
            Workload("forkexec", f"{fork_n} x fork + execve(/bin/true) + waitpid",
                     [forkexec, str(fork_n)]),
            Workload("build", f"make -j2 from clean of a generated C project ({nfiles + 1} files)",
                     ["make", "-s", "-j2", "-C", proj], prepare=make_clean,
                     strace=args.strace_build, ratio_target=TARGET_BUILD_RATIO),
        ]
        if args.only:
            workloads = [w for w in workloads if w.name in args.only]

        log(f"bench: {args.repeat} run(s) per mode, {args.warmup} warm-up, strace x"
            f"{args.strace_repeat if args.strace else 0}; b=bare c=capsule s=strace\n")
        if capsule and workloads:
            try:
                log("  startup  ")
                ts = []
                for i in range(args.warmup + args.repeat):
                    t, _, _ = run_capsule(capsule, ["/bin/true"])
                    if i >= args.warmup:
                        ts.append(t)
                    log("c")
                log("\n")
                startup = med(ts)
            except RunError as e:
                log("\n")
                failures.append(f"startup: {e}")
                print(f"bench: capsule startup failed: {e}", file=sys.stderr)
        for w in workloads:
            try:
                results.append(bench_workload(w, args, capsule, log))
            except (RunError, subprocess.CalledProcessError) as e:
                log("\n")
                failures.append(f"{w.name}: {e}")
                print(f"bench: {w.name} failed: {e}", file=sys.stderr)

    floor = None
    if capsule and (not args.only or "storm" in args.only):
        try:
            log("  floor    ")
            floor = storm_floor(capsule, storm, storm_n, max(args.repeat, 3), log)
            log("\n")
        except (RunError, subprocess.SubprocessError, ValueError) as e:
            log("\n")
            failures.append(f"storm floor: {e}")

    enrich = None
    if not args.only or "enrich" in args.only:
        try:
            log("  enrich   ")
            enrich = run_enrich()
            log("done\n")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError) as e:
            log("\n")
            failures.append(f"enrich: {e}")

    store = None
    if not args.only or "store" in args.only:  # the SQLite store (bench/store.py)
        import store as store_bench
        try:
            store = store_bench.bench(100000 if q else 1000000, log)
        except (RuntimeError, subprocess.SubprocessError) as e:
            failures.append(f"store: {e}")
    add_net_ratios(results, startup)
    print()
    if results:
        print_table(results, startup)
    if floor:
        print(f"storm floor (1 GiB ring buffer, the loop's own time: the BPF programs' cost with no wait "
              f"for the reader): bare {floor['bare_s']:.3f} s, capsule {floor['capsule_s']:.3f} s, "
              f"{floor['ratio']:.2f}x")
    if store:
        store_bench.print_table(store)
    missed = [f"{r['name']}: {t['what']} {t['value']} > {t['limit']}"
              for r in results for t in r["targets"] if not t["ok"]]
    if enrich:
        print(f"enrichment (decode + enrich + text/JSON, one core): file events "
              f"{enrich['file_events_per_s']:,.0f}/s, process events {enrich['process_events_per_s']:,.0f}/s, "
              f"mixed {enrich['mixed_events_per_s']:,.0f}/s (target >= {TARGET_ENRICH_EPS:,}/s) "
              f"{'ok' if enrich['ok'] else 'MISS'}")
        for k in ("file_events_per_s", "process_events_per_s"):
            if enrich[k] < TARGET_ENRICH_EPS:
                missed.append(f"enrich: {k} {enrich[k]:.0f} < {TARGET_ENRICH_EPS}")

    out = {
        "host": {"kernel": platform.release(), "machine": platform.machine(),
                 "cpus": os.cpu_count(), "python": platform.python_version()},
        "config": {"repeat": args.repeat, "warmup": args.warmup,
                   "strace_repeat": args.strace_repeat if args.strace else 0,
                   "quick": q, "storm_iters": storm_n, "forkexec_iters": fork_n,
                   "build_files": nfiles, "capsule": capsule},
        "targets": {"storm_ratio": TARGET_STORM_RATIO, "storm_events_lost": 0,
                    "build_ratio": TARGET_BUILD_RATIO, "peak_rss_mib": TARGET_RSS_MIB,
                    "enrich_events_per_s": TARGET_ENRICH_EPS},
        "capsule_startup_s": startup,
        "workloads": results,
        "storm_floor": floor,
        "enrichment": enrich,
        "store": store,
        "missed_targets": missed,
        "failures": failures,
        "all_targets_met": not missed and not failures and capsule is not None,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    print(f"results: {os.path.relpath(args.json, os.getcwd())}")

    if failures:
        print(f"bench: {len(failures)} workload(s) failed", file=sys.stderr)
        return 1
    if missed:
        print("missed targets: " + "; ".join(missed), file=sys.stderr)
        if args.check:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
