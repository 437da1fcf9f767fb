"""Data previews and DNS names (`capsule run` with real programs).

DNS: the test runs a small DNS responder (UDP and TCP) on a loopback address of its own
(127.53.x.y:53, so it never meets a real resolver) and TCP listeners on 127.0.0.2/127.0.0.3.
The traced program gets a private mount namespace (unshare -rm) whose /etc/resolv.conf names
that responder, resolves names with glibc's getaddrinfo and connects to the answers. Nothing
touches the host's /etc/resolv.conf.

    python3 tests/integration/run.py -k TestData
"""
import os
import random
import socket
import struct
import threading

import run
from run import CapsuleTest, run_capsule, workdir

PYTHON = "/usr/bin/python3"

# name -> ("A", ip) | ("CNAME", [names..., ip]) | ("NXDOMAIN",) | ("BAD",)
ZONE = {
    "svc.capsule.test": ("A", "127.0.0.2"),
    "alias.capsule.test": ("CNAME", ["mid.capsule.test", "real.capsule.test", "127.0.0.3"]),
    "tcp.capsule.test": ("A", "127.0.0.2"),
    "missing.capsule.test": ("NXDOMAIN",),
    "bad.capsule.test": ("BAD",),
}


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def parse_query(q):
    """id, qname, qtype and the raw question of a query (the responder's own input: trusted)."""
    qid = struct.unpack("!H", q[:2])[0]
    i, labels = 12, []
    while q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode())
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    return qid, ".".join(labels).lower(), qtype, q[12:i + 5]


def answer(q):
    qid, name, qtype, question = parse_query(q)
    entry = ZONE.get(name)
    header = lambda rcode, an: struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, an, 0, 0)
    if entry is None or entry[0] == "NXDOMAIN":
        return header(3, 0) + question
    if entry[0] == "BAD":
        # claims two answers, holds half of one: the record's rdata runs past the end
        return header(0, 2) + question + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + b"\x7f"
    if qtype != 1:  # only A records here: AAAA gets an empty NOERROR
        return header(0, 0) + question
    rrs, owner = b"", b"\xc0\x0c"  # compression pointer to the question's name
    offset = 12 + len(question)
    chain = [entry[1]] if entry[0] == "A" else entry[1]
    for target in chain[:-1]:
        rdata = encode_name(target)
        rr = owner + struct.pack("!HHIH", 5, 1, 60, len(rdata))
        owner = struct.pack("!H", 0xC000 | (offset + len(rr)))  # the next owner is this target
        rrs += rr + rdata
        offset += len(rr) + len(rdata)
    rrs += owner + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(chain[-1])
    return header(0, len(chain)) + question + rrs


class Responder:
    """UDP and TCP DNS on (addr, 53), one thread each."""

    def __init__(self, addr):
        self.addr = addr
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((addr, 53))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((addr, 53))
        self.tcp.listen(16)
        self.queries = []
        for target in (self.serve_udp, self.serve_tcp):
            threading.Thread(target=target, daemon=True).start()

    def serve_udp(self):
        while True:
            try:
                q, peer = self.udp.recvfrom(4096)
                self.queries.append(("udp", parse_query(q)[1]))
                self.udp.sendto(answer(q), peer)
            except OSError:
                return
            except Exception:
                continue

    def serve_tcp(self):
        while True:
            try:
                c, _ = self.tcp.accept()
            except OSError:
                return
            try:
                c.settimeout(5)
                while True:
                    n = c.recv(2)
                    if len(n) < 2:
                        break
                    want, q = struct.unpack("!H", n)[0], b""
                    while len(q) < want:
                        more = c.recv(want - len(q))
                        if not more:
                            break
                        q += more
                    self.queries.append(("tcp", parse_query(q)[1]))
                    a = answer(q)
                    c.sendall(struct.pack("!H", len(a)) + a)
            except Exception:
                pass
            finally:
                c.close()

    def close(self):
        self.udp.close()
        self.tcp.close()


# The traced program: resolve each name with getaddrinfo, connect to it, print what happened;
# "raw:NAME" sends one UDP query by hand (no retries) and reads the reply.
AGENT = r'''
import socket, struct, sys
server, port = sys.argv[1], int(sys.argv[2])
for name in sys.argv[3:]:
    if name.startswith("raw:"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        q = struct.pack("!HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
        for l in name[4:].split("."):
            q += bytes([len(l)]) + l.encode()
        q += b"\0" + struct.pack("!HH", 1, 1)
        s.sendto(q, (server, 53))
        s.settimeout(5)
        print("raw=%d" % len(s.recvfrom(4096)[0]), flush=True)
        continue
    family = socket.AF_INET
    if name.startswith("any:"):  # A and AAAA together (glibc: one sendmmsg)
        name, family = name[4:], socket.AF_UNSPEC
    try:
        ai = socket.getaddrinfo(name, port, family, socket.SOCK_STREAM)
    except socket.gaierror as e:
        print("%s=error:%s" % (name, e.errno), flush=True)
        continue
    ip = ai[0][4][0]
    c = socket.create_connection((ip, port), timeout=5)
    c.close()
    print("%s=%s" % (name, ip), flush=True)
'''


class TestDataDNS(CapsuleTest):
    @classmethod
    def setUpClass(cls):
        cls.d = workdir("dns")
        # a loopback address of our own for the responder: no clash with anything on :53
        for _ in range(20):
            cls.server = "127.53.%d.%d" % (random.randint(0, 255), random.randint(1, 254))
            try:
                cls.responder = Responder(cls.server)
                break
            except OSError:
                continue
        cls.listeners = []
        lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lst.bind(("127.0.0.2", 0))
        lst.listen(16)
        cls.port = lst.getsockname()[1]
        cls.listeners.append(lst)
        lst3 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lst3.bind(("127.0.0.3", cls.port))
        lst3.listen(16)
        cls.listeners.append(lst3)
        cls.agent = os.path.join(cls.d, "agent.py")
        with open(cls.agent, "w") as f:
            f.write(AGENT)
        cls.udp = cls.traced("udp", "", ["svc.capsule.test", "alias.capsule.test",
                                        "missing.capsule.test", "raw:bad.capsule.test"])
        cls.both = cls.traced("both", "", ["any:svc.capsule.test"])
        cls.tcp = cls.traced("tcp", "options use-vc\n", ["tcp.capsule.test"])

    @classmethod
    def traced(cls, name, options, names):
        resolv = os.path.join(cls.d, "resolv-%s.conf" % name)
        with open(resolv, "w") as f:
            f.write("nameserver %s\noptions timeout:2 attempts:1\n%s" % (cls.server, options))
        os.chmod(resolv, 0o644)
        script = 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"'
        cmd = ["unshare", "-rm", "sh", "-c", script, "sh", resolv, PYTHON, cls.agent, cls.server,
               str(cls.port)] + names
        return run_capsule("dns-" + name, cmd)

    @classmethod
    def tearDownClass(cls):
        cls.responder.close()
        for l in cls.listeners:
            l.close()

    def connect_to(self, s, ip):
        for e in s.find("connect"):
            a = e.get("addr", {}).get("address", "")
            if a == "%s:%d" % (ip, self.port):
                return e
        self.fail("no connect to %s:%d\n%s" % (ip, self.port, s.describe()))

    def test_agent_resolved_through_our_responder(self):
        s = self.udp
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.out.get("svc.capsule.test"), "127.0.0.2", s.describe())
        self.assertIn(("udp", "svc.capsule.test"), self.responder.queries)

    def test_connect_carries_dns_name(self):
        e = self.connect_to(self.udp, "127.0.0.2")
        self.assertFields(e, addr__dns="svc.capsule.test")
        self.assertIn(b"(dns=svc.capsule.test)", self.udp.timeline)

    def test_dns_query_event_with_answer(self):
        e = self.one(self.udp, "dns", name="svc.capsule.test", type="A")
        self.assertFields(e, rcode="NOERROR", answered=True, query_seen=True, transport="udp",
                          answer_count=1, addresses=["127.0.0.2"])
        self.assertEqual(e["answers"][0]["data"], "127.0.0.2")
        conn = self.connect_to(self.udp, "127.0.0.2")
        self.assertLess(e["seq"], conn["seq"], "the answer is before the connect it names")
        self.assertIn(b"dns query svc.capsule.test A -> 1 answer (127.0.0.2)", self.udp.timeline)

    def test_cname_chain_names_the_asked_name(self):
        self.assertEqual(self.udp.out.get("alias.capsule.test"), "127.0.0.3")
        e = self.one(self.udp, "dns", name="alias.capsule.test", type="A")
        self.assertFields(e, answer_count=3, addresses=["127.0.0.3"])
        self.assertEqual([a["type"] for a in e["answers"]], ["CNAME", "CNAME", "A"])
        self.assertEqual(e["answers"][1]["name"], "mid.capsule.test")
        conn = self.connect_to(self.udp, "127.0.0.3")
        self.assertFields(conn, addr__dns="alias.capsule.test")

    def test_nxdomain(self):
        self.assertTrue(self.udp.out.get("missing.capsule.test", "").startswith("error:"))
        e = self.one(self.udp, "dns", name="missing.capsule.test", type="A")
        self.assertFields(e, rcode="NXDOMAIN", answer_count=0)
        self.assertIn(b"dns query missing.capsule.test A -> NXDOMAIN", self.udp.timeline)

    def test_malformed_answer_is_counted(self):
        s = self.udp
        self.assertIn("raw", s.out, s.describe())
        # the query went out and was seen; its answer could not be parsed: reported unanswered
        e = self.one(s, "dns", name="bad.capsule.test")
        self.assertFields(e, query_seen=True, answered=False)
        self.assertIn(b"dns query bad.capsule.test A -> no answer", s.timeline)
        recv = [e for e in s.find("recvfrom") if e.get("dns_message")]
        self.assertTrue(recv, "the malformed answer was captured as a DNS message")
        self.assertGreaterEqual(s.summary["dns_malformed"], 1)
        self.assertGreaterEqual(s.summary["warning_kinds"].get("malformed DNS message", 0), 1)

    def test_summary_counts(self):
        self.assertGreaterEqual(self.udp.summary["dns_queries"], 4)
        self.assertGreaterEqual(self.udp.summary["dns_answers"], 3)

    def test_a_and_aaaa_in_one_sendmmsg(self):
        s = self.both
        self.assertEqual(s.out.get("svc.capsule.test"), "127.0.0.2", s.describe())
        a = self.one(s, "dns", name="svc.capsule.test", type="A")
        aaaa = self.one(s, "dns", name="svc.capsule.test", type="AAAA")
        self.assertFields(a, query_seen=True, addresses=["127.0.0.2"])
        self.assertFields(aaaa, query_seen=True, answer_count=0, rcode="NOERROR")
        self.assertFields(self.connect_to(s, "127.0.0.2"), addr__dns="svc.capsule.test")

    def test_tcp_dns(self):
        s = self.tcp
        self.assertEqual(s.out.get("tcp.capsule.test"), "127.0.0.2", s.describe())
        self.assertIn(("tcp", "tcp.capsule.test"), self.responder.queries)
        e = self.one(s, "dns", name="tcp.capsule.test", type="A")
        self.assertFields(e, transport="tcp", rcode="NOERROR", query_seen=True, addresses=["127.0.0.2"])
        self.assertFields(self.connect_to(s, "127.0.0.2"), addr__dns="tcp.capsule.test")


class TestDataPreview(CapsuleTest):
    def writes(self, s, fd=None):
        return [e for e in s.find("write") if fd is None or e["args"]["fd"] == fd]

    def test_stdout_pipe_preview(self):
        # capsule's test runner gives the agent a pipe as stdout
        s = run_capsule("preview-stdout", ["printf", "hello\\n"])
        self.assertEqual(s.rc, 0, s.describe())
        w = self.writes(s, 1)
        self.assertTrue(w, s.describe())
        self.assertFields(w[0], data="hello\\n", data_len=6, data_total=6, data_truncated=False)
        # the fd table names the target between the fd and the count
        self.assertRegex(s.timeline, rb'write fd=1 (\([^)]*\) )?count=6 data="hello\\n" -> 6')

    def test_pipeline(self):
        s = run_capsule("preview-pipe", ["sh", "-c", "echo hi | cat"])
        self.assertEqual(s.rc, 0, s.describe())
        comms = {e["comm"] for e in self.writes(s, 1) if e.get("data") == "hi\\n"}
        self.assertEqual(comms, {"sh", "cat"}, "echo writes into the pipe, cat out of it")

    def test_control_bytes_escaped_and_cut(self):
        text = "A\x1b[31mB\x01" + "x" * 100
        s = run_capsule("preview-escape", [PYTHON, "-c", "import os; os.write(1, %r.encode())" % text],
                        opts=["--capture-bytes", "16"])
        w = self.writes(s, 1)
        self.assertTrue(w, s.describe())
        self.assertFields(w[0], data_len=16, data_total=len(text), data_truncated=True)
        self.assertEqual(w[0]["data"], "A\\x1b[31mB\\x01xxxxxxxx")
        line = [l for l in s.timeline.split(b"\n") if b" write fd=1" in l][0]
        self.assertNotIn(b"\x1b", line)
        self.assertIn(b'data="A\\x1b[31mB\\x01xxxxxxxx" (16 of %d bytes)' % len(text), line)

    def test_terminal_preview(self):
        # a pseudo-terminal the agent opens itself: its slave side is a tty (major 136+)
        code = "import os; m, s = os.openpty(); os.write(s, b'tty says hi'); print('wrote')"
        s = run_capsule("preview-tty", [PYTHON, "-c", code])
        self.assertEqual(s.rc, 0, s.describe())
        w = [e for e in self.writes(s) if e.get("data") == "tty says hi"]
        self.assertTrue(w, "the write to the pty is previewed\n" + s.describe())

    def test_capture_bytes_zero(self):
        s = run_capsule("preview-off", ["sh", "-c", "echo hi | cat"], opts=["--capture-bytes", "0"])
        self.assertEqual(s.rc, 0, s.describe())
        self.assertFalse([e for e in s.events if "data" in e], "no previews with --capture-bytes 0")
        self.assertFalse(self.writes(s), "writes stay aggregated per fd")

    def test_regular_file_writes_stay_aggregated(self):
        d = workdir("preview-file")
        s = run_capsule("preview-file", ["sh", "-c", "echo secret > %s/f; cat %s/f > /dev/null" % (d, d)])
        self.assertEqual(s.rc, 0, s.describe())
        self.assertFalse([e for e in self.writes(s) if e.get("data") == "secret\\n"],
                         "a write to a regular file is no record of its own")

    def test_bad_option(self):
        s = run_capsule("preview-bad", ["true"], opts=["--capture-bytes", "5000"], parse=False)
        self.assertEqual(s.rc, 2)
        self.assertIn(b"--capture-bytes takes a number from 0 to 4096", s.stderr)
