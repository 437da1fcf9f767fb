"""capsule watch: replays a session's timeline with filters, and never lets bytes from a log
folder drive the terminal (a folder can come from anywhere)."""
import os
import shutil
import subprocess

from run import CAPSULE, CapsuleTest, base_env, run_capsule, workdir


def watch(*args):
    return subprocess.run([CAPSULE, "watch", "--no-follow", *args], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=base_env(), timeout=30)


class TestWatch(CapsuleTest):
    @classmethod
    def setUpClass(cls):
        cls.s = run_capsule("watch", ["sh", "-c", "cat /etc/hostname >/dev/null; true"])

    def test_replay_and_kind_filter(self):
        s = self.s
        self.assertEqual(s.rc, 0, s.describe())
        p = watch(s.log_dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, s.timeline)
        p = watch("--kind", "execve", s.log_dir)
        lines = p.stdout.decode().splitlines()
        self.assertTrue(lines)
        self.assertTrue(all(") execve " in l for l in lines), lines)

    def test_forged_log_cannot_drive_the_terminal(self):
        d = os.path.join(workdir("watch-forged"), "log")
        shutil.copytree(self.s.log_dir, d)
        with open(os.path.join(d, "timeline.log"), "rb") as f:
            lines = f.read().split(b"\n")
        # a line with a clear-screen sequence, a C1 CSI and a bidi override in it
        lines[0] = lines[0] + b" \x1b[2J\xc2\x9b\xe2\x80\xae"
        with open(os.path.join(d, "timeline.log"), "wb") as f:
            f.write(b"\n".join(lines))
        p = watch("--no-color", d)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout
        self.assertNotIn(b"\x1b", out)
        self.assertNotIn(b"\xc2\x9b", out)
        self.assertNotIn(b"\xe2\x80\xae", out)
        self.assertIn(b" ?[2J??", out.split(b"\n")[0])
