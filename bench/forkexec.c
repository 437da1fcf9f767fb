// Fork/exec storm: N x (fork + execve("/bin/true") + waitpid).
// Usage: forkexec [N]   (default 2000). Silent on success, exit 0.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	long n = 2000;
	if (argc > 1) {
		char *end;
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno || *end || n < 0) {
			fprintf(stderr, "usage: %s [iterations]\n", argv[0]);
			return 2;
		}
	}
	char *const child_argv[] = { "/bin/true", NULL };
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "forkexec: fork: %s\n", strerror(errno));
			return 1;
		}
		if (pid == 0) {
			execve("/bin/true", child_argv, environ);
			_exit(127);
		}
		int st;
		pid_t r;
		do
			r = waitpid(pid, &st, 0);
		while (r < 0 && errno == EINTR);
		if (r < 0) {
			fprintf(stderr, "forkexec: waitpid: %s\n", strerror(errno));
			return 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "forkexec: child %ld failed (status 0x%x)\n", i, st);
			return 1;
		}
	}
	return 0;
}
