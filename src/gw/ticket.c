/* petrel-gw's RFC 5723 tickets: keys, the state's fixed encoding, the
 * replay cache (see ticket.h). */
#include "gw/ticket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fdio.h"
#include "base/cursor.h"
#include "base/err.h"
#include "base/hex.h"
#include "base/log.h"
#include "base/wbuf.h"
#include "crypto/aead.h"
#include "crypto/secret.h"
#include "crypto/secret_file.h"

#define TICKET_LOG "gw"
#define RAW_KEY_LEN (4u + GW_TICKET_KEY_LEN) /* key id | key, as in the file */

_Static_assert(GW_TICKET_NONCE_LEN == CRYPTO_AEAD_NONCE_LEN, "the nonce is GCM's 96-bit IV");
_Static_assert(GW_TICKET_TAG_LEN == CRYPTO_AEAD_ICV_LEN, "16-octet tag");
_Static_assert(GW_TICKET_LEN <= IKE_TICKET_MAX_LEN, "a ticket fits struct ike_ticket");
_Static_assert(IKE_SKD_MAX_LEN <= UINT8_MAX && IKE_ID_MAX_LEN <= UINT16_MAX,
	       "lengths fit their fields");

struct tkey {
	uint32_t id;
	uint64_t born_s;           /* now of the seal that made it */
	struct secret *key;
	struct crypto_aead *aead;  /* made once, from key */
};

struct seen {
	uint8_t id[GW_TICKET_NONCE_LEN];
	uint64_t expiry_s;
};

struct gw_tickets {
	uint32_t lifetime_s, rotate_s;
	int pinned;                /* the key came from key_file: never rotated */
	struct tkey *cur;          /* seals and opens; NULL until the next seal */
	struct tkey *prev;         /* only opens */
	struct seen *seen;         /* GW_TICKET_SEEN_MAX slots */
	size_t n_seen;
};

/* --- keys --- */

static void tkey_free(struct tkey *k)
{
	if (!k)
		return;
	crypto_aead_free(k->aead);
	crypto_secret_free(k->key);
	free(k);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* raw: key id (network order) | key. */
static int tkey_new(const uint8_t raw[RAW_KEY_LEN], uint64_t born_s, struct tkey **out)
{
	struct tkey *k = calloc(1, sizeof(*k));
	int rc;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	k->id = be32(raw);
	k->born_s = born_s;
	if ((rc = crypto_secret_from(raw + 4, GW_TICKET_KEY_LEN, &k->key)) ||
	    (rc = crypto_aead_new(CRYPTO_AEAD_AES_GCM16, k->key->p, k->key->len, &k->aead))) {
		tkey_free(k);
		return rc;
	}
	*out = k;
	return 0;
}

/* A random key whose id differs from the previous key's, so a ticket
 * names exactly one key. */
static int tkey_random(const struct tkey *other, uint64_t born_s, struct tkey **out)
{
	uint8_t raw[RAW_KEY_LEN];
	int rc;

	do {
		if ((rc = crypto_random(raw, sizeof(raw)))) {
			crypto_wipe(raw, sizeof(raw));
			return rc;
		}
	} while (other && be32(raw) == other->id);
	rc = tkey_new(raw, born_s, out);
	crypto_wipe(raw, sizeof(raw));
	return rc;
}

static void prev_forget(struct gw_tickets *t)
{
	if (!t->prev)
		return;
	log_info(TICKET_LOG, "ticket key %08x forgotten", t->prev->id);
	tkey_free(t->prev);
	t->prev = NULL;
}

/* The current key retires rotate_s after its birth and is forgotten
 * rotate_s after that: a ticket it sealed (lifetime <= rotate_s) has
 * expired by then. Ages only; the next seal makes the new key. */
static void keys_age(struct gw_tickets *t, uint64_t now)
{
	uint64_t r = t->rotate_s;

	if (t->pinned)
		return;
	if (t->cur && now >= t->cur->born_s && now - t->cur->born_s >= r) {
		log_info(TICKET_LOG, "ticket key %08x retired: it opens, no longer seals", t->cur->id);
		prev_forget(t);
		t->prev = t->cur;
		t->cur = NULL;
	}
	if (t->prev && now >= t->prev->born_s && now - t->prev->born_s >= 2 * r)
		prev_forget(t);
}

static struct tkey *keys_find(const struct gw_tickets *t, uint32_t id)
{
	if (t->cur && t->cur->id == id)
		return t->cur;
	if (t->prev && t->prev->id == id)
		return t->prev;
	return NULL;
}

/* --- the key file: GW_TICKET_FILE_HEX_LEN hex digits and a newline --- */

/* The checks on owner, mode and links are crypto_secret_load_file's. */
static int key_file_read(const char *path, uint8_t raw[RAW_KEY_LEN], const char **why)
{
	char hex[GW_TICKET_FILE_HEX_LEN + 1];
	struct secret *s;
	size_t n = 0;
	int rc;

	if ((rc = crypto_secret_load_file(path, &s, why)))
		return rc;
	if (s->len != GW_TICKET_FILE_HEX_LEN) {
		*why = "has the wrong size (must be 72 hex digits: a 4-octet key id and a 32-octet key)";
		rc = -EINVAL;
	} else {
		memcpy(hex, s->p, GW_TICKET_FILE_HEX_LEN);
		hex[GW_TICKET_FILE_HEX_LEN] = '\0';
		if (hex_decode(raw, RAW_KEY_LEN, hex, &n) || n != RAW_KEY_LEN) {
			*why = "is not 72 hex digits (a 4-octet key id and a 32-octet key)";
			rc = -EINVAL;
		}
		crypto_wipe(hex, sizeof(hex));
	}
	crypto_secret_free(s);
	if (rc)
		crypto_wipe(raw, RAW_KEY_LEN);
	return rc;
}

/* Create the file (never over an existing one: -EEXIST) holding raw. */
static int key_file_create(const char *path, const uint8_t raw[RAW_KEY_LEN], const char **why)
{
	char hex[GW_TICKET_FILE_HEX_LEN + 2];
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0) {
		*why = "cannot be created";
		return -errno;
	}
	hex_encode(hex, sizeof(hex), raw, RAW_KEY_LEN);
	hex[GW_TICKET_FILE_HEX_LEN] = '\n';
	/* 0600 whatever the umask, so the next start may read it. */
	if (fchmod(fd, 0600) < 0) {
		rc = -errno;
	} else {
		rc = pt_write_all(fd, hex, GW_TICKET_FILE_HEX_LEN + 1);
		if (!rc && fsync(fd) < 0)
			rc = -errno;
	}
	crypto_wipe(hex, sizeof(hex));
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc) {
		unlink(path);
		*why = "cannot be written";
	}
	return rc;
}

static int key_file_load(const char *path, uint8_t raw[RAW_KEY_LEN], const char **why)
{
	int rc = key_file_read(path, raw, why);

	if (rc != -ENOENT)
		return rc;
	if ((rc = crypto_random(raw, RAW_KEY_LEN))) {
		*why = "cannot be made: no randomness";
		return rc;
	}
	rc = key_file_create(path, raw, why);
	if (rc == -EEXIST) /* another petrel-gw made it just now */
		rc = key_file_read(path, raw, why);
	if (!rc)
		log_info(TICKET_LOG, "ticket key file %s: made a new key", path);
	return rc;
}

/* --- the state's encoding (ticket.h) --- */

static void ident_put(struct wb *w, const struct ike_ident *id)
{
	wb_u8(w, id->type);
	wb_u16(w, (uint16_t)id->len);
	wb_put(w, id->data, id->len);
	wb_zero(w, IKE_ID_MAX_LEN - id->len);
}

static void state_put(struct wb *w, uint64_t issue_s, uint64_t expiry_s,
		      const struct ike_resume_state *st)
{
	const struct ike_chosen *a = &st->alg;

	wb_u64(w, issue_s);
	wb_u64(w, expiry_s);
	wb_u8(w, a->proto);
	wb_u16(w, a->encr);
	wb_u16(w, a->encr_bits);
	wb_u16(w, a->prf);
	wb_u16(w, a->integ);
	for (size_t i = 0; i < 8; i++)
		wb_u16(w, a->ke[i]);
	wb_u16(w, a->esn);
	wb_u8(w, a->spi_len);
	wb_put(w, a->spi, a->spi_len);
	wb_zero(w, sizeof(a->spi) - a->spi_len);
	wb_u8(w, a->num);
	wb_u8(w, (uint8_t)st->sk_d_len);
	wb_put(w, st->sk_d, st->sk_d_len);
	wb_zero(w, IKE_SKD_MAX_LEN - st->sk_d_len);
	ident_put(w, &st->idi);
	ident_put(w, &st->idr);
	wb_put(w, st->spi_i, 8);
	wb_put(w, st->spi_r, 8);
	wb_u8(w, st->auth);
}

/* n octets of which the first len are data and the rest must be zero:
 * one encoding per state, so what decodes re-encodes to the same bytes. */
static int padded_get(struct rd *r, uint8_t *dst, size_t len, size_t n)
{
	const uint8_t *p;
	uint8_t any = 0;

	if (len > n || rd_ref(r, n, &p))
		return -EBADMSG;
	memcpy(dst, p, len);
	for (size_t i = len; i < n; i++)
		any |= p[i];
	return any ? -EBADMSG : 0;
}

static int ident_get(struct rd *r, struct ike_ident *id)
{
	uint16_t len;

	if (rd_u8(r, &id->type) || rd_u16(r, &len))
		return -EBADMSG;
	id->len = len;
	return padded_get(r, id->data, len, IKE_ID_MAX_LEN);
}

/* The authenticated plaintext: it is ours, but checked as if it were not. */
static int state_get(const uint8_t *pt, uint64_t *issue_s, uint64_t *expiry_s,
		     struct ike_resume_state *st)
{
	struct ike_chosen *a = &st->alg;
	uint8_t sk_d_len;
	struct rd r;

	rd_init(&r, pt, GW_TICKET_PT_LEN);
	if (rd_u64(&r, issue_s) || rd_u64(&r, expiry_s) ||
	    rd_u8(&r, &a->proto) || rd_u16(&r, &a->encr) || rd_u16(&r, &a->encr_bits) ||
	    rd_u16(&r, &a->prf) || rd_u16(&r, &a->integ))
		return -EBADMSG;
	for (size_t i = 0; i < 8; i++)
		if (rd_u16(&r, &a->ke[i]))
			return -EBADMSG;
	if (rd_u16(&r, &a->esn) || rd_u8(&r, &a->spi_len) ||
	    padded_get(&r, a->spi, a->spi_len, sizeof(a->spi)) ||
	    rd_u8(&r, &a->num) || rd_u8(&r, &sk_d_len) ||
	    padded_get(&r, st->sk_d, sk_d_len, IKE_SKD_MAX_LEN) ||
	    ident_get(&r, &st->idi) || ident_get(&r, &st->idr) ||
	    rd_bytes(&r, st->spi_i, 8) || rd_bytes(&r, st->spi_r, 8) || rd_u8(&r, &st->auth) ||
	    rd_left(&r))
		return -EBADMSG;
	st->sk_d_len = sk_d_len;
	return 0;
}

/* --- the replay cache --- */

/* Record id until expiry_s, dropping the ids of expired tickets on the way.
 * -EALREADY when it is there; -ENOSPC when every slot holds a live id. */
static int seen_add(struct gw_tickets *t, const uint8_t id[GW_TICKET_NONCE_LEN],
		    uint64_t expiry_s, uint64_t now)
{
	size_t i = 0;

	while (i < t->n_seen) {
		struct seen *s = &t->seen[i];
		if (now >= s->expiry_s) {
			*s = t->seen[--t->n_seen];
			continue;
		}
		/* Ticket ids are public: they travel in the clear. */
		if (!memcmp(s->id, id, GW_TICKET_NONCE_LEN))
			return -EALREADY;
		i++;
	}
	if (t->n_seen == GW_TICKET_SEEN_MAX)
		return -ENOSPC;
	memcpy(t->seen[t->n_seen].id, id, GW_TICKET_NONCE_LEN);
	t->seen[t->n_seen++].expiry_s = expiry_s;
	return 0;
}

/* --- the API --- */

int gw_tickets_new(uint32_t lifetime_s, uint32_t rotate_s, const char *key_file,
		   struct gw_tickets **out, const char **why)
{
	uint8_t raw[RAW_KEY_LEN];
	struct gw_tickets *t;
	int rc;

	*out = NULL;
	*why = "";
	if (lifetime_s == 0) {
		*why = "lifetime_s must not be 0";
		return -EINVAL;
	}
	if (rotate_s < lifetime_s) {
		*why = "rotate_s must be at least lifetime_s (a key must outlive the tickets it sealed)";
		return -EINVAL;
	}
	if (!(t = calloc(1, sizeof(*t))) ||
	    !(t->seen = calloc(GW_TICKET_SEEN_MAX, sizeof(*t->seen)))) {
		free(t);
		*why = "out of memory";
		return -ENOMEM;
	}
	t->lifetime_s = lifetime_s;
	t->rotate_s = rotate_s;
	if (key_file) {
		if (!(rc = key_file_load(key_file, raw, why)) && (rc = tkey_new(raw, 0, &t->cur)))
			*why = rc == -ENOMEM ? "cannot be used: out of memory"
					     : "cannot be used: no AES-256-GCM in this OpenSSL";
		crypto_wipe(raw, sizeof(raw));
		if (rc) {
			gw_tickets_free(t);
			return rc;
		}
		t->pinned = 1;
	}
	*out = t;
	return 0;
}

void gw_tickets_free(struct gw_tickets *t)
{
	if (!t)
		return;
	tkey_free(t->cur);
	tkey_free(t->prev);
	free(t->seen);
	free(t);
}

void gw_tickets_rekey(struct gw_tickets *t)
{
	tkey_free(t->cur);
	tkey_free(t->prev);
	t->cur = t->prev = NULL;
	t->pinned = 0;
	t->n_seen = 0;
}

int gw_ticket_seal(struct gw_tickets *t, const struct ike_resume_state *st, uint64_t now,
		   uint32_t max_lifetime_s, uint8_t *out, size_t cap, size_t *len,
		   uint32_t *lifetime_s)
{
	uint32_t life = t->lifetime_s;
	uint8_t *nonce, *tag;
	struct wb w;
	int rc;

	*len = 0;
	*lifetime_s = 0;
	if (st->sk_d_len > IKE_SKD_MAX_LEN || st->idi.len > IKE_ID_MAX_LEN ||
	    st->idr.len > IKE_ID_MAX_LEN || st->alg.spi_len > sizeof(st->alg.spi))
		return -EINVAL;
	if (max_lifetime_s && max_lifetime_s < life)
		life = max_lifetime_s;
	if (now > UINT64_MAX - life)
		return -EINVAL;
	if (cap < GW_TICKET_LEN)
		return -ENOBUFS;
	keys_age(t, now);
	if (!t->cur) {
		if ((rc = tkey_random(t->prev, now, &t->cur)))
			return rc;
		log_info(TICKET_LOG, "ticket key %08x made", t->cur->id);
	}

	wb_init(&w, out, GW_TICKET_LEN);
	wb_u8(&w, GW_TICKET_VERSION);
	wb_u32(&w, t->cur->id);
	nonce = wb_reserve(&w, GW_TICKET_NONCE_LEN);
	state_put(&w, now, now + life, st);
	tag = wb_reserve(&w, GW_TICKET_TAG_LEN);
	if (wb_err(&w) || wb_len(&w) != GW_TICKET_LEN) {
		rc = -EINVAL; /* the layout in ticket.h and state_put() disagree */
		goto fail;
	}
	/* Random 96-bit nonces: the key changes every rotate_s, far below the
	 * 2^32 seals NIST SP 800-38D 8.3 allows one key. */
	if ((rc = crypto_random(nonce, GW_TICKET_NONCE_LEN)) ||
	    (rc = crypto_aead_seal_nonce(t->cur->aead, nonce, out, GW_TICKET_HDR_LEN,
					 out + GW_TICKET_HDR_LEN, GW_TICKET_PT_LEN, tag)))
		goto fail;
	*len = GW_TICKET_LEN;
	*lifetime_s = life;
	return 0;
fail:
	crypto_wipe(out, GW_TICKET_LEN);
	return rc;
}

int gw_ticket_open(struct gw_tickets *t, const uint8_t *ticket, size_t len, uint64_t now,
		   struct ike_resume_state *out)
{
	uint8_t pt[GW_TICKET_PT_LEN];
	const uint8_t *nonce;
	uint64_t issue_s, expiry_s;
	struct tkey *k;
	uint32_t key_id;
	uint8_t version;
	struct rd r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len != GW_TICKET_LEN)
		return -EBADMSG;
	rd_init(&r, ticket, len);
	rd_u8(&r, &version);
	rd_u32(&r, &key_id);
	rd_ref(&r, GW_TICKET_NONCE_LEN, &nonce);
	if (version != GW_TICKET_VERSION)
		return -EBADMSG;
	keys_age(t, now);
	if (!(k = keys_find(t, key_id)))
		return -EKEYREJECTED;

	memcpy(pt, ticket + GW_TICKET_HDR_LEN, GW_TICKET_PT_LEN);
	rc = crypto_aead_open_nonce(k->aead, nonce, ticket, GW_TICKET_HDR_LEN, pt,
				    GW_TICKET_PT_LEN, ticket + GW_TICKET_HDR_LEN + GW_TICKET_PT_LEN);
	if (rc) {
		crypto_wipe(pt, sizeof(pt));
		return rc == -EACCES ? -EKEYREJECTED : rc;
	}
	rc = state_get(pt, &issue_s, &expiry_s, out);
	crypto_wipe(pt, sizeof(pt));
	if (!rc && ((issue_s > now && issue_s - now > GW_TICKET_SKEW_S) || now >= expiry_s))
		rc = -ETIME;
	/* Recorded only now: a forged or stale ticket never takes a slot. */
	if (!rc)
		rc = seen_add(t, nonce, expiry_s, now);
	if (rc)
		ike_resume_state_wipe(out);
	return rc;
}

const char *gw_ticket_strerror(int err)
{
	switch (err) {
	case -EBADMSG: return "malformed ticket";
	case -EKEYREJECTED: return "ticket not sealed by a current key (unknown key id or forged)";
	case -ETIME: return "ticket expired (or issued in the future)";
	case -EALREADY: return "ticket already used";
	case -ENOSPC: return "replay cache full: too many tickets in use";
	default: return pt_strerror(err);
	}
}
