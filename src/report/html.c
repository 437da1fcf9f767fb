/* capsule report --html: one self-contained page (inline CSS, JS and SVG; a Content Security
 * Policy of default-src 'none' so the page cannot fetch anything even if a string slipped
 * through). Agent strings are HTML-escaped in markup, and in the embedded JSON every '<', '>',
 * '&', U+2028 and U+2029 is a \u escape, so no string can close the <script> element. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "report/report.h"
#include "report/template.h"

static const char *const area_colors[REP_AREAS] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#ff9da7", "#bab0ac",
};

/* HTML text and attribute values */
static void h(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s < 0x20)
				fprintf(f, "&#x%x;", (unsigned char)*s); /* never reached for safe strings */
			else
				fputc(*s, f);
		}
	}
}

/* A JSON string that is also safe inside <script> */
static void js(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
			fprintf(f, "\\u%04x", *p);
		else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
			fprintf(f, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
			p += 2;
		} else
			fputc(*p, f);
	}
	fputc('"', f);
}

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1d232a;background:#f6f7f9}"
	"header{background:#1d2733;color:#fff;padding:18px 28px}header h1{margin:0 0 6px;font-size:22px}"
	"header dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}header dt{color:#9fb0c3}header dd{margin:0;word-break:break-all}"
	"nav{padding:8px 28px;background:#e8ecf1;position:sticky;top:0;z-index:2}nav a{margin-right:14px;color:#24507a;text-decoration:none}"
	"section{background:#fff;margin:16px 28px;padding:14px 18px;border-radius:6px;box-shadow:0 1px 2px #0002}"
	"h2{margin:0 0 10px;font-size:17px}h3{font-size:14px;margin:12px 0 4px}"
	".alert{background:#fff3cd;border:1px solid #e0c36a;padding:8px 12px;border-radius:4px;margin:6px 0}"
	"table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}"
	"th{background:#f0f2f5}tr.dir td{background:#f7f8fa;font-weight:600}.mono,td.path,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}"
	"td.path,.line{word-break:break-all}.sens{color:#b3261e;font-weight:600}.muted{color:#6b7785}"
	"ul.tree,ul.tree ul{list-style:none;padding-left:18px;margin:0}ul.tree li{margin:2px 0}ul.tree summary{cursor:pointer}"
	".pill{display:inline-block;padding:0 6px;border-radius:8px;background:#eef1f5;font-size:12px;margin-left:6px}"
	".warn{color:#b3261e}.ok{color:#2e7d32}.lines{margin:0;padding:0;list-style:none}.lines li{font-family:ui-monospace,Menlo,monospace;font-size:12.5px;padding:2px 0;border-bottom:1px dotted #e5e5e5;word-break:break-all}"
	"#tlwrap{position:relative;overflow:hidden;border:1px solid #dde2e8;border-radius:4px;background:#fcfcfd;cursor:grab;user-select:none}"
	"#tl{display:block}#tl .lane{fill:#f1f3f6}#tl .life{fill:#d5dde7}#tl text{font:11px ui-monospace,monospace;fill:#333}"
	".controls{margin:0 0 8px}.controls button{font:inherit;padding:2px 10px;margin-right:6px;cursor:pointer}"
	"#detail{min-height:1.5em;margin-top:6px;font-family:ui-monospace,monospace;font-size:12.5px;word-break:break-all}"
	".legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}"
	".crit{border-left:4px solid #9aa5b1;padding:4px 12px;margin:10px 0}.crit.found{border-color:#e15759}.crit.none{border-color:#59a14f}";

/* Timeline: lanes per process, marks per event, zoom with the wheel, drag or the buttons. */
static const char script[] =
	"(function(){'use strict';"
	"var D=JSON.parse(document.getElementById('capsule-data').textContent);"
	"var NS='http://www.w3.org/2000/svg',svg=document.getElementById('tl'),wrap=document.getElementById('tlwrap');"
	"var LW=230,RH=16,W=Math.max(600,wrap.clientWidth||1000),dur=Math.max(D.dur,1e-3);"
	"var H=Math.max(1,D.procs.length)*RH+24;svg.setAttribute('width',W);svg.setAttribute('height',H);"
	"var v0=0,v1=dur;"
	"function el(n,a,p){var e=document.createElementNS(NS,n);for(var k in a)e.setAttribute(k,a[k]);(p||svg).appendChild(e);return e;}"
	"function x(t){return LW+(t-v0)/(v1-v0)*(W-LW-10);}"
	"function fmt(ms){return ms<1?(ms*1000).toFixed(0)+' \\u00b5s':ms<1000?ms.toFixed(ms<10?2:0)+' ms':(ms/1000).toFixed(2)+' s';}"
	"function draw(){while(svg.firstChild)svg.removeChild(svg.firstChild);"
	"var g=el('g',{'class':'lanes'});"
	"D.procs.forEach(function(p,i){var y=20+i*RH;el('rect',{'class':'lane',x:LW,y:y,width:W-LW,height:RH-2},g);"
	"var a=Math.max(x(p.s),LW),b=Math.min(x(p.e<0?dur:p.e),W);if(b>a)el('rect',{'class':'life',x:a,y:y+3,width:Math.max(b-a,1),height:RH-8},g);"
	"var t=el('text',{x:4+p.d*8,y:y+11},g);t.textContent='P'+p.pid+' '+p.c;});"
	"var m=el('g',{'class':'marks'}),n=0;"
	"for(var i=0;i<D.ev.length;i++){var e=D.ev[i];if(e[0]<v0||e[0]>v1)continue;"
	"var r=el('rect',{x:x(e[0])-1,y:20+e[1]*RH+(e[3]?0:2),width:e[3]?4:3,height:e[3]?RH-2:RH-6,fill:e[3]?'#d00':D.colors[e[2]],'data-i':i},m);n++;}"
	"var ax=el('g',{'class':'axis'});for(var k=0;k<=5;k++){var t=v0+(v1-v0)*k/5,xx=x(t);"
	"el('line',{x1:xx,x2:xx,y1:14,y2:H,stroke:'#ccd',"
	"'stroke-dasharray':'2,3'},ax);var tx=el('text',{x:Math.min(xx+2,W-60),y:11},ax);tx.textContent=fmt(t);}"
	"document.getElementById('zinfo').textContent='showing '+fmt(v0)+' \\u2013 '+fmt(v1)+' of '+fmt(dur)+', '+n+' events';"
	"svg.setAttribute('data-marks',n);svg.setAttribute('data-view',v0.toFixed(4)+','+v1.toFixed(4));}"
	"function zoom(f,c){var w=(v1-v0)*f;if(w<1e-3)w=1e-3;if(w>dur){w=dur;}c=c===undefined?(v0+v1)/2:c;"
	"var a=c-(c-v0)*w/(v1-v0);if(a<0)a=0;if(a+w>dur)a=dur-w;v0=a;v1=a+w;draw();}"
	"document.getElementById('zin').onclick=function(){zoom(0.5);};"
	"document.getElementById('zout').onclick=function(){zoom(2);};"
	"document.getElementById('zreset').onclick=function(){v0=0;v1=dur;draw();};"
	"function tAt(ev){var r=svg.getBoundingClientRect();return v0+(ev.clientX-r.left-LW)/(W-LW-10)*(v1-v0);}"
	"wrap.addEventListener('wheel',function(ev){ev.preventDefault();zoom(ev.deltaY<0?0.8:1.25,tAt(ev));},{passive:false});"
	"var drag=null;wrap.addEventListener('mousedown',function(ev){drag={x:ev.clientX,a:v0,b:v1};wrap.style.cursor='grabbing';});"
	"window.addEventListener('mouseup',function(){drag=null;wrap.style.cursor='';});"
	"window.addEventListener('mousemove',function(ev){if(!drag)return;var d=(ev.clientX-drag.x)/(W-LW-10)*(drag.b-drag.a);"
	"var a=drag.a-d,w=drag.b-drag.a;if(a<0)a=0;if(a+w>dur)a=dur-w;v0=a;v1=a+w;draw();});"
	"svg.addEventListener('mouseover',function(ev){var i=ev.target.getAttribute&&ev.target.getAttribute('data-i');"
	"if(i!==null&&i!==undefined)document.getElementById('detail').textContent=D.text[D.ev[i][4]];});"
	/* #t=FROM-TO (ms) in the address opens that window: a view can be shared as a link */
	"var m=/t=([0-9.]+)-([0-9.]+)/.exec(location.hash);if(m){var a=+m[1],b=+m[2];if(b>a&&a<dur){v0=a;v1=Math.min(b,dur);}}"
	"draw();})();";

static void meta_row(FILE *f, const char *k, const char *v)
{
	fprintf(f, "<dt>%s</dt><dd>", k);
	h(f, v);
	fputs("</dd>", f);
}

static void header(FILE *f, const struct rep_session *s)
{
	char buf[256], dur[32];
	fputs("<header><h1>Capsule report</h1><dl id=\"meta\">", f);
	meta_row(f, "session", s->id[0] ? s->id : "(unknown)");
	if (s->command[0])
		meta_row(f, "command", s->command);
	if (s->user[0])
		meta_row(f, "user", s->user);
	if (s->have_summary) {
		snprintf(buf, sizeof(buf), "%ld", s->exit_status);
		meta_row(f, "exit status", buf);
	}
	meta_row(f, "started", s->start_time[0] ? s->start_time : "?");
	rep_fmt_duration(dur, sizeof(dur), s->duration_s);
	meta_row(f, "duration", dur);
	snprintf(buf, sizeof(buf), "%" PRIu64 " read, %" PRIu64 " warnings", s->events, s->warnings_total);
	meta_row(f, "events", buf);
	if (s->final_hash[0])
		meta_row(f, "final hash", s->final_hash);
	meta_row(f, "source", s->source);
	fputs("</dl></header>\n", f);
	fputs("<nav><a href=\"#timeline\">Timeline</a><a href=\"#activity\">Activity</a><a href=\"#processes\">Processes</a>"
	      "<a href=\"#files\">Files</a><a href=\"#hosts\">Hosts</a><a href=\"#changes\">Privileges &amp; system</a>"
	      "<a href=\"#warnings\">Warnings</a><a href=\"#resources\">Resources</a>", f);
	if (s->tpl)
		fputs("<a href=\"#rollup\">Rollup</a>", f);
	fputs("</nav>\n", f);
	if (s->truncated || s->malformed || !s->have_summary || s->damage[0]) {
		fputs("<section id=\"problems\">", f);
		if (s->truncated)
			fprintf(f, "<div class=\"alert\">The log is cut short: its last line is incomplete. This report covers the %" PRIu64 " events before it.</div>", s->events);
		if (s->malformed)
			fprintf(f, "<div class=\"alert\">%" PRIu64 " lines of the log are not valid events and were skipped.</div>", s->malformed);
		if (s->damage[0]) {
			fputs("<div class=\"alert\">", f);
			h(f, s->damage);
			fputs("</div>", f);
		}
		if (!s->have_summary)
			fputs("<div class=\"alert\">No end-of-session summary: the session did not end normally, or its summary is damaged.</div>", f);
		fputs("</section>\n", f);
	}
}

static void timeline(FILE *f, const struct rep_session *s)
{
	fputs("<section id=\"timeline\"><h2>Timeline</h2>"
	      "<div class=\"controls\"><button id=\"zin\" type=\"button\">Zoom in</button><button id=\"zout\" type=\"button\">Zoom out</button>"
	      "<button id=\"zreset\" type=\"button\">Whole session</button><span id=\"zinfo\" class=\"muted\"></span></div>"
	      "<div class=\"legend\">", f);
	for (int a = 0; a < REP_AREAS; a++)
		fprintf(f, "<span><i style=\"background:%s\"></i>%s</span>", area_colors[a], rep_area_names[a]);
	fputs("<span><i style=\"background:#d00\"></i>warning</span></div>"
	      "<p class=\"muted\">One lane per process. Mouse wheel zooms around the pointer, drag pans; point at a mark to see the event. "
	      "Add #t=FROM-TO (milliseconds) to the address to open a time window.</p>"
	      "<div id=\"tlwrap\"><svg id=\"tl\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"timeline\"></svg></div>"
	      "<div id=\"detail\"></div>", f);
	if (s->tl_dropped)
		fprintf(f, "<p class=\"muted\">%zu events are not drawn (the timeline keeps at most %d, the rest of the report counts them all).</p>",
			s->tl_dropped, REP_MAX_TIMELINE);
	fputs("</section>\n", f);
}

static int buckets_used(const struct rep_session *s)
{
	int n = s->last_ns / s->bucket_ns + 1;
	return n > REP_BUCKETS ? REP_BUCKETS : n;
}

/* Small multiples: one bar chart per area with activity, same time axis. */
static void activity(FILE *f, const struct rep_session *s)
{
	int nb = buckets_used(s);
	const int W = 960, RH = 46, L = 70;
	int rows = 0;
	for (int a = 0; a < REP_AREAS; a++)
		rows += s->by_area[a] > 0;
	rows += s->warnings_total > 0;
	double bw = (double)(W - L - 10) / nb;
	char dur[32];
	rep_fmt_duration(dur, sizeof(dur), s->bucket_ns * (double)nb / 1e9);
	fprintf(f, "<section id=\"activity\"><h2>Activity over time</h2><p class=\"muted\">Events per %.3g ms, per area; the x axis spans %s.</p>",
		s->bucket_ns / 1e6, dur);
	fprintf(f, "<svg id=\"charts\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"activity per area\">",
		W, rows * RH + 20, W, rows * RH + 20);
	int row = 0;
	for (int a = 0; a <= REP_AREAS; a++) {
		bool warn = a == REP_AREAS;
		if (warn ? !s->warnings_total : !s->by_area[a])
			continue;
		uint32_t max = 1;
		for (int b = 0; b < nb; b++) {
			uint32_t v = warn ? s->bucket_warn[b] : s->buckets[b][a];
			if (v > max)
				max = v;
		}
		int y0 = row * RH;
		fprintf(f, "<g class=\"chart\" data-area=\"%s\"><text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>"
			"<text x=\"0\" y=\"%d\" font-size=\"10\" fill=\"#777\">max %u</text>"
			"<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>",
			warn ? "warning" : rep_area_names[a], y0 + 18, warn ? "warnings" : rep_area_names[a], y0 + 32, max,
			L, W - 10, y0 + RH - 4, y0 + RH - 4);
		for (int b = 0; b < nb; b++) {
			uint32_t v = warn ? s->bucket_warn[b] : s->buckets[b][a];
			if (!v)
				continue;
			double hgt = (RH - 8) * (double)v / max;
			if (hgt < 1)
				hgt = 1;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%u</title></rect>", L + b * bw,
				y0 + RH - 4 - hgt, bw > 1.5 ? bw - 0.5 : bw, hgt, warn ? "#d00" : area_colors[a], v);
		}
		fputs("</g>", f);
		row++;
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#777\">0</text><text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#777\" text-anchor=\"end\">",
		L, rows * RH + 14, W - 10, rows * RH + 14);
	h(f, dur);
	fputs("</text></svg></section>\n", f);
}

static void proc_item(FILE *f, const struct rep_session *s, size_t i, int depth)
{
	const struct rep_proc *p = &s->procs[i];
	bool kids = false;
	for (size_t j = i + 1; j < s->nprocs && !kids; j++)
		kids = s->procs[j].parent == (int)i;
	fputs("<li>", f);
	if (kids)
		fputs("<details open><summary>", f);
	fprintf(f, "<span class=\"mono\">P%d</span> <b>", p->pid);
	h(f, p->comm);
	fputs("</b> <span class=\"mono\">", f);
	h(f, p->cmdline ? p->cmdline : "");
	fputs("</span>", f);
	if (p->has_exit) {
		char rss[32];
		rep_fmt_bytes(rss, sizeof(rss), p->maxrss_kb * 1024);
		fprintf(f, "<span class=\"pill\">");
		h(f, p->exit);
		fprintf(f, "</span><span class=\"pill\">cpu %.1f ms</span><span class=\"pill\">rss %s</span>", p->cpu_ns / 1e6, rss);
	}
	if (kids) {
		fputs("</summary><ul>", f);
		for (size_t j = i + 1; j < s->nprocs; j++)
			if (s->procs[j].parent == (int)i)
				proc_item(f, s, j, depth + 1); /* a browser flattens nesting past its own limit */
		fputs("</ul></details>", f);
	}
	fputs("</li>", f);
}

static void processes(FILE *f, const struct rep_session *s)
{
	fprintf(f, "<section id=\"processes\"><h2>Process tree (%zu)</h2><ul class=\"tree\">", s->nprocs);
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].parent < 0)
			proc_item(f, s, i, 0);
	fputs("</ul>", f);
	if (s->procs_dropped)
		fprintf(f, "<p class=\"muted\">%zu more processes not tracked (cap %d).</p>", s->procs_dropped, REP_MAX_PROCS);
	fputs("</section>\n", f);
}

static void files(FILE *f, const struct rep_session *s)
{
	char rb[32], wb[32];
	fprintf(f, "<section id=\"files\"><h2>Files (%zu)</h2><table><thead><tr><th>path</th><th>access</th><th>read</th><th>written</th></tr></thead><tbody>", s->nfiles);
	const char *dir = NULL;
	size_t dl = 0;
	for (size_t i = 0; i < s->nfiles; i++) {
		const struct rep_file *fi = &s->files[i];
		const char *slash = strrchr(fi->path, '/');
		size_t l = slash ? (size_t)(slash - fi->path) : 0;
		if (fi->sensitive) {
			if (i == 0)
				fputs("<tr class=\"dir\"><td colspan=\"4\" class=\"sens\">sensitive paths</td></tr>", f);
		} else if (!dir || l != dl || memcmp(dir, fi->path, l)) {
			dir = fi->path;
			dl = l;
			fputs("<tr class=\"dir\"><td colspan=\"4\" class=\"path\">", f);
			char tmp[8192];
			snprintf(tmp, sizeof(tmp), "%.*s/", (int)l, fi->path);
			h(f, tmp);
			fputs("</td></tr>", f);
		}
		fprintf(f, "<tr%s><td class=\"path\">", fi->sensitive ? " class=\"sens\"" : "");
		if (fi->sensitive)
			fprintf(f, "%s: ", fi->sensitive == 2 ? "secret" : "persistence");
		h(f, fi->sensitive ? fi->path : (slash ? slash + 1 : fi->path));
		fputs("</td><td>", f);
		char acc[64];
		rep_access_words(acc, sizeof(acc), fi->access);
		fputs(acc, f);
		rep_fmt_bytes(rb, sizeof(rb), fi->read_bytes);
		rep_fmt_bytes(wb, sizeof(wb), fi->write_bytes);
		fprintf(f, "</td><td>%s</td><td>%s</td></tr>", fi->read_bytes ? rb : "", fi->write_bytes ? wb : "");
	}
	fputs("</tbody></table>", f);
	if (s->files_dropped)
		fprintf(f, "<p class=\"muted\">%zu more paths not tracked (cap %d).</p>", s->files_dropped, REP_MAX_FILES);
	fputs("</section>\n", f);
}

static void dns(FILE *f, const struct rep_session *s)
{
	fprintf(f, "<h3>DNS lookups (%zu)</h3>", s->ndns);
	if (!s->ndns) {
		fputs("<p class=\"muted\">none seen</p>", f);
		return;
	}
	fputs("<table><thead><tr><th>name</th><th>type</th><th>answer</th><th>addresses</th><th>lookups</th><th>unanswered</th></tr></thead><tbody>", f);
	for (size_t i = 0; i < s->ndns; i++) {
		const struct rep_dns *d = &s->dns[i];
		fputs("<tr><td class=\"path\">", f);
		h(f, d->name);
		fputs("</td><td>", f);
		h(f, d->type);
		fputs("</td><td>", f);
		h(f, d->rcode);
		fputs("</td><td class=\"path\">", f);
		h(f, d->addresses ? d->addresses : "");
		fprintf(f, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>", d->n, d->unanswered);
	}
	fputs("</tbody></table>", f);
}

static void hosts(FILE *f, const struct rep_session *s)
{
	char sb[32], rb[32];
	fprintf(f, "<section id=\"hosts\"><h2>Hosts contacted (%zu)</h2>", s->nhosts);
	if (!s->nhosts) {
		fputs("<p class=\"muted\">none</p>", f);
		dns(f, s);
		fputs("</section>\n", f);
		return;
	}
	fputs("<table><thead><tr><th>protocol</th><th>address</th><th>DNS name</th><th>connects</th><th>accepts</th><th>datagrams</th><th>sent</th><th>received</th><th>failed</th></tr></thead><tbody>", f);
	for (size_t i = 0; i < s->nhosts; i++) {
		const struct rep_host *ho = &s->hosts[i];
		rep_fmt_bytes(sb, sizeof(sb), ho->sent_bytes);
		rep_fmt_bytes(rb, sizeof(rb), ho->recv_bytes);
		fputs("<tr><td>", f);
		h(f, ho->proto);
		fputs("</td><td class=\"path\">", f);
		h(f, ho->addr);
		fputs("</td><td>", f);
		h(f, ho->dns ? ho->dns : "");
		fprintf(f, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%s</td><td>%s</td><td>%" PRIu64 "</td></tr>",
			ho->connects, ho->accepts, ho->sends + ho->recvs, sb, rb, ho->failed);
	}
	fputs("</tbody></table>", f);
	dns(f, s);
	fputs("</section>\n", f);
}

/* The lines kept (escaped), and how many more there were. */
static void line_list(FILE *f, const struct rep_lines *l)
{
	fputs("<ul class=\"lines\">", f);
	for (size_t i = 0; i < l->n; i++) {
		fputs("<li>", f);
		h(f, l->line[i]);
		fputs("</li>", f);
	}
	fputs("</ul>", f);
	if (l->total > l->n)
		fprintf(f, "<p class=\"muted\">… %zu more</p>", l->total - l->n);
}

static void lines(FILE *f, const char *title, const struct rep_lines *l)
{
	fprintf(f, "<h3>%s (%zu)</h3>", title, l->total);
	if (!l->total) {
		fputs("<p class=\"muted\">none</p>", f);
		return;
	}
	line_list(f, l);
}

static void changes(FILE *f, const struct rep_session *s)
{
	fputs("<section id=\"changes\"><h2>Privileges, namespaces, system, devices, signals</h2>", f);
	lines(f, "Credentials and privileges", &s->creds);
	lines(f, "Namespaces", &s->namespaces);
	lines(f, "System configuration", &s->system);
	fprintf(f, "<h3>Devices (%zu)</h3>", s->ndevs);
	if (!s->ndevs)
		fputs("<p class=\"muted\">none</p>", f);
	else {
		fputs("<table><thead><tr><th>class</th><th>path</th><th>opens</th><th>ioctls</th><th>failed</th></tr></thead><tbody>", f);
		for (size_t i = 0; i < s->ndevs; i++) {
			fputs("<tr><td>", f);
			h(f, s->devs[i].cls);
			fputs("</td><td class=\"path\">", f);
			h(f, s->devs[i].path ? s->devs[i].path : "");
			fprintf(f, "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td><td>%" PRIu64 "</td></tr>", s->devs[i].opens,
				s->devs[i].ioctls, s->devs[i].failed);
		}
		fputs("</tbody></table>", f);
	}
	lines(f, "Signals", &s->signals);
	lines(f, "Denied (EPERM, EACCES)", &s->denied);
	fputs("</section>\n", f);
}

static void warnings(FILE *f, const struct rep_session *s)
{
	fprintf(f, "<section id=\"warnings\"><h2>Warnings (%" PRIu64 ")</h2>", s->warnings_total);
	if (s->nwarn_kinds) {
		fputs("<table><thead><tr><th>warning</th><th>events</th></tr></thead><tbody>", f);
		for (size_t i = 0; i < s->nwarn_kinds; i++) {
			fputs("<tr><td class=\"warn\">⚠ ", f);
			h(f, s->warn_kinds[i].name);
			fprintf(f, "</td><td>%" PRIu64 "</td></tr>", s->warn_kinds[i].n);
		}
		fputs("</tbody></table>", f);
		if (s->warn_kinds_dropped)
			fprintf(f, "<p class=\"muted\">… %zu more warnings of other reasons (cap %d reasons)</p>",
				s->warn_kinds_dropped, REP_MAX_WARN_KINDS);
	}
	lines(f, "The events behind them", &s->warnings);
	fputs("</section>\n", f);
}

static void resources(FILE *f, const struct rep_session *s)
{
	char a[32], b[32], c[32];
	rep_fmt_bytes(a, sizeof(a), s->maxrss_kb * 1024);
	rep_fmt_bytes(b, sizeof(b), s->io_read);
	rep_fmt_bytes(c, sizeof(c), s->io_written);
	fprintf(f, "<section id=\"resources\"><h2>Resource use</h2><table><tbody>"
		"<tr><th>CPU time</th><td>%.3f s (user + system, all processes, from their exits)</td></tr>"
		"<tr><th>peak memory</th><td>%s (largest resident set of one process)</td></tr>"
		"<tr><th>I/O</th><td>%s read, %s written (through file descriptors, counted at close)</td></tr>"
		"<tr><th>events per area</th><td>",
		s->cpu_ns / 1e9, a, b, c);
	for (int i = 0; i < REP_AREAS; i++)
		if (s->by_area[i])
			fprintf(f, "%s %" PRIu64 " ", rep_area_names[i], s->by_area[i]);
	fputs("</td></tr>", f);
	if (s->peak_rss_kb) {
		rep_fmt_bytes(a, sizeof(a), s->peak_rss_kb * 1024);
		fprintf(f, "<tr><th>Capsule</th><td>peak memory %s</td></tr>", a);
	}
	fputs("</tbody></table></section>\n", f);
}

static void rollup(FILE *f, const struct rep_session *s)
{
	const struct rep_template *t = s->tpl;
	fputs("<section id=\"rollup\"><h2>", f);
	h(f, t->title ? t->title : t->name);
	fputs("</h2><p class=\"muted\">template ", f);
	h(f, t->file);
	fputs("</p>", f);
	for (size_t i = 0; i < t->ncrit; i++) {
		const struct tpl_criterion *c = &t->crit[i];
		const struct rep_lines *l = &s->evidence[i].lines;
		fprintf(f, "<div class=\"crit %s\"><h3>", l->total ? "found" : "none");
		h(f, c->id);
		fputs(" ", f);
		h(f, c->title ? c->title : "");
		fputs("</h3>", f);
		if (c->description) {
			fputs("<p>", f);
			h(f, c->description);
			fputs("</p>", f);
		}
		if (l->total)
			fprintf(f, "<p class=\"status\"><b>evidence found</b> (%zu events)</p>", l->total);
		else
			fputs("<p class=\"status\"><b>no activity</b></p>", f);
		line_list(f, l);
		fputs("</div>", f);
	}
	fputs("</section>\n", f);
}

static void data(FILE *f, const struct rep_session *s)
{
	fprintf(f, "<script id=\"capsule-data\" type=\"application/json\">{\"dur\":%.6f,\"colors\":[", s->last_ns / 1e6);
	for (int a = 0; a < REP_AREAS; a++)
		fprintf(f, "%s\"%s\"", a ? "," : "", area_colors[a]);
	fputs("],\"procs\":[", f);
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct rep_proc *p = &s->procs[i];
		int depth = 0;
		for (int q = p->parent; q >= 0 && depth < 12; q = s->procs[q].parent)
			depth++;
		fprintf(f, "%s{\"pid\":%d,\"c\":", i ? "," : "", p->pid);
		js(f, p->comm);
		fprintf(f, ",\"s\":%.6f,\"e\":%.6f,\"d\":%d}", p->start_ns / 1e6, p->end_ns < 0 ? -1.0 : p->end_ns / 1e6, depth);
	}
	fputs("],\"ev\":[", f);
	for (size_t i = 0; i < s->ntl; i++) {
		const struct rep_tl_event *e = &s->tl[i];
		fprintf(f, "%s[%.6f,%d,%d,%d,%u]", i ? "," : "", e->t_ns / 1e6, e->proc, e->area, e->warning, e->line);
	}
	fputs("],\"text\":[", f);
	for (size_t i = 0; i < s->ntl; i++) {
		if (i)
			fputc(',', f);
		js(f, s->tl_text[i]);
	}
	fputs("]}</script>\n", f);
}

void rep_write_html(FILE *f, const struct rep_session *s)
{
	fputs("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Capsule report: ", f);
	h(f, s->id[0] ? s->id : "session");
	fprintf(f, "</title><style>%s</style></head><body>\n", css);
	header(f, s);
	timeline(f, s);
	activity(f, s);
	processes(f, s);
	files(f, s);
	hosts(f, s);
	changes(f, s);
	warnings(f, s);
	resources(f, s);
	if (s->tpl)
		rollup(f, s);
	data(f, s);
	fprintf(f, "<script>%s</script>\n</body></html>\n", script);
}
