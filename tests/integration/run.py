#!/usr/bin/env python3
"""Integration tests of `capsule run`, run as root from the repository root (`make integration`).

Each area runs `build/tests/scenario AREA DIR` under `capsule run --user nobody` once and the
tests assert the exact events it must produce (kinds, resolved paths, decoded flags, results,
peer addresses, I/O totals, devices, warnings, signal targets, exit codes). Values only known
at run time (pids, ports, fds) come from the scenario's key=value lines on stdout.

    python3 tests/integration/run.py              all tests
    python3 tests/integration/run.py -k Signal    the tests whose name contains "Signal"
    CAPSULE_KEEP=1 ...                            keep the temporary folder (kept anyway on failure)
    CAPSULE_BIN=/path/to/capsule ...              test another capsule binary

Nothing is built here: build/capsule and build/tests/scenario must exist (`make`).
"""
import datetime
import importlib
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CAPSULE = os.environ.get("CAPSULE_BIN") or os.path.join(ROOT, "build", "capsule")
SCENARIO = os.path.join(ROOT, "build", "tests", "scenario")
TIMEOUT = 60  # seconds per capsule run
AGENT = "nobody"
CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")

WORK = None  # the temporary folder of this run (0777: the agent writes into it)


def agent_ids():
    pw = pwd.getpwnam(AGENT)
    return pw.pw_uid, pw.pw_gid


def cgroup2_mount():
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            if right.startswith("cgroup2 "):
                return left.split()[4]
    return None


def workdir(name):
    """A fresh folder under WORK the agent can write to."""
    d = os.path.join(WORK, name)
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o777)
    return d


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUDO_")}
    env["PATH"] = CLEAN_PATH
    env["NO_COLOR"] = "1"
    env.update(extra)
    return env


class Session:
    """One finished `capsule run`: exit code, output, parsed logs."""

    def __init__(self, argv, proc, log_dir, t_start, t_end, live_file=None, parse=True):
        self.argv = argv
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.log_dir = log_dir
        self.t_start, self.t_end = t_start, t_end
        self.out = {}
        for line in self.stdout.decode(errors="replace").splitlines():
            k, sep, v = line.partition("=")
            if sep and k not in self.out:
                self.out[k] = v
        self.raw_lines = []
        self.events = []
        self.summary = None
        self.timeline = b""
        self.live = None
        self.events_path = ev = os.path.join(log_dir, "events.jsonl")
        if parse and os.path.exists(ev):
            with open(ev, "rb") as f:
                self.raw_lines = f.read().split(b"\n")
            if self.raw_lines and self.raw_lines[-1] == b"":
                self.raw_lines.pop()
            self.events = [json.loads(l) for l in self.raw_lines]
        sp = os.path.join(log_dir, "summary.json")
        if os.path.exists(sp):
            with open(sp) as f:
                self.summary = json.load(f)
        tp = os.path.join(log_dir, "timeline.log")
        if os.path.exists(tp):
            with open(tp, "rb") as f:
                self.timeline = f.read()
        if live_file and os.path.exists(live_file):
            with open(live_file, "rb") as f:
                self.live = f.read()

    def int(self, key):
        return int(self.out[key])

    @property
    def root_pid(self):
        return int(self.out["pid"])

    def find(self, kind=None, **match):
        """Events of this kind whose fields equal match (a__b means ev["a"]["b"])."""
        res = []
        for e in self.events:
            if kind is not None and e.get("kind") != kind:
                continue
            ok = True
            for k, v in match.items():
                cur = e
                for part in k.split("__"):
                    cur = cur.get(part) if isinstance(cur, dict) else None
                if cur != v:
                    ok = False
                    break
            if ok:
                res.append(e)
        return res

    def describe(self):
        return "capsule %s\n  rc=%s log=%s\n  stderr: %s" % (
            " ".join(self.argv), self.rc, self.log_dir, self.stderr.decode(errors="replace")[-1500:])


def run_capsule(name, cmd, opts=None, user=AGENT, env=None, live=True, timeout=TIMEOUT, cwd=None, parse=True):
    """Runs `capsule run` with a log folder of its own; returns a Session."""
    d = workdir(name)
    log = os.path.join(d, "log")
    argv = [CAPSULE, "run"]
    if user:
        argv += ["--user", user]
    argv += ["--log-dir", log]
    live_file = None
    if live:
        live_file = os.path.join(d, "live.out")
        argv += ["--output", live_file]
    argv += list(opts or []) + ["--"] + list(cmd)
    t0 = time.time()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                          env=env or base_env(), cwd=cwd or d, timeout=timeout)
    return Session(argv, proc, log, t0, time.time(), live_file, parse)


def scenario(area, *extra, name=None, opts=None, **kw):
    """Runs the scenario for an area in its own folder."""
    name = name or area
    d = workdir(name)
    return run_capsule(name, [SCENARIO, area, d] + list(extra), opts=opts, **kw), d


class CapsuleTest(unittest.TestCase):
    maxDiff = 4000

    def one(self, s, kind, **match):
        got = s.find(kind, **match)
        self.assertTrue(got, "no %s event matching %s in %s\n%s" % (kind, match, s.log_dir, s.describe()))
        return got[0]

    def none(self, s, kind, **match):
        got = s.find(kind, **match)
        self.assertFalse(got, "unexpected %s event matching %s: %s" % (kind, match, got[:1]))

    def close_of(self, s, open_ev):
        """The close of the fd an open event returned, in the same process."""
        fd = open_ev["ret"]
        for e in s.events:
            if e["seq"] > open_ev["seq"] and e["kind"] == "close" and e["pid"] == open_ev["pid"] \
                    and e["args"]["fd"] == fd:
                return e
        self.fail("no close of fd %d after %s" % (fd, json.dumps(open_ev)))

    def assertFields(self, ev, **expect):
        """Nested field checks: a__b=value means ev["a"]["b"] == value."""
        for k, v in expect.items():
            cur = ev
            for part in k.split("__"):
                self.assertIsInstance(cur, dict, "%s: %s" % (k, json.dumps(ev)))
                cur = cur.get(part)
            self.assertEqual(cur, v, "field %s in %s" % (k.replace("__", "."), json.dumps(ev)))


class AreaTest(CapsuleTest):
    """A scenario area run once for the whole class (setUpClass)."""
    area = None
    extra = ()
    expect_rc = 0

    @classmethod
    def setUpClass(cls):
        cls.s, cls.dir = scenario(cls.area, *cls.extra_args())

    @classmethod
    def extra_args(cls):
        return list(cls.extra)

    def test_agent_unprivileged_and_complete(self):
        """the agent runs as nobody, the session exits as CMD did and loses nothing"""
        s = self.s
        uid, gid = agent_ids()
        self.assertEqual(s.rc, self.expect_rc, s.describe())
        self.assertTrue(s.events, s.describe())
        first = s.events[0]
        self.assertFields(first, kind="execve", pid=s.root_pid, cred__uid=uid, cred__euid=uid, cred__gid=gid,
                          cred__cap_effective=0)
        self.assertEqual(first["argv"][:2], [SCENARIO, self.area])
        bad = [e for e in s.events if e["uid"] != uid or e["gid"] != gid]
        self.assertFalse(bad, "events with a uid/gid other than %s: %s" % (AGENT, bad[:1]))
        self.assertEqual(s.summary["events_lost"], 0)
        self.assertEqual(s.summary["events_recorded"], len(s.events))
        self.assertEqual(s.summary["exit_status"], self.expect_rc)
        self.assertEqual(s.summary["user"], AGENT)
        root_exit = self.one(s, "exit", pid=s.root_pid)
        self.assertEqual(root_exit.get("exit_code"), self.expect_rc, json.dumps(root_exit))


# ---------------------------------------------------------------------------------------------
class Test01Process(AreaTest):
    area = "process"
    expect_rc = 7

    def test_fork_and_exec(self):
        s = self.s
        child = s.int("exec_child")
        fk = self.one(s, "fork", pid=s.root_pid, child_pid=child)
        self.assertFields(fk, area="proc", thread=False, child_tid=child)
        ex = self.one(s, "execve", pid=child)
        self.assertFields(ex, area="proc", filename="/bin/true", exe=os.path.realpath("/bin/true"),
                          argv=["true", "capsule-proc-arg"], cwd=self.dir, ppid=s.root_pid, comm="true",
                          setuid=False, old_pid=child)
        self.assertGreater(ex["seq"], fk["seq"])
        self.assertFields(self.one(s, "exit", pid=child), exit_code=0, comm="true")

    def test_thread(self):
        s = self.s
        tid = s.int("thread_tid")
        th = self.one(s, "thread", pid=s.root_pid, child_tid=tid)
        self.assertFields(th, thread=True, child_pid=s.root_pid, area="proc")
        op = self.one(s, "openat", path=os.path.join(self.dir, "proc-thread-marker"))
        self.assertFields(op, pid=s.root_pid, tid=tid)
        self.assertGreater(op["seq"], th["seq"])

    def test_setsid(self):
        s = self.s
        c = s.int("setsid_child")
        self.assertFields(self.one(s, "setsid", pid=c), ret=c, area="proc", ppid=s.root_pid)

    def test_prctl_set_name(self):
        s = self.s
        ev = self.one(s, "prctl", pid=s.root_pid, decoded__option="PR_SET_NAME")
        self.assertFields(ev, args__arg2="capsule-test", ret=0, area="proc")
        later = [e for e in s.events if e["pid"] == s.root_pid and e["seq"] > ev["seq"]]
        self.assertTrue(later)
        self.assertEqual({e["comm"] for e in later}, {"capsule-test"})
        self.one(s, "openat", path=os.path.join(self.dir, "proc-after-rename"), comm="capsule-test")

    def test_exit_code_7(self):
        s = self.s
        self.assertEqual(s.rc, 7)
        self.assertFields(self.one(s, "exit", pid=s.root_pid), exit_code=7, status=7 << 8, comm="capsule-test")


# ---------------------------------------------------------------------------------------------
class Test02Network(AreaTest):
    area = "network"

    def test_tcp_listener(self):
        s = self.s
        fd, port = s.int("tcp_listen_fd"), s.int("tcp_port")
        so = self.one(s, "socket", pid=s.root_pid, ret=fd)
        self.assertFields(so, area="net", decoded__domain="AF_INET", decoded__type="SOCK_STREAM",
                          result_sock__protocol="tcp", fd=fd)
        b = self.one(s, "bind", args__fd=fd)
        self.assertFields(b, ret=0, addr__address="127.0.0.1:0", addr__family="AF_INET",
                          sock__local="127.0.0.1:%d" % port, sock__local_port=port)
        self.assertFields(self.one(s, "listen", args__fd=fd), args__backlog=7, ret=0,
                          sock__local="127.0.0.1:%d" % port)

    def test_tcp_connect(self):
        s = self.s
        fd, port, cport = s.int("tcp_client_fd"), s.int("tcp_port"), s.int("tcp_client_port")
        c = self.one(s, "connect", args__fd=fd)
        self.assertFields(c, ret=0, area="net", addr__address="127.0.0.1:%d" % port, addr__family="AF_INET",
                          sock__protocol="tcp", sock__peer="127.0.0.1:%d" % port, sock__peer_port=port,
                          sock__local_port=cport)
        self.assertIn("tcp 127.0.0.1:%d" % port, s.summary["hosts"])

    def test_tcp_accept(self):
        s = self.s
        afd, port, cport = s.int("tcp_accepted_fd"), s.int("tcp_port"), s.int("tcp_client_port")
        a = self.one(s, "accept", ret=afd)
        self.assertFields(a, fd=afd, args__fd=s.int("tcp_listen_fd"), addr__address="127.0.0.1:%d" % cport,
                          result_sock__local="127.0.0.1:%d" % port, result_sock__peer="127.0.0.1:%d" % cport,
                          result_sock__protocol="tcp")

    def test_tcp_io_totals(self):
        s = self.s
        c = self.close_of(s, self.one(s, "socket", ret=s.int("tcp_client_fd")))
        self.assertEqual(c["io"], {"read_bytes": 9, "reads": 1, "write_bytes": 5, "writes": 1})
        a = self.close_of(s, self.one(s, "accept", ret=s.int("tcp_accepted_fd")))
        self.assertEqual(a["io"], {"read_bytes": 5, "reads": 1, "write_bytes": 9, "writes": 1})

    def test_udp_peer_addresses(self):
        s = self.s
        sp, cp = s.int("udp_server_port"), s.int("udp_client_port")
        st = self.one(s, "sendto", pid=s.root_pid)
        self.assertFields(st, ret=11, args__len=11, addr__address="127.0.0.1:%d" % sp, sock__protocol="udp",
                          sock__local_port=cp, area="net")
        rf = self.one(s, "recvfrom", pid=s.root_pid)
        self.assertFields(rf, ret=11, addr__address="127.0.0.1:%d" % cp, sock__protocol="udp",
                          sock__local_port=sp)
        self.assertIn("udp 127.0.0.1:%d" % sp, s.summary["hosts"])

    def test_unix_path(self):
        s = self.s
        addr = "unix:" + os.path.join(self.dir, "capsule-net.sock")
        b = self.one(s, "bind", addr__address=addr)
        self.assertFields(b, ret=0, addr__family="AF_UNIX", sock__protocol="unix")
        self.assertFields(self.one(s, "connect", addr__address=addr), ret=0, sock__protocol="unix")

    def test_unix_abstract(self):
        s = self.s
        b = self.one(s, "bind", addr__address="unix:@capsule-abstract")
        self.assertFields(b, ret=0, addr__family="AF_UNIX", args__addrlen=19)
        self.assertFields(self.one(s, "connect", addr__address="unix:@capsule-abstract"), ret=0)


# ---------------------------------------------------------------------------------------------
class Test03File(AreaTest):
    area = "file"

    def p(self, name):
        return os.path.join(self.dir, name)

    def test_openat_with_dirfd(self):
        s = self.s
        dfd = s.int("dirfd")
        d = self.one(s, "open", path=self.dir)
        self.assertFields(d, ret=dfd, file__type="dir", decoded__flags="O_RDONLY|O_DIRECTORY|O_CLOEXEC")
        o = self.one(s, "openat", args__dirfd=dfd, decoded__flags="O_WRONLY|O_CREAT|O_TRUNC")
        self.assertFields(o, area="file", args__path="file-rel.txt", path=self.p("file-rel.txt"),
                          decoded__mode="0640", ret=s.int("rel_fd"), fd=s.int("rel_fd"), file__type="reg",
                          file__owner_uid=agent_ids()[0])
        self.assertIn(self.p("file-rel.txt"), s.summary["files_written"])

    def test_write_totals(self):
        s = self.s
        o = self.one(s, "openat", args__dirfd=s.int("dirfd"), decoded__flags="O_WRONLY|O_CREAT|O_TRUNC")
        self.assertEqual(self.close_of(s, o)["io"], {"read_bytes": 0, "reads": 0, "write_bytes": 1234, "writes": 2})

    def test_open_creat(self):
        s = self.s
        o = self.one(s, "open", path=self.p("file-open.txt"))
        self.assertFields(o, args__path=self.p("file-open.txt"), decoded__flags="O_WRONLY|O_CREAT",
                          decoded__mode="0600", file__type="reg")
        self.assertGreaterEqual(o["ret"], 0)
        self.assertEqual(self.close_of(s, o)["io"]["write_bytes"], 77)

    def test_read_totals(self):
        s = self.s
        o = self.one(s, "openat", args__dirfd=s.int("dirfd"), decoded__flags="O_RDONLY")
        self.assertEqual(o["path"], self.p("file-rel.txt"))
        io = self.close_of(s, o)["io"]
        self.assertEqual(io, {"read_bytes": s.int("read_total"), "reads": s.int("read_calls"),
                              "write_bytes": 0, "writes": 0})
        self.assertEqual(io["read_bytes"], 1234)

    def test_rename_relative(self):
        s = self.s
        self.assertFields(self.one(s, "chdir", path=self.dir), ret=0)
        r = self.one(s, "rename")
        self.assertFields(r, area="file", args__oldpath="file-open.txt", args__newpath="file-renamed.txt",
                          path=self.p("file-open.txt"), path2=self.p("file-renamed.txt"), ret=0)

    def test_mkdir_rmdir(self):
        s = self.s
        self.assertFields(self.one(s, "mkdir", path=self.p("file-subdir")), decoded__mode="0750", ret=0)
        self.assertFields(self.one(s, "rmdir", path=self.p("file-subdir")), ret=0, args__path="file-subdir")
        self.assertIn(self.p("file-subdir"), s.summary["files_deleted"])

    def test_chmod_chown_truncate(self):
        s = self.s
        f = self.p("file-renamed.txt")
        uid, gid = agent_ids()
        self.assertFields(self.one(s, "chmod", path=f), decoded__mode="0604", args__mode=0o604, ret=0)
        self.assertFields(self.one(s, "chown", path=f), args__owner=uid, args__group=gid, ret=0)
        self.assertFields(self.one(s, "truncate", path=f), args__length=10, ret=0)

    def test_link_symlink_unlink(self):
        s = self.s
        ln = self.one(s, "link")
        self.assertFields(ln, args__newpath="file-subdir/../file-hardlink.txt", path=self.p("file-renamed.txt"),
                          path2=self.p("file-hardlink.txt"), ret=0)
        sl = self.one(s, "symlink")
        self.assertFields(sl, args__target="file-renamed.txt", path=self.p("file-symlink.txt"), ret=0)
        self.assertFields(self.one(s, "unlink", path=self.p("file-hardlink.txt")), ret=0)
        self.assertFields(self.one(s, "unlink", path=self.p("file-symlink.txt")), ret=0)
        self.assertIn(self.p("file-hardlink.txt"), s.summary["files_deleted"])

    def test_failure_has_errno(self):
        s = self.s
        self.assertFields(self.one(s, "unlink", path=self.p("file-does-not-exist")), ret=-2, error="ENOENT")


# ---------------------------------------------------------------------------------------------
class Test04Cred(AreaTest):
    area = "cred"

    def test_setuid_self(self):
        s = self.s
        uid = agent_ids()[0]
        ev = self.one(s, "setuid", pid=s.root_pid)
        self.assertFields(ev, args__uid=uid, ret=0, area="cred")
        self.assertNotIn("warning", ev)
        self.assertFields(self.one(s, "setresuid", pid=s.root_pid), args__ruid=uid, args__euid=uid,
                          args__suid=uid, ret=0)

    def test_setgroups_eperm(self):
        s = self.s
        self.assertFields(self.one(s, "setgroups", pid=s.root_pid), args__size=1, ret=-1, error="EPERM")

    def test_capset_attempt(self):
        s = self.s
        ev = self.one(s, "capset", pid=s.root_pid)
        self.assertFields(ev, ret=-1, error="EPERM", capdata__effective=1 << 21, capdata__permitted=1 << 21,
                          capdata__effective_names="CAP_SYS_ADMIN", area="cred")
        self.assertNotIn("warning", ev)

    def test_exec_setuid_binary(self):
        s = self.s
        binary = s.out.get("setuid_binary")
        if not binary:
            self.skipTest("no setuid-root binary on this system")
        child = s.int("setuid_child")
        ex = self.one(s, "execve", pid=child)
        uid = agent_ids()[0]
        self.assertFields(ex, filename=binary, setuid=True, cred__uid=uid, cred__euid=0, uid=uid, euid=0,
                          warning="privilege gain at exec")
        self.assertEqual(ex["argv"], [binary, "--help"])


# ---------------------------------------------------------------------------------------------
class Test05Memory(AreaTest):
    area = "memory"

    def test_mmap_wx(self):
        s = self.s
        ev = self.one(s, "mmap", ret=s.int("wx_addr"))
        self.assertFields(ev, area="mem", args__prot=7, args__length=8192,
                          decoded__prot="PROT_READ|PROT_WRITE|PROT_EXEC",
                          decoded__flags="MAP_PRIVATE|MAP_ANONYMOUS", warning="W+X mapping")
        # a read-write mapping is not recorded without --verbose
        self.none(s, "mmap", ret=s.int("rw_addr"))

    def test_mprotect(self):
        s = self.s
        rw = s.int("rw_addr")
        rx = self.one(s, "mprotect", args__addr=rw)
        self.assertFields(rx, args__length=4096, decoded__prot="PROT_READ|PROT_EXEC", ret=0)
        self.assertNotIn("warning", rx)
        wx = self.one(s, "mprotect", args__addr=rw + 4096)
        self.assertFields(wx, decoded__prot="PROT_READ|PROT_WRITE|PROT_EXEC", ret=0, warning="W+X mapping")

    def test_memfd_create(self):
        s = self.s
        fd = s.int("memfd")
        self.assertFields(self.one(s, "memfd_create", pid=s.root_pid), args__name="capsule-memfd",
                          decoded__flags="MFD_CLOEXEC", ret=fd, fd=fd, area="mem")

    def test_ptrace_traceme(self):
        s = self.s
        ev = self.one(s, "ptrace", pid=s.int("traceme_child"))
        self.assertFields(ev, decoded__request="PTRACE_TRACEME", ret=0)
        self.assertNotIn("warning", ev)

    def test_ptrace_attach(self):
        s = self.s
        v = s.int("victim")
        ev = self.one(s, "ptrace", pid=s.root_pid, decoded__request="PTRACE_ATTACH")
        self.assertFields(ev, args__pid=v, ret=s.int("attach_ret"), warning="ptrace of another process")

    def test_process_vm_writev(self):
        s = self.s
        ev = self.one(s, "process_vm_writev", pid=s.root_pid)
        self.assertFields(ev, args__pid=s.int("victim"), ret=s.int("vm_writev_ret"),
                          warning="writes another process's memory")
        if ev["ret"] == 8:  # the write really happened: the child saw it
            self.assertEqual(s.int("victim_status"), 42)
            self.assertFields(self.one(s, "exit", pid=s.int("victim")), exit_code=42)

    def test_finit_module_fails(self):
        s = self.s
        ev = self.one(s, "finit_module", pid=s.root_pid)
        self.assertFields(ev, args__fd=s.int("module_fd"), args__params="capsule_param=1", fd_path="/dev/null",
                          warning="kernel module load/unload")
        self.assertLess(ev["ret"], 0)
        self.assertIn(ev["error"], ("EPERM", "ENOSYS"))  # ENOSYS: kernel without module support


# ---------------------------------------------------------------------------------------------
class Test06Ipc(AreaTest):
    area = "ipc"

    def test_pipe2(self):
        s = self.s
        fds = [int(x) for x in s.out["pipe"].split(",")]
        ev = self.one(s, "pipe2", pid=s.root_pid, fds=fds)
        self.assertFields(ev, ret=0, area="ipc", args__flags=os.O_CLOEXEC)
        self.assertIn("O_CLOEXEC", ev["decoded"]["flags"])

    def test_socketpair(self):
        s = self.s
        fds = [int(x) for x in s.out["socketpair"].split(",")]
        self.assertFields(self.one(s, "socketpair", fds=fds), ret=0, decoded__domain="AF_UNIX",
                          decoded__type="SOCK_STREAM", area="ipc")

    def test_mkfifo(self):
        s = self.s
        self.assertFields(self.one(s, "mknod", path=os.path.join(self.dir, "capsule.fifo")),
                          decoded__mode="S_IFIFO|0600", ret=0, area="ipc")

    def test_sysv_shm_msg(self):
        s = self.s
        shm = s.int("shmid")
        self.assertFields(self.one(s, "shmget", pid=s.root_pid), ret=shm, args__size=4096, args__key=0,
                          decoded__flags="IPC_CREAT|0600")
        self.assertFields(self.one(s, "shmat", pid=s.root_pid), args__shmid=shm, ret=s.int("shmaddr"))
        self.assertFields(self.one(s, "msgget", pid=s.root_pid), ret=s.int("msqid"),
                          decoded__flags="IPC_CREAT|0600")

    def test_mq_open(self):
        s = self.s
        fd = s.int("mq_fd")
        self.assertFields(self.one(s, "mq_open", pid=s.root_pid), args__name="capsule-mq", ret=fd, fd=fd,
                          decoded__flags="O_RDWR|O_CREAT|O_CLOEXEC", decoded__mode="0600")
        self.assertFields(self.one(s, "mq_unlink", pid=s.root_pid), args__name="capsule-mq", ret=0)


# ---------------------------------------------------------------------------------------------
class Test07Devices(AreaTest):
    area = "devices"
    node = None

    @classmethod
    def extra_args(cls):
        # a world-accessible node with /dev/kvm's numbers, so the open and ioctl succeed as nobody
        if os.path.exists("/dev/kvm"):
            cls.node = os.path.join(workdir("devices"), "kvm-node")
            st = os.stat("/dev/kvm")
            if not os.path.exists(cls.node):
                os.mknod(cls.node, 0o666 | 0o020000, st.st_rdev)
            os.chmod(cls.node, 0o666)
            return [cls.node]
        return []

    @classmethod
    def tearDownClass(cls):
        if cls.node and os.path.exists(cls.node):
            os.unlink(cls.node)

    def test_null_and_zero(self):
        s = self.s
        n = self.one(s, "openat", path="/dev/null", pid=s.root_pid)
        self.assertFields(n, device="null", area="dev", file__type="chr", file__rdev="1:3", ret=s.int("null_fd"))
        self.assertEqual(self.close_of(s, n)["io"]["write_bytes"], 10)
        z = self.one(s, "openat", path="/dev/zero", pid=s.root_pid)
        self.assertFields(z, device="zero", area="dev", file__rdev="1:5")
        self.assertEqual(self.close_of(s, z)["io"]["read_bytes"], 4096)
        self.assertNotIn("warning", n)

    def test_dev_tty(self):
        s = self.s
        ev = self.one(s, "openat", path="/dev/tty")
        if s.int("tty_fd") >= 0:
            self.assertFields(ev, ret=s.int("tty_fd"), device="tty", area="dev")
        else:  # no controlling terminal
            self.assertLess(ev["ret"], 0)
            self.assertIn(ev["error"], ("ENXIO", "EACCES", "EIO"))

    def test_dev_kvm(self):
        s = self.s
        if not os.path.exists("/dev/kvm"):
            self.skipTest("no /dev/kvm")
        ev = self.one(s, "openat", path="/dev/kvm")
        if s.int("kvm_fd") >= 0:
            self.assertFields(ev, device="kvm", warning="access to a sensitive device")
        else:
            self.assertFields(ev, error="EACCES", ret=-13)

    def test_sensitive_device_warnings(self):
        s = self.s
        if not self.node:
            self.skipTest("no /dev/kvm")
        ev = self.one(s, "openat", path=self.node)
        self.assertFields(ev, ret=s.int("extra_fd"), device="kvm", area="dev", warning="access to a sensitive device",
                          file__rdev="%d:%d" % (os.major(os.stat("/dev/kvm").st_rdev),
                                                os.minor(os.stat("/dev/kvm").st_rdev)))
        io = self.one(s, "ioctl", args__fd=s.int("extra_fd"), device="kvm")
        self.assertFields(io, decoded__request="KVM_GET_API_VERSION", fd_path=self.node,
                          warning="ioctl on a sensitive device")
        self.assertGreater(io["ret"], 0)

    def test_pty(self):
        s = self.s
        m = self.one(s, "openat", path="/dev/ptmx")
        self.assertFields(m, ret=s.int("ptmx_fd"), device="ptmx")
        pts = s.out["pts"]
        p = self.one(s, "openat", path=pts)
        self.assertFields(p, ret=s.int("pts_fd"), device="pts", area="dev", file__type="chr")
        self.assertIn(int(p["file"]["rdev"].split(":")[0]), range(136, 144))
        io = self.one(s, "ioctl", args__fd=s.int("pts_fd"), decoded__request="TCGETS")
        self.assertFields(io, device="pts", area="dev", fd_path=pts, ret=0, args__request=0x5401)
        self.assertNotIn("warning", io)


# ---------------------------------------------------------------------------------------------
class Test08Sys(AreaTest):
    area = "sys"

    def test_mount_eperm(self):
        s = self.s
        tgt = os.path.join(self.dir, "sys-mnt")
        ev = self.one(s, "mount", pid=s.root_pid)
        self.assertFields(ev, args__source="capsule-src", args__target=tgt, path=tgt, args__fstype="tmpfs",
                          decoded__flags="MS_NOSUID", ret=-1, error="EPERM", warning="mount table change",
                          area="sys")

    def test_chroot_eperm(self):
        s = self.s
        self.assertFields(self.one(s, "chroot", pid=s.root_pid), path=os.path.join(self.dir, "sys-mnt"), ret=-1,
                          error="EPERM", warning="system configuration change")

    def test_sethostname_eperm(self):
        s = self.s
        self.assertFields(self.one(s, "sethostname", pid=s.root_pid), args__name="capsule-host", args__len=12,
                          ret=-1, error="EPERM", warning="system configuration change")

    def test_persistence_write(self):
        s = self.s
        rc = os.path.join(self.dir, "home", ".bashrc")
        ev = self.one(s, "openat", path=rc)
        self.assertFields(ev, decoded__flags="O_WRONLY|O_CREAT|O_APPEND", ret=s.int("bashrc_fd"),
                          warning="write to a persistence path")
        self.assertEqual(self.close_of(s, ev)["io"]["write_bytes"], 13)
        self.assertEqual(s.summary["warning_kinds"].get("write to a persistence path"), 1)


# ---------------------------------------------------------------------------------------------
class Test09Ns(AreaTest):
    area = "ns"
    cg = None

    @classmethod
    def extra_args(cls):
        # a cgroup of our own whose cgroup.procs nobody may open for writing (it is never written)
        cls.cg = os.path.join(cgroup2_mount(), "capsule-itest-%d" % os.getpid())
        os.makedirs(cls.cg, exist_ok=True)
        uid, gid = agent_ids()
        os.chown(os.path.join(cls.cg, "cgroup.procs"), uid, gid)
        return [os.path.join(cls.cg, "cgroup.procs")]

    @classmethod
    def tearDownClass(cls):
        if cls.cg and os.path.isdir(cls.cg):
            os.rmdir(cls.cg)

    def test_unshare_user(self):
        s = self.s
        ev = self.one(s, "unshare", pid=s.int("unshare_child"))
        self.assertFields(ev, decoded__flags="CLONE_NEWUSER", warning="user namespace created", area="ns")
        if s.int("unshare_ok"):
            self.assertEqual(ev["ret"], 0)
        else:
            self.assertIn(ev["error"], ("EPERM", "EINVAL", "ENOSPC", "EUSERS"))

    def test_setns_attempt(self):
        s = self.s
        ev = self.one(s, "setns", pid=s.root_pid)
        self.assertFields(ev, args__fd=s.int("ns_fd"), decoded__nstype="CLONE_NEWNET", ret=-1, error="EPERM",
                          warning="joined a namespace", file__fs="nsfs")

    def test_setns_fd_path_names_the_namespace(self):
        """fd_path of a namespace fd must identify it (net:[inode]), not be "/" """
        s = self.s
        ev = self.one(s, "setns", pid=s.root_pid)
        ino = ev["file"]["ino"]
        self.assertIn(ev.get("fd_path"), ("net:[%d]" % ino, "/proc/self/ns/net", "/proc/%d/ns/net" % s.root_pid),
                      json.dumps(ev))

    def test_own_cgroup_procs(self):
        s = self.s
        path = s.out["cgroup_procs"]
        mnt = cgroup2_mount()
        self.assertTrue(path.startswith(mnt + "/capsule/"), path)
        ev = self.one(s, "openat", path=path)
        self.assertFields(ev, decoded__flags="O_WRONLY|O_CLOEXEC", pid=s.root_pid)
        if s.int("cgroup_fd") < 0:  # root's file: nobody may not write it
            self.assertFields(ev, ret=-13, error="EACCES")
        else:
            self.assertFields(ev, ret=s.int("cgroup_fd"), warning="write to a cgroup file")
        # the session's cgroup is gone afterwards
        self.assertFalse(os.path.exists(os.path.dirname(path)), os.path.dirname(path))

    def test_cgroup_write_warning(self):
        s = self.s
        path = os.path.join(self.cg, "cgroup.procs")
        ev = self.one(s, "openat", path=path)
        self.assertFields(ev, ret=s.int("extra_fd"), file__fs="cgroup2", warning="write to a cgroup file")


# ---------------------------------------------------------------------------------------------
class Test10Signals(AreaTest):
    area = "signals"

    def test_kill_target(self):
        s = self.s
        c = s.int("term_child")
        ev = self.one(s, "kill", pid=s.root_pid, args__pid=c)
        self.assertFields(ev, decoded__sig="SIGTERM", args__sig=15, ret=0, area="signal", target__pid=c,
                          target__comm="capsule-victim")

    def test_tgkill_target(self):
        s = self.s
        c = s.int("tgkill_child")
        ev = self.one(s, "tgkill", pid=s.root_pid)
        self.assertFields(ev, args__tgid=c, args__tid=c, decoded__sig="SIGUSR1", ret=0, target__pid=c,
                          target__tid=c, target__comm="capsule-tgk")

    def test_exit_by_signal(self):
        s = self.s
        for key, sig, comm in (("term_child", "SIGTERM", "capsule-victim"), ("tgkill_child", "SIGUSR1", "capsule-tgk"),
                               ("segv_child", "SIGSEGV", "capsule-segv"), ("abrt_child", "SIGABRT", "capsule-abrt")):
            ev = self.one(s, "exit", pid=s.int(key))
            self.assertFields(ev, signal=sig, comm=comm)
            self.assertNotIn("exit_code", ev)

    def test_signal_event_sigterm(self):
        """the delivered signal is SIGTERM, sent by the scenario"""
        s = self.s
        ev = self.one(s, "signal", pid=s.int("term_child"))
        self.assertFields(ev, signal="SIGTERM", signo=15, code=0, sender_pid=s.root_pid, comm="capsule-victim",
                          area="signal")  # code 0: SI_USER (kill)

    def test_signal_event_sigusr1(self):
        s = self.s
        ev = self.one(s, "signal", pid=s.int("tgkill_child"))
        self.assertFields(ev, signal="SIGUSR1", signo=10, code=-6, sender_pid=s.root_pid)  # SI_TKILL

    def test_signal_event_sigsegv(self):
        """a fault: SIGSEGV with SEGV_MAPERR, sent by the kernel (sender_pid 0)"""
        s = self.s
        ev = self.one(s, "signal", pid=s.int("segv_child"))
        self.assertFields(ev, signal="SIGSEGV", signo=11, code=1, sender_pid=0)

    def test_signal_event_sigabrt(self):
        s = self.s
        c = s.int("abrt_child")
        self.assertFields(self.one(s, "tgkill", pid=c), decoded__sig="SIGABRT", target__pid=c)
        self.assertFields(self.one(s, "signal", pid=c), signal="SIGABRT", signo=6, code=-6, sender_pid=c)


# ---------------------------------------------------------------------------------------------
class Test11DoubleFork(CapsuleTest):
    def check_grandchild_traced(self, s, d):
        self.assertEqual(s.rc, 0, s.describe())
        g, mid = s.int("grandchild"), s.int("middle")
        self.assertFields(self.one(s, "setsid", pid=mid), ret=mid)
        self.one(s, "fork", pid=mid, child_pid=g)
        mid_exit = self.one(s, "exit", pid=mid)
        op = self.one(s, "openat", path=os.path.join(d, "grandchild-marker"))
        self.assertFields(op, pid=g, comm="capsule-gchild")
        self.assertGreater(op["seq"], mid_exit["seq"], "the grandchild acts after its parent exited")
        self.assertEqual(self.close_of(s, op)["io"]["write_bytes"], 5)
        self.assertFields(self.one(s, "exit", pid=g), exit_code=0)
        self.assertEqual(s.summary["leftover_killed"], 0)
        self.assertEqual(s.summary["events_lost"], 0)

    def test_follow_all(self):
        s, d = scenario("doublefork", name="doublefork-follow", opts=["--follow-all"])
        self.check_grandchild_traced(s, d)
        # capsule waited for the grandchild, not just for CMD
        root_exit = self.one(s, "exit", pid=s.root_pid)
        self.assertLess(root_exit["seq"], self.one(s, "exit", pid=s.int("grandchild"))["seq"])

    def test_default_mode_cmd_waits(self):
        s, d = scenario("doublefork", "wait", name="doublefork-wait")
        self.check_grandchild_traced(s, d)

    def test_default_mode_leftover_killed(self):
        s, d = scenario("doublefork", name="doublefork-nowait")
        self.assertEqual(s.rc, 0, s.describe())
        g = s.int("grandchild")
        self.assertEqual(s.summary["leftover_killed"], 1)
        self.assertFields(self.one(s, "exit", pid=g), signal="SIGKILL")
        time.sleep(0.6)  # it would have written its marker by now had it survived untraced
        self.assertFalse(os.path.exists(os.path.join(d, "grandchild-marker")))


# ---------------------------------------------------------------------------------------------
class Test12Session(CapsuleTest):
    def test_session_starts_with_the_exec(self):
        """with --verbose (reads recorded) the first event is still the agent's exec: the
        child's wait for capsule's go is capsule's own, not recorded"""
        s = run_capsule("verbose-start", ["/bin/true"], opts=["--verbose"])
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.events[0]["kind"], "execve", json.dumps(s.events[0]))
        self.assertFalse([e for e in s.events if e.get("comm") == "capsule"], s.describe())

    def test_agent_dies_with_capsule(self):
        """capsule killed with SIGKILL (it cannot clean up): the agent must not go on untraced;
        the parent-death signal kills it"""
        d = workdir("capsule-killed")
        secs = "37.%d" % (os.getpid() % 1000)  # tells our sleep from any other
        argv = [CAPSULE, "run", "--user", AGENT, "--log-dir", os.path.join(d, "log"), "--output", os.devnull,
                "--", "sleep", secs]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             env=base_env(), cwd=d)
        want = b"sleep\0" + secs.encode() + b"\0"

        def agent():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        if f.read() == want:
                            return int(pid)
                except OSError:
                    pass
            return None

        deadline = time.time() + 30
        pid = None
        while pid is None and time.time() < deadline and p.poll() is None:
            time.sleep(0.05)
            pid = agent()
        self.assertIsNotNone(pid, "the agent never started: %s" % (p.stderr.read(2000) if p.poll() is not None else ""))
        p.kill()
        p.wait()
        p.stderr.close()
        deadline = time.time() + 5
        alive = True
        while alive and time.time() < deadline:
            try:
                with open("/proc/%d/stat" % pid) as f:
                    alive = f.read().split(") ", 1)[1][0] != "Z"
            except OSError:
                alive = False
            time.sleep(0.05)
        if alive:
            os.kill(pid, 9)
        self.assertFalse(alive, "the agent outlived capsule (SIGKILL)")

    def test_exit_status_sigkill_137(self):
        s, _ = scenario("killself")
        self.assertEqual(s.rc, 137, s.describe())
        self.assertEqual(s.summary["exit_status"], 137)
        self.assertFields(self.one(s, "kill", pid=s.root_pid), args__pid=s.root_pid, decoded__sig="SIGKILL",
                          target__pid=s.root_pid)
        self.assertFields(self.one(s, "exit", pid=s.root_pid), signal="SIGKILL", signo=9, status=9)
        self.assertFields(self.one(s, "signal", pid=s.root_pid), signal="SIGKILL", signo=9, sender_pid=s.root_pid)

    def test_runs_as_sudo_user(self):
        """without --user, SUDO_UID/SUDO_GID choose the agent's identity"""
        uid, gid = agent_ids()
        s, d = scenario("touch", "sudo-marker", "0", name="sudo-env", user=None,
                        env=base_env(SUDO_UID=str(uid), SUDO_GID=str(gid)))
        self.assertEqual(s.rc, 0, s.describe())
        ex = s.events[0]
        self.assertFields(ex, kind="execve", uid=uid, euid=uid, gid=gid, cred__uid=uid, cred__euid=uid,
                          cred__suid=uid, cred__fsuid=uid, cred__gid=gid, cred__egid=gid, cred__cap_effective=0)
        self.assertEqual(s.summary["user"], AGENT)
        self.assertEqual(os.stat(os.path.join(d, "sudo-marker")).st_uid, uid)

    def test_runs_as_user_option(self):
        uid, gid = agent_ids()
        s, d = scenario("touch", "user-marker", "0", name="user-opt",
                        env=base_env(SUDO_UID="0", SUDO_GID="0"))  # --user wins over SUDO_UID
        self.assertEqual(s.rc, 0, s.describe())
        self.assertFields(s.events[0], kind="execve", cred__uid=uid, cred__euid=uid, cred__gid=gid)
        self.assertEqual(os.stat(os.path.join(d, "user-marker")).st_uid, uid)

    def check_refused(self, s, d, marker):
        self.assertNotEqual(s.rc, 0, s.describe())
        lines = [l for l in s.stderr.decode(errors="replace").splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "expected a one-line error, got: %r" % lines)
        self.assertTrue(lines[0].startswith("capsule: "), lines[0])
        self.assertFalse(os.path.exists(os.path.join(d, marker)), "the command ran")
        self.assertFalse(os.path.exists(os.path.join(d, "log")), "a session was started")
        return lines[0]

    def test_refuses_root(self):
        s, d = scenario("touch", "root-marker", "0", name="refuse-root", user=None)
        msg = self.check_refused(s, d, "root-marker")
        self.assertIn("root", msg)
        self.assertIn("--allow-root", msg)

    def test_refuses_root_user_option(self):
        s, d = scenario("touch", "root2-marker", "0", name="refuse-root2", user="root")
        self.assertIn("root", self.check_refused(s, d, "root2-marker"))

    def test_unknown_user(self):
        s, d = scenario("touch", "unk-marker", "0", name="unknown-user", user="capsule-no-such-user")
        msg = self.check_refused(s, d, "unk-marker")
        self.assertIn("unknown user", msg)
        self.assertIn("capsule-no-such-user", msg)

    def test_command_not_found(self):
        s = run_capsule("not-found", ["capsule-no-such-command-%s" % uuid.uuid4().hex[:8]])
        self.assertEqual(s.rc, 127, s.describe())
        self.assertIn("command not found", s.stderr.decode(errors="replace"))
        self.assertEqual(s.summary["exit_status"], 127)
        fails = s.find("execve")
        self.assertTrue(fails and all(e.get("error") == "ENOENT" for e in fails), fails[:2])

    def test_command_not_found_unsearchable_path(self):
        """root's PATH often has folders the agent's user cannot search (/root/.local/bin):
        a missing command is still "command not found", 127 (as a shell would say)"""
        private = os.path.join(WORK, "root-only-bin")
        os.makedirs(private, exist_ok=True)
        os.chmod(private, 0o700)
        s = run_capsule("not-found-path", ["capsule-no-such-command-%s" % uuid.uuid4().hex[:8]],
                        env=base_env(PATH=private + ":" + CLEAN_PATH))
        self.assertEqual(s.rc, 127, s.describe())
        self.assertIn("command not found", s.stderr.decode(errors="replace"))

    def test_cgroup_removed(self):
        """CMD runs in <cgroup2>/capsule/<session>, which is gone once capsule exits"""
        mnt = cgroup2_mount()
        d = workdir("cgroup-removed")
        log = os.path.join(d, "log")
        argv = [CAPSULE, "run", "--user", AGENT, "--log-dir", log, "--output", os.path.join(d, "live"), "--",
                SCENARIO, "touch", d, "cg-marker", "1000"]
        t0 = time.time()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             env=base_env(), cwd=d)
        out = b""
        cg_ino = None
        try:
            while True:  # the scenario prints pid= then cgroup=
                line = p.stdout.readline()
                out += line
                if not line or line.startswith(b"cgroup="):
                    break
            self.assertTrue(line.startswith(b"cgroup="), out)
            cg = os.path.join(mnt, line[len(b"cgroup="):].strip().decode().lstrip("/"))
            self.assertTrue(cg.startswith(os.path.join(mnt, "capsule") + "/"), cg)
            cg_ino = os.stat(cg).st_ino  # it exists while the session runs
            rest, err = p.communicate(timeout=TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        s = Session(argv, subprocess.CompletedProcess(argv, p.returncode, out + rest, err), log, t0, time.time())
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(os.path.basename(cg), s.summary["session"])
        self.assertFalse(os.path.exists(cg), "cgroup %s left behind" % cg)
        # every event came from that cgroup
        self.assertEqual({e["cgroup"] for e in s.events}, {cg_ino})

    def test_live_reader_gone(self):
        """the reader of the live timeline goes away (capsule ... 2>&1 | head -1): the session
        still ends normally: CMD's status, summary.json written, cgroup removed"""
        mnt = cgroup2_mount()
        d = workdir("reader-gone")
        log = os.path.join(d, "log")
        argv = [CAPSULE, "run", "--user", AGENT, "--log-dir", log, "--", SCENARIO, "storm", d, "5000"]
        t0 = time.time()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             env=base_env(), cwd=d)
        first = p.stderr.readline()
        p.stderr.close()  # like `| head -1`
        try:
            rc = p.wait(timeout=TIMEOUT)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.assertTrue(first.startswith(b"capsule: session "), first)
        sid = first.split()[2].rstrip(b":").decode()
        cg = os.path.join(mnt, "capsule", sid)
        left = os.path.exists(cg)
        for _ in range(100):  # do not leave it behind for the rest of the machine
            try:
                os.rmdir(cg)
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.05)
        self.assertEqual(rc, 0, "capsule exit status %d (%s)" % (rc, "killed by SIGPIPE" if rc == -13 else "?"))
        self.assertFalse(left, "cgroup of session %s left" % sid)
        s = Session(argv, subprocess.CompletedProcess(argv, rc, b"", b""), log, t0, time.time())
        self.assertIsNotNone(s.summary, "no summary.json")
        self.assertEqual(s.summary["events_recorded"], len(s.events))
        self.assertEqual(s.summary["exit_status"], 0)

    def test_outside_activity_ignored(self):
        d = workdir("outside")
        tag = uuid.uuid4().hex[:8]
        bg = subprocess.Popen([SCENARIO, "touch", d, "outside-" + tag, "4000"], stdout=subprocess.DEVNULL)
        try:
            time.sleep(0.2)
            s = run_capsule("outside", [SCENARIO, "touch", d, "inside-" + tag, "1500"])
        finally:
            bg.wait(timeout=TIMEOUT)
        self.assertEqual(s.rc, 0, s.describe())
        self.assertGreaterEqual(len(s.find("openat", path=os.path.join(d, "inside-" + tag))), 20)
        self.none(s, "openat", path=os.path.join(d, "outside-" + tag))
        self.assertTrue(os.path.exists(os.path.join(d, "outside-" + tag)), "the outside process did not run")
        self.assertFalse([e for e in s.events if e["pid"] == bg.pid])
        self.assertNotIn(b"outside-" + tag.encode(), b"\n".join(s.raw_lines))

    def test_concurrent_sessions(self):
        d = {}
        procs = {}
        for who in ("a", "b"):
            d[who] = workdir("concurrent-" + who)
            log = os.path.join(d[who], "log")
            argv = [CAPSULE, "run", "--user", AGENT, "--log-dir", log, "--output", os.path.join(d[who], "live"),
                    "--", SCENARIO, "touch", WORK, "concurrent-marker-" + who, "1500"]
            procs[who] = (argv, subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                 stdin=subprocess.DEVNULL, env=base_env(), cwd=d[who]), time.time())
        sessions = {}
        for who, (argv, p, t0) in procs.items():
            out, err = p.communicate(timeout=TIMEOUT)
            sessions[who] = Session(argv, subprocess.CompletedProcess(argv, p.returncode, out, err),
                                    os.path.join(d[who], "log"), t0, time.time())
        for who, other in (("a", "b"), ("b", "a")):
            s = sessions[who]
            self.assertEqual(s.rc, 0, s.describe())
            self.assertGreaterEqual(len(s.find("openat", path=os.path.join(WORK, "concurrent-marker-" + who))), 20)
            self.none(s, "openat", path=os.path.join(WORK, "concurrent-marker-" + other))
            self.assertNotIn(sessions[other].root_pid, {e["pid"] for e in s.events})
        self.assertFalse({e["cgroup"] for e in sessions["a"].events} & {e["cgroup"] for e in sessions["b"].events})
        # they really ran at the same time
        a, b = sessions["a"].events, sessions["b"].events
        self.assertLess(a[0]["time"], b[-1]["time"])
        self.assertLess(b[0]["time"], a[-1]["time"])
        self.assertNotEqual(sessions["a"].summary["session"], sessions["b"].summary["session"])

    def test_jsonl_format(self):
        s, _ = scenario("signals", name="format")
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.summary["events_lost"], 0)
        self.assertEqual(s.summary["events_recorded"], len(s.raw_lines))
        seqs = [e["seq"] for e in s.events]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "seq must be 1, 2, 3, ...")
        for e in s.events:
            self.assertIsInstance(e, dict)
            self.assertRegex(e["time"], TIME_RE)
            t = datetime.datetime.strptime(e["time"][:26] + "Z", "%Y-%m-%dT%H:%M:%S.%fZ")
            t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
            self.assertTrue(s.t_start - 2 <= t <= s.t_end + 2, "time %s outside the session" % e["time"])
            for k in ("kind", "area", "pid", "tid", "ppid", "uid", "euid", "gid", "comm", "cgroup"):
                self.assertIn(k, e)
        self.assertTrue(all(l.startswith(b"{") and l.endswith(b"}") for l in s.raw_lines))

    def test_control_bytes_escaped(self):
        s, d = scenario("ctrl")
        self.assertEqual(s.rc, 0, s.describe())
        raw = os.path.join(d, "evil\x1b[2J\nname")
        self.assertTrue(os.path.exists(raw))
        escaped = os.path.join(d, "evil\\x1b[2J\\nname")
        ev = self.one(s, "openat", path=escaped)  # docs/events.md: strings hold the escaped form
        self.assertEqual(ev["args"]["path"], escaped)
        self.assertNotIn(b"\x1b", s.timeline)
        self.assertNotIn(b"\x1b", b"\n".join(s.raw_lines))
        self.assertNotIn(b"\x1b", s.live or b"")
        self.assertNotIn(b"\x1b", s.stderr)
        lines = s.timeline.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        self.assertEqual(len(lines), len(s.events), "one timeline line per event")
        # the open, and the lines naming its fd (close fd=3 (...evil...)): each one whole line
        hit = [l for l in lines if b"evil" in l]
        self.assertGreaterEqual(len(hit), 1, hit)
        for l in hit:
            self.assertIn(b"evil\\x1b[2J\\nname", l)
            self.assertTrue(l.startswith(b"["))

    def test_json_live_output(self):
        s, _ = scenario("file", name="json-live", opts=["--json"])
        self.assertEqual(s.rc, 0, s.describe())
        lines = s.live.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        live = [json.loads(l) for l in lines]
        self.assertTrue(all(isinstance(e, dict) for e in live))
        self.assertEqual([e["seq"] for e in live], [e["seq"] for e in s.events])
        self.assertEqual(live, s.events)


# ---------------------------------------------------------------------------------------------
class Test13Storm(CapsuleTest):
    N = 200000

    def storm(self, name, opts=()):
        s, d = scenario("storm", str(self.N), name=name, opts=list(opts), timeout=TIMEOUT, parse=False)
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.int("storm"), self.N)
        path = os.path.join(d, "storm.dat")
        # streamed: 400000 events are too many to keep as dicts
        lines = opens = closes = 0
        prev_seq = 0
        storm_fds = set()
        with open(s.events_path, "rb") as f:
            for raw in f:
                lines += 1
                e = json.loads(raw)
                self.assertGreater(e["seq"], prev_seq)
                prev_seq = e["seq"]
                if e["kind"] == "openat" and e.get("path") == path and e["decoded"]["flags"] == "O_RDONLY":
                    self.assertEqual(e["ret"], e["fd"])
                    storm_fds.add(e["ret"])
                    opens += 1
                elif e["kind"] == "close" and e["args"]["fd"] in storm_fds and \
                        e.get("io", {}).get("read_bytes") == 16 and e["io"]["reads"] == 1:
                    closes += 1
        lost = s.summary["events_lost"]
        self.assertEqual(s.summary["events_recorded"], lines)
        self.assertLessEqual(opens, self.N)
        self.assertLessEqual(closes, self.N)
        # every open and close of the storm is recorded or counted as lost
        self.assertGreaterEqual(opens + closes + lost, 2 * self.N,
                                "opens=%d closes=%d lost=%d" % (opens, closes, lost))
        if lost == 0:
            self.assertEqual((opens, closes), (self.N, self.N))
        else:
            self.assertIn(b"events lost", (s.live or b"") + s.stderr)
        return s, lost

    def test_storm_default_buffer(self):
        s, lost = self.storm("storm")
        if lost == 0:
            self.assertGreaterEqual(s.summary["events_recorded"], 400000)

    def test_storm_small_buffer_counts_losses(self):
        self.storm("storm-1mib", ["--buffer-size", "1"])


del AreaTest  # a base class, not a test of its own


# ---------------------------------------------------------------------------------------------
class Result(unittest.TextTestResult):
    """One PASS/FAIL/ERROR/SKIP line per test."""

    def startTest(self, test):
        unittest.TestResult.startTest(self, test)
        self._t0 = time.time()

    def _line(self, status, test, extra=""):
        name = "%s.%s" % (type(test).__name__, getattr(test, "_testMethodName", str(test)))
        self.stream.write("%-5s %-60s %5.1fs%s\n" % (status, name, time.time() - getattr(self, "_t0", time.time()),
                                                     extra))
        self.stream.flush()

    def addSuccess(self, test):
        unittest.TestResult.addSuccess(self, test)
        self._line("PASS", test)

    def addFailure(self, test, err):
        unittest.TestResult.addFailure(self, test, err)
        self._line("FAIL", test, "  " + str(err[1]).splitlines()[0][:200] if str(err[1]) else "")

    def addError(self, test, err):
        unittest.TestResult.addError(self, test, err)
        self._line("ERROR", test, "  %s: %s" % (err[0].__name__, str(err[1]).splitlines()[0][:200] if str(err[1]) else ""))

    def addSkip(self, test, reason):
        unittest.TestResult.addSkip(self, test, reason)
        self._line("SKIP", test, "  " + reason)

    def addExpectedFailure(self, test, err):
        unittest.TestResult.addExpectedFailure(self, test, err)
        self._line("XFAIL", test)

    def addUnexpectedSuccess(self, test):
        unittest.TestResult.addUnexpectedSuccess(self, test)
        self._line("XPASS", test)


def sanitized_build():
    """whether build/capsule was built with ASan (memory bounds then get the sanitizer's overhead)"""
    with open(CAPSULE, "rb") as f:
        return b"__asan_init" in f.read()


def load_test_modules():
    """Test classes of tests/integration/test_*.py join this module's: they `from run import ...`
    the helpers above, and -k filters them like the rest."""
    sys.modules.setdefault("run", sys.modules[__name__])
    here = os.path.dirname(os.path.abspath(__file__))
    for f in sorted(os.listdir(here)):
        if f.startswith("test_") and f.endswith(".py"):
            mod = importlib.import_module(f[:-3])
            for k, v in vars(mod).items():
                if isinstance(v, type) and issubclass(v, unittest.TestCase) and v.__module__ == mod.__name__:
                    globals()[k] = v


def main():
    global WORK
    load_test_modules()
    if os.geteuid() != 0:
        print("run.py: the integration tests need root (capsule loads BPF programs)", file=sys.stderr)
        return 2
    for f in (CAPSULE, SCENARIO):
        if not os.access(f, os.X_OK):
            print("run.py: %s is missing: run `make` first" % f, file=sys.stderr)
            return 2
    if not cgroup2_mount():
        print("run.py: no cgroup2 mount", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    WORK = tempfile.mkdtemp(prefix="capsule-it-", dir="/tmp")
    os.chmod(WORK, 0o777)
    prog = unittest.main(module=__name__, argv=[sys.argv[0]] + sys.argv[1:], exit=False,
                         testRunner=unittest.TextTestRunner(resultclass=Result, verbosity=0, stream=sys.stdout))
    r = prog.result
    ok = r.wasSuccessful()
    print("\n%d tests: %d passed, %d failed, %d errors, %d skipped" % (
        r.testsRun, r.testsRun - len(r.failures) - len(r.errors) - len(r.skipped), len(r.failures),
        len(r.errors), len(r.skipped)))
    if ok and not os.environ.get("CAPSULE_KEEP"):
        shutil.rmtree(WORK, ignore_errors=True)
    else:
        print("logs kept in %s" % WORK)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
