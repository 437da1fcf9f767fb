-- Capsule session store (SQLite). One source: embedded into the binary at build time
-- (Makefile: build/gen/schema_sql.h). Documented in docs/store.md; bump user_version when a
-- table changes. Every statement is idempotent so opening an existing database is safe.
PRAGMA user_version = 2;

-- One row per traced session. `id` is the small integer key every other table uses;
-- `uuid` is the session id shown to people (20261204-203015-4242).
CREATE TABLE IF NOT EXISTS sessions (
	id          INTEGER PRIMARY KEY,
	uuid        TEXT NOT NULL UNIQUE,
	command     TEXT,              -- the command line, escaped for display
	argv        TEXT,              -- JSON array of the command's arguments (escaped strings)
	user        TEXT,              -- user the command ran as
	uid         INTEGER,
	start_ns    INTEGER,           -- wall clock, ns since the epoch
	end_ns      INTEGER,           -- NULL while running (or after a crash)
	exit_status INTEGER,           -- as capsule exited: code, or 128+signal
	log_dir     TEXT,
	host        TEXT,              -- hostname of the machine that traced
	events      INTEGER NOT NULL DEFAULT 0,   -- events stored in this database
	processes   INTEGER NOT NULL DEFAULT 0,
	lost        INTEGER NOT NULL DEFAULT 0,   -- kernel ring-buffer losses
	not_stored  INTEGER NOT NULL DEFAULT 0,   -- events recorded in events.jsonl but not here (store queue full)
	warnings    INTEGER NOT NULL DEFAULT 0,
	final_hash  TEXT                -- hash chain: SHA-256 hex of the last events.jsonl line
);

-- One row per process (a pid within a session; a reused pid gets a new row).
CREATE TABLE IF NOT EXISTS processes (
	session     INTEGER NOT NULL REFERENCES sessions(id),
	pid         INTEGER NOT NULL,
	ppid        INTEGER,
	start_ns    INTEGER,           -- fork (or first event seen)
	exit_ns     INTEGER,
	argv        TEXT,              -- JSON array, last exec
	exe         TEXT,              -- absolute path, last exec
	exe_sha256  TEXT,              -- hex: the execve's image_sha256, or its later image event; NULL otherwise
	cwd         TEXT,
	uid         INTEGER,
	user        TEXT,
	comm        TEXT,
	execs       INTEGER NOT NULL DEFAULT 0,
	exit_status INTEGER,           -- raw wait status
	exit_code   INTEGER,
	exit_signal TEXT,
	start_seq   INTEGER NOT NULL,  -- seq of the first event of this process
	PRIMARY KEY (session, pid, start_seq)
) WITHOUT ROWID;

-- One row per event: the columns the filters use, the text line of the live view and the full
-- JSONL record (docs/events.md). id = session << 40 | seq: unique, in session then seq order,
-- and an event is found by (session, seq) without another index.
CREATE TABLE IF NOT EXISTS events (
	id       INTEGER PRIMARY KEY,  -- (session << 40) + seq
	session  INTEGER NOT NULL,
	seq      INTEGER NOT NULL,
	bucket   INTEGER NOT NULL,     -- seq >> 10: the index bucket (below)
	time_ns  INTEGER NOT NULL,     -- wall clock, ns since the epoch
	kind     TEXT NOT NULL,        -- openat, connect, execve, fork, exit, signal, ...
	area     TEXT NOT NULL,        -- proc net file cred mem ipc dev sys ns signal
	pid      INTEGER,
	tid      INTEGER,
	ppid     INTEGER,
	uid      INTEGER,
	comm     TEXT,
	ret      INTEGER,
	error    TEXT,                 -- errno name when the call failed
	warning  TEXT,                 -- the ⚠ reason, NULL when none
	path     TEXT,                 -- first resolved path, else fd_path, else exe
	path2    TEXT,                 -- second resolved path (rename, link, ...)
	host     TEXT,                 -- remote address without port (IP, or unix:/path)
	port     INTEGER,              -- remote port
	line     TEXT,                 -- the text line of the live view (no colour, no newline)
	json     TEXT NOT NULL         -- the JSONL record (no newline)
);
-- The kind, comm and path indexes are bucketed: their key starts with the bucket, seq >> 10 (1024
-- consecutive events; CAP_STORE_BUCKET_SHIFT in store.h), so the writer only ever inserts
-- into the few pages of the current bucket instead of all over a tree as large as the session
-- (2.5x the insert rate on a million events). A query walks the session's buckets in
-- event_times and seeks in each one. --pid goes through comms: (comm, pid) index entries.
-- events_kind leaves out the kinds that make most of a session (openat and close are ~3/4 of
-- the events of an agent's session): an index on them would not narrow a search, and a query
-- for them reads the session's events in order instead. The placeholder below is replaced by that
-- list (cap_query_common_kinds, src/store/query.c, which the query builder uses too).
CREATE INDEX IF NOT EXISTS events_kind ON events(session, bucket, kind) WHERE kind NOT IN (@COMMON_KINDS@);
CREATE INDEX IF NOT EXISTS events_comm ON events(session, bucket, comm, pid);
CREATE INDEX IF NOT EXISTS events_path ON events(session, bucket, path) WHERE path IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_host ON events(host) WHERE host IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_warn ON events(session, seq) WHERE warning IS NOT NULL;

-- Every comm a pid had in the session (an exec or PR_SET_NAME changes it): what --pid looks
-- up to seek in events_comm.
CREATE TABLE IF NOT EXISTS comms (
	session INTEGER NOT NULL,
	pid     INTEGER NOT NULL,
	comm    TEXT NOT NULL,
	PRIMARY KEY (session, pid, comm)
) WITHOUT ROWID;

-- One row per bucket (seq >> 10) of a session: the seqs and the time range of its events.
-- Indexed queries walk these rows in order; --since/--until keep the buckets whose range
-- overlaps the window (events are nearly in time order, not exactly: min and max make it exact).
CREATE TABLE IF NOT EXISTS event_times (
	session   INTEGER NOT NULL,
	bucket    INTEGER NOT NULL,    -- seq >> 10
	first_seq INTEGER NOT NULL,
	last_seq  INTEGER NOT NULL,
	min_ns    INTEGER NOT NULL,
	max_ns    INTEGER NOT NULL,
	events    INTEGER NOT NULL,    -- events stored in this bucket
	PRIMARY KEY (session, bucket)
) WITHOUT ROWID;

-- Files touched, per path and operation (read, write, create, delete, rename, chmod, chown,
-- truncate, link, mkdir, exec, open): how often and how many bytes (read/write at close).
CREATE TABLE IF NOT EXISTS files (
	session   INTEGER NOT NULL,
	path      TEXT NOT NULL,
	op        TEXT NOT NULL,
	count     INTEGER NOT NULL DEFAULT 0,
	bytes     INTEGER NOT NULL DEFAULT 0,
	first_seq INTEGER,
	last_seq  INTEGER,
	PRIMARY KEY (session, path, op)
) WITHOUT ROWID;

-- Network peers: remote addresses the session talked to.
CREATE TABLE IF NOT EXISTS peers (
	session  INTEGER NOT NULL,
	addr     TEXT NOT NULL,        -- IP address, or unix:/path, unix:@name
	port     INTEGER NOT NULL,     -- 0 when none
	proto    TEXT NOT NULL,        -- tcp udp unix ...
	dns_name TEXT,                 -- a name that resolved to addr, when known
	events   INTEGER NOT NULL DEFAULT 0,
	bytes_sent     INTEGER NOT NULL DEFAULT 0,
	bytes_received INTEGER NOT NULL DEFAULT 0,
	first_ns INTEGER,
	last_ns  INTEGER,
	PRIMARY KEY (session, addr, port, proto)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS peers_dns ON peers(dns_name) WHERE dns_name IS NOT NULL;

-- Names the session resolved (dns events: each answer address of the asked name); --host NAME
-- and peers.dns_name use it.
CREATE TABLE IF NOT EXISTS dns_names (
	session INTEGER NOT NULL,
	addr    TEXT NOT NULL,
	name    TEXT NOT NULL,
	seq     INTEGER,               -- the dns event that gave it
	PRIMARY KEY (session, addr, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dns_names_name ON dns_names(session, name);

-- Warnings, with the line that caused them.
CREATE TABLE IF NOT EXISTS warnings (
	session INTEGER NOT NULL,
	seq     INTEGER NOT NULL,
	reason  TEXT NOT NULL,
	line    TEXT,
	PRIMARY KEY (session, seq)
) WITHOUT ROWID;
