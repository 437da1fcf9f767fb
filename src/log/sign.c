/* Ed25519 signing and checking of a session's final hash (see sign.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "log/sign.h"
#include "log/chain.h"

/* No passphrase prompt on the terminal: an encrypted key simply fails to load. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

static int check_ed25519(const char *path, EVP_PKEY *k, char *err, size_t n)
{
	if (EVP_PKEY_get_id(k) == EVP_PKEY_ED25519)
		return 0;
	const char *type = EVP_PKEY_get0_type_name(k);
	snprintf(err, n, "%s is a key of type %s, not Ed25519 (make one with: openssl genpkey -algorithm ed25519 -out KEY.pem)",
		 path, type ? type : "unknown");
	return -EINVAL;
}

static int load(const char *path, bool private, cap_key **out, char *err, size_t n)
{
	EVP_PKEY *k = NULL;
	*out = NULL;
	BIO *bio = BIO_new_file(path, "r");
	if (!bio) {
		int e = errno ? errno : EIO;
		snprintf(err, n, "cannot read key %s: %s", path, strerror(e));
		return -e;
	}
	if (private) {
		k = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	} else {
		k = PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
		if (!k && BIO_reset(bio) == 0)
			k = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	}
	BIO_free(bio);
	if (!k) {
		snprintf(err, n, "%s is not a PEM %s key (or it is encrypted; capsule needs it unencrypted)", path,
			 private ? "private" : "public or private");
		return -EINVAL;
	}
	if (check_ed25519(path, k, err, n)) {
		EVP_PKEY_free(k);
		return -EINVAL;
	}
	*out = k;
	return 0;
}

int cap_sign_load_private(const char *path, cap_key **out, char *err, size_t n)
{
	return load(path, true, out, err, n);
}

int cap_sign_load_public(const char *path, cap_key **out, char *err, size_t n)
{
	return load(path, false, out, err, n);
}

int cap_sign_key_from_raw(const uint8_t raw[CAP_SIGN_PUB_LEN], cap_key **out)
{
	*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, raw, CAP_SIGN_PUB_LEN);
	return *out ? 0 : -EINVAL;
}

void cap_sign_key_free(cap_key *k)
{
	EVP_PKEY_free(k);
}

int cap_sign_public_raw(cap_key *k, uint8_t raw[CAP_SIGN_PUB_LEN])
{
	size_t len = CAP_SIGN_PUB_LEN;
	if (!EVP_PKEY_get_raw_public_key(k, raw, &len) || len != CAP_SIGN_PUB_LEN)
		return -EINVAL;
	return 0;
}

int cap_sign_fingerprint(cap_key *k, char out[CAP_SIGN_FP_LEN + 1])
{
	uint8_t raw[CAP_SIGN_PUB_LEN];
	if (cap_sign_public_raw(k, raw))
		return -EINVAL;
	memcpy(out, "sha256:", 7);
	return cap_chain_hash_hex(raw, sizeof(raw), out + 7);
}

int cap_sign_message(char *out, size_t n, const char *session, uint64_t records, const char *final_hash)
{
	int len = snprintf(out, n, "capsule-chain-v1 session=%s records=%llu final_hash=%s", session,
			   (unsigned long long)records, final_hash);
	return len < 0 || (size_t)len >= n ? -EINVAL : len;
}

int cap_sign(cap_key *k, const void *msg, size_t len, uint8_t sig[CAP_SIGN_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t siglen = CAP_SIGN_LEN;
	int ret = -EIO;
	/* Ed25519 hashes the message itself: no digest is named */
	if (ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) == 1 &&
	    EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == CAP_SIGN_LEN)
		ret = 0;
	EVP_MD_CTX_free(ctx);
	return ret;
}

int cap_sign_check(cap_key *k, const void *msg, size_t len, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ret = -EIO;
	if (ctx && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1)
		ret = EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1 ? 0 : -EBADMSG;
	EVP_MD_CTX_free(ctx);
	return ret;
}

int cap_b64_encode(const uint8_t *in, size_t len, char *out, size_t n)
{
	if (n < 4 * ((len + 2) / 3) + 1 || len > INT_MAX / 2)
		return -EINVAL;
	return EVP_EncodeBlock((unsigned char *)out, in, len);
}

int cap_b64_decode(const char *in, uint8_t *out, size_t n)
{
	size_t len = strlen(in), pad = 0;
	if (len % 4 || len > INT_MAX / 2 || n < len / 4 * 3)
		return -EINVAL;
	if (len && in[len - 1] == '=')
		pad++;
	if (len > 1 && in[len - 2] == '=')
		pad++;
	int got = EVP_DecodeBlock(out, (const unsigned char *)in, len);
	if (got < 0 || (size_t)got < pad)
		return -EINVAL;
	return got - pad;
}

int cap_sign_write(int dirfd, const char *dir, cap_key *k, const char *session, uint64_t records,
		   const char *final_hash, char *err, size_t n)
{
	char msg[CAP_SIGN_MSG_MAX], fp[CAP_SIGN_FP_LEN + 1], sig64[128], pub64[64], path[PATH_MAX];
	uint8_t sig[CAP_SIGN_LEN], raw[CAP_SIGN_PUB_LEN];
	int len = cap_sign_message(msg, sizeof(msg), session, records, final_hash);

	if (len < 0 || cap_sign(k, msg, len, sig) || cap_sign_public_raw(k, raw) || cap_sign_fingerprint(k, fp) ||
	    cap_b64_encode(sig, sizeof(sig), sig64, sizeof(sig64)) < 0 ||
	    cap_b64_encode(raw, sizeof(raw), pub64, sizeof(pub64)) < 0) {
		snprintf(err, n, "signing the final hash failed (OpenSSL)");
		return -EIO;
	}
	snprintf(path, sizeof(path), "%s/signature.json", dir);
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW;
	int fd = dirfd >= 0 ? openat(dirfd, "signature.json", flags, 0644) : open(path, flags, 0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		snprintf(err, n, "cannot write %s: %s", path, strerror(e));
		return -e;
	}
	/* the session id is ours (digits and dashes): no escaping needed */
	fprintf(f, "{\"algorithm\":\"ed25519\",\"session\":\"%s\",\"records\":%llu,\"final_hash\":\"%s\","
		   "\"key_fingerprint\":\"%s\",\"public_key\":\"%s\",\"signature\":\"%s\"}\n",
		session, (unsigned long long)records, final_hash, fp, pub64, sig64);
	if (fclose(f)) {
		snprintf(err, n, "cannot write %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}
