/* decode(encode(x)) == x for every payload type, compared field by field,
 * from a table of instances; and encode(decode(bytes)) == bytes, for each
 * payload and for whole messages (unknown payloads and SK included). */
#include <stdio.h>
#include <string.h>

#include "codec/typed.h"
#include "ike/pld/codepoints.h"
#include "ike/pld/pld.h"
#include "ike/pld/rules.h"
#include "test.h"

static const uint8_t k32[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };
static uint8_t big[PT_KE_MAX_LEN];
static const uint8_t fqdn[] = "vpn.example.com";
static const uint8_t ip4[] = { 192, 0, 2, 1 };
static const uint8_t ip6[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t tlv[] = { 0xaa, 0xbb, 0xcc };
static const uint8_t hashes[40] = { 0x11, [20] = 0x22, [39] = 0x33 };
static const uint8_t spis[12] = { 0xc1, 0, 0, 1, 0xc1, 0, 0, 2, 0xc1, 0, 0, 3 };
static const uint8_t seclabel[] = "system_u:object_r:ipsec_spd_t:s0";
static const uint8_t ip6sub[17] = { 0x20, 0x01, 0x0d, 0xb8, [16] = 64 };
static const uint8_t domain[] = "corp.example";

static int blob_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && (al == 0 || memcmp(a, b, al) == 0);
}

/* Encode a body with the builder into a one-payload chain, walk the chain,
 * check the body bytes re-encode identically; returns the payload. */
static uint8_t wire[8][PT_IKE_MSG_MAX_LEN];
static struct ike_chain chain;

typedef int (*encode_fn)(struct wb *, const void *);

static const struct ike_pld *round_trip(int slot, uint8_t type, encode_fn enc, const void *x)
{
	struct wb w;
	struct ike_bld b;
	size_t len;
	wb_init(&w, wire[slot], sizeof(wire[slot]));
	ike_bld_chain(&b, &w);
	CHECK_EQ(ike_bld_begin(&b, type, 0), 0);
	CHECK_EQ(enc(&w, x), 0);
	CHECK_EQ(ike_bld_end(&b), 0);
	CHECK_EQ(ike_bld_finish(&b, &len), 0);
	CHECK_EQ(b.first, type);
	CHECK_EQ(ike_chain_decode(wire[slot], len, type, 1, 0, &chain, NULL), 0);
	CHECK_EQ(chain.n, 1);
	CHECK_EQ(ike_chain_validate(&chain, NULL), 0);

	/* encode(decode(bytes)) == bytes for the body */
	static union typed_any u;
	static uint8_t again[PT_IKE_MSG_MAX_LEN];
	struct wb w2;
	wb_init(&w2, again, sizeof(again));
	CHECK_EQ(typed_reencode(&chain.pld[0], &w2, &u), 0);
	CHECK_EQ(wb_len(&w2), chain.pld[0].body_len);
	CHECK_MEM(again, chain.pld[0].body, chain.pld[0].body_len);
	return &chain.pld[0];
}

/* Typed encoders behind one signature (no function pointer casts). */
#define WRAP(name, T) \
	static int enc_##name(struct wb *w, const void *x) { return ike_##name##_encode(w, (const T *)x); }
WRAP(sa_pld, struct ike_sa_pld)
WRAP(ke, struct ike_ke)
WRAP(id, struct ike_id)
WRAP(cert, struct ike_cert)
WRAP(certreq, struct ike_cert)
WRAP(auth, struct ike_auth)
WRAP(nonce, struct ike_blob)
WRAP(vid, struct ike_blob)
WRAP(notify, struct ike_notify)
WRAP(delete, struct ike_delete)
WRAP(ts, struct ike_tsp)
WRAP(cp, struct ike_cp)
WRAP(eap, struct ike_eap)
#define ENC(fn) enc_##fn

static void test_sa(void)
{
	static struct ike_sa_pld sa, out;
	memset(&sa, 0, sizeof(sa));
	sa.n_prop = 2;
	sa.prop[0] = (struct ike_prop){ .num = 1, .proto = IKE_PROTO_IKE, .spi_len = 0, .xf_off = 0, .n_xf = 5 };
	sa.prop[1] = (struct ike_prop){ .num = 2, .proto = IKE_PROTO_ESP, .spi_len = 4,
					.spi = { 0xc0, 0xff, 0xee, 0x01 }, .xf_off = 5, .n_xf = 4 };
	sa.n_xf = 9;
	sa.xf[0] = (struct ike_xform){ IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 0, 1 };
	sa.xf[1] = (struct ike_xform){ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 1, 0 };
	sa.xf[2] = (struct ike_xform){ IKE_XF_KE, IKE_KE_CURVE25519, 1, 0 };
	sa.xf[3] = (struct ike_xform){ IKE_XF_KE, IKE_KE_ECP_256, 1, 0 };
	sa.xf[4] = (struct ike_xform){ IKE_XF_ADDKE1, IKE_KE_MLKEM768, 1, 0 };
	sa.xf[5] = (struct ike_xform){ IKE_XF_ENCR, IKE_ENCR_AES_CBC, 1, 2 };
	sa.xf[6] = (struct ike_xform){ IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 3, 0 };
	sa.xf[7] = (struct ike_xform){ IKE_XF_ESN, IKE_ESN_NO, 3, 0 };
	sa.xf[8] = (struct ike_xform){ IKE_XF_ESN, IKE_ESN_YES, 3, 0 };
	sa.n_attr = 3;
	sa.attr[0] = (struct ike_attr){ .type = IKE_ATTR_KEY_LENGTH, .tv = 1, .value = 256 };
	sa.attr[1] = (struct ike_attr){ .type = IKE_ATTR_KEY_LENGTH, .tv = 1, .value = 128 };
	sa.attr[2] = (struct ike_attr){ .type = 17, .tv = 0, .data = tlv, .len = sizeof(tlv) };

	const struct ike_pld *p = round_trip(0, IKE_PLD_SA, ENC(sa_pld), &sa);
	CHECK_EQ(ike_sa_pld_decode(p, &out), 0);
	CHECK_EQ(out.n_prop, sa.n_prop);
	CHECK_EQ(out.n_xf, sa.n_xf);
	CHECK_EQ(out.n_attr, sa.n_attr);
	for (size_t i = 0; i < sa.n_prop; i++) {
		CHECK_EQ(out.prop[i].num, sa.prop[i].num);
		CHECK_EQ(out.prop[i].proto, sa.prop[i].proto);
		CHECK_EQ(out.prop[i].spi_len, sa.prop[i].spi_len);
		CHECK_MEM(out.prop[i].spi, sa.prop[i].spi, sa.prop[i].spi_len);
		CHECK_EQ(out.prop[i].xf_off, sa.prop[i].xf_off);
		CHECK_EQ(out.prop[i].n_xf, sa.prop[i].n_xf);
	}
	for (size_t i = 0; i < sa.n_xf; i++) {
		CHECK_EQ(out.xf[i].type, sa.xf[i].type);
		CHECK_EQ(out.xf[i].id, sa.xf[i].id);
		CHECK_EQ(out.xf[i].attr_off, sa.xf[i].attr_off);
		CHECK_EQ(out.xf[i].n_attr, sa.xf[i].n_attr);
	}
	for (size_t i = 0; i < sa.n_attr; i++) {
		CHECK_EQ(out.attr[i].type, sa.attr[i].type);
		CHECK_EQ(out.attr[i].tv, sa.attr[i].tv);
		CHECK_EQ(out.attr[i].value, sa.attr[i].value);
		CHECK(blob_eq(out.attr[i].data, out.attr[i].len, sa.attr[i].data, sa.attr[i].len));
	}
	uint16_t bits = 0;
	CHECK_EQ(ike_xform_key_len(&out, &out.xf[0], &bits), 0);
	CHECK_EQ(bits, 256);
	CHECK_EQ(ike_xform_key_len(&out, &out.xf[1], &bits), -ENOENT);
}

static void test_simple(void)
{
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;

	/* KE: X25519, ML-KEM-1024-sized */
	const struct ike_ke kes[] = {
		{ IKE_KE_CURVE25519, k32, 32 }, { IKE_KE_MLKEM1024, big, 1568 }, { 1024, big, 1 },
	};
	for (size_t i = 0; i < sizeof(kes) / sizeof(kes[0]); i++) {
		struct ike_ke out;
		const struct ike_pld *p = round_trip(0, IKE_PLD_KE, ENC(ke), &kes[i]);
		CHECK_EQ(ike_ke_decode(p, &out), 0);
		CHECK_EQ(out.method, kes[i].method);
		CHECK(blob_eq(out.data, out.len, kes[i].data, kes[i].len));
	}

	/* IDi / IDr */
	const struct ike_id ids[] = {
		{ IKE_ID_IPV4_ADDR, ip4, 4 }, { IKE_ID_FQDN, fqdn, sizeof(fqdn) - 1 },
		{ IKE_ID_RFC822_ADDR, (const uint8_t *)"alice@example.com", 17 },
		{ IKE_ID_IPV6_ADDR, ip6, 16 }, { IKE_ID_DER_ASN1_DN, tlv, sizeof(tlv) },
		{ IKE_ID_KEY_ID, k32, 8 }, { IKE_ID_NULL, NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct ike_id out;
		const struct ike_pld *p = round_trip(0, i % 2 ? IKE_PLD_IDR : IKE_PLD_IDI,
						ENC(id), &ids[i]);
		CHECK_EQ(ike_id_decode(p, &out), 0);
		CHECK_EQ(out.type, ids[i].type);
		CHECK(blob_eq(out.data, out.len, ids[i].data, ids[i].len));
	}

	/* CERT and CERTREQ */
	const struct ike_cert certs[] = {
		{ IKE_CERT_X509_SIG, big, 900 }, { IKE_CERT_HASH_URL_CERT, big, 60 },
	};
	for (size_t i = 0; i < 2; i++) {
		struct ike_cert out;
		const struct ike_pld *p = round_trip(0, IKE_PLD_CERT, ENC(cert), &certs[i]);
		CHECK_EQ(ike_cert_decode(p, &out), 0);
		CHECK_EQ(out.enc, certs[i].enc);
		CHECK(blob_eq(out.data, out.len, certs[i].data, certs[i].len));
	}
	const struct ike_cert creqs[] = {
		{ IKE_CERT_X509_SIG, hashes, 40 }, { IKE_CERT_X509_SIG, NULL, 0 },
	};
	for (size_t i = 0; i < 2; i++) {
		struct ike_cert out;
		const struct ike_pld *p = round_trip(0, IKE_PLD_CERTREQ, ENC(certreq), &creqs[i]);
		CHECK_EQ(ike_certreq_decode(p, &out), 0);
		CHECK_EQ(out.enc, creqs[i].enc);
		CHECK(blob_eq(out.data, out.len, creqs[i].data, creqs[i].len));
		CHECK_EQ(out.len / IKE_CERTREQ_HASH_LEN, i == 0 ? 2 : 0);
	}

	/* AUTH */
	const struct ike_auth auths[] = {
		{ IKE_AUTH_PSK, k32, 32 }, { IKE_AUTH_DIGITAL_SIG, big, 100 }, { IKE_AUTH_ECDSA_256, k32, 32 },
	};
	for (size_t i = 0; i < 3; i++) {
		struct ike_auth out;
		const struct ike_pld *p = round_trip(0, IKE_PLD_AUTH, ENC(auth), &auths[i]);
		CHECK_EQ(ike_auth_decode(p, &out), 0);
		CHECK_EQ(out.method, auths[i].method);
		CHECK(blob_eq(out.data, out.len, auths[i].data, auths[i].len));
	}

	/* Nonce: both ends of RFC 7296 2.10; Vendor ID */
	const struct ike_blob nonces[] = { { k32, 16 }, { k32, 32 }, { big, 256 } };
	for (size_t i = 0; i < 3; i++) {
		struct ike_blob out;
		const struct ike_pld *p = round_trip(0, IKE_PLD_NONCE, ENC(nonce), &nonces[i]);
		CHECK_EQ(ike_nonce_decode(p, &out), 0);
		CHECK(blob_eq(out.data, out.len, nonces[i].data, nonces[i].len));
	}
	const struct ike_blob vid = { (const uint8_t *)"petrel", 6 };
	struct ike_blob vout;
	CHECK_EQ(ike_vid_decode(round_trip(0, IKE_PLD_VID, ENC(vid), &vid), &vout), 0);
	CHECK(blob_eq(vout.data, vout.len, vid.data, vid.len));
}

static void test_notify_delete(void)
{
	const uint8_t group[2] = { 0, 31 };
	const struct ike_notify ns[] = {
		{ 0, 0, IKE_N_NAT_DETECTION_SOURCE_IP, { 0 }, hashes, 20 },
		{ 0, 0, IKE_N_INVALID_KE_PAYLOAD, { 0 }, group, 2 },
		{ 0, 0, IKE_N_COOKIE, { 0 }, k32, 32 },
		{ IKE_PROTO_ESP, 4, IKE_N_REKEY_SA, { 0xc1, 2, 3, 4 }, NULL, 0 },
		{ 0, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, { 0 }, NULL, 0 },
		{ 0, 0, IKE_N_TICKET_LT_OPAQUE, { 0 }, big, 80 },
		{ 0, 0, IKE_CP_DEFAULT_SEPARATE_TRANSPORTS, { 0 }, NULL, 0 },
		{ IKE_PROTO_IKE, 8, IKE_N_INVALID_IKE_SPI, { 1, 2, 3, 4, 5, 6, 7, 8 }, NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct ike_notify out;
		const struct ike_pld *p = round_trip(0, IKE_PLD_NOTIFY, ENC(notify), &ns[i]);
		CHECK_EQ(ike_notify_decode(p, &out), 0);
		CHECK_EQ(out.proto, ns[i].proto);
		CHECK_EQ(out.spi_len, ns[i].spi_len);
		CHECK_EQ(out.type, ns[i].type);
		CHECK_MEM(out.spi, ns[i].spi, ns[i].spi_len);
		CHECK(blob_eq(out.data, out.len, ns[i].data, ns[i].len));
	}

	const struct ike_delete ds[] = {
		{ IKE_PROTO_IKE, 0, 0, NULL }, { IKE_PROTO_ESP, 4, 3, spis }, { IKE_PROTO_AH, 4, 1, spis },
	};
	for (size_t i = 0; i < 3; i++) {
		struct ike_delete out;
		const struct ike_pld *p = round_trip(0, IKE_PLD_DELETE, ENC(delete), &ds[i]);
		CHECK_EQ(ike_delete_decode(p, &out), 0);
		CHECK_EQ(out.proto, ds[i].proto);
		CHECK_EQ(out.spi_len, ds[i].spi_len);
		CHECK_EQ(out.n_spi, ds[i].n_spi);
		CHECK(blob_eq(out.spis, (size_t)out.n_spi * out.spi_len, ds[i].spis,
			      (size_t)ds[i].n_spi * ds[i].spi_len));
		if (out.n_spi == 3)
			CHECK_EQ(ike_delete_spi(&out, 2), 0xc1000003u);
	}
}

static void test_ts(void)
{
	static struct ike_tsp t, out;
	memset(&t, 0, sizeof(t));
	t.n = 3;
	t.ts[0] = (struct ike_ts){ .type = IKE_TS_IPV4_ADDR_RANGE, .proto = 0, .start_port = 0,
				   .end_port = 65535, .end = { 255, 255, 255, 255 } };
	t.ts[1] = (struct ike_ts){ .type = IKE_TS_IPV6_ADDR_RANGE, .proto = 17, .start_port = 53,
				   .end_port = 53 };
	memcpy(t.ts[1].start, ip6, 16);
	memcpy(t.ts[1].end, ip6, 16);
	t.ts[2] = (struct ike_ts){ .type = IKE_TS_SECLABEL, .data = seclabel, .len = sizeof(seclabel) };
	for (int dir = 0; dir < 2; dir++) {
		const struct ike_pld *p = round_trip(0, dir ? IKE_PLD_TSR : IKE_PLD_TSI, ENC(ts), &t);
		CHECK_EQ(ike_ts_decode(p, &out), 0);
		CHECK_EQ(out.n, t.n);
		for (size_t i = 0; i < t.n; i++) {
			CHECK_EQ(out.ts[i].type, t.ts[i].type);
			CHECK_EQ(out.ts[i].proto, t.ts[i].proto);
			CHECK_EQ(out.ts[i].start_port, t.ts[i].start_port);
			CHECK_EQ(out.ts[i].end_port, t.ts[i].end_port);
			CHECK_MEM(out.ts[i].start, t.ts[i].start, 16);
			CHECK_MEM(out.ts[i].end, t.ts[i].end, 16);
			CHECK(blob_eq(out.ts[i].data, out.ts[i].len, t.ts[i].data, t.ts[i].len));
		}
	}
}

static void test_sk_cp_eap(void)
{
	const struct ike_sk sk = { IKE_PLD_IDI, big, 200 };
	struct ike_sk skout;
	struct wb w;
	struct ike_bld b;
	size_t len;
	/* SK needs ike_bld_begin_sk: the generic header carries inner_next. */
	wb_init(&w, wire[1], sizeof(wire[1]));
	ike_bld_chain(&b, &w);
	CHECK_EQ(ike_bld_begin_sk(&b, IKE_PLD_SK, sk.inner_next), 0);
	CHECK_EQ(ike_sk_encode(&w, &sk), 0);
	CHECK_EQ(ike_bld_end(&b), 0);
	CHECK_EQ(ike_bld_finish(&b, &len), 0);
	CHECK_EQ(ike_chain_decode(wire[1], len, IKE_PLD_SK, 0, 0, &chain, NULL), 0);
	CHECK_EQ(ike_sk_decode(&chain.pld[0], &skout), 0);
	CHECK_EQ(skout.inner_next, IKE_PLD_IDI);
	CHECK(blob_eq(skout.data, skout.len, sk.data, sk.len));

	const struct ike_skf skfs[] = { { IKE_PLD_IDI, 1, 5, big, 100 }, { 0, 5, 5, big, 20 } };
	for (size_t i = 0; i < 2; i++) {
		struct ike_skf out;
		wb_init(&w, wire[1], sizeof(wire[1]));
		ike_bld_chain(&b, &w);
		CHECK_EQ(ike_bld_begin_sk(&b, IKE_PLD_SKF, skfs[i].inner_next), 0);
		CHECK_EQ(ike_skf_encode(&w, &skfs[i]), 0);
		CHECK_EQ(ike_bld_end(&b), 0);
		CHECK_EQ(ike_bld_finish(&b, &len), 0);
		CHECK_EQ(ike_chain_decode(wire[1], len, IKE_PLD_SKF, 0, 0, &chain, NULL), 0);
		CHECK_EQ(ike_skf_decode(&chain.pld[0], &out), 0);
		CHECK_EQ(out.inner_next, skfs[i].inner_next);
		CHECK_EQ(out.frag_num, skfs[i].frag_num);
		CHECK_EQ(out.total, skfs[i].total);
		CHECK(blob_eq(out.data, out.len, skfs[i].data, skfs[i].len));
	}

	static struct ike_cp cp, cpout;
	memset(&cp, 0, sizeof(cp));
	cp.type = IKE_CFG_REPLY;
	cp.n = 6;
	cp.attr[0] = (struct ike_cp_attr){ IKE_CPA_INTERNAL_IP4_ADDRESS, ip4, 4 };
	cp.attr[1] = (struct ike_cp_attr){ IKE_CPA_INTERNAL_IP4_DNS, ip4, 4 };
	cp.attr[2] = (struct ike_cp_attr){ IKE_CPA_INTERNAL_IP6_ADDRESS, ip6sub, 17 };
	cp.attr[3] = (struct ike_cp_attr){ IKE_CPA_INTERNAL_IP6_DNS, NULL, 0 };
	cp.attr[4] = (struct ike_cp_attr){ IKE_CPA_INTERNAL_DNS_DOMAIN, domain, sizeof(domain) - 1 };
	cp.attr[5] = (struct ike_cp_attr){ 28000, tlv, 3 }; /* unknown: kept */
	const struct ike_pld *p = round_trip(0, IKE_PLD_CP, ENC(cp), &cp);
	CHECK_EQ(ike_cp_decode(p, &cpout), 0);
	CHECK_EQ(cpout.type, cp.type);
	CHECK_EQ(cpout.n, cp.n);
	for (size_t i = 0; i < cp.n; i++) {
		CHECK_EQ(cpout.attr[i].type, cp.attr[i].type);
		CHECK(blob_eq(cpout.attr[i].val, cpout.attr[i].len, cp.attr[i].val, cp.attr[i].len));
	}

	const struct ike_eap eaps[] = {
		{ IKE_EAP_REQUEST, 1, 1, NULL, 0 },            /* Identity request */
		{ IKE_EAP_RESPONSE, 1, 1, (const uint8_t *)"alice", 5 },
		{ IKE_EAP_REQUEST, 2, 26, big, 60 },           /* MSCHAPv2 */
		{ IKE_EAP_SUCCESS, 3, 0, NULL, 0 },
		{ IKE_EAP_FAILURE, 4, 0, NULL, 0 },
	};
	for (size_t i = 0; i < sizeof(eaps) / sizeof(eaps[0]); i++) {
		struct ike_eap out;
		p = round_trip(0, IKE_PLD_EAP, ENC(eap), &eaps[i]);
		CHECK_EQ(ike_eap_decode(p, &out), 0);
		CHECK_EQ(out.code, eaps[i].code);
		CHECK_EQ(out.id, eaps[i].id);
		CHECK_EQ(out.type, eaps[i].type);
		CHECK(blob_eq(out.data, out.len, eaps[i].data, eaps[i].len));
	}
}

/* A whole IKE_SA_INIT built with the builder, an unknown non-critical
 * payload in the middle; then an IKE_AUTH whose SK "ciphertext" is a plain
 * inner chain (a null cipher), decoded with the same chain decoder. */
static void test_messages(void)
{
	static uint8_t buf[4096], buf2[4096], inner[2048];
	struct ike_hdr h = { .spi_i = { 1, 2, 3, 4, 5, 6, 7, 8 }, .version = IKE_VERSION_2_0,
			     .exch = IKE_EXCH_SA_INIT, .flags = IKE_HDR_F_INITIATOR, .msg_id = 0 };
	struct wb w;
	struct ike_bld b;
	size_t len;
	static struct ike_sa_pld sa;
	memset(&sa, 0, sizeof(sa));
	sa.n_prop = 1;
	sa.prop[0] = (struct ike_prop){ .num = 1, .proto = IKE_PROTO_IKE, .n_xf = 3 };
	sa.n_xf = 3;
	sa.xf[0] = (struct ike_xform){ IKE_XF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0, 0 };
	sa.xf[1] = (struct ike_xform){ IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0, 0 };
	sa.xf[2] = (struct ike_xform){ IKE_XF_KE, IKE_KE_CURVE25519, 0, 0 };
	const struct ike_ke ke = { IKE_KE_CURVE25519, k32, 32 };
	const struct ike_blob ni = { k32, 32 };
	const struct ike_notify nat = { 0, 0, IKE_N_NAT_DETECTION_SOURCE_IP, { 0 }, hashes, 20 };

	wb_init(&w, buf, sizeof(buf));
	ike_bld_msg(&b, &w, &h);
	ike_bld_begin(&b, IKE_PLD_SA, 0); ike_sa_pld_encode(&w, &sa); ike_bld_end(&b);
	ike_bld_begin(&b, IKE_PLD_KE, 0); ike_ke_encode(&w, &ke); ike_bld_end(&b);
	ike_bld_raw(&b, 222, 0, tlv, sizeof(tlv)); /* unknown, not critical */
	ike_bld_begin(&b, IKE_PLD_NONCE, 0); ike_nonce_encode(&w, &ni); ike_bld_end(&b);
	ike_bld_begin(&b, IKE_PLD_NOTIFY, 0); ike_notify_encode(&w, &nat); ike_bld_end(&b);
	CHECK_EQ(ike_bld_finish(&b, &len), 0);

	struct ike_msg m;
	struct ike_diag d = { 0 };
	CHECK_EQ(ike_msg_decode(buf, len, &m, &d), 0);
	CHECK_EQ(m.hdr.len, len);
	CHECK_EQ(m.hdr.next, IKE_PLD_SA);
	CHECK_EQ(m.hdr.exch, IKE_EXCH_SA_INIT);
	CHECK_EQ(m.hdr.flags, IKE_HDR_F_INITIATOR);
	CHECK_MEM(m.hdr.spi_i, h.spi_i, 8);
	CHECK_EQ(m.chain.n, 5);
	CHECK_EQ(m.chain.pld[2].type, 222);
	CHECK_EQ(m.chain.pld[2].known, 0);
	CHECK_EQ(ike_rules_check_outer(&m.hdr, &m.chain, &d), 0);
	CHECK_EQ(ike_chain_validate(&m.chain, &d), 0);
	wb_init(&w, buf2, sizeof(buf2));
	CHECK_EQ(ike_msg_encode(&w, &m.hdr, &m.chain), 0);
	CHECK_EQ(wb_len(&w), len);
	CHECK_MEM(buf2, buf, len);

	/* IKE_AUTH: inner chain first, then the envelope. */
	const struct ike_id idi = { IKE_ID_FQDN, fqdn, sizeof(fqdn) - 1 };
	const struct ike_auth auth = { IKE_AUTH_PSK, k32, 32 };
	struct wb iw;
	size_t ilen;
	wb_init(&iw, inner, sizeof(inner));
	ike_bld_chain(&b, &iw);
	ike_bld_begin(&b, IKE_PLD_IDI, 0); ike_id_encode(&iw, &idi); ike_bld_end(&b);
	ike_bld_begin(&b, IKE_PLD_AUTH, 0); ike_auth_encode(&iw, &auth); ike_bld_end(&b);
	CHECK_EQ(ike_bld_finish(&b, &ilen), 0);
	uint8_t first = b.first;
	CHECK_EQ(first, IKE_PLD_IDI);

	h.exch = IKE_EXCH_AUTH;
	h.msg_id = 1;
	wb_init(&w, buf, sizeof(buf));
	ike_bld_msg(&b, &w, &h);
	ike_bld_begin_sk(&b, IKE_PLD_SK, first);
	wb_put(&w, inner, ilen);
	ike_bld_end(&b);
	/* nothing may follow SK */
	CHECK_EQ(ike_bld_begin(&b, IKE_PLD_NOTIFY, 0), -EPROTO);
	CHECK_EQ(ike_bld_finish(&b, &len), -EPROTO);
	wb_init(&w, buf, sizeof(buf));
	ike_bld_msg(&b, &w, &h);
	ike_bld_begin_sk(&b, IKE_PLD_SK, first);
	wb_put(&w, inner, ilen);
	ike_bld_end(&b);
	CHECK_EQ(ike_bld_finish(&b, &len), 0);

	CHECK_EQ(ike_msg_decode(buf, len, &m, &d), 0);
	CHECK_EQ(m.hdr.next, IKE_PLD_SK);
	CHECK_EQ(m.chain.n, 1);
	CHECK_EQ(m.chain.pld[0].inner_next, IKE_PLD_IDI);
	CHECK_EQ(ike_rules_check_outer(&m.hdr, &m.chain, &d), 0);
	struct ike_chain in;
	CHECK_EQ(ike_chain_decode(m.chain.pld[0].body, m.chain.pld[0].body_len,
				  m.chain.pld[0].inner_next, 1, 0, &in, &d), 0);
	CHECK_EQ(in.n, 2);
	CHECK_EQ(ike_rules_check_inner(&m.hdr, &in, &d), 0);
	CHECK_EQ(ike_chain_validate(&in, &d), 0);
	/* the inner chain re-encodes to the same plaintext */
	wb_init(&w, buf2, sizeof(buf2));
	CHECK_EQ(ike_chain_encode(&w, &in), 0);
	CHECK_EQ(wb_len(&w), ilen);
	CHECK_MEM(buf2, inner, ilen);
	wb_init(&w, buf2, sizeof(buf2));
	CHECK_EQ(ike_msg_encode(&w, &m.hdr, &m.chain), 0);
	CHECK_EQ(wb_len(&w), len);
	CHECK_MEM(buf2, buf, len);

	/* encode into too small a buffer: -ENOBUFS */
	wb_init(&w, buf2, 40);
	CHECK_EQ(ike_msg_encode(&w, &m.hdr, &m.chain), -ENOBUFS);
}

static void test_names_codepoints(void)
{
	CHECK(strcmp(ike_exch_name(IKE_EXCH_FOLLOWUP_KE), "IKE_FOLLOWUP_KE") == 0);
	CHECK(strcmp(ike_pld_name(IKE_PLD_SKF), "SKF") == 0);
	CHECK(strcmp(ike_notify_name(16430), "IKEV2_FRAGMENTATION_SUPPORTED") == 0);
	CHECK(strcmp(ike_notify_name(16413), "TICKET_OPAQUE") == 0);
	CHECK(strcmp(ike_notify_name(40960), "UNKNOWN(40960)") == 0);
	CHECK(strcmp(ike_xform_id_name(IKE_XF_ADDKE1, 36), "ML_KEM_768") == 0);
	CHECK(strcmp(ike_xform_id_name(IKE_XF_ENCR, 20), "AES_GCM_16") == 0);
	CHECK(strcmp(ike_cpa_name(25), "INTERNAL_DNS_DOMAIN") == 0);
	CHECK(strcmp(ike_auth_name(14), "DIGITAL_SIGNATURE") == 0);
	CHECK(strcmp(ike_auth_name(13), "NULL") == 0);

	const struct ike_codepoints *def = ike_codepoints_default();
	CHECK_EQ(def->n_separate_transports, 48900);
	CHECK_EQ(def->n_encrypted_ping_supported, 48901);
	CHECK_EQ(def->esp_echo_next_header, 144);
	CHECK_EQ(def->esp_echo_request, 2);
	CHECK_EQ(def->esp_echo_reply, 3);
	CHECK(strcmp(ike_codepoints_notify_name(def, 48901), "ENCRYPTED_PING_SUPPORTED") == 0);

	struct ike_codepoints cp = *def, want;
	const char *why = NULL;
	want = *def;
	want.n_separate_transports = 50000;
	CHECK_EQ(ike_codepoints_set(&cp, &want, &why), 0);
	CHECK_EQ(cp.n_separate_transports, 50000);
	want = *def;
	want.n_separate_transports = IKE_N_COOKIE;           /* registered */
	CHECK_EQ(ike_codepoints_set(&cp, &want, &why), -EINVAL);
	want = *def;
	want.n_encrypted_ping_supported = 40;                 /* an error type */
	CHECK_EQ(ike_codepoints_set(&cp, &want, &why), -EINVAL);
	want = *def;
	want.n_encrypted_ping_supported = want.n_separate_transports; /* not distinct */
	CHECK_EQ(ike_codepoints_set(&cp, &want, &why), -EINVAL);
	want = *def;
	want.esp_echo_reply = want.esp_echo_request;
	CHECK_EQ(ike_codepoints_set(&cp, &want, &why), -EINVAL);
	want = *def;
	want.esp_echo_request = 1;                            /* RFC 9347 congestion control */
	CHECK_EQ(ike_codepoints_set(&cp, &want, &why), -EINVAL);
	want = *def;
	want.esp_echo_next_header = 4;
	CHECK_EQ(ike_codepoints_set(&cp, &want, &why), -EINVAL);
	CHECK(why != NULL);
	CHECK_EQ(cp.n_separate_transports, 50000);            /* untouched by failures */
}

int main(void)
{
	test_sa();
	test_simple();
	test_notify_delete();
	test_ts();
	test_sk_cp_eap();
	test_messages();
	test_names_codepoints();
	return test_done();
}
