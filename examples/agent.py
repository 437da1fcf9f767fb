#!/usr/bin/env python3
"""A small stand-in for an AI agent: the kind of things agents do on a machine.

It reads a config file, writes a summary, runs a couple of shell commands, talks to a
local server over TCP and UDP, and touches a file it should not (~/.bashrc in a scratch
HOME), so the Capsule timeline has something from most areas to show.
"""
import os
import socket
import subprocess
import tempfile
import threading

work = tempfile.mkdtemp(prefix="capsule-demo-")
os.chdir(work)
os.makedirs("data", exist_ok=True)
with open("data/config.yaml", "w") as f:
    f.write("model: demo\nsteps: 3\n")

with open("data/config.yaml") as f:
    config = f.read()

# a local TCP peer on loopback, served by a thread of this process
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]

def serve():
    conn, _ = srv.accept()
    conn.sendall(conn.recv(64).upper())
    conn.close()

t = threading.Thread(target=serve)
t.start()
c = socket.create_connection(("127.0.0.1", port))
c.sendall(b"hello from the agent")
reply = c.recv(64)
c.close()
t.join()

# a UDP datagram, as a DNS client would send
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"ping", ("127.0.0.1", 9))
u.close()

# tools the agent runs
out = subprocess.run(["ls", "-la", "data"], capture_output=True, text=True).stdout
subprocess.run(["sh", "-c", "echo step done | tr a-z A-Z > data/log.txt"], check=True)

with open("summary.md", "w") as f:
    f.write(f"# summary\nconfig={len(config)} bytes reply={reply!r}\n{out}")

# something a reviewer wants flagged: a write to a shell start-up file
home = os.path.join(work, "home")
os.makedirs(home, exist_ok=True)
with open(os.path.join(home, ".bashrc"), "a") as f:
    f.write("# added by the agent\n")

os.unlink("data/log.txt")
print("agent: done, work in", work)
