/* Ed25519 signatures over a session's final hash, so an auditor can check who produced a log
 * (OpenSSL EVP; keys in PEM as made by `openssl genpkey -algorithm ed25519`).
 *
 * What is signed is the text  capsule-chain-v1 session=<id> records=<n> final_hash=<hex>
 * and it is written to signature.json in the session folder (docs/events.md, "Hash chain"). */
#ifndef CAPSULE_SIGN_H
#define CAPSULE_SIGN_H
#include <stddef.h>
#include <stdint.h>

#define CAP_SIGN_LEN 64            /* an Ed25519 signature */
#define CAP_SIGN_PUB_LEN 32        /* an Ed25519 public key */
#define CAP_SIGN_FP_LEN (7 + 64)   /* "sha256:" + hex */
#define CAP_SIGN_MSG_MAX 512

/* opaque: an EVP_PKEY */
typedef struct evp_pkey_st cap_key;

/* An Ed25519 private key from a PEM file. 0, or -errno with a one-line reason in err. */
int cap_sign_load_private(const char *path, cap_key **out, char *err, size_t n);
/* An Ed25519 public key from a PEM file (a private key's PEM also works: its public half). */
int cap_sign_load_public(const char *path, cap_key **out, char *err, size_t n);
/* An Ed25519 public key from its 32 raw bytes. */
int cap_sign_key_from_raw(const uint8_t raw[CAP_SIGN_PUB_LEN], cap_key **out);
void cap_sign_key_free(cap_key *k);

/* The raw public key and its fingerprint "sha256:<hex of SHA-256 of the raw key>". */
int cap_sign_public_raw(cap_key *k, uint8_t raw[CAP_SIGN_PUB_LEN]);
int cap_sign_fingerprint(cap_key *k, char out[CAP_SIGN_FP_LEN + 1]);

/* The text that is signed; its length, or -EINVAL. */
int cap_sign_message(char *out, size_t n, const char *session, uint64_t records, const char *final_hash);
int cap_sign(cap_key *k, const void *msg, size_t len, uint8_t sig[CAP_SIGN_LEN]);
/* 0 when sig is k's signature of msg, -EBADMSG when it is not. */
int cap_sign_check(cap_key *k, const void *msg, size_t len, const uint8_t *sig, size_t siglen);

/* Signs and writes signature.json in the folder dirfd (opened before the agent ran, so that it
 * cannot swap the folder for a link), or in dir when dirfd is -1; dir names it in messages.
 * A link in the folder's place of signature.json is not followed. 0, or -errno with a reason. */
int cap_sign_write(int dirfd, const char *dir, cap_key *k, const char *session, uint64_t records,
		   const char *final_hash, char *err, size_t n);

/* Base64 (standard alphabet, padded) of len bytes into out (NUL-terminated); and back: the
 * number of bytes decoded, or -EINVAL. */
int cap_b64_encode(const uint8_t *in, size_t len, char *out, size_t n);
int cap_b64_decode(const char *in, uint8_t *out, size_t n);

#endif
