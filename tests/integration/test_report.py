"""Integration tests of `capsule report`: one real session recorded under `capsule run` (a
small Python agent that reads a planted SSH key, writes to a shell start-up file, writes and
deletes files, talks to a loopback TCP server the test runs, and starts a child whose argv
carries HTML), then the text report, the SOC 2 rollup, a broken template, a cut-short log, a
damaged database, and the HTML page rendered in headless Chromium (DOM and screenshot).

    python3 tests/integration/run.py -k TestReport
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import unittest
import zlib

import run
from run import CapsuleTest, run_capsule, scenario, workdir, CAPSULE, base_env

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PAYLOAD = 1000  # bytes the agent sends to the loopback server
HOSTILE_ARG = "</script><img src=x onerror=\"document.title='pwned'\">"
# the log keeps agent strings in their escaped form (docs/events.md): a '"' is '\"'
HOSTILE_ESC = HOSTILE_ARG.replace('"', '\\"')
HOSTILE_FILE = "<img src=x onerror=\"document.title='pwned2'\">.txt"

AGENT = r'''
import os, socket, subprocess, sys
d, port = sys.argv[1], int(sys.argv[2])
with open(os.path.join(d, "home/.ssh/id_rsa")) as f:      # a read of a secret
    f.read()
with open(os.path.join(d, "home/.bashrc"), "a") as f:      # a write to a persistence path
    f.write("# capsule report test\n")
with open(os.path.join(d, "report-out.txt"), "w") as f:
    f.write("x" * 4321)
os.unlink(os.path.join(d, "report-gone.txt"))
with open(os.path.join(d, sys.argv[3]), "w") as f:         # a file name that is HTML
    f.write("1")
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"y" * 1000)
s.recv(16)
s.close()
subprocess.run(["/bin/true", "capsule-child", sys.argv[4]])
print("done")
'''


class Server(threading.Thread):
    """A loopback TCP server: accepts connections, reads what comes, answers "ok"."""

    def __init__(self, proxy=False):
        super().__init__(daemon=True)
        self.proxy = proxy  # answer each request at once with an error, fetch nothing
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self.connections = 0
        self.requests = []  # first line of each

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            c.settimeout(5)
            try:
                data = c.recv(65536)
                if data:  # a speculative pre-connection that sends nothing is not a request
                    self.requests.append(data.split(b"\r\n")[0].decode(errors="replace"))
                got = len(data)
                if self.proxy:
                    c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    c.close()
                    continue
                while 0 < got < PAYLOAD and data:
                    data = c.recv(65536)
                    got += len(data)
                self.received += got
                c.sendall(b"ok")
            except OSError:
                pass
            c.close()

    def stop(self):
        self.sock.close()


# Chromium's own services (updates, time, accounts) call home even headless; those requests are
# not the page's. Everything else that reaches the test's proxy came from the page.
BROWSER_HOSTS = (".google.com", ".googleapis.com", ".gvt1.com", ".gstatic.com")


def page_requests(proxy):
    out = []
    for line in proxy.requests:
        parts = line.split()
        target = parts[1] if len(parts) > 1 else line
        host = target.split("://")[-1].split("/")[0].split(":")[0]
        if not host.endswith(BROWSER_HOSTS):
            out.append(line)
    return out


# Drives the report's timeline like a person would (buttons, drag, wheel, pointing at a mark)
# from a page that holds it in a frame (Chromium's --allow-file-access-from-files), and writes
# what the timeline showed after each step into its own DOM for --dump-dom.
DRIVER = """<html><body><iframe id="f" src="report.html" width="1280" height="900"></iframe><pre id="out">pending</pre>
<script>
document.getElementById('f').onload = function () {
  var d = this.contentDocument, w = this.contentWindow, out = [];
  function st(step) { var s = d.getElementById('tl'); out.push(step + ' ' + s.getAttribute('data-marks') + ' ' + s.getAttribute('data-view')); }
  st('start');
  d.getElementById('zin').click(); st('zoomin');
  d.getElementById('zin').click(); st('zoomin2');
  var wrap = d.getElementById('tlwrap'), r = wrap.getBoundingClientRect();
  wrap.dispatchEvent(new w.MouseEvent('mousedown', {clientX: r.left + 700, clientY: r.top + 20, bubbles: true}));
  w.dispatchEvent(new w.MouseEvent('mousemove', {clientX: r.left + 400, clientY: r.top + 20, bubbles: true}));
  w.dispatchEvent(new w.MouseEvent('mouseup', {clientX: r.left + 400, clientY: r.top + 20, bubbles: true}));
  st('drag');
  wrap.dispatchEvent(new w.WheelEvent('wheel', {deltaY: 100, clientX: r.left + 600, clientY: r.top + 20, bubbles: true, cancelable: true}));
  st('wheelout');
  d.getElementById('zout').click(); st('zoomout');
  d.getElementById('zreset').click(); st('reset');
  d.querySelector('rect[data-i]').dispatchEvent(new w.MouseEvent('mouseover', {bubbles: true}));
  out.push('detail ' + d.getElementById('detail').textContent);
  document.getElementById('out').textContent = out.join('\\n');
};
</script></body></html>"""


def report(*args, check=True):
    p = subprocess.run([CAPSULE, "report"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=base_env(), timeout=60)
    if check and p.returncode != 0:
        raise AssertionError("capsule report %s -> %d\n%s" % (" ".join(args), p.returncode, p.stderr.decode()))
    return p


def png_pixels(path):
    """Decodes an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes): (w, h, rows of bytes, bpp)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, typ = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            bpp = 3 if ctype == 2 else 4
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        ft, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, rows, bpp


class TestReport(CapsuleTest):
    """One recorded session, reported every way."""

    @classmethod
    def setUpClass(cls):
        cls.dir = d = workdir("report")
        os.makedirs(os.path.join(d, "home/.ssh"), exist_ok=True)
        for sub in ("home", "home/.ssh"):
            os.chmod(os.path.join(d, sub), 0o777)
        key = os.path.join(d, "home/.ssh/id_rsa")
        with open(key, "w") as f:
            f.write("-----BEGIN OPENSSH PRIVATE KEY----- (test)\n")
        os.chmod(key, 0o644)
        with open(os.path.join(d, "report-gone.txt"), "w") as f:
            f.write("bye")
        agent = os.path.join(d, "agent.py")
        with open(agent, "w") as f:
            f.write(AGENT)
        cls.server = Server()
        cls.server.start()
        cls.s = run_capsule("report-run", ["python3", agent, d, str(cls.server.port), HOSTILE_FILE, HOSTILE_ARG])
        cls.log = cls.s.log_dir

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.assertEqual(self.s.rc, 0, self.s.describe())
        self.assertEqual(self.server.received, PAYLOAD)

    def p(self, name):
        return os.path.join(self.dir, name)

    # --- text -----------------------------------------------------------------------------
    def check_text(self, out):
        s = self.s
        for section in ("== Processes (", "== Files (", "== Hosts contacted (1) ==", "== Credentials and privileges",
                        "== Namespaces", "== Devices", "== Warnings (", "== Resource use =="):
            self.assertIn(section, out)
        self.assertIn("session %s" % s.summary["session"], out)
        root = s.events[0]["pid"]
        self.assertRegex(out, r"\n  P%d python3 %s %s" % (root, self.p("agent.py"), self.dir))
        child = [e for e in s.events if e["kind"] == "execve" and e.get("argv", [None])[0] == "/bin/true"]
        self.assertTrue(child)
        self.assertIn("    └ P%d /bin/true capsule-child %s  [" % (child[0]["pid"], HOSTILE_ESC), out)
        # sensitive paths first, then by folder
        files = out.split("== Files (")[1].split("== Hosts")[0]
        sens = files.index("sensitive paths:")
        self.assertIn("! secret      %s  read" % self.p("home/.ssh/id_rsa"), files)
        self.assertIn("! persistence %s  written" % self.p("home/.bashrc"), files)
        self.assertLess(sens, files.index("  %s/\n" % self.dir))
        self.assertRegex(files, r"report-out\.txt +written  \(4\.2 KiB written\)")
        self.assertRegex(files, r"report-gone\.txt +deleted")
        hosts = out.split("== Hosts contacted")[1].split("==")[1]
        self.assertIn("tcp   127.0.0.1:%d" % self.server.port, hosts)
        self.assertIn("1 connects", hosts)
        self.assertIn("1000 B sent, 2 B received", hosts)
        warn = out.split("== Warnings (")[1]
        self.assertRegex(warn, r"1 × read of a secret")
        self.assertRegex(warn, r"openat path=%s .*⚠ read of a secret" % self.p("home/.ssh/id_rsa"))
        self.assertRegex(warn, r"write to a persistence path")
        self.assertRegex(out, r"CPU time +\d+\.\d{3} s")
        self.assertRegex(out, r"duration  \d")

    def test_text_from_folder(self):
        """the text report of the session folder names the real processes, paths and host"""
        p = report(self.log)
        self.check_text(p.stdout.decode())
        self.assertEqual(p.stderr, b"")

    def test_text_by_id_and_from_database(self):
        """a session id and the session.db give the same report as the folder"""
        sid = self.s.summary["session"]
        by_id = report(sid).stdout.decode()
        self.check_text(by_id)
        db = os.path.join(self.log, "session.db")
        if not os.path.exists(db):
            self.skipTest("this build writes no session.db")
        from_db = report(db).stdout.decode()
        self.check_text(from_db)
        self.assertIn("source    %s" % db, from_db)
        from_db2 = report("--db", db, "--session", sid).stdout.decode()
        self.assertEqual(from_db, from_db2)
        # the same processes, files, hosts, changes and warnings either way (the header differs:
        # the store times the session itself and keeps no capsule memory figure)
        body = lambda t: t[t.index("== Processes"):t.index("== Resource use")]
        self.assertEqual(body(by_id), body(from_db))

    def test_escapes_terminal_controls(self):
        """a forged log with a raw escape byte is reported with \\x1b, never the byte"""
        d = workdir("report-forged")
        with open(os.path.join(self.log, "events.jsonl")) as f:
            lines = f.read().splitlines()
        first = next(i for i, l in enumerate(lines) if '"execve"' in l and '"argv":[' in l)
        ev = json.loads(lines[first])
        ev["comm"] = "evil\x1b]0;title\x07"
        ev["argv"] = ["evil\x1b[2J", "\u202eoverride"]
        lines[first] = json.dumps(ev)
        with open(os.path.join(d, "events.jsonl"), "w") as f:
            f.write("\n".join(lines) + "\n")
        out = report(d).stdout
        self.assertNotIn(b"\x1b", out)
        self.assertNotIn(b"\x07", out)
        self.assertNotIn("\u202e".encode(), out)
        self.assertIn(b"evil\\x1b[2J \\xe2\\x80\\xaeoverride", out)

    # --- templates ------------------------------------------------------------------------
    def test_soc2_rollup(self):
        """--template soc2: each criterion with its status and the events that are its evidence"""
        out = report("--template", "soc2", self.log).stdout.decode()
        crit = {}
        for block in out.split("\n\n")[1:]:
            head = block.splitlines()[0]
            crit[head.split()[0]] = block
        self.assertEqual(set(crit), {"CC6.1", "CC6.6", "CC6.7", "CC6.8", "CC7.2", "CC8.1"})
        self.assertIn("status: evidence found", crit["CC6.1"])
        self.assertRegex(crit["CC6.1"], r"openat path=%s .*read of a secret" % self.p("home/.ssh/id_rsa"))
        self.assertIn("status: evidence found (1 events)", crit["CC6.6"])
        self.assertIn("connect addr=127.0.0.1:%d" % self.server.port, crit["CC6.6"])
        self.assertIn('argv=["/bin/true" "capsule-child" "%s"]' % HOSTILE_ESC, crit["CC6.8"])
        self.assertIn("write to a persistence path", crit["CC7.2"])
        self.assertIn(self.p("report-out.txt"), crit["CC8.1"])
        self.assertIn(self.p("report-gone.txt"), crit["CC8.1"])
        self.assertRegex(out, r"criteria  6, \d with evidence")

    def test_iso27001_and_custom_template(self):
        """the second shipped template, and a user's own file with a host selector"""
        out = report("--template", "iso27001", self.log).stdout.decode()
        self.assertIn("A.5.17  Authentication information\n", out)
        self.assertIn("A.8.20  Networks security", out)
        t = os.path.join(workdir("report-tpl"), "mine.yml")
        with open(t, "w") as f:
            f.write("name: mine\ncriteria:\n"
                    "  - id: LOOPBACK\n    title: talks to this machine\n    evidence:\n"
                    "      - hosts: [\"127.0.0.1\"]\n        kinds: [connect]\n"
                    "  - id: NS\n    evidence:\n      - areas: [ns]\n")
        out = report("--template", t, self.log).stdout.decode()
        self.assertIn("LOOPBACK  talks to this machine\n  status: evidence found (1 events)", out)
        self.assertIn("NS  \n  status: no activity", out)

    def test_broken_template(self):
        """a template with a broken selector or an unknown key is refused with FILE:LINE:COL"""
        d = workdir("report-tpl-bad")
        cases = [
            ("name: x\ncriteria:\n  - id: A\n    evidence:\n      - paths: [\"/etc/*\", \"/home/[ab\"]\n",
             ":5:27: bad pattern in 'paths': '[' without a closing ']'"),
            ("name: x\ncriteria:\n  - id: A\n    evidence:\n      - kinds: [conect]\n",
             ":5:17: unknown event kind 'conect' (docs/events.md lists them)"),
            ("name: x\ncriteria:\n  - id: A\n    evidnce: []\n", ":4:5: unknown key 'evidnce' in a criterion (id title description evidence)"),
        ]
        for i, (text, msg) in enumerate(cases):
            t = os.path.join(d, "bad%d.yml" % i)
            with open(t, "w") as f:
                f.write(text)
            p = report("--template", t, self.log, check=False)
            self.assertEqual(p.returncode, 2)
            self.assertEqual(p.stdout, b"")
            self.assertEqual(p.stderr.decode(), "capsule: %s%s\n" % (t, msg))
        p = report("--template", "no-such-framework", self.log, check=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("no template 'no-such-framework'", p.stderr.decode())

    # --- bad input ------------------------------------------------------------------------
    def test_truncated_log(self):
        """a log cut in the middle of a line: said clearly, and everything before it reported"""
        d = workdir("report-cut")
        with open(os.path.join(self.log, "events.jsonl"), "rb") as f:
            data = f.read()
        secret_line = data.index(b"id_rsa")
        cut = data.index(b"\n", secret_line) + 40  # a little into the line after the secret's open
        with open(os.path.join(d, "events.jsonl"), "wb") as f:
            f.write(data[:cut])
        p = report(d)
        err, out = p.stderr.decode(), p.stdout.decode()
        complete = data[:cut].count(b"\n")
        self.assertIn("the log is cut short (its last line is incomplete); reporting the %d events before it" % complete, err)
        self.assertIn("! the log is cut short", out)
        self.assertIn("! no end-of-session summary", out)
        self.assertIn("! secret      %s" % self.p("home/.ssh/id_rsa"), out)
        self.assertIn("events    %d read" % complete, out)

    def test_damaged_database(self):
        """a damaged session.db is named as such, no crash, exit status 1"""
        db = os.path.join(self.log, "session.db")
        if not os.path.exists(db):
            self.skipTest("this build writes no session.db")
        d = workdir("report-baddb")
        bad = os.path.join(d, "session.db")
        shutil.copy(db, bad)
        with open(bad, "r+b") as f:
            f.write(b"this is not the sqlite header" * 4)
        p = report(bad, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.decode(),
                         "capsule: %s: the database is damaged or not an SQLite database (file is not a database)\n" % bad)
        empty = os.path.join(d, "other.db")
        subprocess.run(["python3", "-c", "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('create table t(x)')", empty],
                       check=True)
        p = report(empty, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("not a Capsule session database", p.stderr.decode())

    def test_database_variants(self):
        """events numbered the older way are still read in order; events the store could not keep are said"""
        db = os.path.join(self.log, "session.db")
        if not os.path.exists(db):
            self.skipTest("this build writes no session.db")
        import sqlite3
        d = workdir("report-dbvar")
        other = os.path.join(d, "session.db")
        shutil.copy(db, other)
        for ext in ("-wal", "-shm"):
            if os.path.exists(db + ext):
                shutil.copy(db + ext, other + ext)
        c = sqlite3.connect(other)
        n = c.execute("SELECT count(*) FROM events").fetchone()[0]
        self.assertGreater(n, 20)
        # insertion-order ids, newest first: only ORDER BY seq gives the right order
        c.execute("UPDATE events SET id = 5000000 - seq")
        c.execute("UPDATE sessions SET not_stored = 7")
        c.commit()
        c.close()
        p = report(other)
        out = p.stdout.decode()
        self.assertIn("events    %d read (%d recorded" % (n, n + 7), out)
        self.assertIn("7 events were recorded but not stored in this database", p.stderr.decode())
        body = lambda t: t[t.index("== Processes"):t.index("== Resource use")]
        self.assertEqual(body(out), body(report(self.log).stdout.decode()))

    # --- HTML -----------------------------------------------------------------------------
    def html(self):
        d = workdir("report-html")
        path = os.path.join(d, "report.html")
        with open(path, "wb") as f:
            f.write(report("--html", "--template", "soc2", self.log).stdout)
        return d, path

    def test_html_is_self_contained(self):
        """one file: no URL it could fetch, no external script/style/font, escaped agent strings"""
        _, path = self.html()
        with open(path, encoding="utf-8") as f:
            page = f.read()
        urls = [u for u in __import__("re").findall(r"(?:https?:)?//[\w.-]+[^\s\"'<>]*", page)
                if not u.startswith("http://www.w3.org/2000/svg")]
        self.assertEqual(urls, [])
        for bad in ("src=\"http", "href=\"http", "@import", "url(", "<link", "<iframe", "<img"):
            self.assertNotIn(bad, page)
        self.assertIn("default-src 'none'", page)
        self.assertEqual(page.count("</script>"), 2)
        self.assertIn("&lt;/script&gt;&lt;img src=x onerror=\\&quot;document.title=&#39;pwned&#39;\\&quot;&gt;", page)
        self.assertIn("\\u003c/script\\u003e\\u003cimg", page)

    @unittest.skipUnless(CHROMIUM, "chromium is not installed (scripts/deps.sh installs Debian's chromium)")
    def test_html_in_chromium(self):
        """rendered by headless Chromium: the script draws the timeline, the tables hold the real
        values, the agent's HTML stays text, and the page requests nothing"""
        d, path = self.html()
        proxy = Server(proxy=True)  # every request Chromium makes goes here (and no further)
        proxy.start()
        home = tempfile.mkdtemp(prefix="chromium-", dir=d)
        base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + home, "--proxy-server=http://127.0.0.1:%d" % proxy.port,
                "--proxy-bypass-list=<-loopback>", "--window-size=1280,1200", "--hide-scrollbars"]
        env = dict(base_env(), HOME=home)
        try:
            # control: a page that does fetch something is seen by the proxy (the check can fail)
            control = os.path.join(d, "control.html")
            with open(control, "w") as f:
                f.write('<html><body><img src="http://capsule-control.invalid/x.png"></body></html>')
            subprocess.run(base + ["--dump-dom", "file://" + control], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env, timeout=120)
            self.assertIn("capsule-control.invalid", " ".join(page_requests(proxy)))
            proxy.requests.clear()
            dom = subprocess.run(base + ["--virtual-time-budget=3000", "--dump-dom", "file://" + path],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
            # a time window from the address: half the session
            with open(path, encoding="utf-8") as f:
                data = json.loads(f.read().split('<script id="capsule-data" type="application/json">')[1].split("</script>")[0])
            half = data["dur"] / 2
            zoomed = subprocess.run(base + ["--virtual-time-budget=3000", "--dump-dom", "file://%s#t=0-%.6f" % (path, half)],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
            driver = os.path.join(d, "driver.html")
            with open(driver, "w") as f:
                f.write(DRIVER)
            driven = subprocess.run(base + ["--allow-file-access-from-files", "--virtual-time-budget=3000", "--dump-dom",
                                            "file://" + driver], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                    timeout=120)
            shot = os.path.join(d, "report.png")
            sc = subprocess.run(base + ["--screenshot=" + shot, "file://" + path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
        finally:
            proxy.stop()
        self.assertEqual(page_requests(proxy), [], "the report page made requests")
        self.assertEqual(dom.returncode, 0, dom.stderr.decode()[-2000:])
        html = dom.stdout.decode()
        # drawn by the script: one mark per timeline event in the view
        import re
        marks = int(re.search(r'id="tl"[^>]*data-marks="(\d+)"', html).group(1))
        self.assertEqual(marks, len(re.findall(r"<rect [^>]*data-i=", html)))
        self.assertGreaterEqual(marks, 20)
        nprocs = int(re.search(r"Process tree \((\d+)\)", html).group(1))
        self.assertGreaterEqual(nprocs, 2)
        self.assertEqual(len(re.findall(r'<rect class="lane"', html)), nprocs)
        self.assertRegex(html, r'id="zinfo"[^>]*>showing 0 µs – ')
        self.assertEqual(marks, len(data["ev"]))
        in_half = len([e for e in data["ev"] if e[0] <= half])
        zmarks = int(re.search(r'id="tl"[^>]*data-marks="(\d+)"', zoomed.stdout.decode()).group(1))
        self.assertEqual(zmarks, in_half)
        self.assertLess(zmarks, marks)
        # buttons, drag and wheel move the window the way a person expects
        out = re.search(r'<pre id="out">(.*?)</pre>', driven.stdout.decode(), re.S).group(1).split("\n")
        steps = {}
        for line in out:
            name, _, rest = line.partition(" ")
            steps[name] = rest
        view = {}
        for name in ("start", "zoomin", "zoomin2", "drag", "wheelout", "zoomout", "reset"):
            n, v = steps[name].split(" ")
            a, b = (float(x) for x in v.split(","))
            view[name] = (int(n), a, b, b - a)
        self.assertEqual(view["start"][0], marks)
        self.assertAlmostEqual(view["zoomin"][3], view["start"][3] / 2, places=3)
        self.assertAlmostEqual(view["zoomin2"][3], view["start"][3] / 4, places=3)
        self.assertLess(view["zoomin2"][0], marks)
        self.assertGreater(view["drag"][1], view["zoomin2"][1])  # dragged left: later times come in
        self.assertAlmostEqual(view["drag"][3], view["zoomin2"][3], places=3)
        self.assertAlmostEqual(view["wheelout"][3], view["drag"][3] * 1.25, places=3)
        self.assertAlmostEqual(view["zoomout"][3], view["wheelout"][3] * 2, places=3)
        self.assertEqual(view["reset"], view["start"])
        self.assertTrue(steps["detail"].startswith("["), steps["detail"])
        self.assertIn("] P", steps["detail"])
        self.assertIn("<title>Capsule report: %s</title>" % self.s.summary["session"], html)  # not 'pwned'
        self.assertNotIn("<img", html)
        self.assertIn('data-area="net"', html)
        self.assertIn('data-area="warning"', html)
        self.assertIn("127.0.0.1:%d</td>" % self.server.port, html)
        self.assertIn("secret: %s" % self.p("home/.ssh/id_rsa"), html)
        self.assertIn("capsule-child &lt;/script&gt;&lt;img", html)
        self.assertIn('<div class="crit found"><h3>CC6.6 ', html)
        # the screenshot: right size, not blank, the warning red of the timeline and charts visible
        self.assertEqual(sc.returncode, 0, sc.stderr.decode()[-2000:])
        w, h, rows, bpp = png_pixels(shot)
        self.assertEqual((w, h), (1280, 1200))
        colors, nonwhite, red = set(), 0, 0
        for y in range(0, h, 2):
            row = rows[y]
            for x in range(0, w * bpp, bpp * 2):
                px = row[x:x + 3]
                colors.add(px)
                if px != b"\xff\xff\xff":
                    nonwhite += 1
                if px == b"\xdd\x00\x00":
                    red += 1
        self.assertGreater(nonwhite, (w // 2) * (h // 2) // 4, "the screenshot is mostly blank")
        self.assertGreater(len(colors), 50)
        self.assertGreater(red, 0, "no warning mark (#d00) in the screenshot")


if __name__ == "__main__":
    unittest.main()


class TestReportNetwork(CapsuleTest):
    """The network scenario's peers: TCP both ways, UDP datagrams, unix sockets, with bytes."""

    def test_hosts_with_bytes(self):
        s, d = scenario("network", name="report-network")
        self.assertEqual(s.rc, 0, s.describe())
        out = report(s.log_dir).stdout.decode()
        hosts = out.split("== Hosts contacted (")[1].split("\n\n")[0]
        tcp, ctcp = s.int("tcp_port"), s.int("tcp_client_port")
        us, uc = s.int("udp_server_port"), s.int("udp_client_port")
        self.assertIn("tcp   127.0.0.1:%d  1 connects, 0 accepts, 0 datagrams out, 0 in; 5 B sent, 9 B received" % tcp, hosts)
        self.assertIn("tcp   127.0.0.1:%d  0 connects, 1 accepts, 0 datagrams out, 0 in; 9 B sent, 5 B received" % ctcp, hosts)
        self.assertIn("udp   127.0.0.1:%d  0 connects, 0 accepts, 1 datagrams out, 0 in; 11 B sent, 0 B received" % us, hosts)
        self.assertIn("udp   127.0.0.1:%d  0 connects, 0 accepts, 0 datagrams out, 1 in; 0 B sent, 11 B received" % uc, hosts)
        self.assertIn("unix  unix:%s/capsule-net.sock  1 connects" % d, hosts)
        self.assertIn("unix  unix:@capsule-abstract  1 connects", hosts)


class TestReportPrivileges(CapsuleTest):
    """Credential changes, denied calls and system configuration from the cred and sys scenarios."""

    def section(self, out, title):
        return out.split("== %s (" % title)[1].split("\n\n")[0]

    def test_cred_section(self):
        s, d = scenario("cred", name="report-cred")
        self.assertEqual(s.rc, 0, s.describe())
        out = report(s.log_dir).stdout.decode()
        cred = self.section(out, "Credentials and privileges")
        n = len([e for e in s.events if e["area"] == "cred"]) + len(
            [e for e in s.events if e["kind"] == "execve" and (e.get("setuid") or e.get("setgid"))])
        self.assertTrue(cred.startswith("%d) ==" % n), cred[:40])
        self.assertRegex(cred, r"P%d \(\S+\) setuid .*-> 0" % s.root_pid)
        self.assertRegex(cred, r"capset .*-> EPERM")
        denied = self.section(out, "Denied (EPERM, EACCES)")
        self.assertRegex(denied, r"setgroups .*-> EPERM")
        if s.out.get("setuid_binary"):
            self.assertRegex(cred, r"execve .* ⚠ privilege gain at exec")
            soc2 = report("--template", "soc2", s.log_dir).stdout.decode()
            cc61 = soc2.split("\nCC6.1 ")[1].split("\n\n")[0]
            self.assertIn("privilege gain at exec", cc61)

    def test_sys_section(self):
        s, d = scenario("sys", name="report-sys")
        self.assertEqual(s.rc, 0, s.describe())
        out = report(s.log_dir).stdout.decode()
        system = self.section(out, "System configuration")
        self.assertRegex(system, r"mount path=%s/sys-mnt .*-> EPERM  ⚠ mount table change" % d)
        self.assertRegex(system, r"sethostname .*-> EPERM  ⚠ system configuration change")
        self.assertIn("! persistence %s/home/.bashrc  written" % d, out)
        warn = self.section(out, "Warnings")
        self.assertIn("× mount table change", warn)
