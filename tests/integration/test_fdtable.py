"""The fd table under a real `capsule run`: every fd argument and result names its target
(fd_target / result_fd_target in events.jsonl, "(...)" in the timeline), across pipes between
processes, dup2, close-on-exec and the agent's inherited stdin/stdout/stderr; and capsule's
memory stays bounded under many processes and many fds (summary.json fd_table, peak_rss_kb)."""
import json
import os
import resource
import subprocess
import time

import run
from run import CapsuleTest, run_capsule, workdir, base_env, Session, CAPSULE, ROOT

FDPROG = os.path.join(ROOT, "build", "tests", "fdprog")
# what the fd table may add to capsule's peak RSS at its caps (docs/events.md, "fd table");
# a sanitizer build's allocator (redzones, quarantine) about doubles the heap
TABLE_RSS_KB = 24 * 1024


def table_rss_bound_kb():
    return TABLE_RSS_KB * (3 if run.sanitized_build() else 1)


def pids_of(s, kind, comm):
    return {e["pid"] for e in s.events if e["kind"] == kind and e["comm"] == comm}


class TestFdTable(CapsuleTest):
    def test_pipeline_names_reader(self):
        """sh -c '{ sleep 0.3; cat FILE; } | grep x': cat's write on fd 1 names the pipe and grep
        reading it. (The names are who holds the other end at the time of the write: without the
        sleep, cat may write before sh has even forked grep, and the line rightly names sh.)"""
        d = workdir("fdt_pipe")
        src = os.path.join(d, "in.txt")
        with open(src, "w") as f:
            f.write("a line with x\nnothing\nxx\n")
        s = run_capsule("fdt_pipe", ["sh", "-c", "{ sleep 0.3; cat %s; } | grep x" % src], opts=["-v"])
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.stdout, b"a line with x\nxx\n")
        grep_pids = pids_of(s, "execve", "grep")
        cat_pids = pids_of(s, "execve", "cat")
        self.assertEqual(len(grep_pids), 1, s.describe())
        self.assertEqual(len(cat_pids), 1, s.describe())
        grep_pid, cat_pid = grep_pids.pop(), cat_pids.pop()
        writes = [e for e in s.events if e["kind"] == "write" and e["pid"] == cat_pid and e["args"]["fd"] == 1]
        self.assertTrue(writes, s.describe())
        t = writes[0].get("fd_target")
        self.assertIsNotNone(t, json.dumps(writes[0]))
        self.assertEqual(t["kind"], "pipe")
        self.assertEqual(t["end"], "write")
        self.assertEqual(t["name"], "pipe:[%d]" % t["ino"])
        self.assertIn(grep_pid, [p["pid"] for p in t["peers"]], json.dumps(writes[0]))
        # the pipe is the one sh created: same inode as pipe2's result
        pipes = s.find("pipe2", result_fd_target__kind="pipe")
        self.assertTrue(pipes)
        self.assertEqual(pipes[0]["result_fd_target"]["ino"], t["ino"])
        self.assertEqual(pipes[0]["result_fd2_target"]["end"], "write")
        # grep reads the read end of the same pipe
        reads = [e for e in s.events if e["kind"] == "read" and e["pid"] == grep_pid and e["args"]["fd"] == 0]
        self.assertTrue(reads)
        self.assertEqual(reads[0]["fd_target"]["ino"], t["ino"])
        self.assertEqual(reads[0]["fd_target"]["end"], "read")
        # the timeline says it too
        self.assertRegex(s.timeline.decode(), r"P%d \(cat\) write fd=1 \(pipe:\[%d\] -> [^)]*P%d " %
                         (cat_pid, t["ino"], grep_pid))

    def test_dup2_file_onto_stdout(self):
        d = workdir("fdt_dup2")
        out = os.path.join(d, "out.txt")
        s = run_capsule("fdt_dup2", [FDPROG, "dup2file", out], opts=["-v"])
        self.assertEqual(s.rc, 0, s.describe())
        fd = s.int("file_fd")
        dup = self.one(s, "dup2", args__oldfd=fd, args__newfd=1)
        self.assertFields(dup, ret=1, fd_target__name=out, fd_target__kind="file",
                          result_fd_target__fd=1, result_fd_target__name=out)
        # before the dup2, fd 1 was capsule's stdout pipe (seeded from /proc)
        self.assertFields(dup, fd2_target__kind="pipe")
        w = self.one(s, "write", args__fd=1, ret=14)
        self.assertFields(w, fd_target__name=out, fd_target__kind="file", fd_target__cloexec=False)
        self.assertIn(("write fd=1 (%s) count=14" % out).encode(), s.timeline)
        c = [e for e in s.find("close", args__fd=fd) if e["seq"] > dup["seq"]]
        self.assertTrue(c)
        self.assertFields(c[0], fd_target__name=out)

    def test_cloexec_across_exec(self):
        d = workdir("fdt_cloexec")
        path = os.path.join(d, "f.txt")
        s = run_capsule("fdt_cloexec", [FDPROG, "cloexec", path], opts=["-v"])
        self.assertEqual(s.rc, 0, s.describe())
        a, b = s.int("cloexec_fd"), s.int("kept_fd")
        self.assertEqual(s.int("write_a"), -9)  # EBADF
        opens = s.find("openat", path=path)
        self.assertEqual(len(opens), 2)
        self.assertFields(opens[0], result_fd_target__cloexec=True, result_fd_target__name=path)
        self.assertFields(opens[1], result_fd_target__cloexec=False)
        execs = [e for e in s.events if e["kind"] == "execve" and e["seq"] > opens[1]["seq"]]
        self.assertTrue(execs)
        after = [e for e in s.events if e["seq"] > execs[0]["seq"] and e["kind"] == "write"]
        wa = [e for e in after if e["args"]["fd"] == a]
        wb = [e for e in after if e["args"]["fd"] == b]
        self.assertTrue(wa and wb, s.describe())
        self.assertNotIn("fd_target", wa[0])  # gone at exec
        self.assertEqual(wa[0]["error"], "EBADF")
        self.assertFields(wb[0], ret=2, fd_target__name=path, fd_target__kind="file")

    def test_scm_rights_received_fd_named(self):
        """an fd passed over a unix socket (SCM_RIGHTS) is named in the receiver"""
        d = workdir("fdt_scm")
        path = os.path.join(d, "passed.txt")
        s = run_capsule("fdt_scm", [FDPROG, "passfd", path], opts=["-v"])
        self.assertEqual(s.rc, 0, s.describe())
        fd = s.int("received_fd")
        r = [e for e in s.find("recvmsg") if e.get("received_fds")]
        self.assertTrue(r, s.describe())
        got = r[0]["received_fds"][0]
        self.assertEqual((got["fd"], got["kind"], got["name"]), (fd, "file", path))
        self.assertIn(("received [FD %d (%s)]" % (fd, path)).encode(), s.timeline)
        w = [e for e in s.find("write", args__fd=fd) if e["seq"] > r[0]["seq"]]
        self.assertTrue(w)
        self.assertFields(w[0], ret=7, fd_target__name=path)
        c = [e for e in s.find("close", args__fd=fd) if e["seq"] > r[0]["seq"]]
        self.assertFields(c[0], fd_target__name=path)
        # the sender's sendmsg is recorded too (fds passed), with no peer address
        self.assertTrue(s.find("sendmsg"))
        # without --verbose: a recvmsg/sendmsg that passes fds is still recorded
        s = run_capsule("fdt_scm2", [FDPROG, "passfd", path])
        self.assertEqual(s.rc, 0, s.describe())
        fd = s.int("received_fd")
        r = [e for e in s.find("recvmsg") if e.get("received_fds")]
        self.assertTrue(r, s.describe())
        self.assertTrue(s.find("sendmsg"))
        c = [e for e in s.find("close", args__fd=fd) if e["seq"] > r[0]["seq"]]
        self.assertFields(c[0], fd_target__name=path, io__write_bytes=7)

    def test_seeded_stdio(self):
        """the agent's inherited 0/1/2: a file as stdin, capsule's stdout and stderr pipes"""
        d = workdir("fdt_stdio")
        inp = os.path.join(d, "stdin.txt")
        with open(inp, "w") as f:
            f.write("from stdin\n")
        log = os.path.join(d, "log")
        argv = [CAPSULE, "run", "--user", run.AGENT, "--log-dir", log, "--output", os.path.join(d, "live.out"),
                "-v", "--", "sh", "-c", "cat; echo to-err >&2"]
        t0 = time.time()
        with open(inp, "rb") as stdin:
            proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=base_env(), cwd=d)
            out_ino = os.fstat(proc.stdout.fileno()).st_ino
            err_ino = os.fstat(proc.stderr.fileno()).st_ino
            stdout, stderr = proc.communicate(timeout=run.TIMEOUT)
        proc.stdout, proc.stderr = stdout, stderr
        s = Session(argv, proc, log, t0, time.time())
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(stdout, b"from stdin\n")
        r = self.one(s, "read", args__fd=0, comm="cat")
        self.assertFields(r, fd_target__kind="file", fd_target__name=inp)
        w = self.one(s, "write", args__fd=1, comm="cat")
        self.assertFields(w, fd_target__kind="pipe", fd_target__ino=out_ino,
                          fd_target__name="pipe:[%d]" % out_ino)
        # dash's `echo >&2` saves fd 1 with fcntl(F_DUPFD), dup2s 2 onto 1 and writes fd 1
        w2 = [e for e in s.find("write") if e.get("ret") == 7]
        self.assertTrue(w2, s.describe())
        self.assertFields(w2[0], fd_target__kind="pipe", fd_target__ino=err_ino)

    baselines = {}

    def check_bounded(self, s, opts=()):
        """capsule's peak RSS stays within TABLE_RSS_KB of an empty session's with the same
        options (the ring buffer's mapping is most of the rest)"""
        if opts not in self.baselines:
            b = run_capsule("fdt_base%d" % len(self.baselines), ["true"], opts=list(opts))
            self.assertEqual(b.rc, 0, b.describe())
            self.baselines[opts] = b.summary["peak_rss_kb"]
        self.assertIsNotNone(s.summary, s.describe())
        self.assertLess(s.summary["peak_rss_kb"], self.baselines[opts] + table_rss_bound_kb(),
                        "baseline %d KiB: %s" % (self.baselines[opts], json.dumps(s.summary)))
        ft = s.summary["fd_table"]
        self.assertLessEqual(ft["fds_peak"], 131072)
        self.assertLessEqual(ft["procs_peak"], 8192)
        return ft

    def test_many_fds_bounded(self):
        """139,000+ fds open at once (in as many processes as the hard RLIMIT_NOFILE needs): the
        table stops at its total cap, counts evictions, and capsule's memory stays bounded"""
        total = 139000
        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        per = min(total, hard - 100 if hard != resource.RLIM_INFINITY else total)
        procs = -(-total // per)
        # a ring buffer that holds every record: no losses, so the cap is surely reached
        # (no session store: its bound is tested in test_store.py; this one is the fd table's)
        opts = ("--buffer-size", "64", "--no-db")
        s = run_capsule("fdt_many", [FDPROG, "manyfds", str(per), str(procs)], opts=list(opts), timeout=180)
        self.assertEqual(s.rc, 0, s.describe())
        self.assertGreaterEqual(s.int("opened_total"), total)
        ft = self.check_bounded(s, opts)
        recorded_opens = len(s.find("openat", path="/dev/null"))
        if s.summary["events_lost"] == 0:
            self.assertGreaterEqual(recorded_opens, total)
            self.assertEqual(ft["fds_peak"], 131072)
            self.assertGreater(ft["fd_evictions"], 0)
        self.assertEqual(len(s.find("close_range", ret=0)), procs)

    def test_many_processes_bounded(self):
        """2,000 short-lived processes: each table is freed at exit"""
        n = 2000
        s = run_capsule("fdt_forks", [FDPROG, "forks", str(n)], timeout=120, parse=True)
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.int("forked"), n)
        ft = self.check_bounded(s)
        self.assertGreaterEqual(s.summary["processes"], n)
        # at most 32 children alive at a time (plus slack for exits not drained yet)
        if s.summary["events_lost"] == 0:
            self.assertLess(ft["procs_peak"], 200, json.dumps(ft))
            self.assertEqual(ft["proc_evictions"], 0)
        # every child's open of /dev/null is named at its close
        closes = [e for e in s.events if e["kind"] == "close" and e["pid"] != s.events[0]["pid"]
                  and e.get("fd_target", {}).get("name") == "/dev/null"]
        self.assertGreater(len(closes), n // 2)
