/* capsule: trace AI agents from the kernel. One table of subcommands, one file each. */
#include <stdio.h>
#include <string.h>
#include "cli/cli.h"

#include "capsule/version.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "run a command traced: live timeline, session log, summary" },
	{ "watch", cmd_watch, "follow a session's timeline from another terminal (or replay one)" },
	{ "query", cmd_query, "search a stored session: filters, JSON, or read-only SQL" },
	{ "sessions", cmd_sessions, "list recorded sessions (id, command, user, start, duration, counts)" },
	{ "import", cmd_import, "rebuild a session database from an events.jsonl log" },
	{ "report", cmd_report, "a recorded session as text, one HTML page, or a SOC 2 / ISO 27001 rollup" },
	{ "doctor", cmd_doctor, "what this machine supports, and the fix for what is missing" },
	{ "verify", cmd_verify, "check a session log's hash chain and signature: was it changed?" },
};

static void help(FILE *f)
{
	fprintf(f, "Usage: capsule COMMAND [OPTIONS]\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-8s %s\n", "version", "print the version");
	fprintf(f, "\n'capsule COMMAND --help' describes a command.\n"
		   "Example: sudo capsule run -- python3 agent.py\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		help(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("capsule %s\n", CAPSULE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s' (capsule --help lists them)", argv[1]);
	return 2;
}
