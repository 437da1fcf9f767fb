/* Shared by the subcommands: one error style, checked number parsing. */
#ifndef CAPSULE_CLI_H
#define CAPSULE_CLI_H
#include <sys/types.h>

/* Prints "capsule: <message>" on stderr; returns -1. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* "capsule: ...", terminal-safe */
/* Parses a whole decimal number within [min, max]; -1 on anything else. */
int cli_parse_long(const char *s, long min, long max, long *out);
/* mkdir -p */
int cli_mkdirs(const char *path, mode_t mode);

int cmd_run(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
