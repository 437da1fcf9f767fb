/* Escaping of strings that came from the traced agent (attacker-controlled bytes). */
#ifndef CAPSULE_ESCAPE_H
#define CAPSULE_ESCAPE_H
#include <stddef.h>
#include <stdio.h>

/* Escapes in[0..len) into out (size outsz, always NUL-terminated when outsz > 0):
 *  - valid printable UTF-8 is copied (multi-byte sequences kept whole, never split);
 *  - backslash -> "\\", '"' -> "\"" ;  \n \t \r -> "\n" "\t" "\r";
 *  - every other control byte (0x00-0x1f, 0x7f), the C1 controls U+0080-U+009F,
 *    U+2028/U+2029, bidi overrides U+202A-U+202E and U+2066-U+2069, and every byte of
 *    invalid UTF-8 (overlongs, surrogates, > U+10FFFF, truncated sequences) -> "\xNN"
 *    per byte (lower-case hex);
 *  - if the escaped text does not fit in max_out visible bytes (max_out == 0: unlimited,
 *    bounded by outsz), it is cut at a character boundary and the marker "…[+N]" is appended,
 *    N = number of INPUT bytes not shown. The result (marker included) always fits in outsz.
 * The output never contains a control byte, so a file name cannot move the cursor or fake a
 * log line; the escaping is reversible (lossless) when not truncated.
 * Returns the length written (excluding NUL). */
size_t cap_escape(char *out, size_t outsz, const char *in, size_t len, size_t max_out);

/* Writes s (already escaped with cap_escape, or any text) as the body of a JSON string:
 * escapes '"', '\\' and bytes < 0x20 as JSON requires. Same out/outsz/return contract,
 * truncating at a character boundary if it does not fit. */
size_t cap_json_escape(char *out, size_t outsz, const char *s, size_t len);

/* Writes text that should already be escaped (a line read back from a log or a database, which
 * someone may have edited) to f, with every character cap_escape would escape except '\\', '"'
 * and \t replaced by '?': nothing that moves the cursor or reorders the line gets through,
 * and a correctly escaped line is printed unchanged. */
void cap_put_terminal_safe(FILE *f, const char *s, size_t len);
/* The same filter in place (the text never grows); NUL-terminates when it shrank. Returns the
 * new length. */
size_t cap_terminal_sanitize(char *s, size_t len);

#endif
