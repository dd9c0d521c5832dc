/* Fuzz target: EAP-TLS (src/ike/eap/eap_tls.c, src/crypto/tls_eap.c), the
 * framing (L/M/S, fragments, acknowledgements, reassembly) and the TLS
 * records behind it, at either end, in every state.
 *
 * Input: a control octet, then packets, each a 2-octet big-endian length
 * and that many octets. Control:
 *   bit 0     0: fuzz the client (packets are "server" packets),
 *             1: fuzz the server (packets are "client" packets)
 *   bit 1     TLS 1.3 only (else TLS 1.2 only)
 *   bits 2-4  honest rounds first (0-7): a real handshake gets that far
 *   bit 5     64-octet fragments (many fragments, acks in every state)
 *   bit 6     rewrite each packet's Length to its real size
 *   bit 7     rewrite each packet's Identifier to the expected one
 * Every packet goes to the object until it returns something other than
 * EAP_CONTINUE. Nothing may crash or leak; every packet written carries its
 * length; an EAP_SUCCESS from fuzzed input must come with a 64-octet MSK.
 * The certificates are minted once per process (tests/common/pki.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "crypto/tls_eap.h"
#include "ike/eap/eap.h"
#include "pki.h"

#define CAP 4096

static struct tpki_ca ca;
static struct crypto_castore *store;
static struct crypto_cert *srv, *cli;
static struct crypto_pkey *srv_key, *cli_key;

static int pki_once(void)
{
	static int state; /* 0 new, 1 ok, -1 failed */
	if (state)
		return state;
	pt_log_set_level(PT_LOG_ERR);
	state = tpki_ca_new(&ca, "fuzz CA") || crypto_castore_new(&store) ||
			crypto_castore_add(store, ca.ccert) ||
			tpki_leaf(&ca, "EC", "aaa", "DNS:aaa.example", &srv, &srv_key) ||
			tpki_leaf(&ca, "EC", "u", "email:u@example", &cli, &cli_key)
		? -1 : 1;
	return state;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || pki_once() < 0)
		return 0;
	uint8_t ctl = data[0];
	int fuzz_server = ctl & 1;
	uint16_t version = (ctl & 2) ? CRYPTO_TLS_V13 : CRYPTO_TLS_V12;
	unsigned honest = (ctl >> 2) & 7;
	size_t frag = (ctl & 0x20) ? EAP_TLS_FRAG_MIN_LEN : 0;

	struct eap_client_cfg cc = {
		.method = EAP_TLS, .identity = (const uint8_t *)"u@example", .identity_len = 9,
		.tls = { .cert = cli, .key = cli_key, .ca = store, .peer_id_type = CRYPTO_ID_FQDN,
			 .peer_id = (const uint8_t *)"aaa.example", .peer_id_len = 11,
			 .min_version = version, .max_version = version, .frag_len = frag },
	};
	struct eap_server_cfg sc = {
		.method = EAP_TLS, .identity = cc.identity, .identity_len = cc.identity_len,
		.tls = { .cert = srv, .key = srv_key, .ca = store, .min_version = version,
			 .max_version = version, .frag_len = frag },
	};
	struct eap_client *c = NULL;
	struct eap_server *s = NULL;
	static uint8_t req[CAP], resp[CAP], pkt[65536];
	size_t req_len = 0, resp_len = 0;
	if (eap_client_new(&cc, &c) || eap_server_new(&sc, &s))
		goto out;

	int r = eap_server_start(s, req, CAP, &req_len);
	for (unsigned i = 0; i < honest && r == EAP_CONTINUE; i++) {
		r = eap_client_process(c, req, req_len, resp, CAP, &resp_len);
		if (r != EAP_CONTINUE)
			goto out;
		r = eap_server_process(s, resp, resp_len, req, CAP, &req_len);
	}
	if (r != EAP_CONTINUE)
		goto out;
	uint8_t expect_id = fuzz_server ? req[1] : (uint8_t)(req[1] + 1);

	size_t off = 1;
	while (r == EAP_CONTINUE && size - off >= 2) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (n > size - off)
			n = size - off;
		memcpy(pkt, data + off, n);
		off += n;
		if ((ctl & 0x40) && n >= 4) {
			pkt[2] = (uint8_t)(n >> 8);
			pkt[3] = (uint8_t)n;
		}
		if ((ctl & 0x80) && n >= 2)
			pkt[1] = expect_id;
		uint8_t *out = fuzz_server ? req : resp;
		size_t out_len = 0;
		if (fuzz_server)
			r = eap_server_process(s, pkt, n, out, CAP, &out_len);
		else
			r = eap_client_process(c, pkt, n, out, CAP, &out_len);
		if (out_len > CAP)
			abort();
		if (out_len >= 4 && ((size_t)out[2] << 8 | out[3]) != out_len)
			abort();
		if (r == EAP_CONTINUE && out_len < 5)
			abort(); /* header and Type (a Notification answer is no more) */
		if (r == EAP_CONTINUE)
			expect_id = fuzz_server ? out[1] : (uint8_t)(pkt[1] + 1);
	}
	if (r == EAP_SUCCESS) {
		struct secret *msk = NULL;
		int e = fuzz_server ? eap_server_msk(s, &msk) : eap_client_msk(c, &msk);
		if (e || msk->len != 64)
			abort();
		crypto_secret_free(msk);
	}
out:
	eap_client_free(c);
	eap_server_free(s);
	return 0;
}
