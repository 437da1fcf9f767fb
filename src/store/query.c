/* Filters to SQL. Values are never pasted into the SQL text: each becomes a bound parameter,
 * so a path or a comm from the command line cannot change the statement. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format/sbuf.h"
#include "store/query.h"

static int add_text(struct cap_query_sql *o, const char *v)
{
	if (o->nparams >= CAP_QUERY_MAX_PARAMS)
		return -1;
	o->params[o->nparams] = (struct cap_query_param){ .is_text = true, .text = v };
	return ++o->nparams;
}

static int add_num(struct cap_query_sql *o, int64_t v)
{
	if (o->nparams >= CAP_QUERY_MAX_PARAMS)
		return -1;
	o->params[o->nparams] = (struct cap_query_param){ .num = v };
	return ++o->nparams;
}

/* Most of a session's events are of these kinds: events_kind leaves them out (schema.sql). */
static const char *const common_kinds[] = { "openat", "close" };
#define N_COMMON (sizeof(common_kinds) / sizeof(common_kinds[0]))

void cap_query_common_kinds(char *buf, size_t n)
{
	struct sbuf b;
	sb_init(&b, buf, n);
	for (size_t i = 0; i < N_COMMON; i++) {
		sb_puts(&b, i ? ", '" : "'");
		sb_puts(&b, common_kinds[i]);
		sb_putc(&b, '\'');
	}
}

/* Whether one of the --kind values is a common kind (then events_kind cannot answer). */
static bool has_common_kind(const char *list)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		for (size_t i = 0; i < N_COMMON; i++)
			if (strlen(common_kinds[i]) == len && !strncmp(p, common_kinds[i], len))
				return true;
		p += len + (p[len] ? 1 : 0);
	}
	return false;
}

/* The kind list of --kind (connect,openat) as " IN (?n, ...)", each kind a parameter. */
static int kind_list(const struct cap_query *q, struct cap_query_sql *o, struct sbuf *b, char *err, size_t errn)
{
	const char *p = q->kind;
	int nk = 0;
	sb_puts(b, " IN (");
	while (*p) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (!len || len >= sizeof(o->kinds[0]) || nk >= 16)
			return snprintf(err, errn, "--kind takes kinds separated by commas (at most 16): '%s'", q->kind), -EINVAL;
		memcpy(o->kinds[nk], p, len);
		o->kinds[nk][len] = 0;
		sb_printf(b, "%s?%d", nk ? ", " : "", add_text(o, o->kinds[nk]));
		nk++;
		p += len + (c ? 1 : 0);
		if (c && !*p)
			return snprintf(err, errn, "--kind ends with a comma: '%s'", q->kind), -EINVAL;
	}
	sb_putc(b, ')');
	return 0;
}

int cap_query_build(const struct cap_query *q, struct cap_query_sql *o, char *err, size_t errn)
{
	enum { D_NONE, D_KIND, D_COMM, D_PID, D_WARN, D_PATH, D_HOST } driver = D_NONE;
	struct sbuf b;
	int n, ns, nsince = 0, nuntil = 0;

	o->nparams = 0;
	const struct { const char *v, *name; } text[] = {
		{ q->kind, "--kind" }, { q->comm, "--comm" }, { q->path_glob, "--path" }, { q->host, "--host" },
	};
	for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
		if (text[i].v && !text[i].v[0])
			return snprintf(err, errn, "%s needs a value", text[i].name), -EINVAL;
	if (q->host)
		driver = D_HOST;
	else if (q->path_glob && !strchr("*?[", q->path_glob[0]))
		driver = D_PATH;
	else if (q->warnings)
		driver = D_WARN;
	else if (q->pid >= 0)
		driver = D_PID;
	else if (q->comm)
		driver = D_COMM;
	else if (q->kind && !has_common_kind(q->kind))
		driver = D_KIND;
	/* kind, comm, pid and path search the bucketed indexes: one seek per bucket of the session */
	bool buckets = driver == D_KIND || driver == D_COMM || driver == D_PID || driver == D_PATH;
#define USE(d) (driver == (d) ? "" : "+")

	sb_init(&b, o->sql, sizeof(o->sql));
	sb_puts(&b, q->json ? "SELECT e.json" : "SELECT e.line");
	sb_puts(&b, ", e.time_ns, e.pid, e.comm, e.kind, e.path, e.host, e.port, e.ret, e.error, e.warning FROM ");
	ns = add_num(o, q->session);
	if (q->since_ns)
		nsince = add_num(o, q->since_ns);
	if (q->until_ns)
		nuntil = add_num(o, q->until_ns);
	if (buckets) {
		/* the buckets in order (their time range overlapping the window), then the index
		 * entries of each: the rows come out in bucket order, sorted by id within one */
		sb_printf(&b, "event_times t CROSS JOIN events e WHERE t.session = ?%d", ns);
		if (nsince)
			sb_printf(&b, " AND t.max_ns >= ?%d", nsince);
		if (nuntil)
			sb_printf(&b, " AND t.min_ns <= ?%d", nuntil);
		sb_printf(&b, " AND e.session = ?%d AND e.bucket = t.bucket", ns);
	} else {
		/* the ids to search: the session's (events.id = session << 40 | seq), narrowed to the
		 * buckets whose time range overlaps the window */
		char lo[256], hi[256];
		if (nsince)
			snprintf(lo, sizeof(lo), "coalesce((SELECT min((session << 40) + first_seq) FROM event_times "
				 "WHERE session = ?%d AND max_ns >= ?%d), 1 << 62)", ns, nsince);
		else
			snprintf(lo, sizeof(lo), "(?%d << 40)", ns);
		if (nuntil)
			snprintf(hi, sizeof(hi), "coalesce((SELECT max((session << 40) + last_seq) FROM event_times "
				 "WHERE session = ?%d AND min_ns <= ?%d), -1)", ns, nuntil);
		else
			snprintf(hi, sizeof(hi), "(?%d << 40) + 1099511627775", ns);
		if (driver == D_NONE || driver == D_HOST)
			sb_printf(&b, "events e WHERE %se.id BETWEEN %s AND %s AND +e.session = ?%d", USE(D_NONE), lo,
				  hi, ns);
		else
			sb_printf(&b, "events e WHERE e.session = ?%d AND e.id BETWEEN %s AND %s", ns, lo, hi);
	}
	if (nsince)
		sb_printf(&b, " AND +e.time_ns >= ?%d", nsince);
	if (nuntil)
		sb_printf(&b, " AND +e.time_ns <= ?%d", nuntil);
	if (q->kind) {
		sb_puts(&b, driver == D_KIND ? " AND e.kind" : " AND +e.kind");
		if (kind_list(q, o, &b, err, errn))
			return -EINVAL;
		if (driver == D_KIND) { /* the partial index's own term, so that SQLite may use it */
			char list[200];
			cap_query_common_kinds(list, sizeof(list));
			sb_printf(&b, " AND e.kind NOT IN (%s)", list);
		}
	}
	if (q->pid >= 0) {
		n = add_num(o, q->pid);
		if (driver == D_PID) /* events_comm is (comm, pid): the pid's comms first */
			sb_printf(&b, " AND e.comm IN (SELECT comm FROM comms WHERE session = ?%d AND pid = ?%d)"
				  " AND e.pid = ?%d", ns, n, n);
		else
			sb_printf(&b, " AND +e.pid = ?%d", n);
	}
	if (q->comm)
		sb_printf(&b, " AND %se.comm = ?%d", USE(D_COMM), add_text(o, q->comm));
	if (q->path_glob)
		sb_printf(&b, " AND %se.path GLOB ?%d", USE(D_PATH), add_text(o, q->path_glob));
	if (q->host) {
		/* an address, or a name the session resolved to addresses */
		n = add_text(o, q->host);
		sb_printf(&b,
			 " AND e.host IN (SELECT ?%d UNION SELECT addr FROM dns_names WHERE session = ?%d AND name = ?%d)",
			 n, ns, n);
	}
	if (q->warnings)
		sb_puts(&b, driver == D_WARN ? " AND e.warning IS NOT NULL" : " AND +e.warning IS NOT NULL");
#undef USE
	sb_puts(&b, buckets ? " ORDER BY t.bucket, e.id" : " ORDER BY e.id");
	if (q->limit > 0)
		sb_printf(&b, " LIMIT ?%d", add_num(o, q->limit));
	if (b.full)
		return snprintf(err, errn, "query too long"), -EINVAL;
	return 0;
}

/* ---- time ---- */

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* ".123" -> ns; advances p */
static int64_t fraction(const char **p)
{
	int64_t ns = 0, scale = 100000000;
	if (**p != '.')
		return 0;
	(*p)++;
	while (isdigit((unsigned char)**p)) {
		ns += (**p - '0') * scale;
		scale /= 10;
		(*p)++;
	}
	return ns;
}

/* HH:MM[:SS[.frac]] */
static int clock_part(const char **p, struct tm *tm, int64_t *ns)
{
	int h, m, s = 0;
	if (digits(p, 2, &h) || **p != ':')
		return -1;
	(*p)++;
	if (digits(p, 2, &m))
		return -1;
	if (**p == ':') {
		(*p)++;
		if (digits(p, 2, &s))
			return -1;
		*ns = fraction(p);
	}
	if (h > 23 || m > 59 || s > 60)
		return -1;
	tm->tm_hour = h;
	tm->tm_min = m;
	tm->tm_sec = s;
	return 0;
}

int cap_parse_time(const char *s, int64_t now_ns, int64_t *out)
{
	const char *p = s;
	struct tm tm = { 0 };
	int64_t ns = 0;
	int y, mo, d;

	if (!s || !*s)
		return -EINVAL;
	if (*p == '@') {
		char *end;
		p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		long long sec = strtoll(p, &end, 10);
		p = end;
		ns = fraction(&p);
		if (*p || errno || sec > INT64_MAX / 1000000000LL - 1)
			return -EINVAL;
		*out = sec * 1000000000LL + ns;
		return 0;
	}
	/* relative: 90s, 5m, 2h, 1d, optionally "-" before or " ago" after */
	if (*p == '-' || (isdigit((unsigned char)*p) && !strchr(p, ':') && !strchr(p, '-'))) {
		char *end;
		if (*p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		long long n = strtoll(p, &end, 10);
		int64_t unit;
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -EINVAL;
		}
		end++;
		if (*end && strcmp(end, " ago"))
			return -EINVAL;
		if (n > 100LL * 365 * 86400 / unit)
			return -EINVAL;
		*out = now_ns - n * unit * 1000000000LL;
		return 0;
	}
	if (strlen(p) >= 10 && p[4] == '-') {
		if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
			return -EINVAL;
		if (mo < 1 || mo > 12 || d < 1 || d > 31)
			return -EINVAL;
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		if (*p == 'T' || *p == ' ') {
			p++;
			if (clock_part(&p, &tm, &ns))
				return -EINVAL;
		}
	} else {
		/* a time of day: today, local time */
		time_t now = now_ns / 1000000000LL;
		localtime_r(&now, &tm);
		if (clock_part(&p, &tm, &ns))
			return -EINVAL;
	}
	time_t t;
	if (*p == 'Z' && !p[1]) {
		t = timegm(&tm);
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int sign = *p == '-' ? -1 : 1, zh, zm;
		const char *z = p + 1;
		if (digits(&z, 2, &zh) || *z++ != ':' || digits(&z, 2, &zm) || zh > 23 || zm > 59)
			return -EINVAL;
		t = timegm(&tm) - sign * (zh * 3600 + zm * 60);
	} else if (!*p) {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else {
		return -EINVAL;
	}
	if (t < INT64_MIN / 1000000000LL + 1 || t > INT64_MAX / 1000000000LL - 1)
		return -EINVAL; /* nanoseconds fit in 64 bits from 1678 to 2262 */
	*out = (int64_t)t * 1000000000LL + ns;
	return 0;
}
