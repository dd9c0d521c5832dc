/* Exchange tests for EAP in IKE_AUTH (RFC 7296 2.16): the client
 * authenticates with EAP-MSCHAPv2, EAP-TLS (or EAP-MD5, test-only), the
 * gateway with a certificate; AUTH after EAP Success uses the MSK (SK_p for
 * MD5). */
#include <errno.h>
#include <string.h>

#include "crypto/tls_eap.h"

#include "harness.h"
#include "ike/eap/eap.h"
#include "ike/pld/consts.h"
#include "pki.h"
#include "test.h"

struct gw_users {
	const char *user, *password;
	int lookups;
};

static int lookup(void *arg, const uint8_t *id, size_t id_len, struct secret **pw)
{
	struct gw_users *u = arg;
	u->lookups++;
	if (id_len != strlen(u->user) || memcmp(id, u->user, id_len) != 0)
		return -ENOENT;
	return crypto_secret_from(u->password, strlen(u->password), pw);
}

struct setup {
	struct tpki_ca ca, other_ca;
	struct crypto_castore *store;
	uint8_t hash[1][20];
	struct crypto_cert *gw_cert;
	struct crypto_pkey *gw_key;
	struct secret *pw;
	struct gw_users users;
};

static int setup(struct setup *s, struct hx *hx, uint8_t method, const char *client_pw,
		 int trust_other_ca)
{
	memset(s, 0, sizeof(*s));
	if (tpki_ca_new(&s->ca, "petrel test CA") || tpki_ca_new(&s->other_ca, "other CA") ||
	    crypto_castore_new(&s->store) ||
	    crypto_castore_add(s->store, trust_other_ca ? s->other_ca.ccert : s->ca.ccert) ||
	    crypto_cert_spki_sha1(s->ca.ccert, s->hash[0]) ||
	    tpki_leaf(&s->ca, "EC", "gw", "DNS:gw.example", &s->gw_cert, &s->gw_key) ||
	    crypto_secret_from(client_pw, strlen(client_pw), &s->pw))
		return -1;
	s->users.user = "alice";
	s->users.password = "correct horse battery staple";
	hx_init(hx, "unused-0123456789abcdef", "unused-0123456789abcdef");
	struct ike_cfg *i = &hx->side[HX_I].cfg, *r = &hx->side[HX_R].cfg;
	i->auth = IKE_AUTHK_EAP;
	i->peer_auth = IKE_AUTHK_CERT;
	i->ca = s->store;
	i->ca_hashes = (const uint8_t(*)[20])s->hash;
	i->n_ca_hashes = 1;
	i->eap_method = method;
	i->eap_id = (const uint8_t *)"alice";
	i->eap_id_len = 5;
	i->eap_password = s->pw;
	r->auth = IKE_AUTHK_CERT;
	r->cert = s->gw_cert;
	r->key = s->gw_key;
	r->peer_auth = IKE_AUTHK_EAP;
	r->eap_method = method;
	r->eap_lookup = lookup;
	r->eap_lookup_arg = &s->users;
	return 0;
}

static void teardown(struct setup *s, struct hx *hx)
{
	hx_free(hx);
	crypto_cert_free(s->gw_cert);
	crypto_pkey_free(s->gw_key);
	crypto_castore_free(s->store);
	crypto_secret_free(s->pw);
	tpki_ca_free(&s->ca);
	tpki_ca_free(&s->other_ca);
}

static void test_eap_ok(uint8_t method)
{
	struct setup s;
	struct hx hx;
	CHECK_EQ(setup(&s, &hx, method, "correct horse battery staple", 0), 0);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	/* IKE_AUTH { IDi, CERTREQ, IDr, CP, SA, TSi, TSr } (no AUTH) --> */
	uint32_t id;
	int resp;
	CHECK_EQ(hx_peek_exch(&hx, &id, &resp), IKE_EXCH_AUTH);
	CHECK_EQ(id, 1);
	/* ... then EAP rounds and the two MSK AUTHs, each its own message ID. */
	int steps = hx_run(&hx, 40);
	CHECK(steps >= 5);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_established, 1);
	CHECK_EQ(hx.side[HX_R].n_established, 1);
	CHECK_EQ(s.users.lookups >= 1, 1);
	int n = 0;
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	CHECK_EQ(ike_sa_cp(hx.side[HX_I].sa)->has_v4, 1);
	/* The SA works afterwards: a liveness check. */
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	teardown(&s, &hx);
}

static void test_eap_wrong_password(uint8_t method)
{
	struct setup s;
	struct hx hx;
	CHECK_EQ(setup(&s, &hx, method, "Tr0ub4dor&3", 0), 0);
	CHECK_EQ(hx_start(&hx), 0);
	hx_run(&hx, 40);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].last_err, -EACCES);
	CHECK_EQ(hx.side[HX_I].n_child_up, 0);
	CHECK_EQ(hx.side[HX_R].n_child_up, 0);
	CHECK_EQ(hx.side[HX_I].n_established, 0);
	CHECK_EQ(hx.side[HX_R].n_established, 0);
	teardown(&s, &hx);
}

/* A gateway the client cannot verify never sees an EAP response: the
 * client stops after the first IKE_AUTH answer. */
static void test_eap_untrusted_gateway(void)
{
	struct setup s;
	struct hx hx;
	CHECK_EQ(setup(&s, &hx, EAP_MSCHAPV2, "correct horse battery staple", 1), 0);
	CHECK_EQ(hx_start(&hx), 0);
	hx_run(&hx, 40);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].sent, 2); /* IKE_SA_INIT and the first IKE_AUTH only */
	CHECK_EQ(s.users.lookups, 0);
	teardown(&s, &hx);
}

/* ---- EAP-TLS (RFC 5216, RFC 9190) ---- */

enum tls_variant {
	TLS_OK = 0,
	TLS_CLIENT_UNTRUSTED,   /* the client's certificate from a CA the gateway does not trust */
	TLS_SERVER_WRONG_NAME,  /* the EAP server's certificate names another host */
};

struct tls_setup {
	struct tpki_ca ca, other_ca;
	struct crypto_castore *store;
	uint8_t hash[1][20];
	struct crypto_cert *gw_cert, *aaa_cert, *cli_cert;
	struct crypto_pkey *gw_key, *aaa_key, *cli_key;
};

/* The gateway proves itself to IKE with gw.example and runs EAP-TLS with a
 * certificate for aaa.example (its EAP server name); the client has a
 * certificate for alice@example. */
static int tls_setup(struct tls_setup *s, struct hx *hx, enum tls_variant v, uint16_t version)
{
	memset(s, 0, sizeof(*s));
	if (tpki_ca_new(&s->ca, "petrel test CA") || tpki_ca_new(&s->other_ca, "other CA") ||
	    crypto_castore_new(&s->store) || crypto_castore_add(s->store, s->ca.ccert) ||
	    crypto_cert_spki_sha1(s->ca.ccert, s->hash[0]) ||
	    tpki_leaf(&s->ca, "EC", "gw", "DNS:gw.example", &s->gw_cert, &s->gw_key) ||
	    tpki_leaf(&s->ca, "RSA", "aaa",
		      v == TLS_SERVER_WRONG_NAME ? "DNS:evil.example" : "DNS:aaa.example",
		      &s->aaa_cert, &s->aaa_key) ||
	    tpki_leaf(v == TLS_CLIENT_UNTRUSTED ? &s->other_ca : &s->ca, "EC", "alice",
		      "email:alice@example", &s->cli_cert, &s->cli_key))
		return -1;
	hx_init(hx, "unused-0123456789abcdef", "unused-0123456789abcdef");
	struct ike_cfg *i = &hx->side[HX_I].cfg, *r = &hx->side[HX_R].cfg;
	i->auth = IKE_AUTHK_EAP;
	i->peer_auth = IKE_AUTHK_CERT;
	i->ca = s->store;
	i->ca_hashes = (const uint8_t(*)[20])s->hash;
	i->n_ca_hashes = 1;
	i->eap_method = EAP_TLS;
	i->eap_id = (const uint8_t *)"alice@example";
	i->eap_id_len = 13;
	i->eap_tls_cert = s->cli_cert;
	i->eap_tls_key = s->cli_key;
	i->eap_tls_server_id.type = CRYPTO_ID_FQDN;
	i->eap_tls_server_id.len = 11;
	memcpy(i->eap_tls_server_id.data, "aaa.example", 11);
	i->eap_tls_min_version = i->eap_tls_max_version = version;
	r->auth = IKE_AUTHK_CERT;
	r->cert = s->gw_cert;
	r->key = s->gw_key;
	r->peer_auth = IKE_AUTHK_EAP;
	r->eap_method = EAP_TLS;
	r->eap_tls_cert = s->aaa_cert;
	r->eap_tls_key = s->aaa_key;
	r->eap_tls_ca = s->store;
	return 0;
}

static void tls_teardown(struct tls_setup *s, struct hx *hx)
{
	hx_free(hx);
	crypto_cert_free(s->gw_cert);
	crypto_cert_free(s->aaa_cert);
	crypto_cert_free(s->cli_cert);
	crypto_pkey_free(s->gw_key);
	crypto_pkey_free(s->aaa_key);
	crypto_pkey_free(s->cli_key);
	crypto_castore_free(s->store);
	tpki_ca_free(&s->ca);
	tpki_ca_free(&s->other_ca);
}

static void test_eap_tls_ok(uint16_t version)
{
	struct tls_setup s;
	struct hx hx;
	CHECK_EQ(tls_setup(&s, &hx, TLS_OK, version), 0);
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	/* IKE_AUTH { IDi, CERTREQ } (no AUTH: EAP) --> */
	uint32_t id;
	int resp;
	CHECK_EQ(hx_peek_exch(&hx, &id, &resp), IKE_EXCH_AUTH);
	/* <-- { IDr, CERT, AUTH, EAP(Request/TLS Start) }
	 * { EAP(Response/ClientHello) } -->
	 * <-- { EAP(Request/server flight, fragments of 1000) } ... and acks
	 * { EAP(Response/client flight) } -->
	 * <-- { EAP(Request/1.2 Finished or 1.3 commitment 0x00) }
	 * { EAP(Response/empty) } -->   <-- { EAP(Success) }
	 * { AUTH(MSK) } -->             <-- { AUTH(MSK), SA, TSi, TSr } */
	int steps = hx_run(&hx, 80);
	CHECK(steps >= 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_established, 1);
	CHECK_EQ(hx.side[HX_R].n_established, 1);
	int n = 0;
	CHECK(hx_children_paired(&hx, &n));
	CHECK_EQ(n, 1);
	/* The SA works afterwards. */
	CHECK_EQ(ike_sa_dpd(hx.side[HX_I].sa), 0);
	CHECK_EQ(hx_run(&hx, 4), 2);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	tls_teardown(&s, &hx);
}

/* Either side refuses the other's certificate inside TLS: the alert
 * travels in an EAP packet, the gateway ends with EAP Failure, no SA. */
static void test_eap_tls_refused(enum tls_variant v, uint16_t version)
{
	struct tls_setup s;
	struct hx hx;
	CHECK_EQ(tls_setup(&s, &hx, v, version), 0);
	CHECK_EQ(hx_start(&hx), 0);
	hx_run(&hx, 80);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].last_err, -EACCES);
	CHECK_EQ(hx.side[HX_I].n_established, 0);
	CHECK_EQ(hx.side[HX_R].n_established, 0);
	CHECK_EQ(hx.side[HX_I].n_child_up, 0);
	CHECK_EQ(hx.side[HX_R].n_child_up, 0);
	tls_teardown(&s, &hx);
}

int main(void)
{
	struct eap_client *probe = NULL;
	struct secret *pw = NULL;
	crypto_secret_from("x", 1, &pw);
	struct eap_client_cfg ec = { .method = EAP_MSCHAPV2, .identity = (const uint8_t *)"a",
				     .identity_len = 1, .password = pw };
	int have_mschap = eap_client_new(&ec, &probe) == 0;
	eap_client_free(probe);
	crypto_secret_free(pw);

	test_eap_ok(EAP_MD5);
	test_eap_wrong_password(EAP_MD5);
	test_eap_tls_ok(CRYPTO_TLS_V12);
	test_eap_tls_ok(CRYPTO_TLS_V13);
	test_eap_tls_refused(TLS_CLIENT_UNTRUSTED, CRYPTO_TLS_V12);
	test_eap_tls_refused(TLS_CLIENT_UNTRUSTED, CRYPTO_TLS_V13);
	test_eap_tls_refused(TLS_SERVER_WRONG_NAME, CRYPTO_TLS_V12);
	test_eap_tls_refused(TLS_SERVER_WRONG_NAME, CRYPTO_TLS_V13);
	if (have_mschap) {
		test_eap_ok(EAP_MSCHAPV2);
		test_eap_wrong_password(EAP_MSCHAPV2);
		test_eap_untrusted_gateway();
	}
	int rc = test_done();
	if (!have_mschap && rc == 0)
		return test_skip("EAP-MSCHAPv2 needs MD4/DES from OpenSSL's legacy provider, not found");
	return rc;
}
