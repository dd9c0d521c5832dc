/* TLS for EAP-TLS over memory BIOs (see tls_eap.h). */
#include "crypto/tls_eap.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "base/limits.h"
#include "base/log.h"
#include "crypto/pkey_int.h"

#define TLS_SUBSYS "tls"
#define TLS_ID_MAX_LEN 1024u  /* as crypto_cert_verify */

struct crypto_tls {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rbio, *wbio;       /* owned by ssl */
	const struct crypto_castore *ca;
	int server;
	int peer_id_type;
	uint8_t *peer_id;       /* NULL: not set yet */
	size_t peer_id_len;
	int64_t now_s;
	int failed;
	int logged;             /* the failure's reason is already logged */
};

static const char *role(const struct crypto_tls *t)
{
	return t->server ? "client" : "server";
}

/* An X509 from a TLS Certificate message as a crypto_cert (one DER round
 * trip, once per conversation) so the peer goes through crypto_cert_verify,
 * the very checks IKE uses. */
static int x509_to_cert(X509 *x, struct crypto_cert **out)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	if (n <= 0)
		return -EBADMSG;
	int err = crypto_cert_load(der, (size_t)n, out);
	OPENSSL_free(der);
	return err;
}

/* SSL_CTX_set_cert_verify_callback: replaces OpenSSL's own chain check. The
 * store OpenSSL hands us is empty; the peer's chain (leaf first) is the
 * context's untrusted list. */
static int verify_peer(X509_STORE_CTX *xctx, void *arg)
{
	struct crypto_tls *t = arg;
	X509 *leaf = X509_STORE_CTX_get0_cert(xctx);
	STACK_OF(X509) *sk = X509_STORE_CTX_get0_untrusted(xctx);
	struct crypto_cert *cl = NULL, *chain[PT_IKE_CERTS_MAX];
	size_t n = 0;
	int err = leaf ? x509_to_cert(leaf, &cl) : -EACCES;
	for (int i = 0; !err && sk && i < sk_X509_num(sk); i++) {
		X509 *x = sk_X509_value(sk, i);
		if (X509_cmp(x, leaf) == 0)
			continue;
		if (n >= PT_IKE_CERTS_MAX - 1) {
			err = -E2BIG;
			break;
		}
		err = x509_to_cert(x, &chain[n]);
		if (!err)
			n++;
	}
	int x509_err = X509_V_ERR_CERT_UNTRUSTED;
	if (err) {
		log_warn(TLS_SUBSYS, "EAP-TLS: the %s's certificate chain is unusable (%s)", role(t),
			 err == -E2BIG ? "too many certificates" : "bad encoding");
	} else if (!t->peer_id) {
		err = -EACCES; /* crypto_tls_handshake refuses to start without one */
	} else if ((err = crypto_cert_verify(t->ca, cl, (const struct crypto_cert *const *)chain,
					     n, t->now_s, 0, NULL, 0))) {
		log_warn(TLS_SUBSYS, "EAP-TLS: the %s's certificate is not from a trusted CA "
			 "or not valid now", role(t));
	} else if ((err = crypto_cert_verify(t->ca, cl, (const struct crypto_cert *const *)chain,
					     n, t->now_s, t->peer_id_type, t->peer_id,
					     t->peer_id_len))) {
		log_warn(TLS_SUBSYS, "EAP-TLS: the %s's certificate does not prove the expected "
			 "identity (ID type %d)", role(t), t->peer_id_type);
		x509_err = X509_V_ERR_APPLICATION_VERIFICATION;
	}
	crypto_cert_free(cl);
	for (size_t i = 0; i < n; i++)
		crypto_cert_free(chain[i]);
	if (err) {
		t->logged = 1;
		X509_STORE_CTX_set_error(xctx, x509_err);
		return 0;
	}
	return 1;
}

static int version_ok(uint16_t v)
{
	return v == 0 || v == CRYPTO_TLS_V12 || v == CRYPTO_TLS_V13;
}

int crypto_tls_set_peer_id(struct crypto_tls *t, int type, const uint8_t *id, size_t len)
{
	if (!id || !len || len > TLS_ID_MAX_LEN)
		return -EINVAL;
	uint8_t *d = malloc(len);
	if (!d)
		return -ENOMEM;
	memcpy(d, id, len);
	free(t->peer_id);
	t->peer_id = d;
	t->peer_id_len = len;
	t->peer_id_type = type;
	return 0;
}

static int ctx_setup(struct crypto_tls *t, const struct crypto_tls_cfg *cfg)
{
	uint16_t lo = cfg->min_version ? cfg->min_version : CRYPTO_TLS_V12;
	uint16_t hi = cfg->max_version ? cfg->max_version : CRYPTO_TLS_V13;
	size_t der_len;
	const uint8_t *der = crypto_cert_der(cfg->cert, &der_len);
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)der_len);
	int ok = x && SSL_CTX_use_certificate(t->ctx, x) == 1 &&
		 SSL_CTX_use_PrivateKey(t->ctx, cfg->key->pkey) == 1 &&
		 SSL_CTX_check_private_key(t->ctx) == 1;
	X509_free(x);
	if (!ok)
		return -EINVAL;
	if (SSL_CTX_set_min_proto_version(t->ctx, lo) != 1 ||
	    SSL_CTX_set_max_proto_version(t->ctx, hi) != 1)
		return -EINVAL;
	/* One handshake per conversation: no tickets, no cache, no
	 * renegotiation (RFC 9190 2.1.2 resumption is not offered). */
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
				    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
	if (SSL_CTX_set_num_tickets(t->ctx, 0) != 1)
		return -EIO;
	static const unsigned char sid_ctx[] = "petrel-eap-tls";
	if (t->server && SSL_CTX_set_session_id_context(t->ctx, sid_ctx, sizeof(sid_ctx) - 1) != 1)
		return -EIO;
	/* RFC 5216 2.1.1 / RFC 9190 2.1.1: mutual authentication. */
	SSL_CTX_set_verify(t->ctx, t->server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
					     : SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_cert_verify_callback(t->ctx, verify_peer, t);
	return 0;
}

int crypto_tls_new(const struct crypto_tls_cfg *cfg, struct crypto_tls **out)
{
	if (!cfg || !cfg->cert || !cfg->key || !cfg->ca || !version_ok(cfg->min_version) ||
	    !version_ok(cfg->max_version) ||
	    (cfg->min_version && cfg->max_version && cfg->min_version > cfg->max_version) ||
	    (cfg->peer_id && (!cfg->peer_id_len || cfg->peer_id_len > TLS_ID_MAX_LEN)))
		return -EINVAL;
	struct crypto_tls *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->server = cfg->server;
	t->ca = cfg->ca;
	t->now_s = cfg->now_s;
	int err = -ENOMEM;
	ERR_set_mark();
	t->ctx = SSL_CTX_new(cfg->server ? TLS_server_method() : TLS_client_method());
	if (!t->ctx)
		goto fail;
	if ((err = ctx_setup(t, cfg)))
		goto fail;
	err = -ENOMEM;
	t->ssl = SSL_new(t->ctx);
	t->rbio = BIO_new(BIO_s_mem());
	t->wbio = BIO_new(BIO_s_mem());
	if (!t->ssl || !t->rbio || !t->wbio) {
		BIO_free(t->rbio);
		BIO_free(t->wbio);
		t->rbio = t->wbio = NULL;
		goto fail;
	}
	/* An empty read BIO means "wait for the peer", not end of stream. */
	BIO_set_mem_eof_return(t->rbio, -1);
	BIO_set_mem_eof_return(t->wbio, -1);
	SSL_set_bio(t->ssl, t->rbio, t->wbio);
	if (cfg->server)
		SSL_set_accept_state(t->ssl);
	else
		SSL_set_connect_state(t->ssl);
	if (cfg->peer_id &&
	    (err = crypto_tls_set_peer_id(t, cfg->peer_id_type, cfg->peer_id, cfg->peer_id_len)))
		goto fail;
	ERR_pop_to_mark();
	*out = t;
	return 0;
fail:
	ERR_pop_to_mark();
	crypto_tls_free(t);
	return err;
}

void crypto_tls_free(struct crypto_tls *t)
{
	if (!t)
		return;
	SSL_free(t->ssl); /* and both BIOs */
	SSL_CTX_free(t->ctx);
	free(t->peer_id);
	free(t);
}

int crypto_tls_push(struct crypto_tls *t, const uint8_t *p, size_t n)
{
	/* The EAP layer bounds each message; this bounds what piles up. */
	if (n > 2u * PT_EAP_TLS_MSG_MAX || BIO_ctrl_pending(t->rbio) > 2u * PT_EAP_TLS_MSG_MAX)
		return -ENOBUFS;
	if (n == 0)
		return 0;
	return BIO_write(t->rbio, p, (int)n) == (int)n ? 0 : -ENOMEM;
}

/* The conversation failed: one log line with OpenSSL's reason (unless the
 * verify callback said it already). */
static int tls_fail(struct crypto_tls *t, const char *what)
{
	if (!t->logged) {
		unsigned long e = ERR_peek_last_error();
		const char *why = e ? ERR_reason_error_string(e) : NULL;
		log_warn(TLS_SUBSYS, "EAP-TLS %s with the %s failed: %s", what, role(t),
			 why ? why : "connection closed");
		t->logged = 1;
	}
	ERR_clear_error();
	t->failed = 1;
	return -EACCES;
}

int crypto_tls_handshake(struct crypto_tls *t)
{
	if (t->failed)
		return -EACCES;
	if (!t->peer_id)
		return -EINVAL;
	ERR_clear_error();
	int r = SSL_do_handshake(t->ssl);
	if (r == 1)
		return CRYPTO_TLS_DONE;
	if (SSL_get_error(t->ssl, r) == SSL_ERROR_WANT_READ)
		return CRYPTO_TLS_AGAIN;
	return tls_fail(t, "handshake");
}

size_t crypto_tls_pending(const struct crypto_tls *t)
{
	return BIO_ctrl_pending(t->wbio);
}

size_t crypto_tls_pull(struct crypto_tls *t, uint8_t *out, size_t cap)
{
	if (cap > INT_MAX)
		cap = INT_MAX;
	int n = cap ? BIO_read(t->wbio, out, (int)cap) : 0;
	return n > 0 ? (size_t)n : 0;
}

int crypto_tls_write(struct crypto_tls *t, const uint8_t *p, size_t n)
{
	size_t done = 0;
	if (t->failed || !SSL_is_init_finished(t->ssl))
		return -EPROTO;
	ERR_clear_error();
	if (SSL_write_ex(t->ssl, p, n, &done) != 1 || done != n) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int crypto_tls_read(struct crypto_tls *t, uint8_t *out, size_t cap, size_t *n)
{
	size_t got = 0;
	*n = 0;
	if (t->failed)
		return -EACCES;
	if (!cap)
		return -EINVAL;
	ERR_clear_error();
	int r = SSL_read_ex(t->ssl, out, cap, &got);
	if (r == 1) {
		*n = got;
		return 0;
	}
	if (SSL_get_error(t->ssl, r) == SSL_ERROR_WANT_READ)
		return 0;
	return tls_fail(t, "read");
}

unsigned crypto_tls_version(const struct crypto_tls *t)
{
	int v = SSL_version(t->ssl);
	return v == TLS1_2_VERSION || v == TLS1_3_VERSION ? (unsigned)v : 0;
}

int crypto_tls_eap_keys(struct crypto_tls *t, struct secret **msk, struct secret **emsk)
{
	static const char label12[] = "client EAP encryption";             /* RFC 5216 2.3 */
	static const char label13[] = "EXPORTER_EAP_TLS_Key_Material";     /* RFC 9190 2.3 */
	static const unsigned char ctx13[] = { 0x0d };                      /* Type-Code 13 */
	uint8_t km[CRYPTO_TLS_MSK_LEN + CRYPTO_TLS_EMSK_LEN];
	int ok;
	if (t->failed || !SSL_is_init_finished(t->ssl))
		return -EPROTO;
	ERR_clear_error();
	if (crypto_tls_version(t) == CRYPTO_TLS_V13)
		ok = SSL_export_keying_material(t->ssl, km, sizeof(km), label13, sizeof(label13) - 1,
						ctx13, sizeof(ctx13), 1);
	else
		ok = SSL_export_keying_material(t->ssl, km, sizeof(km), label12, sizeof(label12) - 1,
						NULL, 0, 0);
	ERR_clear_error();
	int err = ok == 1 ? 0 : -EPROTO;
	*msk = *emsk = NULL;
	if (!err && (crypto_secret_from(km, CRYPTO_TLS_MSK_LEN, msk) ||
		     crypto_secret_from(km + CRYPTO_TLS_MSK_LEN, CRYPTO_TLS_EMSK_LEN, emsk))) {
		crypto_secret_free(*msk);
		*msk = NULL;
		err = -ENOMEM;
	}
	crypto_wipe(km, sizeof(km));
	return err;
}
