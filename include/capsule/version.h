/* The version, one place for every subcommand. */
#ifndef CAPSULE_VERSION
#define CAPSULE_VERSION "0.1.0"
#endif
