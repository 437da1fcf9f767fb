"""Tamper evidence: the hash chain of events.jsonl, `capsule verify`, and `capsule run --sign-key`.

A real session is recorded under `capsule run`; each test copies its folder, damages it the
way an attacker would (one byte changed, a record deleted, swapped, duplicated, cut from the
end, the summary's final hash edited, the signature changed), and expects `capsule verify` to
name the right line and exit non-zero. The chain itself is also recomputed here with hashlib,
independently of capsule's code, and signatures are checked with the openssl command.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess

import run
from run import CAPSULE, CapsuleTest, scenario, workdir

HEX64 = r"^[0-9a-f]{64}$"


def read_lines(folder):
    with open(os.path.join(folder, "events.jsonl"), "rb") as f:
        data = f.read()
    assert data.endswith(b"\n")
    return data[:-1].split(b"\n")


def write_lines(folder, lines):
    with open(os.path.join(folder, "events.jsonl"), "wb") as f:
        f.write(b"".join(l + b"\n" for l in lines))


def verify(target, *opts):
    p = subprocess.run([CAPSULE, "verify"] + list(opts) + [target], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def openssl(*args, **kw):
    return subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, **kw).stdout


def damaged_copy(src, name):
    """A copy of a session folder to damage."""
    d = os.path.join(workdir("chain-damage"), name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(src, d)
    return d


class TestChainVerify(CapsuleTest):
    @classmethod
    def setUpClass(cls):
        cls.s, _ = scenario("file", name="chain")
        cls.log = cls.s.log_dir

    def setUp(self):
        self.assertEqual(self.s.rc, 0, self.s.describe())
        self.lines = read_lines(self.log)
        self.n = len(self.lines)
        self.assertGreater(self.n, 20, "the session is too short to damage its middle")
        self.k = self.n // 2  # a middle line, 1-based: lines[k-1]

    def check_damage(self, d, needle):
        rc, out, err = verify(d)
        self.assertEqual(rc, 1, "verify must fail on %s\n%s%s" % (d, out, err))
        self.assertIn("TAMPERED", out)
        self.assertIn(needle, out)
        return out

    def test_chain_recomputed_independently(self):
        """every line ends with prev = SHA-256 of the line before; line 1's is the session's genesis"""
        summary = self.s.summary
        prev = hashlib.sha256(("capsule:" + summary["session"]).encode()).hexdigest()
        for i, line in enumerate(self.lines):
            ev = json.loads(line)
            self.assertEqual(list(ev)[-1], "prev", "prev must be the last member (line %d)" % (i + 1))
            self.assertEqual(ev["prev"], prev, "line %d" % (i + 1))
            self.assertTrue(line.endswith(b',"prev":"' + prev.encode() + b'"}'))
            prev = hashlib.sha256(line).hexdigest()
        self.assertEqual(summary["final_hash"], prev)
        self.assertRegex(summary["final_hash"], HEX64)
        self.assertEqual(summary["chain"], {"algorithm": "sha256", "records": self.n})

    def test_intact(self):
        for target in (self.log, os.path.join(self.log, "events.jsonl")):
            rc, out, err = verify(target)
            self.assertEqual(rc, 0, out + err)
            self.assertIn("intact: %d records, final hash %s matches summary.json" % (
                self.n, self.s.summary["final_hash"]), out)
            self.assertIn("signature: none", out)

    def test_one_byte_altered(self):
        d = damaged_copy(self.log, "alter")
        line = bytearray(self.lines[self.k - 1])
        pos = line.index(b'"pid":') + 6  # a digit of the pid
        line[pos] = ord("1") if line[pos] != ord("1") else ord("2")
        write_lines(d, self.lines[:self.k - 1] + [bytes(line)] + self.lines[self.k:])
        out = self.check_damage(d, "line %d (seq %d) was altered" % (self.k, self.k))
        self.assertIn("  line %d: {\"seq\":%d," % (self.k, self.k), out)

    def test_record_deleted(self):
        d = damaged_copy(self.log, "delete")
        write_lines(d, self.lines[:self.k - 1] + self.lines[self.k:])
        self.check_damage(d, "record seq %d was removed before line %d" % (self.k, self.k))

    def test_records_swapped(self):
        d = damaged_copy(self.log, "swap")
        L = list(self.lines)
        L[self.k - 1], L[self.k] = L[self.k], L[self.k - 1]
        write_lines(d, L)
        self.check_damage(d, "line %d (seq %d) is out of order: it stands before line %d (seq %d)" % (
            self.k, self.k + 1, self.k + 1, self.k))

    def test_record_duplicated(self):
        d = damaged_copy(self.log, "dup")
        L = list(self.lines)
        L.insert(self.k, L[self.k - 1])
        write_lines(d, L)
        self.check_damage(d, "line %d (seq %d) was inserted: a copy of line %d" % (self.k + 1, self.k, self.k))

    def test_last_record_dropped(self):
        d = damaged_copy(self.log, "droplast")
        write_lines(d, self.lines[:-1])
        self.check_damage(d, "record seq %d was cut from the end (the log stops at line %d)" % (self.n, self.n - 1))

    def test_summary_final_hash_edited(self):
        d = damaged_copy(self.log, "final")
        p = os.path.join(d, "summary.json")
        with open(p) as f:
            s = json.load(f)
        s["final_hash"] = hashlib.sha256(b"forged").hexdigest()
        with open(p, "w") as f:
            json.dump(s, f)
        self.check_damage(d, "the last line, line %d (seq %d), was altered, or summary.json's final_hash was changed"
                          % (self.n, self.n))

    def test_summary_session_edited(self):
        d = damaged_copy(self.log, "session")
        p = os.path.join(d, "summary.json")
        with open(p) as f:
            s = json.load(f)
        s["session"] = s["session"] + "0"
        with open(p, "w") as f:
            json.dump(s, f)
        self.check_damage(d, "line 1 does not start this session's chain")

    def test_last_line_cut_short(self):
        d = damaged_copy(self.log, "cut")
        with open(os.path.join(d, "events.jsonl"), "r+b") as f:
            f.truncate(os.path.getsize(f.name) - 40)
        self.check_damage(d, "line %d is cut short (the file ends inside it): record seq %d was cut from the end"
                          % (self.n, self.n))

    def test_json_report(self):
        d = damaged_copy(self.log, "json")
        write_lines(d, self.lines[:self.k - 1] + self.lines[self.k:])
        rc, out, err = verify(d, "--json")
        self.assertEqual(rc, 1, out + err)
        r = json.loads(out)
        self.assertEqual((r["intact"], r["damage"], r["line"], r["seq"]), (False, "removed", self.k, self.k))
        rc, out, err = verify(self.log, "--json")
        self.assertEqual(rc, 0, out + err)
        r = json.loads(out)
        self.assertEqual((r["intact"], r["lines"], r["final_hash"]), (True, self.n, self.s.summary["final_hash"]))

    def test_without_summary_not_intact(self):
        d = damaged_copy(self.log, "nosummary")
        os.unlink(os.path.join(d, "summary.json"))
        rc, out, err = verify(d)
        self.assertEqual(rc, 1, out + err)
        self.assertIn("chain consistent over %d records, but its start and end are unchecked" % self.n, out)
        self.assertIn("summary.json is missing", out)
        # the chain alone still finds damage in the middle
        write_lines(d, self.lines[:self.k - 1] + self.lines[self.k:])
        self.check_damage(d, "record seq %d was removed before line %d" % (self.k, self.k))

    def test_missing_and_unreadable(self):
        missing = os.path.join(run.WORK, "no-such-session")
        rc, out, err = verify(missing)
        self.assertEqual(rc, 2)
        self.assertIn("capsule: cannot read %s: No such file or directory" % missing, err)
        empty = workdir("chain-empty")
        rc, out, err = verify(empty)
        self.assertEqual(rc, 2)
        self.assertIn("cannot read %s/events.jsonl" % empty, err)
        rc, out, err = verify(self.log, "--key", missing)
        self.assertEqual(rc, 2)
        self.assertIn("--key: cannot read key %s" % missing, err)
        rc, out, err = verify(self.log, self.log)
        self.assertEqual(rc, 2)

    def test_live_json_carries_the_chain(self):
        """--json live output is the same bytes as events.jsonl, prev included"""
        s, _ = scenario("ipc", name="chain-live", opts=["--json"])
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.live, b"".join(l + b"\n" for l in s.raw_lines))
        rc, out, err = verify(s.log_dir)
        self.assertEqual(rc, 0, out + err)


class TestChainStorm(CapsuleTest):
    def test_storm_chain(self):
        """a session of ~10,000 records verifies, and one removed in its middle is found"""
        s, _ = scenario("storm", "5000", name="chain-storm", parse=False)
        self.assertEqual(s.rc, 0, s.describe())
        self.assertEqual(s.summary["events_lost"], 0)
        lines = read_lines(s.log_dir)
        self.assertEqual(s.summary["chain"]["records"], len(lines))
        self.assertGreater(len(lines), 10000)
        rc, out, err = verify(s.log_dir)
        self.assertEqual(rc, 0, out + err)
        d = damaged_copy(s.log_dir, "storm")
        k = 7777
        write_lines(d, lines[:k - 1] + lines[k:])
        rc, out, err = verify(d)
        self.assertEqual(rc, 1)
        self.assertIn("record seq %d was removed before line %d" % (k, k), out)


class TestChainSigning(CapsuleTest):
    @classmethod
    def setUpClass(cls):
        cls.keys = workdir("chain-keys")
        k = lambda n: os.path.join(cls.keys, n)
        openssl("genpkey", "-algorithm", "ed25519", "-out", k("a.pem"))
        openssl("pkey", "-in", k("a.pem"), "-pubout", "-out", k("a.pub"))
        openssl("genpkey", "-algorithm", "ed25519", "-out", k("b.pem"))
        openssl("pkey", "-in", k("b.pem"), "-pubout", "-out", k("b.pub"))
        openssl("genpkey", "-algorithm", "rsa", "-pkeyopt", "rsa_keygen_bits:2048", "-out", k("rsa.pem"))
        cls.k = staticmethod(k)
        cls.s, _ = scenario("ipc", name="chain-signed", opts=["--sign-key", k("a.pem")])
        cls.log = cls.s.log_dir

    def setUp(self):
        self.assertEqual(self.s.rc, 0, self.s.describe())

    def signature(self, folder=None):
        with open(os.path.join(folder or self.log, "signature.json")) as f:
            return json.load(f)

    def test_signature_file_checks_with_openssl(self):
        """signature.json holds an Ed25519 signature that openssl itself accepts"""
        sig = self.signature()
        summ = self.s.summary
        self.assertEqual((sig["algorithm"], sig["session"], sig["records"], sig["final_hash"]),
                         ("ed25519", summ["session"], summ["chain"]["records"], summ["final_hash"]))
        der = openssl("pkey", "-pubin", "-in", self.k("a.pub"), "-outform", "DER")
        raw = der[-32:]
        self.assertEqual(base64.b64decode(sig["public_key"]), raw)
        self.assertEqual(sig["key_fingerprint"], "sha256:" + hashlib.sha256(raw).hexdigest())
        msg = "capsule-chain-v1 session=%s records=%d final_hash=%s" % (sig["session"], sig["records"],
                                                                        sig["final_hash"])
        d = workdir("chain-openssl")
        with open(os.path.join(d, "msg"), "w") as f:
            f.write(msg)
        with open(os.path.join(d, "sig"), "wb") as f:
            f.write(base64.b64decode(sig["signature"]))
        out = openssl("pkeyutl", "-verify", "-pubin", "-inkey", self.k("a.pub"), "-rawin",
                      "-in", os.path.join(d, "msg"), "-sigfile", os.path.join(d, "sig"))
        self.assertIn(b"Signature Verified Successfully", out)

    def test_verify_with_key(self):
        fp = self.signature()["key_fingerprint"]
        for key in ("a.pub", "a.pem"):
            rc, out, err = verify(self.log, "--key", self.k(key))
            self.assertEqual(rc, 0, out + err)
            self.assertIn("intact:", out)
            self.assertIn("signature: valid, made with key %s" % fp, out)
        rc, out, err = verify(self.log)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("signature: valid for the key it names, %s" % fp, out)

    def test_wrong_key_rejected(self):
        rc, out, err = verify(self.log, "--key", self.k("b.pub"))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("signature: WRONG KEY: signed by %s" % self.signature()["key_fingerprint"], out)

    def test_tampered_signature_rejected(self):
        d = damaged_copy(self.log, "sig")
        sig = self.signature(d)
        raw = bytearray(base64.b64decode(sig["signature"]))
        raw[7] ^= 0x01
        sig["signature"] = base64.b64encode(bytes(raw)).decode()
        with open(os.path.join(d, "signature.json"), "w") as f:
            json.dump(sig, f)
        for opts in ((), ("--key", self.k("a.pub"))):
            rc, out, err = verify(d, *opts)
            self.assertEqual(rc, 1, out + err)
            self.assertIn("signature: BAD: signature.json does not verify", out)

    def test_signed_fields_edited_rejected(self):
        """a re-hashed, shortened log with signature.json's counts edited to match: still caught"""
        d = damaged_copy(self.log, "sigfields")
        sig = self.signature(d)
        sig["records"] -= 1
        with open(os.path.join(d, "signature.json"), "w") as f:
            json.dump(sig, f)
        rc, out, err = verify(d, "--key", self.k("a.pub"))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("signature: BAD", out)

    def test_signature_tells_summary_was_edited(self):
        d = damaged_copy(self.log, "sigsummary")
        p = os.path.join(d, "summary.json")
        with open(p) as f:
            s = json.load(f)
        s["final_hash"] = "0" * 64
        with open(p, "w") as f:
            json.dump(s, f)
        rc, out, err = verify(d, "--key", self.k("a.pub"))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("summary.json's final_hash was changed: the log's last line (line %d) matches the signed hash"
                      % self.s.summary["chain"]["records"], out)

    def test_unsigned_session_with_key(self):
        d = damaged_copy(self.log, "unsigned")
        os.unlink(os.path.join(d, "signature.json"))
        rc, out, err = verify(d, "--key", self.k("a.pub"))
        self.assertEqual(rc, 1, out + err)
        self.assertIn("the session is not signed (no signature.json)", out)

    def test_bad_sign_keys_refused_before_the_agent_runs(self):
        missing = self.k("missing.pem")
        cases = [
            (self.k("rsa.pem"), "is a key of type RSA, not Ed25519"),
            (self.k("a.pub"), "is not a PEM private key"),
            (missing, "cannot read key %s: No such file or directory" % missing),
        ]
        for key, needle in cases:
            name = "chain-badkey-" + os.path.basename(key)
            marker = os.path.join(workdir(name), "ran")
            s = run.run_capsule(name, ["/bin/touch", marker], opts=["--sign-key", key])
            self.assertEqual(s.rc, 1, s.describe())
            self.assertIn("capsule: --sign-key: ", s.stderr.decode())
            self.assertIn(needle, s.stderr.decode())
            self.assertFalse(os.path.exists(marker), "the agent ran despite a bad --sign-key")
        rc, out, err = verify(self.log, "--key", self.k("rsa.pem"))
        self.assertEqual(rc, 2)
        self.assertIn("is a key of type RSA, not Ed25519", err)
