"""The SQLite session store: real sessions recorded by `capsule run`, then `capsule query`,
`capsule sessions` and `capsule import` on them, and a capsule killed with SIGKILL mid-session.

    python3 tests/integration/run.py -k TestStore
"""
import datetime
import fnmatch
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import time

import run
from run import CAPSULE, CapsuleTest, base_env, run_capsule, scenario, workdir


def capsule(*args, cwd=None):
    p = subprocess.run([CAPSULE] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, env=base_env(), cwd=cwd, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def db_rows(path, sql, *params):
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def host_of(e):
    """The remote address of an event as the store keeps it (docs/store.md)."""
    t, io = e.get("fd_target") or {}, e.get("io") or {}
    closed = t.get("peer") if t.get("kind") == "socket" and (io.get("read_bytes") or io.get("write_bytes")) else None
    for a in ((e.get("addr") or {}).get("address") if e["kind"] != "bind" else None, (e.get("sock") or {}).get("peer"),
              (e.get("result_sock") or {}).get("peer"), closed):
        if not a:
            continue
        if a.startswith("unix:"):
            return a
        if a[0] == "[" or a[0].isdigit():
            h = a.rsplit(":", 1)[0]
            return h[1:-1] if h.startswith("[") else h
        return None
    return None


def path_of(e):
    return e.get("path") or e.get("fd_path") or e.get("exe")


def store_cap(name):
    """a cap from src/store/store.h (one source of truth)"""
    with open(os.path.join(run.ROOT, "src", "store", "store.h")) as f:
        return int(re.search(r"#define %s\s+(\d+)" % name, f.read()).group(1))


STORE_QUEUE_MIB = store_cap("CAP_STORE_QUEUE_MIB")
STORE_CACHE_MIB = store_cap("CAP_STORE_CACHE_MIB")


class TestStore(CapsuleTest):
    """Three sessions: `file` with its own session.db, `network` and `memory` in one shared --db."""

    @classmethod
    def setUpClass(cls):
        cls.shared = os.path.join(workdir("store-shared"), "shared.db")
        cls.f, cls.fdir = scenario("file", name="store-file")
        cls.n, cls.ndir = scenario("network", name="store-net", opts=["--db", cls.shared])
        cls.m, cls.mdir = scenario("memory", name="store-mem", opts=["--db", cls.shared])
        cls.fdb = os.path.join(cls.f.log_dir, "session.db")

    def query(self, *args):
        rc, out, err = capsule("query", *args)
        self.assertEqual(rc, 0, "capsule query %s: %s" % (" ".join(args), err))
        return out

    def seqs(self, *args):
        return [json.loads(l)["seq"] for l in self.query("--json", *args).splitlines()]

    def test_sessions_recorded(self):
        for s in (self.f, self.n, self.m):
            self.assertEqual(s.rc, 0, s.describe())
        self.assertTrue(os.path.exists(self.fdb))
        self.assertFalse(os.path.exists(os.path.join(self.n.log_dir, "session.db")), "--db replaces session.db")

    def test_db_holds_every_event_and_line(self):
        """each events.jsonl record and timeline.log line is stored, in order, with its columns"""
        rows = db_rows(self.fdb, "SELECT seq, kind, pid, comm, json, line FROM events ORDER BY id")
        self.assertEqual(len(rows), len(self.f.events))
        lines = self.f.timeline.decode().splitlines()
        for (seq, kind, pid, comm, js, line), e, raw, tl in zip(rows, self.f.events, self.f.raw_lines, lines):
            self.assertEqual((seq, kind, pid, comm), (e["seq"], e["kind"], e["pid"], e["comm"]))
            self.assertEqual(js.encode(), raw)
            self.assertEqual(line, tl)
        (events, processes, warnings, end), = db_rows(self.fdb, "SELECT events, processes, warnings, end_ns FROM sessions")
        self.assertEqual(events, len(self.f.events))
        self.assertEqual(warnings, self.f.summary["warnings"])
        self.assertIsNotNone(end)

    def test_query_prints_the_live_lines(self):
        self.assertEqual(self.query(self.f.log_dir), self.f.timeline.decode())
        self.assertEqual(self.query("--json", self.f.log_dir).encode(), b"\n".join(self.f.raw_lines) + b"\n")

    def check_filter(self, session, args, want):
        want_seqs = [e["seq"] for e in session.events if want(e)]
        self.assertTrue(want_seqs, "filter %s matches nothing in the session: a useless test" % (args,))
        self.assertEqual(self.seqs(*args), want_seqs, "capsule query %s" % " ".join(args))

    def test_filter_kind(self):
        self.check_filter(self.f, ["--kind", "unlink,rmdir", self.f.log_dir], lambda e: e["kind"] in ("unlink", "rmdir"))

    def test_filter_pid_and_comm(self):
        f = self.f
        self.check_filter(f, ["--pid", str(f.root_pid), f.log_dir], lambda e: e["pid"] == f.root_pid)
        comm = f.events[-1]["comm"]
        self.check_filter(f, ["--comm", comm, "--kind", "openat", f.log_dir],
                          lambda e: e["comm"] == comm and e["kind"] == "openat")

    def test_filter_path_glob(self):
        pat = os.path.join(self.fdir, "file-*")
        self.check_filter(self.f, ["--path", pat, self.f.log_dir],
                          lambda e: path_of(e) is not None and fnmatch.fnmatchcase(path_of(e), pat))

    def test_filter_time(self):
        evs = self.f.events
        # events are in seq order, their times nearly so (CPUs): the window from sorted times
        times = sorted(e["time"] for e in evs)
        mid, last = times[len(times) // 2], times[len(times) * 3 // 4]
        self.check_filter(self.f, ["--since", mid, "--until", last, self.f.log_dir],
                          lambda e: mid <= e["time"] <= last)
        self.check_filter(self.f, ["--since", mid, "--limit", "3", self.f.log_dir],
                          lambda e: e["seq"] in [x["seq"] for x in evs if x["time"] >= mid][:3])

    def test_filter_host_in_shared_db(self):
        n = self.n
        sid = n.summary["session"]
        self.check_filter(n, ["--db", self.shared, "--session", sid, "--host", "127.0.0.1"],
                          lambda e: host_of(e) == "127.0.0.1")
        sock = "unix:" + os.path.join(self.ndir, "capsule-net.sock")
        self.check_filter(n, ["--db", self.shared, "--session", sid, "--host", sock], lambda e: host_of(e) == sock)

    def test_filter_warnings(self):
        m = self.m
        self.check_filter(m, ["--db", self.shared, "--session", m.summary["session"], "--warnings"],
                          lambda e: "warning" in e)
        self.assertEqual(db_rows(self.shared, "SELECT count(*) FROM warnings w JOIN sessions s ON s.id = w.session "
                                              "WHERE s.uuid = ?", m.summary["session"])[0][0],
                         m.summary["warnings"])

    def test_shared_db_without_session_lists_both(self):
        seqs = self.seqs("--db", self.shared, "--kind", "execve")
        want = [e["seq"] for e in self.n.events if e["kind"] == "execve"] + \
               [e["seq"] for e in self.m.events if e["kind"] == "execve"]
        self.assertEqual(seqs, want)

    def test_bad_filters_and_sessions(self):
        rc, _, err = capsule("query", "--since", "yesterday", self.f.log_dir)
        self.assertEqual(rc, 2)
        self.assertIn("--since", err)
        rc, _, err = capsule("query", "--db", self.shared, "--session", "no-such-session")
        self.assertEqual(rc, 1)
        self.assertIn("no session 'no-such-session'", err)

    def test_sql_read_only(self):
        out = self.query("--sql", "SELECT count(*), count(DISTINCT kind) FROM events", self.f.log_dir)
        self.assertEqual(out.strip(), "%d|%d" % (len(self.f.events), len({e["kind"] for e in self.f.events})))
        for sql in ("DELETE FROM events", "UPDATE sessions SET user = 'x'", "DROP TABLE files",
                    "CREATE TABLE t(x)", "SELECT 1; DELETE FROM events"):
            rc, out, err = capsule("query", "--sql", sql, self.f.log_dir)
            self.assertEqual(rc, 1, sql)
            self.assertTrue("read-only" in err or "one statement" in err, err)
        self.assertEqual(db_rows(self.fdb, "SELECT count(*) FROM events")[0][0], len(self.f.events))
        out = self.query("--json", "--sql", "SELECT op, path FROM files WHERE op = 'delete' ORDER BY path",
                         self.f.log_dir)
        deleted = [json.loads(l)["path"] for l in out.splitlines()]
        self.assertEqual(deleted, sorted(self.f.summary["files_deleted"]))

    def test_tables_processes_files_peers(self):
        f = self.f
        argv, exe, code = db_rows(self.fdb, "SELECT argv, exe, exit_code FROM processes WHERE pid = ?", f.root_pid)[0]
        self.assertEqual(json.loads(argv), f.events[0]["argv"])
        self.assertEqual(exe, f.events[0]["exe"])
        self.assertEqual(code, 0)
        ops = dict(((p, op), n) for p, op, n in db_rows(self.fdb, "SELECT path, op, count FROM files"))
        self.assertEqual(ops.get((os.path.join(self.fdir, "file-rel.txt"), "write")), 1)
        self.assertEqual(ops.get((os.path.join(self.fdir, "file-open.txt"), "rename")), 1)
        self.assertEqual(ops.get((os.path.join(self.fdir, "file-renamed.txt"), "create")), 1)
        self.assertIn((os.path.join(self.fdir, "file-subdir"), "delete"), ops)
        # byte totals come with each close, to the file the fd table says the fd was
        want = {}
        for e in f.events:
            t, io = e.get("fd_target") or {}, e.get("io") or {}
            if e["kind"] == "close" and e.get("ret", 0) >= 0 and t.get("kind") == "file" and not path_of(e):
                for op, key in (("read", "read_bytes"), ("write", "write_bytes")):
                    if io.get(key):
                        want[(t["name"], op)] = want.get((t["name"], op), 0) + io[key]
        self.assertTrue(want, "no close with byte totals in the file scenario: a useless check")
        got = dict(((p, op), b) for p, op, b in db_rows(self.fdb, "SELECT path, op, bytes FROM files WHERE bytes > 0"))
        self.assertEqual(got, want)
        peers = db_rows(self.shared, "SELECT addr, port, proto FROM peers p JOIN sessions s ON s.id = p.session "
                                     "WHERE s.uuid = ?", self.n.summary["session"])
        self.assertIn(("127.0.0.1", self.n.int("udp_server_port"), "udp"), peers)
        self.assertIn(("127.0.0.1", self.n.int("tcp_port"), "tcp"), peers)
        # and a connected socket's close adds its byte totals to that peer
        want = {}
        for e in self.n.events:
            t, io = e.get("fd_target") or {}, e.get("io") or {}
            if e["kind"] == "close" and t.get("kind") == "socket" and t.get("peer") and (io.get("write_bytes") or io.get("read_bytes")):
                addr, port = t["peer"].rsplit(":", 1)
                k = (addr.strip("[]"), int(port), t["protocol"])
                sent, received = want.get(k, (0, 0))
                want[k] = (sent + io.get("write_bytes", 0), received + io.get("read_bytes", 0))
        self.assertTrue(want, "no socket close with byte totals in the network scenario: a useless check")
        got = dict(((a, p, pr), (bs, br)) for a, p, pr, bs, br in db_rows(
            self.shared, "SELECT addr, port, proto, bytes_sent, bytes_received FROM peers p JOIN sessions s ON "
                         "s.id = p.session WHERE s.uuid = ? AND bytes_sent + bytes_received > 0", self.n.summary["session"]))
        self.assertEqual(got, want)

    def test_sessions_command(self):
        rc, out, err = capsule("sessions", "--db", self.shared, "--json")
        self.assertEqual(rc, 0, err)
        got = [json.loads(l) for l in out.splitlines()]
        self.assertEqual([g["session"] for g in got], [self.n.summary["session"], self.m.summary["session"]])
        for g, s in zip(got, (self.n, self.m)):
            self.assertEqual(g["events"], s.summary["events_recorded"])
            self.assertEqual(g["warnings"], s.summary["warnings"])
            self.assertEqual(g["user"], run.AGENT)
            self.assertEqual(g["exit_status"], 0)
            self.assertAlmostEqual(g["duration_s"], s.summary["duration_s"], delta=1.0)
        # a session folder, and discovery under ./capsule-logs/ (the text table)
        rc, out, err = capsule("sessions", self.f.log_dir)
        self.assertEqual(rc, 0, err)
        self.assertIn(self.f.summary["session"], out)
        cwd = workdir("store-discover")
        os.makedirs(os.path.join(cwd, "capsule-logs"), exist_ok=True)
        link = os.path.join(cwd, "capsule-logs", self.f.summary["session"])
        if not os.path.lexists(link):
            os.symlink(self.f.log_dir, link)
        rc, out, err = capsule("sessions", cwd=cwd)
        self.assertEqual(rc, 0, err)
        self.assertIn(self.f.summary["session"], out)
        self.assertIn("SESSION", out.splitlines()[0])

    def test_import_equivalence(self):
        """events.jsonl imported into a new database gives the same rows as the live store"""
        db = os.path.join(workdir("store-import"), "imported.db")
        rc, out, err = capsule("import", "--db", db, self.f.events_path)
        self.assertEqual(rc, 0, err)
        for sql in ("SELECT kind, count(*) FROM events GROUP BY kind",
                    "SELECT seq, time_ns, kind, area, pid, tid, ppid, uid, comm, ret, error, warning, path, path2, "
                    "host, port, line, json FROM events ORDER BY id",
                    "SELECT path, op, count, bytes, first_seq, last_seq FROM files ORDER BY path, op",
                    "SELECT addr, port, proto, events FROM peers ORDER BY addr, port",
                    "SELECT pid, ppid, argv, exe, cwd, uid, comm, execs, exit_code, exit_signal FROM processes ORDER BY pid",
                    "SELECT seq, reason, line FROM warnings ORDER BY seq",
                    "SELECT uuid, command, user, events, processes, warnings, exit_status FROM sessions"):
            self.assertEqual(db_rows(db, sql), db_rows(self.fdb, sql), sql)
        # the default database is the session's own: it refuses to hold the session twice
        rc, _, err = capsule("import", self.f.events_path)
        self.assertEqual(rc, 1)
        self.assertIn("already holds session", err)
        # shared-db sessions import too (network: peers)
        db2 = os.path.join(workdir("store-import"), "net.db")
        rc, _, err = capsule("import", "--db", db2, self.n.events_path)
        self.assertEqual(rc, 0, err)
        sql = "SELECT addr, port, proto, events FROM peers ORDER BY addr, port, proto"
        self.assertEqual(db_rows(db2, sql),
                         db_rows(self.shared, "SELECT addr, port, proto, p.events FROM peers p JOIN sessions s ON "
                                              "s.id = p.session WHERE s.uuid = ? ORDER BY addr, port, proto",
                                 self.n.summary["session"]))

    def test_import_corrupt_and_truncated_lines(self):
        d = workdir("store-import-bad")
        log = os.path.join(d, "events.jsonl")
        lines = list(self.f.raw_lines)
        lines[4] = b'{"seq":5,"time":"2026-'  # cut in the middle
        lines[9] = b"\x00garbage"
        with open(log, "wb") as f:
            f.write(b"\n".join(lines) + b"\n" + lines[-1][:20])  # and a last line without its end
        rc, out, err = capsule("import", "--db", os.path.join(d, "bad.db"), log)
        self.assertEqual(rc, 1, err)
        for n in (5, 10, len(lines) + 1):
            self.assertIn("events.jsonl:%d:" % n, err)
        self.assertIn("imported %d events" % (len(lines) - 2), err)
        got = [r[0] for r in db_rows(os.path.join(d, "bad.db"), "SELECT seq FROM events ORDER BY id")]
        self.assertEqual(got, [e["seq"] for i, e in enumerate(self.f.events) if i not in (4, 9)])

    def test_corrupt_database(self):
        d = workdir("store-corrupt")
        junk = os.path.join(d, "junk.db")
        with open(junk, "wb") as f:
            f.write(b"this is not an SQLite file\n" * 200)
        rc, _, err = capsule("query", "--db", junk)
        self.assertEqual(rc, 1)
        self.assertIn("not a readable Capsule database", err)
        half = os.path.join(d, "half.db")
        shutil.copy(self.fdb, half)
        with open(half, "r+b") as f:
            f.seek(0, 2)
            f.truncate(f.tell() // 3)
            f.seek(100)
            f.write(b"\xff" * 4000)  # and a damaged page
        rc, out, err = capsule("query", "--db", half)
        self.assertNotEqual(rc, 0)
        self.assertTrue(err.startswith("capsule: "), err)
        self.assertNotIn("Traceback", err)
        other = os.path.join(d, "other.db")
        sqlite3.connect(other).execute("CREATE TABLE x(y)").connection.commit()
        rc, _, err = capsule("sessions", "--db", other)
        self.assertEqual(rc, 1)
        self.assertIn("not a Capsule store", err)

    def test_older_store_version(self):
        """a database of store version 1 (whole-session indexes): capsule sessions still lists it,
        capsule query and a capsule run into it say how to rebuild it"""
        d = workdir("store-v1")
        old = os.path.join(d, "v1.db")
        shutil.copy(self.fdb, old)
        con = sqlite3.connect(old)
        con.execute("PRAGMA user_version = 1")
        con.commit()
        con.close()
        rc, out, err = capsule("sessions", "--db", old)
        self.assertEqual(rc, 0, err)
        self.assertIn(self.f.summary["session"], out)
        rc, _, err = capsule("query", "--db", old, "--kind", "connect")
        self.assertEqual(rc, 1)
        self.assertIn("store version 1 was written by an older capsule", err)
        self.assertIn("capsule import", err)
        rc, _, err = capsule("import", "--db", old, "--force", self.f.events_path)
        self.assertEqual(rc, 1)
        self.assertIn("older capsule", err)
        p = subprocess.run([run.CAPSULE, "run", "--user", run.AGENT, "--db", old, "--log-dir", os.path.join(d, "log"),
                            "--output", os.devnull, "--", "/bin/true"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=base_env(), cwd=d, timeout=120)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"older capsule", p.stderr)


class TestStoreMemory(CapsuleTest):
    def test_store_memory_bounded(self):
        """a flood of events into the store: capsule's peak memory grows by at most the store's
        caps (queue + SQLite page cache, src/store/store.h) over a session without the store"""
        opts = ["--buffer-size", "64"]
        n = 100000
        # ASan keeps freed memory in a quarantine (256 MiB by default): make it small, so the
        # figure is the store's and not the sanitizer's
        env = base_env(ASAN_OPTIONS="quarantine_size_mb=4") if run.sanitized_build() else None
        base = scenario("storm", str(n), name="store-mem-nodb", opts=opts + ["--no-db"], env=env)[0]
        s = scenario("storm", str(n), name="store-mem-db", opts=opts, env=env)[0]
        for x in (base, s):
            self.assertEqual(x.rc, 0, x.describe())
            self.assertEqual(x.summary["events_lost"], 0)
        caps_kb = (STORE_QUEUE_MIB + STORE_CACHE_MIB) * 1024
        slack_kb = 12 * 1024 * (3 if run.sanitized_build() else 1)  # SQLite's own structures
        grow = s.summary["peak_rss_kb"] - base.summary["peak_rss_kb"]
        self.assertLess(grow, caps_kb + slack_kb, "store grew capsule by %d KiB" % grow)


class TestStoreCrash(CapsuleTest):
    def test_sigkill_leaves_a_consistent_prefix(self):
        """capsule killed with SIGKILL mid-session: the database opens, passes an integrity check
        and holds the first N events exactly as events.jsonl has them, N close to the total"""
        d = workdir("store-crash")
        log = os.path.join(d, "log")
        # ~20,000 events/s: below what the writer takes even under ASan, so nothing is dropped
        # for a full queue and the database must be an exact prefix
        code = ("import os, time\nend = time.time() + 8\n"
                "while time.time() < end:\n"
                "    for i in range(100):\n        os.close(os.open('/etc/hostname', os.O_RDONLY))\n"
                "    time.sleep(0.01)\n")
        argv = [CAPSULE, "run", "--user", run.AGENT, "--log-dir", log, "--output", "/dev/null", "--",
                "python3", "-c", code]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             env=base_env(), cwd=d)
        db = os.path.join(log, "session.db")
        deadline = time.time() + 30
        stored = 0
        while time.time() < deadline and stored < 20000:
            time.sleep(0.2)
            try:
                stored = db_rows(db, "SELECT count(*) FROM events")[0][0]
            except sqlite3.Error:
                pass
        self.assertGreaterEqual(stored, 20000, "the store did not fill: %s" % p.stderr.read(2000) if p.poll() else "")
        p.send_signal(signal.SIGKILL)
        p.wait()
        # the agent, untraced now, finishes on its own within its 6 s
        time.sleep(0.2)
        con = sqlite3.connect(db)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            n, lo, hi = con.execute("SELECT count(*), min(seq), max(seq) FROM events").fetchone()
            rows = con.execute("SELECT seq, json FROM events ORDER BY id").fetchall()
            end, not_stored = con.execute("SELECT end_ns, not_stored FROM sessions").fetchone()
        finally:
            con.close()
        self.assertEqual(not_stored, 0, "events dropped for a full queue: the workload is too fast here")
        self.assertEqual((lo, hi), (1, n), "the stored events are not a prefix 1..N")
        self.assertIsNone(end, "a killed session has no end")
        with open(os.path.join(log, "events.jsonl"), "rb") as f:
            jl = f.read().split(b"\n")
        complete = jl[:-1]  # the last piece may be a partly written line
        k = min(n, len(complete))
        self.assertGreater(k, 1000)
        for (seq, js), raw in zip(rows[:k], complete[:k]):
            self.assertEqual(js.encode(), raw, "event %d differs from events.jsonl" % seq)
        # the crash bound (docs/store.md): what events.jsonl has beyond the database is what was
        # recorded in the last commit interval (50 ms) plus the queue's backlog: allow one second
        t = lambda raw: datetime.datetime.fromisoformat(json.loads(raw)["time"][:26]).timestamp()
        rate = len(complete) / max(t(complete[-1]) - t(complete[0]), 0.1)
        self.assertLess(len(complete) - n, rate * 1.0, "the database is far behind events.jsonl")
        rc, out, err = capsule("query", "--db", db, "--kind", "openat", "--limit", "5")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(out.splitlines()), 5)
        rc, out, err = capsule("sessions", "--db", db)
        self.assertEqual(rc, 0, err)
        self.assertIn("running?", out)
