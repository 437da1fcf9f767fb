"""Executable identity and the process tree under a real `capsule run`: image SHA-256 of exec'd
files (equal to hashlib's), scripts with their interpreter, the warning for an exec of a file
the session wrote, `--tree` and processes.json, and a fork bomb that leaves Capsule's memory
bounded."""
import grp
import hashlib
import json
import os
import pwd

import run
from run import AGENT, CapsuleTest, run_capsule, workdir


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def image_sha(s, ex, role="exe"):
    """The hash of an exec's image: on the execve event when it was cached, else from the
    image event that followed it."""
    if role == "exe" and ex.get("image_sha256"):
        return ex["image_sha256"]
    for e in s.events:
        if e["kind"] != "image" or e["seq"] < ex["seq"] or e["role"] != role:
            continue
        if role == "exe" and e["file"]["ino"] == ex["file"]["ino"]:
            return e.get("sha256")
        if role == "script" and e["exec_seq"] == ex["seq"]:
            return e.get("sha256")
    return None


SCRIPT = "#!/bin/sh\necho hello from a script\n"
WRITTEN = "printf '#!/bin/sh\\nexit 0\\n' > made.sh; chmod +x made.sh; ./made.sh"


class TestExeIdentity(CapsuleTest):
    @classmethod
    def setUpClass(cls):
        cls.dir = d = workdir("exe")
        cls.script = os.path.join(d, "hello.sh")
        with open(cls.script, "w") as f:
            f.write(SCRIPT)
        os.chmod(cls.script, 0o755)
        # the pause lets the first hash of /bin/true finish (and the reader see it) before the
        # last exec, which the cache then answers on its own line
        cmd = "/bin/true; ./hello.sh; cp /bin/true ./mytrue; ./mytrue; " + WRITTEN + "; sleep 0.5; /bin/true"
        cls.s = run_capsule("exe", ["sh", "-c", cmd], opts=["--tree"], cwd=d)

    def execs(self, **match):
        got = self.s.find("execve", **match)
        self.assertTrue(got, "no execve matching %s\n%s" % (match, self.s.describe()))
        return got

    def test_session_ok(self):
        s = self.s
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.summary["events_lost"], 0)
        self.assertEqual(s.summary["events_recorded"], len(s.events))
        seqs = [e["seq"] for e in s.events]
        self.assertEqual(seqs, sorted(set(seqs)))

    def test_true_image_hash(self):
        true = os.path.realpath("/bin/true")
        exs = self.execs(exe=true)
        self.assertEqual(len(exs), 2)
        for ex in exs:
            self.assertEqual(image_sha(self.s, ex), sha256_of(true), json.dumps(ex))
            self.assertNotIn("warning", ex)
        # the second exec of the same file is answered by the cache, on its own line
        self.assertEqual(exs[1].get("image_sha256"), sha256_of(true), json.dumps(exs[1]))
        img = [e for e in self.s.events if e["kind"] == "image" and e.get("path") == true]
        self.assertTrue(img)
        self.assertFields(img[0], status="ok", role="exe", area="proc", pid=exs[0]["pid"], exec_seq=exs[0]["seq"])

    def test_script_interpreter_and_hashes(self):
        ex = self.execs(script=self.script)[0]
        sh = os.path.realpath("/bin/sh")
        self.assertFields(ex, interpreter="/bin/sh", exe=sh, filename="./hello.sh")
        self.assertEqual(image_sha(self.s, ex), sha256_of(sh))
        self.assertEqual(image_sha(self.s, ex, "script"), sha256_of(self.script))
        self.assertNotIn("warning", ex)
        line = [l for l in self.s.timeline.decode().splitlines() if " execve " in l and "script=" + self.script in l]
        self.assertTrue(line, self.s.timeline.decode()[-3000:])
        self.assertIn("interp=/bin/sh", line[0])

    def test_exec_of_session_written_file(self):
        warn = "exec of a file this session created"
        mytrue = self.execs(exe=os.path.join(self.dir, "mytrue"))[0]
        self.assertEqual(mytrue.get("warning"), warn, json.dumps(mytrue))
        # same bytes as /bin/true: the hash says what it really is
        self.assertEqual(image_sha(self.s, mytrue), sha256_of("/bin/true"))
        made = self.execs(script=os.path.join(self.dir, "made.sh"))[0]
        self.assertEqual(made.get("warning"), warn, json.dumps(made))
        self.assertEqual(image_sha(self.s, made, "script"), sha256_of(os.path.join(self.dir, "made.sh")))
        self.assertEqual(self.s.summary["warning_kinds"].get(warn), 2, self.s.summary)
        self.assertIn(warn, self.s.timeline.decode())

    def test_tree_printed_and_saved(self):
        s = self.s
        err = s.stderr.decode()
        self.assertIn("── process tree ──", err)
        pw = pwd.getpwnam(AGENT)
        group = grp.getgrgid(pw.pw_gid).gr_name
        root = s.events[0]["pid"]
        self.assertRegex(err, r'\nP%d \(sh\) \["sh","-c","/bin/true; \./hello\.sh;[^\n]*user=%s:%s' % (root, AGENT, group))
        self.assertRegex(err, r'\n  P\d+ \(true\) \["/bin/true"\] exe=%s user=%s:%s' % (os.path.realpath("/bin/true"), AGENT, group))
        self.assertRegex(err, r'\n  P\d+ \(mytrue\) \["\./mytrue"\][^\n]*⚠ written by this session')
        with open(os.path.join(s.log_dir, "processes.json")) as f:
            tree = json.load(f)
        procs = {p["pid"]: p for p in tree["processes"]}
        for ex in s.find("execve"):
            if "exe" not in ex:
                continue  # a failed exec (PATH search)
            p = procs[ex["pid"]]
            self.assertEqual(p["argv"], ex["argv"])
            self.assertEqual(p["user"], AGENT)
            self.assertEqual(p["group"], group)
            self.assertEqual(p["cwd"], self.dir)
            self.assertTrue(p["exited"])
            self.assertEqual(p["image_sha256"], sha256_of(ex["exe"]))
            if ex["pid"] != root:
                self.assertEqual(p["ppid"], root)
        self.assertEqual(procs[root]["exit_code"], 0)
        self.assertEqual(sorted(procs[root]["children"]), sorted(p for p in procs if p != root))
        script = [p for p in procs.values() if p.get("script") == self.script][0]
        self.assertEqual(script["script_sha256"], sha256_of(self.script))
        self.assertEqual(script["interpreter"], "/bin/sh")


class TestExeRewrittenSameSize(CapsuleTest):
    def test_rewrite_with_mtime_reset_is_hashed_again(self):
        """a binary exec'd, then overwritten in place with other bytes of the same size and its
        mtime set back (touch -r): the second exec is hashed anew, not answered by the cache"""
        import subprocess
        d = workdir("exe-rewrite")
        progs = []
        for n in (1, 2):
            src = os.path.join(d, "v%d.c" % n)
            with open(src, "w") as f:
                f.write("int main(void) { return %d - %d; }\n" % (n, n))
            out = os.path.join(d, "v%d" % n)
            subprocess.run(["gcc", "-O0", "-o", out, src], check=True)
            progs.append(out)
        if os.path.getsize(progs[0]) != os.path.getsize(progs[1]):
            self.skipTest("the two builds differ in size here")
        self.assertNotEqual(sha256_of(progs[0]), sha256_of(progs[1]))
        # cp into an existing file keeps its inode; sleep: the first hash is cached before
        # the second exec asks
        cmd = "cp v1 prog && touch -r v1 prog && ./prog && sleep 0.5 && cp v2 prog && touch -r v1 prog && ./prog"
        s = run_capsule("exe-rewrite", ["sh", "-c", cmd], cwd=d)
        self.assertEqual(s.rc, 0, s.describe())
        exs = s.find("execve", exe=os.path.join(d, "prog"))
        self.assertEqual(len(exs), 2, s.describe())
        first, second = exs
        self.assertEqual(first["file"]["ino"], second["file"]["ino"])
        self.assertEqual((first["file"]["size"], first["file"]["mtime"]),
                         (second["file"]["size"], second["file"]["mtime"]))
        self.assertEqual(image_sha(s, first), sha256_of(progs[0]))
        self.assertNotEqual(second.get("image_sha256"), sha256_of(progs[0]), json.dumps(second))
        self.assertEqual(image_sha(s, second), sha256_of(progs[1]))


class TestExeForkBomb(CapsuleTest):
    """3,000 short-lived processes: the tree keeps a bounded number and Capsule's memory stays
    close to an idle session's."""
    N = 3000

    def test_memory_bounded(self):
        # the same ring buffer in both sessions; no session store: its own bound (queue and page
        # cache) is tested in test_store.py, this one is the tree's and the hash cache's
        opts = ["--buffer-size", "64", "--no-db"]
        base = run_capsule("exe-idle", ["/bin/true"], opts=opts)
        self.assertEqual(base.rc, 0, base.describe())
        d = workdir("exe-bomb")
        cmd = "for i in $(seq %d); do /bin/true & done; wait" % self.N
        s = run_capsule("exe-bomb", ["sh", "-c", cmd], opts=opts, cwd=d, timeout=180)
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.summary["events_lost"], 0)
        self.assertGreaterEqual(s.summary["processes"], self.N)
        with open(os.path.join(s.log_dir, "processes.json")) as f:
            tree = json.load(f)
        exited = [p for p in tree["processes"] if p["exited"]]
        self.assertLessEqual(len(exited), tree["caps"]["exited"])
        self.assertEqual(tree["tracked"], len(tree["processes"]))
        self.assertGreaterEqual(tree["evicted"], self.N + 1 - tree["caps"]["exited"])
        # the image of /bin/true is hashed once, then answered by the cache
        true = os.path.realpath("/bin/true")
        images = [e for e in s.events if e["kind"] == "image" and e.get("path") == true]
        self.assertLessEqual(len(images), 3)
        cached = [e for e in s.find("execve", exe=true) if e.get("image_sha256") == sha256_of(true)]
        self.assertGreater(len(cached), self.N * 9 // 10)
        grow_mib = (s.summary["peak_rss_kb"] - base.summary["peak_rss_kb"]) / 1024
        self.assertLess(grow_mib, 16, "capsule grew by %.1f MiB over an idle session" % grow_mib)
