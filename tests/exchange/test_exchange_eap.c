/* Exchange tests for EAP in IKE_AUTH (RFC 7296 2.16): the client
 * authenticates with EAP-MSCHAPv2 (or EAP-MD5, test-only), the gateway with
 * a certificate; AUTH after EAP Success uses the MSK (SK_p for MD5). */
#include <errno.h>
#include <string.h>

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
