// Syscall storm: N x (open("/etc/hostname") / read 64 bytes / close).
// Usage: storm [N] [-t]   (default 200000). Silent on success, exit 0; -t prints the loop's
// own elapsed seconds on stdout (bench/run.py: the storm's time without capsule's start/end).
#include <errno.h>
#include <stdbool.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = 200000;
	if (argc > 1) {
		char *end;
		errno = 0;
		n = strtol(argv[1], &end, 10);
		if (errno || *end || n < 0) {
			fprintf(stderr, "usage: %s [iterations]\n", argv[0]);
			return 2;
		}
	}
	bool report = argc > 2 && !strcmp(argv[2], "-t");
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	char buf[64];
	for (long i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "storm: open /etc/hostname: %s\n", strerror(errno));
			return 1;
		}
		if (read(fd, buf, sizeof(buf)) < 0) {
			fprintf(stderr, "storm: read: %s\n", strerror(errno));
			close(fd);
			return 1;
		}
		if (close(fd) < 0) {
			fprintf(stderr, "storm: close: %s\n", strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (report)
		printf("%.6f\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
