/* Proposals: keywords to transforms, SA payloads, and the choice of RFC 7296
 * 2.7 ("the responder MUST choose a single suite"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/ke.h"
#include "ike/proposal.h"

struct kw {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t bits;
};

static const struct kw keywords[] = {
	{ "aes128gcm16", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes128gcm", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 128 },
	{ "aes192gcm16", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 192 },
	{ "aes256gcm16", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "aes256gcm", IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256 },
	{ "chacha20poly1305", IKE_XF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0 },
	{ "aes128", IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128 },
	{ "aes192", IKE_XF_ENCR, IKE_ENCR_AES_CBC, 192 },
	{ "aes256", IKE_XF_ENCR, IKE_ENCR_AES_CBC, 256 },
	{ "sha256", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0 },
	{ "sha384", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_384_192, 0 },
	{ "sha512", IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_512_256, 0 },
	{ "prfsha256", IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0 },
	{ "prfsha384", IKE_XF_PRF, IKE_PRF_HMAC_SHA2_384, 0 },
	{ "prfsha512", IKE_XF_PRF, IKE_PRF_HMAC_SHA2_512, 0 },
	{ "ecp256", IKE_XF_KE, IKE_KE_ECP_256, 0 },
	{ "ecp384", IKE_XF_KE, IKE_KE_ECP_384, 0 },
	{ "ecp521", IKE_XF_KE, IKE_KE_ECP_521, 0 },
	{ "x25519", IKE_XF_KE, IKE_KE_CURVE25519, 0 },
	{ "curve25519", IKE_XF_KE, IKE_KE_CURVE25519, 0 },
	{ "x448", IKE_XF_KE, IKE_KE_CURVE448, 0 },
	{ "curve448", IKE_XF_KE, IKE_KE_CURVE448, 0 },
	{ "mlkem512", IKE_XF_KE, IKE_KE_MLKEM512, 0 },
	{ "mlkem768", IKE_XF_KE, IKE_KE_MLKEM768, 0 },
	{ "mlkem1024", IKE_XF_KE, IKE_KE_MLKEM1024, 0 },
	{ "none", IKE_XF_KE, IKE_KE_NONE, 0 }, /* only as keN_none */
	{ "esn", IKE_XF_ESN, IKE_ESN_YES, 0 },
	{ "noesn", IKE_XF_ESN, IKE_ESN_NO, 0 },
};

static int is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

static int add_xf(struct ike_prop_cfg *p, uint8_t type, uint16_t id, uint16_t bits)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->xf[i].type == type && p->xf[i].id == id && p->xf[i].key_bits == bits)
			return 0; /* given twice: offer it once */
	if (p->n >= IKE_PROP_XF_MAX)
		return -E2BIG;
	p->xf[p->n++] = (struct ike_xf_cfg){ .type = type, .id = id, .key_bits = bits };
	return 0;
}

static size_t count_type(const struct ike_prop_cfg *p, uint8_t type, uint16_t *first)
{
	size_t n = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->xf[i].type != type)
			continue;
		if (n++ == 0 && first)
			*first = p->xf[i].id;
	}
	return n;
}

int ike_prop_parse(const char *s, uint8_t proto, struct ike_prop_cfg *out,
		   const char **why, char bad[32])
{
	char tok[32];
	const char *p = s;

	memset(out, 0, sizeof(*out));
	out->proto = proto;
	bad[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, "-");
		if (n == 0 || n >= sizeof(tok)) {
			*why = n ? "keyword too long" : "empty keyword";
			snprintf(bad, 32, "%.*s", (int)(n < 31 ? n : 31), p);
			return -EINVAL;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n + (p[n] == '-');

		uint8_t addke = 0;
		const char *name = tok;
		/* RFC 9370 2.2.1: keN_<method> is Additional Key Exchange N. */
		if (tok[0] == 'k' && tok[1] == 'e' && tok[2] >= '1' && tok[2] <= '7' && tok[3] == '_') {
			addke = (uint8_t)(tok[2] - '0');
			name = tok + 4;
		}
		const struct kw *k = NULL;
		for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
			if (strcmp(keywords[i].name, name) == 0)
				k = &keywords[i];
		if (!k || (addke && k->type != IKE_XF_KE) || (!addke && k->id == IKE_KE_NONE && k->type == IKE_XF_KE)) {
			*why = "unknown algorithm";
			snprintf(bad, 32, "%s", tok);
			return -EINVAL;
		}
		if (proto == IKE_PROTO_IKE && k->type == IKE_XF_ESN) {
			*why = "ESN is for ESP proposals, not IKE";
			snprintf(bad, 32, "%s", tok);
			return -EINVAL;
		}
		if (add_xf(out, addke ? (uint8_t)(IKE_XF_ADDKE1 + addke - 1) : k->type, k->id, k->bits)) {
			*why = "too many algorithms in one proposal";
			snprintf(bad, 32, "%s", tok);
			return -EINVAL;
		}
	}

	uint16_t encr = 0;
	size_t n_encr = count_type(out, IKE_XF_ENCR, &encr);
	size_t n_integ = count_type(out, IKE_XF_INTEG, NULL);
	size_t n_aead = 0;
	for (size_t i = 0; i < out->n; i++)
		if (out->xf[i].type == IKE_XF_ENCR && is_aead(out->xf[i].id))
			n_aead++;
	if (n_encr == 0) {
		*why = "no encryption algorithm";
		return -EINVAL;
	}
	/* RFC 7296 3.3: combined-mode ciphers and others cannot share a proposal
	 * (an AEAD proposal has no integrity transform). */
	if (n_aead && n_aead != n_encr) {
		*why = "AEAD and non-AEAD ciphers in one proposal; write two proposals";
		return -EINVAL;
	}
	if (n_aead && n_integ) {
		*why = "an AEAD proposal takes no integrity algorithm";
		return -EINVAL;
	}
	if (!n_aead && !n_integ) {
		*why = "a CBC cipher needs an integrity algorithm (sha256, sha384, sha512)";
		return -EINVAL;
	}
	if (proto == IKE_PROTO_IKE) {
		if (!count_type(out, IKE_XF_KE, NULL)) {
			*why = "no key exchange method";
			return -EINVAL;
		}
		if (!count_type(out, IKE_XF_PRF, NULL)) {
			/* The PRF follows the integrity hash, or SHA-256 with an AEAD. */
			uint16_t integ = 0;
			count_type(out, IKE_XF_INTEG, &integ);
			uint16_t prf = integ == IKE_INTEG_HMAC_SHA2_384_192 ? IKE_PRF_HMAC_SHA2_384
				     : integ == IKE_INTEG_HMAC_SHA2_512_256 ? IKE_PRF_HMAC_SHA2_512
									    : IKE_PRF_HMAC_SHA2_256;
			add_xf(out, IKE_XF_PRF, prf, 0);
		}
	} else {
		if (count_type(out, IKE_XF_PRF, NULL)) {
			*why = "a PRF is for IKE proposals, not ESP";
			return -EINVAL;
		}
		if (!count_type(out, IKE_XF_ESN, NULL))
			add_xf(out, IKE_XF_ESN, IKE_ESN_NO, 0);
	}
	return 0;
}

size_t ike_prop_defaults(uint8_t proto, int pq, struct ike_prop_cfg *out, size_t cap)
{
	static const char *const ike_pq[] = {
		"aes256gcm16-chacha20poly1305-prfsha384-prfsha256-x25519-ecp256-ke1_mlkem768",
		"aes256-sha384-sha256-prfsha384-prfsha256-x25519-ecp256-ke1_mlkem768",
	};
	static const char *const ike_classic[] = {
		"aes256gcm16-chacha20poly1305-aes128gcm16-prfsha384-prfsha256-x25519-ecp256-ecp384",
		"aes256-aes128-sha384-sha256-prfsha384-prfsha256-x25519-ecp256-ecp384",
	};
	static const char *const esp[] = {
		"aes256gcm16-chacha20poly1305-aes128gcm16-esn-noesn",
	};
	const char *list[4];
	size_t n = 0, got = 0;
	const char *why;
	char bad[32];
	int mlkem = crypto_ke_supported(IKE_KE_MLKEM768);

	if (proto == IKE_PROTO_ESP) {
		list[n++] = esp[0];
	} else {
		if (pq != IKE_PQ_OFF && mlkem) {
			list[n++] = ike_pq[0];
			list[n++] = ike_pq[1];
		}
		if (pq == IKE_PQ_OFF || (pq == IKE_PQ_FIRST) || !mlkem) {
			if (pq != IKE_PQ_ONLY) {
				list[n++] = ike_classic[0];
				list[n++] = ike_classic[1];
			}
		}
	}
	for (size_t i = 0; i < n && got < cap; i++)
		if (ike_prop_parse(list[i], proto, &out[got], &why, bad) == 0)
			got++;
	return got;
}

static int sa_add_xf(struct ike_sa_pld *sa, uint8_t type, uint16_t id, uint16_t bits)
{
	if (sa->n_xf >= PT_IKE_SA_XFORMS_MAX || sa->n_attr >= PT_IKE_SA_ATTRS_MAX)
		return -E2BIG;
	struct ike_xform *x = &sa->xf[sa->n_xf++];
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->id = id;
	x->attr_off = (uint16_t)sa->n_attr;
	if (bits) {
		struct ike_attr *a = &sa->attr[sa->n_attr++];
		memset(a, 0, sizeof(*a));
		a->type = IKE_ATTR_KEY_LENGTH;
		a->tv = 1;
		a->value = bits;
		x->n_attr = 1;
	}
	sa->prop[sa->n_prop - 1].n_xf++;
	return 0;
}

static int sa_add_prop(struct ike_sa_pld *sa, uint8_t num, uint8_t proto, const uint8_t *spi,
		       uint8_t spi_len)
{
	if (sa->n_prop >= PT_IKE_PROPOSALS_MAX || spi_len > PT_IKE_SPI_MAX_LEN)
		return -E2BIG;
	struct ike_prop *p = &sa->prop[sa->n_prop++];
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = proto;
	p->spi_len = spi_len;
	if (spi_len)
		memcpy(p->spi, spi, spi_len);
	p->xf_off = (uint16_t)sa->n_xf;
	return 0;
}

int ike_prop_to_sa(const struct ike_prop_cfg *props, size_t n, const uint8_t *spi,
		   uint8_t spi_len, struct ike_sa_pld *sa)
{
	memset(sa, 0, sizeof(*sa));
	for (size_t i = 0; i < n; i++) {
		if (i >= 255 || sa_add_prop(sa, (uint8_t)(i + 1), props[i].proto, spi, spi_len))
			return -E2BIG;
		/* RFC 7296 3.3.3 lists transforms by type; keep the order of types
		 * ascending so peers that expect it are served. */
		for (uint8_t t = 1; t < IKE_PROP_TYPES; t++)
			for (size_t j = 0; j < props[i].n; j++)
				if (props[i].xf[j].type == t &&
				    sa_add_xf(sa, t, props[i].xf[j].id, props[i].xf[j].key_bits))
					return -E2BIG;
	}
	return 0;
}

static uint16_t peer_bits(const struct ike_sa_pld *sa, const struct ike_xform *x)
{
	uint16_t bits = 0;
	if (ike_xform_key_len(sa, x, &bits))
		return 0;
	return bits;
}

static int cfg_has(const struct ike_prop_cfg *c, uint8_t type, uint16_t id, uint16_t bits)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->xf[i].type == type && c->xf[i].id == id && c->xf[i].key_bits == bits)
			return 1;
	return 0;
}

static void chosen_set(struct ike_chosen *c, uint8_t type, uint16_t id, uint16_t bits)
{
	switch (type) {
	case IKE_XF_ENCR: c->encr = id; c->encr_bits = bits; break;
	case IKE_XF_PRF: c->prf = id; break;
	case IKE_XF_INTEG: c->integ = id; break;
	case IKE_XF_KE: c->ke[0] = id; break;
	case IKE_XF_ESN: c->esn = id; break;
	default:
		if (type >= IKE_XF_ADDKE1 && type <= IKE_XF_ADDKE7)
			c->ke[type - IKE_XF_ADDKE1 + 1] = id;
	}
}

/* Does our proposal l accept the peer's proposal p? Picks, per type, the
 * peer's first transform that we also have. */
static int match(const struct ike_sa_pld *peer, const struct ike_prop *p,
		 const struct ike_prop_cfg *l, struct ike_chosen *c)
{
	memset(c, 0, sizeof(*c));
	c->proto = p->proto;
	c->num = p->num;
	c->spi_len = p->spi_len;
	if (p->spi_len)
		memcpy(c->spi, p->spi, p->spi_len > sizeof(c->spi) ? sizeof(c->spi) : p->spi_len);
	for (uint8_t t = 1; t < IKE_PROP_TYPES; t++) {
		int peer_has = 0, found = 0;
		for (size_t j = 0; j < p->n_xf && !found; j++) {
			const struct ike_xform *x = &peer->xf[p->xf_off + j];
			if (x->type != t)
				continue;
			peer_has = 1;
			uint16_t bits = t == IKE_XF_ENCR ? peer_bits(peer, x) : 0;
			if (cfg_has(l, t, x->id, bits)) {
				chosen_set(c, t, x->id, bits);
				found = 1;
			}
		}
		if (found)
			continue;
		int local_has = count_type(l, t, NULL) > 0;
		if (!peer_has && !local_has)
			continue;
		/* An absent type matches only where "none" is acceptable to both:
		 * INTEG NONE with an AEAD (RFC 5282 8), ADDKEn NONE (RFC 9370 2.2.1). */
		if (!peer_has && cfg_has(l, t, 0, 0))
			continue;
		if (!local_has && t == IKE_XF_INTEG && is_aead(c->encr))
			continue;
		return -ENOENT;
	}
	return 0;
}

int ike_prop_select(const struct ike_sa_pld *peer, const struct ike_prop_cfg *ours, size_t n,
		    struct ike_chosen *out)
{
	for (size_t i = 0; i < peer->n_prop; i++) {
		const struct ike_prop *p = &peer->prop[i];
		for (size_t k = 0; k < n; k++) {
			if (ours[k].proto != p->proto)
				continue;
			if (match(peer, p, &ours[k], out) == 0)
				return 0;
		}
	}
	return -ENOENT;
}

int ike_prop_accept(const struct ike_sa_pld *answer, const struct ike_prop_cfg *offered,
		    size_t n, struct ike_chosen *out)
{
	/* RFC 7296 3.3: the response carries exactly one proposal, numbered
	 * as the offer it accepts, with one transform of each type. */
	if (answer->n_prop != 1)
		return -EPROTO;
	const struct ike_prop *p = &answer->prop[0];
	if (p->num == 0 || p->num > n || offered[p->num - 1].proto != p->proto)
		return -EPROTO;
	for (size_t j = 0; j < p->n_xf; j++)
		for (size_t k = j + 1; k < p->n_xf; k++)
			if (answer->xf[p->xf_off + j].type == answer->xf[p->xf_off + k].type)
				return -EPROTO;
	if (match(answer, p, &offered[p->num - 1], out))
		return -EPROTO;
	/* Every transform the answer names must have been chosen. */
	for (size_t j = 0; j < p->n_xf; j++) {
		const struct ike_xform *x = &answer->xf[p->xf_off + j];
		uint16_t bits = x->type == IKE_XF_ENCR ? peer_bits(answer, x) : 0;
		if (!cfg_has(&offered[p->num - 1], x->type, x->id, bits))
			return -EPROTO;
	}
	if (!out->encr || (p->proto == IKE_PROTO_IKE && (!out->prf || !out->ke[0])))
		return -EPROTO;
	return 0;
}

int ike_prop_chosen_to_sa(const struct ike_chosen *c, const uint8_t *spi, uint8_t spi_len,
			  struct ike_sa_pld *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (sa_add_prop(sa, c->num, c->proto, spi, spi_len))
		return -E2BIG;
	sa_add_xf(sa, IKE_XF_ENCR, c->encr, c->encr_bits);
	if (c->prf)
		sa_add_xf(sa, IKE_XF_PRF, c->prf, 0);
	if (c->integ)
		sa_add_xf(sa, IKE_XF_INTEG, c->integ, 0);
	if (c->ke[0])
		sa_add_xf(sa, IKE_XF_KE, c->ke[0], 0);
	if (c->proto == IKE_PROTO_ESP)
		sa_add_xf(sa, IKE_XF_ESN, c->esn, 0);
	for (int i = 1; i < 8; i++)
		if (c->ke[i])
			sa_add_xf(sa, (uint8_t)(IKE_XF_ADDKE1 + i - 1), c->ke[i], 0);
	return 0;
}

unsigned ike_chosen_next_addke(const struct ike_chosen *c, unsigned after)
{
	for (unsigned n = after + 1; n < sizeof(c->ke) / sizeof(c->ke[0]); n++)
		if (c->ke[n])
			return n;
	return 0;
}

int ike_chosen_str(const struct ike_chosen *c, char *out, size_t len)
{
	int w = snprintf(out, len, "%s", ike_encr_name(c->encr));
	size_t used;

	if (w < 0 || (size_t)w >= len)
		return -ENOBUFS;
	used = (size_t)w;
#define APPEND(...)                                                            \
	do {                                                                   \
		w = snprintf(out + used, len - used, __VA_ARGS__);             \
		if (w < 0 || (size_t)w >= len - used)                          \
			return -ENOBUFS;                                       \
		used += (size_t)w;                                             \
	} while (0)
	if (c->encr_bits)
		APPEND("_%u", c->encr_bits);
	if (c->integ)
		APPEND("/%s", ike_integ_name(c->integ));
	if (c->prf)
		APPEND("/PRF_%s", ike_prf_name(c->prf));
	if (c->ke[0])
		APPEND("/%s", ike_ke_name(c->ke[0]));
	for (int i = 1; i < 8; i++)
		if (c->ke[i])
			APPEND("+%s", ike_ke_name(c->ke[i]));
	if (c->proto == IKE_PROTO_ESP && c->esn == IKE_ESN_YES)
		APPEND("/ESN");
#undef APPEND
	return 0;
}
