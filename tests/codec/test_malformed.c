/* Malformed input is rejected with the specific error (and, where a
 * responder would answer, the notify in struct ike_diag). Fuzz findings
 * become cases here. */
#include <stdio.h>
#include <string.h>

#include "codec/typed.h"
#include "ike/pld/pld.h"
#include "test.h"

static uint8_t msg[PT_IKE_MSG_MAX_LEN + 16];
static struct ike_msg m;

/* A message: header (SPIs 1.., IKE_SA_INIT request) then chain bytes. */
static size_t mk(uint8_t first, uint8_t version, const uint8_t *chain, size_t n)
{
	memset(msg, 0, IKE_HDR_LEN);
	for (int i = 0; i < 8; i++)
		msg[i] = (uint8_t)(i + 1);
	msg[16] = first;
	msg[17] = version;
	msg[18] = IKE_EXCH_SA_INIT;
	msg[19] = IKE_HDR_F_INITIATOR;
	size_t len = IKE_HDR_LEN + n;
	msg[24] = (uint8_t)(len >> 24);
	msg[25] = (uint8_t)(len >> 16);
	msg[26] = (uint8_t)(len >> 8);
	msg[27] = (uint8_t)len;
	memcpy(msg + IKE_HDR_LEN, chain, n);
	return len;
}

static int dec(size_t len, struct ike_diag *d)
{
	memset(d, 0, sizeof(*d));
	return ike_msg_decode(msg, len, &m, d);
}

/* The typed decoder's verdict on a body. */
static int typed(uint8_t type, const uint8_t *body, size_t len, uint8_t inner_next)
{
	static union typed_any u;
	static uint8_t out[PT_IKE_MSG_MAX_LEN];
	struct ike_pld p = { .type = type, .known = 1, .inner_next = inner_next, .body = body,
			     .body_len = len };
	struct wb w;
	wb_init(&w, out, sizeof(out));
	return typed_reencode(&p, &w, &u);
}

static void test_header(void)
{
	struct ike_diag d;
	const uint8_t nonce[] = { 0, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	size_t len = mk(IKE_PLD_NONCE, 0x20, nonce, sizeof(nonce));
	CHECK_EQ(dec(len, &d), 0);

	CHECK_EQ(dec(IKE_HDR_LEN - 1, &d), -EBADMSG);          /* truncated header */
	CHECK_EQ(dec(0, &d), -EBADMSG);
	CHECK_EQ(dec(len - 1, &d), -EBADMSG);                  /* length != datagram */
	CHECK(strstr(d.reason, "datagram") != NULL);
	msg[27]++;
	CHECK_EQ(dec(len, &d), -EBADMSG);
	CHECK_EQ(dec(PT_IKE_MSG_MAX_LEN + 1, &d), -E2BIG);     /* past the cap */

	len = mk(IKE_PLD_NONCE, 0x30, nonce, sizeof(nonce));   /* IKEv3 */
	CHECK_EQ(dec(len, &d), -EPROTO);
	CHECK_EQ(d.notify, IKE_N_INVALID_MAJOR_VERSION);
	CHECK_EQ(m.hdr.version, 0x30);                         /* header kept for the answer */
	CHECK_MEM(m.hdr.spi_i, msg, 8);
	len = mk(IKE_PLD_NONCE, 0x10, nonce, sizeof(nonce));   /* IKEv1: dropped, no notify */
	CHECK_EQ(dec(len, &d), -EPROTO);
	CHECK_EQ(d.notify, 0);
	len = mk(IKE_PLD_NONCE, 0x21, nonce, sizeof(nonce));   /* minor version ignored */
	CHECK_EQ(dec(len, &d), 0);
}

static void test_chain(void)
{
	struct ike_diag d;
	static uint8_t c[8192];
	size_t len;

	/* payload length < 4 */
	const uint8_t short_len[] = { 0, 0, 0, 3 };
	len = mk(IKE_PLD_VID, 0x20, short_len, sizeof(short_len));
	CHECK_EQ(dec(len, &d), -EBADMSG);
	CHECK_EQ(d.notify, IKE_N_INVALID_SYNTAX);
	/* payload length past the end */
	const uint8_t past[] = { 0, 0, 0, 9, 1, 2, 3, 4 };
	len = mk(IKE_PLD_VID, 0x20, past, sizeof(past));
	CHECK_EQ(dec(len, &d), -EBADMSG);
	CHECK(strstr(d.reason, "past the end") != NULL);
	/* truncated generic header: next payload says more, 2 octets left */
	const uint8_t trunc[] = { IKE_PLD_VID, 0, 0, 5, 0xaa, 0, 0 };
	len = mk(IKE_PLD_VID, 0x20, trunc, sizeof(trunc));
	CHECK_EQ(dec(len, &d), -EBADMSG);
	/* next payload 0 but octets left over */
	const uint8_t trail[] = { 0, 0, 0, 5, 0xaa, 0xff };
	len = mk(IKE_PLD_VID, 0x20, trail, sizeof(trail));
	CHECK_EQ(dec(len, &d), -EBADMSG);
	/* a header's next payload with no octets at all */
	len = mk(IKE_PLD_VID, 0x20, c, 0);
	CHECK_EQ(dec(len, &d), -EBADMSG);

	/* a chain longer than PT_IKE_PAYLOADS_MAX (and one that just fits) */
	for (unsigned n = PT_IKE_PAYLOADS_MAX; n <= PT_IKE_PAYLOADS_MAX + 1; n++) {
		for (unsigned i = 0; i < n; i++) {
			uint8_t *p = c + 5 * i;
			p[0] = i + 1 < n ? IKE_PLD_VID : 0;
			p[1] = 0;
			p[2] = 0;
			p[3] = 5;
			p[4] = (uint8_t)i;
		}
		len = mk(IKE_PLD_VID, 0x20, c, 5 * n);
		CHECK_EQ(dec(len, &d), n > PT_IKE_PAYLOADS_MAX ? -E2BIG : 0);
	}

	/* an SK that is not last */
	const uint8_t sk_not_last[] = { IKE_PLD_IDI, 0, 0, 6, 0xaa, 0xbb, 0, 0, 0, 5, 0xcc };
	len = mk(IKE_PLD_SK, 0x20, sk_not_last, sizeof(sk_not_last));
	CHECK_EQ(dec(len, &d), -EBADMSG);
	CHECK(strstr(d.reason, "SK/SKF is not the last") != NULL);
	/* SK nested in a decrypted chain */
	const uint8_t nested[] = { 0, 0, 0, 6, 0xaa, 0xbb };
	struct ike_chain ch;
	CHECK_EQ(ike_chain_decode(nested, sizeof(nested), IKE_PLD_SK, 1, 0, &ch, &d), -EBADMSG);
	CHECK_EQ(ike_chain_decode(nested, sizeof(nested), IKE_PLD_SK, 0, 0, &ch, &d), 0);

	/* unknown payload: critical -> UNSUPPORTED_CRITICAL_PAYLOAD naming it;
	 * not critical -> kept */
	const uint8_t crit[] = { 0, 0x80, 0, 6, 1, 2 };
	len = mk(200, 0x20, crit, sizeof(crit));
	CHECK_EQ(dec(len, &d), -EPROTO);
	CHECK_EQ(d.notify, IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD);
	CHECK_EQ(d.pld_type, 200);
	const uint8_t noncrit[] = { 0, 0x00, 0, 6, 1, 2 };
	len = mk(200, 0x20, noncrit, sizeof(noncrit));
	CHECK_EQ(dec(len, &d), 0);
	CHECK_EQ(m.chain.n, 1);
	CHECK_EQ(m.chain.pld[0].known, 0);
	/* critical bit on a known payload is ignored (RFC 7296 2.5) */
	const uint8_t crit_known[] = { 0, 0x80, 0, 5, 0x42 };
	len = mk(IKE_PLD_VID, 0x20, crit_known, sizeof(crit_known));
	CHECK_EQ(dec(len, &d), 0);
	/* G-IKEv2 (50) is named but not supported: critical is refused */
	len = mk(IKE_PLD_GSA, 0x20, crit, sizeof(crit));
	CHECK_EQ(dec(len, &d), -EPROTO);
	CHECK_EQ(d.pld_type, IKE_PLD_GSA);

	/* a known payload shorter than its fixed fields */
	const uint8_t short_notify[] = { 0, 0, 0, 7, 0, 0, 0x40 };
	len = mk(IKE_PLD_NOTIFY, 0x20, short_notify, sizeof(short_notify));
	CHECK_EQ(dec(len, &d), -EBADMSG);
	CHECK_EQ(d.pld_type, IKE_PLD_NOTIFY);

	/* chain_validate names the payload that fails its semantic check */
	const uint8_t bad_nonce[] = { 0, 0, 0, 8, 1, 2, 3, 4 };
	len = mk(IKE_PLD_NONCE, 0x20, bad_nonce, sizeof(bad_nonce));
	CHECK_EQ(dec(len, &d), 0);
	CHECK_EQ(ike_chain_validate(&m.chain, &d), -EBADMSG);
	CHECK_EQ(d.pld_type, IKE_PLD_NONCE);
	CHECK_EQ(d.notify, IKE_N_INVALID_SYNTAX);
	CHECK_EQ(d.off, IKE_HDR_LEN);
}

/* A proposal: n transforms of 8 octets, each with `attrs` TV attributes. */
static size_t prop(uint8_t *p, uint8_t last, uint8_t nxf_field, unsigned nxf, unsigned attrs,
		   uint8_t spi_len)
{
	size_t off = 8 + spi_len;
	for (unsigned i = 0; i < nxf; i++) {
		uint8_t *t = p + off;
		size_t tl = 8 + 4 * attrs;
		t[0] = i + 1 < nxf ? 3 : 0;
		t[1] = 0;
		t[2] = (uint8_t)(tl >> 8);
		t[3] = (uint8_t)tl;
		t[4] = IKE_XF_ENCR;
		t[5] = 0;
		t[6] = 0;
		t[7] = IKE_ENCR_AES_CBC;
		for (unsigned a = 0; a < attrs; a++) {
			t[8 + 4 * a] = 0x80;
			t[9 + 4 * a] = 14;
			t[10 + 4 * a] = 1;
			t[11 + 4 * a] = 0;
		}
		off += tl;
	}
	p[0] = last;
	p[1] = 0;
	p[2] = (uint8_t)(off >> 8);
	p[3] = (uint8_t)off;
	p[4] = 1;
	p[5] = IKE_PROTO_IKE;
	p[6] = spi_len;
	p[7] = nxf_field;
	memset(p + 8, 0xab, spi_len);
	return off;
}

static void test_sa(void)
{
	static uint8_t b[16384];
	size_t n;

	n = prop(b, 0, 2, 2, 1, 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, 0, 0), -EBADMSG);             /* no proposal */
	n = prop(b, 0, 65, 65, 0, 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -E2BIG);               /* transforms over the cap */
	n = prop(b, 0, 1, 1, PT_IKE_ATTRS_MAX + 1, 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -E2BIG);               /* attributes over the cap */
	n = prop(b, 0, 3, 2, 0, 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);             /* Num Transforms says more */
	n = prop(b, 0, 1, 2, 0, 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);             /* Num Transforms says fewer */
	n = prop(b, 0, 0, 0, 0, 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);             /* no transforms */
	n = prop(b, 0, 1, 1, 0, 9);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);             /* SPI size 9 */
	n = prop(b, 2, 1, 1, 0, 4);
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);             /* "more" on the last proposal */
	n = prop(b, 0, 1, 1, 0, 4);
	size_t n2 = prop(b + n, 0, 1, 1, 0, 4);
	CHECK_EQ(typed(IKE_PLD_SA, b, n + n2, 0), -EBADMSG);        /* "last" before another */
	b[0] = 2;
	CHECK_EQ(typed(IKE_PLD_SA, b, n + n2, 0), 0);
	/* proposals over the cap */
	size_t off = 0;
	for (unsigned i = 0; i <= PT_IKE_PROPOSALS_MAX; i++)
		off += prop(b + off, i < PT_IKE_PROPOSALS_MAX ? 2 : 0, 1, 1, 0, 0);
	CHECK_EQ(typed(IKE_PLD_SA, b, off, 0), -E2BIG);
	/* transform length < 8 */
	n = prop(b, 0, 1, 1, 0, 0);
	b[8 + 3] = 7;
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);
	/* a TLV attribute whose length runs past the transform */
	n = prop(b, 0, 1, 1, 1, 0);
	b[8 + 8] = 0x00;  /* AF=0: TLV */
	b[8 + 11] = 9;    /* 9 octets of value, none there */
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);
	/* a proposal length shorter than its header */
	n = prop(b, 0, 1, 1, 0, 0);
	b[3] = 7;
	CHECK_EQ(typed(IKE_PLD_SA, b, n, 0), -EBADMSG);
}

static void test_payloads(void)
{
	static uint8_t b[PT_IKE_CERT_MAX_LEN + 64];
	memset(b, 0, sizeof(b));

	/* Nonce: RFC 7296 2.10 bounds */
	CHECK_EQ(typed(IKE_PLD_NONCE, b, 15, 0), -EBADMSG);
	CHECK_EQ(typed(IKE_PLD_NONCE, b, 16, 0), 0);
	CHECK_EQ(typed(IKE_PLD_NONCE, b, 256, 0), 0);
	CHECK_EQ(typed(IKE_PLD_NONCE, b, 257, 0), -EBADMSG);

	/* KE */
	CHECK_EQ(typed(IKE_PLD_KE, b, 4, 0), -EBADMSG);             /* no data */
	CHECK_EQ(typed(IKE_PLD_KE, b, 3, 0), -EBADMSG);
	CHECK_EQ(typed(IKE_PLD_KE, b, 4 + PT_KE_MAX_LEN, 0), 0);
	CHECK_EQ(typed(IKE_PLD_KE, b, 5 + PT_KE_MAX_LEN, 0), -E2BIG);

	/* ID */
	const uint8_t id4[] = { IKE_ID_IPV4_ADDR, 0, 0, 0, 192, 0, 2, 1, 9 };
	CHECK_EQ(typed(IKE_PLD_IDI, id4, 8, 0), 0);
	CHECK_EQ(typed(IKE_PLD_IDI, id4, 9, 0), -EBADMSG);
	const uint8_t fqdn0[] = { IKE_ID_FQDN, 0, 0, 0 };
	CHECK_EQ(typed(IKE_PLD_IDR, fqdn0, 4, 0), -EBADMSG);

	/* AUTH without data */
	const uint8_t auth0[] = { IKE_AUTH_PSK, 0, 0, 0 };
	CHECK_EQ(typed(IKE_PLD_AUTH, auth0, 4, 0), -EBADMSG);

	/* CERT / CERTREQ */
	b[0] = IKE_CERT_X509_SIG;
	CHECK_EQ(typed(IKE_PLD_CERT, b, 1, 0), -EBADMSG);
	CHECK_EQ(typed(IKE_PLD_CERT, b, 1 + PT_IKE_CERT_MAX_LEN, 0), 0);
	CHECK_EQ(typed(IKE_PLD_CERT, b, 2 + PT_IKE_CERT_MAX_LEN, 0), -E2BIG);
	CHECK_EQ(typed(IKE_PLD_CERTREQ, b, 1 + 40, 0), 0);
	CHECK_EQ(typed(IKE_PLD_CERTREQ, b, 1 + 30, 0), -EBADMSG);  /* not whole SHA-1 hashes */
	b[0] = IKE_CERT_HASH_URL_CERT;
	CHECK_EQ(typed(IKE_PLD_CERT, b, 1 + 20, 0), -EBADMSG);      /* hash without URL */
	memset(b, 0, 64);

	/* Notify */
	uint8_t n[80] = { 0, 0, 0x40, 0x04 };                        /* NAT_DETECTION_SOURCE_IP */
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 20, 0), 0);
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 19, 0), -EBADMSG);
	n[3] = 0x06;                                                  /* COOKIE */
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4, 0), -EBADMSG);
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 64, 0), 0);
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 65, 0), -EBADMSG);    /* cookie over 64 */
	n[3] = 0x0e;                                                  /* IKEV2_FRAGMENTATION_SUPPORTED */
	n[1] = 3;                                                     /* SPI size 3 */
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 3, 0), -EBADMSG);
	n[1] = 8;                                                     /* SPI past the end */
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 7, 0), -EBADMSG);
	n[1] = 0;
	n[2] = 0;
	n[3] = 17;                                                    /* INVALID_KE_PAYLOAD */
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 2, 0), 0);
	CHECK_EQ(typed(IKE_PLD_NOTIFY, n, 4 + 1, 0), -EBADMSG);

	/* Delete */
	static uint8_t d[4 + 4 * 70];
	d[0] = IKE_PROTO_ESP; d[1] = 4; d[2] = 0; d[3] = 65;
	CHECK_EQ(typed(IKE_PLD_DELETE, d, 4 + 4 * 65, 0), -E2BIG);  /* SPIs over the cap */
	d[3] = 64;
	CHECK_EQ(typed(IKE_PLD_DELETE, d, 4 + 4 * 64, 0), 0);
	CHECK_EQ(typed(IKE_PLD_DELETE, d, 4 + 4 * 63, 0), -EBADMSG); /* count * size != rest */
	d[1] = 3;
	CHECK_EQ(typed(IKE_PLD_DELETE, d, 4 + 3 * 64, 0), -EBADMSG); /* ESP SPI size 3 */
	d[0] = IKE_PROTO_IKE; d[1] = 0; d[3] = 1;
	CHECK_EQ(typed(IKE_PLD_DELETE, d, 4, 0), -EBADMSG);          /* IKE delete with SPIs */
	d[3] = 0;
	CHECK_EQ(typed(IKE_PLD_DELETE, d, 4, 0), 0);
	d[0] = 9;
	CHECK_EQ(typed(IKE_PLD_DELETE, d, 4, 0), -EBADMSG);          /* unknown protocol */

	/* TS */
	static uint8_t t[4 + 16 * 20];
	memset(t, 0, sizeof(t));
	for (unsigned i = 0; i < 20; i++) {
		uint8_t *s = t + 4 + 16 * i;
		s[0] = IKE_TS_IPV4_ADDR_RANGE;
		s[3] = 16;
	}
	t[0] = 17;
	CHECK_EQ(typed(IKE_PLD_TSI, t, 4 + 16 * 17, 0), -E2BIG);    /* selectors over the cap */
	t[0] = 16;
	CHECK_EQ(typed(IKE_PLD_TSI, t, 4 + 16 * 16, 0), 0);
	t[0] = 0;
	CHECK_EQ(typed(IKE_PLD_TSR, t, 4, 0), -EBADMSG);             /* no selectors */
	t[0] = 2;
	CHECK_EQ(typed(IKE_PLD_TSR, t, 4 + 16, 0), -EBADMSG);        /* count says 2, 1 there */
	t[0] = 1;
	CHECK_EQ(typed(IKE_PLD_TSR, t, 4 + 16 + 1, 0), -EBADMSG);    /* octets left over */
	t[7] = 15;
	CHECK_EQ(typed(IKE_PLD_TSR, t, 4 + 16, 0), -EBADMSG);        /* IPv4 selector length 15 */
	t[7] = 3;
	CHECK_EQ(typed(IKE_PLD_TSR, t, 4 + 16, 0), -EBADMSG);        /* selector length < 4 */

	/* CP */
	uint8_t cp[4 + 4 * 40] = { IKE_CFG_REPLY };
	uint8_t *a = cp + 4;
	a[0] = 0; a[1] = IKE_CPA_INTERNAL_IP4_ADDRESS; a[2] = 0; a[3] = 3;
	CHECK_EQ(typed(IKE_PLD_CP, cp, 4 + 4 + 3, 0), -EBADMSG);     /* IPv4 address of 3 octets */
	a[3] = 0;
	CHECK_EQ(typed(IKE_PLD_CP, cp, 4 + 4, 0), 0);                /* empty value: a request */
	a[3] = 4;
	CHECK_EQ(typed(IKE_PLD_CP, cp, 4 + 4 + 2, 0), -EBADMSG);     /* value past the end */
	memset(cp + 4, 0, sizeof(cp) - 4);
	for (unsigned i = 0; i < 33; i++)
		cp[4 + 4 * i + 1] = IKE_CPA_INTERNAL_IP4_DNS;
	CHECK_EQ(typed(IKE_PLD_CP, cp, 4 + 4 * 33, 0), -E2BIG);      /* attributes over the cap */
	CHECK_EQ(typed(IKE_PLD_CP, cp, 4 + 4 * 32, 0), 0);

	/* EAP: the EAP Length must match */
	uint8_t e[16] = { IKE_EAP_REQUEST, 1, 0, 6, 1, 'x' };
	CHECK_EQ(typed(IKE_PLD_EAP, e, 6, 0), 0);
	CHECK_EQ(typed(IKE_PLD_EAP, e, 7, 0), -EBADMSG);
	e[3] = 5;
	CHECK_EQ(typed(IKE_PLD_EAP, e, 6, 0), -EBADMSG);
	e[3] = 4;
	CHECK_EQ(typed(IKE_PLD_EAP, e, 4, 0), -EBADMSG);              /* request without a type */
	e[0] = IKE_EAP_SUCCESS; e[3] = 5;
	CHECK_EQ(typed(IKE_PLD_EAP, e, 5, 0), -EBADMSG);              /* success with data */
	e[3] = 4;
	CHECK_EQ(typed(IKE_PLD_EAP, e, 4, 0), 0);
	e[0] = 9;
	CHECK_EQ(typed(IKE_PLD_EAP, e, 4, 0), -EBADMSG);              /* unknown code */

	/* SKF (RFC 7383 2.5) */
	uint8_t f[8] = { 0, 1, 0, 5, 0xaa };
	CHECK_EQ(typed(IKE_PLD_SKF, f, 5, IKE_PLD_IDI), 0);
	f[1] = 0;
	CHECK_EQ(typed(IKE_PLD_SKF, f, 5, IKE_PLD_IDI), -EBADMSG);   /* fragment 0 */
	f[1] = 6;
	CHECK_EQ(typed(IKE_PLD_SKF, f, 5, 0), -EBADMSG);             /* number > total */
	f[1] = 2;
	CHECK_EQ(typed(IKE_PLD_SKF, f, 5, IKE_PLD_IDI), -EBADMSG);   /* next payload in fragment 2 */
	CHECK_EQ(typed(IKE_PLD_SKF, f, 5, 0), 0);
	f[3] = 0;
	CHECK_EQ(typed(IKE_PLD_SKF, f, 5, 0), -EBADMSG);             /* total 0 */
	f[3] = PT_IKE_FRAGS_MAX + 1;
	CHECK_EQ(typed(IKE_PLD_SKF, f, 5, 0), -E2BIG);               /* total over the cap */
	CHECK_EQ(typed(IKE_PLD_SKF, f, 3, 0), -EBADMSG);             /* truncated */
}

int main(void)
{
	test_header();
	test_chain();
	test_sa();
	test_payloads();
	return test_done();
}
