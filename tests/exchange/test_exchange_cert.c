/* Exchange tests for certificate authentication (RFC 7296 2.15, RFC 7427,
 * RFC 4754): two engines through fake ops with a PKI minted at test time. */
#include <string.h>

#include <errno.h>

#include "harness.h"
#include "ike/pld/consts.h"
#include "pki.h"
#include "test.h"

struct creds {
	struct tpki_ca ca, other_ca;
	struct crypto_castore *store, *other_store;
	uint8_t ca_hash[1][20];
	struct crypto_cert *gw_cert, *cl_cert;
	struct crypto_pkey *gw_key, *cl_key;
};

static int creds_new(struct creds *c, const char *gw_type, const char *cl_type, const char *gw_san)
{
	memset(c, 0, sizeof(*c));
	if (tpki_ca_new(&c->ca, "petrel test CA") || tpki_ca_new(&c->other_ca, "other CA") ||
	    crypto_castore_new(&c->store) || crypto_castore_add(c->store, c->ca.ccert) ||
	    crypto_castore_new(&c->other_store) || crypto_castore_add(c->other_store, c->other_ca.ccert) ||
	    crypto_cert_spki_sha1(c->ca.ccert, c->ca_hash[0]) ||
	    tpki_leaf(&c->ca, gw_type, "gw", gw_san, &c->gw_cert, &c->gw_key) ||
	    (cl_type && tpki_leaf(&c->ca, cl_type, "client", "email:client@example", &c->cl_cert, &c->cl_key)))
		return -1;
	return 0;
}

static void creds_free(struct creds *c)
{
	crypto_cert_free(c->gw_cert);
	crypto_cert_free(c->cl_cert);
	crypto_pkey_free(c->gw_key);
	crypto_pkey_free(c->cl_key);
	crypto_castore_free(c->store);
	crypto_castore_free(c->other_store);
	tpki_ca_free(&c->ca);
	tpki_ca_free(&c->other_ca);
}

static void use_cert(struct ike_cfg *cfg, struct crypto_cert *cert, struct crypto_pkey *key)
{
	cfg->auth = IKE_AUTHK_CERT;
	cfg->cert = cert;
	cfg->key = key;
}

static void trust(struct ike_cfg *cfg, struct creds *c, struct crypto_castore *store)
{
	cfg->peer_auth = IKE_AUTHK_CERT;
	cfg->ca = store;
	cfg->ca_hashes = (const uint8_t(*)[20])c->ca_hash;
	cfg->n_ca_hashes = 1;
}

static void set_email(struct ike_ident *id, const char *s)
{
	id->type = IKE_ID_RFC822_ADDR;
	id->len = strlen(s);
	memcpy(id->data, s, id->len);
}

/* Both sides with certificates of one key type. */
static void test_both_certs(const char *type)
{
	struct creds c;
	struct hx hx;

	CHECK_EQ(creds_new(&c, type, type, "DNS:gw.example"), 0);
	hx_init(&hx, "unused-psk-0123456789", "unused-psk-0123456789");
	struct ike_cfg *i = &hx.side[HX_I].cfg, *r = &hx.side[HX_R].cfg;
	use_cert(i, c.cl_cert, c.cl_key);
	trust(i, &c, c.store);
	use_cert(r, c.gw_cert, c.gw_key);
	trust(r, &c, c.store);
	set_email(&i->local_id, "client@example");
	set_email(&r->remote_id, "client@example");
	CHECK_EQ(hx_start(&hx), 0);
	/* IKE_SA_INIT --> ; <-- IKE_SA_INIT { ..., CERTREQ } */
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	/* IKE_AUTH { IDi, CERT, CERTREQ, IDr, AUTH, ... } --> */
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	/* <-- IKE_AUTH { IDr, CERT, AUTH, ... } */
	CHECK_EQ(hx_step(&hx), HX_I);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_child_up, 1);
	CHECK_EQ(hx.side[HX_R].n_child_up, 1);
	hx_free(&hx);
	creds_free(&c);
}

/* Remote access as usual: the client uses a PSK, the gateway a certificate
 * (here RSA, so RSA-PSS through RFC 7427). */
static void test_mixed(void)
{
	struct creds c;
	struct hx hx;

	CHECK_EQ(creds_new(&c, "RSA", NULL, "DNS:gw.example"), 0);
	hx_init(&hx, "shared-key-for-the-client-0123456789", "shared-key-for-the-client-0123456789");
	struct ike_cfg *i = &hx.side[HX_I].cfg, *r = &hx.side[HX_R].cfg;
	trust(i, &c, c.store);               /* the client needs the gateway's cert */
	use_cert(r, c.gw_cert, c.gw_key);
	r->peer_auth = IKE_AUTHK_PSK;        /* the gateway needs the client's PSK */
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_run(&hx, 10), 4);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	hx_free(&hx);
	creds_free(&c);
}

/* The gateway's certificate from a CA the client does not trust, or for
 * another name: the client refuses, nothing is installed on its side. */
static void test_gateway_refused(int wrong_ca)
{
	struct creds c;
	struct hx hx;

	CHECK_EQ(creds_new(&c, "EC", NULL, wrong_ca ? "DNS:gw.example" : "DNS:evil.example"), 0);
	hx_init(&hx, "shared-key-for-the-client-0123456789", "shared-key-for-the-client-0123456789");
	struct ike_cfg *i = &hx.side[HX_I].cfg, *r = &hx.side[HX_R].cfg;
	trust(i, &c, wrong_ca ? c.other_store : c.store);
	use_cert(r, c.gw_cert, c.gw_key);
	r->peer_auth = IKE_AUTHK_PSK;
	CHECK_EQ(hx_start(&hx), 0);
	hx_run(&hx, 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_I].n_failed, 1);
	CHECK_EQ(hx.side[HX_I].last_err, -EACCES);
	CHECK_EQ(hx.side[HX_I].n_child_up, 0);
	CHECK_EQ(hx.side[HX_I].n_established, 0);
	hx_free(&hx);
	creds_free(&c);
}

/* A client certificate the gateway cannot verify: AUTHENTICATION_FAILED. */
static void test_client_refused(void)
{
	struct creds c;
	struct hx hx;

	CHECK_EQ(creds_new(&c, "EC", "EC", "DNS:gw.example"), 0);
	hx_init(&hx, "x-0123456789abcdef", "x-0123456789abcdef");
	struct ike_cfg *i = &hx.side[HX_I].cfg, *r = &hx.side[HX_R].cfg;
	use_cert(i, c.cl_cert, c.cl_key);
	trust(i, &c, c.store);
	use_cert(r, c.gw_cert, c.gw_key);
	trust(r, &c, c.other_store);
	set_email(&i->local_id, "client@example");
	CHECK_EQ(hx_start(&hx), 0);
	hx_run(&hx, 10);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_DEAD);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_DEAD);
	CHECK_EQ(hx.side[HX_R].n_child_up, 0);
	CHECK_EQ(hx.side[HX_I].n_child_up, 0);
	hx_free(&hx);
	creds_free(&c);
}

/* RSA certificates on both sides make IKE_AUTH larger than one safe
 * datagram: both messages go as RFC 7383 fragments and reassemble. */
static void test_fragmented(void)
{
	struct creds c;
	struct hx hx;

	CHECK_EQ(creds_new(&c, "RSA", "RSA", "DNS:gw.example"), 0);
	hx_init(&hx, "unused-psk-0123456789", "unused-psk-0123456789");
	struct ike_cfg *i = &hx.side[HX_I].cfg, *r = &hx.side[HX_R].cfg;
	use_cert(i, c.cl_cert, c.cl_key);
	trust(i, &c, c.store);
	use_cert(r, c.gw_cert, c.gw_key);
	trust(r, &c, c.store);
	set_email(&i->local_id, "client@example");
	/* Intermediates as extra CERT payloads: the CA itself, twice the bytes. */
	const struct crypto_cert *chain[1] = { c.ca.ccert };
	i->chain = chain;
	i->n_chain = 1;
	r->chain = chain;
	r->n_chain = 1;
	CHECK_EQ(hx_start(&hx), 0);
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(hx_step(&hx), HX_I);
	/* IKE_AUTH { SKF 1/n }, { SKF 2/n } ... --> */
	int n_req = hx.n_q;
	CHECK(n_req >= 2);
	for (int k = 0; k < hx.n_q; k++)
		CHECK(hx.q[k]->len <= 1228);
	for (int k = 0; k < n_req - 1; k++) {
		CHECK_EQ(hx_step(&hx), HX_R);
		CHECK_EQ(hx.n_q, n_req - k - 1); /* nothing answered before the last */
	}
	CHECK_EQ(hx_step(&hx), HX_R);
	CHECK_EQ(ike_sa_state(hx.side[HX_R].sa), IKE_S_ESTABLISHED);
	CHECK(hx.n_q >= 2); /* the answer is fragmented too */
	hx_run(&hx, 20);
	CHECK_EQ(ike_sa_state(hx.side[HX_I].sa), IKE_S_ESTABLISHED);
	CHECK_EQ(hx.side[HX_I].n_child_up, 1);
	hx_free(&hx);
	creds_free(&c);
}

int main(void)
{
	test_both_certs("EC");
	test_both_certs("EC384");
	test_both_certs("RSA");
	test_both_certs("ED25519");
	test_mixed();
	test_gateway_refused(1);
	test_gateway_refused(0);
	test_client_refused();
	test_fragmented();
	return test_done();
}
