/* Fuzz target: EAP conversations (src/ike/eap), the trust boundary between
 * an IKE peer's decrypted EAP payload and the EAP methods.
 *
 * Input: a control octet, then packets, each a 2-octet big-endian length
 * and that many octets. Control:
 *   bit 0     0: fuzz the client (packets are "server" packets),
 *             1: fuzz the server (packets are "client" packets)
 *   bit 1     method: 0 EAP-MD5, 1 EAP-MSCHAPv2
 *   bit 2     the server starts with an Identity Request
 *   bits 3-4  honest rounds first (0-3), so every state gets fuzzed
 *   bit 6     rewrite each packet's Length to its real size
 *   bit 7     rewrite each packet's Identifier to the expected one
 * Every packet goes to the object until it returns something other than
 * EAP_CONTINUE. Nothing may crash, leak, or write past resp_len; an
 * EAP_SUCCESS must come with an MSK for MSCHAPv2 (never for MD5). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "crypto/mschap.h"
#include "ike/eap/eap.h"

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	if (!init) {
		pt_log_set_level(PT_LOG_ERR);
		init = 1;
	}
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	int fuzz_server = ctl & 1;
	uint8_t method = (ctl & 2) ? EAP_MSCHAPV2 : EAP_MD5;
	if (method == EAP_MSCHAPV2 && crypto_mschap_available())
		return 0;
	int ask_id = (ctl >> 2) & 1;
	unsigned honest = (ctl >> 3) & 3;

	struct secret *pw = NULL;
	if (crypto_secret_from("pw", 2, &pw))
		return 0;
	struct eap_client_cfg cc = { .method = method, .identity = (const uint8_t *)"ACME\\u",
				     .identity_len = 6, .password = pw };
	struct eap_server_cfg sc = { .method = method, .user = (const uint8_t *)"ACME\\u",
				     .user_len = 6, .password = pw };
	if (!ask_id) {
		sc.identity = cc.identity;
		sc.identity_len = cc.identity_len;
	}
	struct eap_client *c = NULL;
	struct eap_server *s = NULL;
	static uint8_t req[CAP], resp[CAP], pkt[65536];
	size_t req_len = 0, resp_len = 0;
	if (eap_client_new(&cc, &c) || eap_server_new(&sc, &s))
		goto out;

	/* Honest rounds: Request -> Response (-> next Request). */
	int r = eap_server_start(s, req, CAP, &req_len);
	for (unsigned i = 0; i < honest && r == EAP_CONTINUE; i++) {
		r = eap_client_process(c, req, req_len, resp, CAP, &resp_len);
		if (r != EAP_CONTINUE)
			goto out;
		r = eap_server_process(s, resp, resp_len, req, CAP, &req_len);
	}
	if (r != EAP_CONTINUE)
		goto out;
	/* The identifier each side expects next: the server, that of its
	 * outstanding Request; the client, that of the Request it has not seen
	 * yet (which the first fuzzed packet stands in for). */
	uint8_t expect_id = req[1];

	size_t off = 1;
	r = EAP_CONTINUE;
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
			abort(); /* every packet we write carries its own length */
		if (r == EAP_CONTINUE && out_len < 4)
			abort();
		if (r == EAP_CONTINUE)
			expect_id = fuzz_server ? out[1] : (uint8_t)(pkt[1] + 1);
	}
	if (r == EAP_SUCCESS) {
		struct secret *msk = NULL;
		int e = fuzz_server ? eap_server_msk(s, &msk) : eap_client_msk(c, &msk);
		if ((method == EAP_MSCHAPV2) != (e == 0))
			abort();
		crypto_secret_free(msk);
	}
out:
	eap_client_free(c);
	eap_server_free(s);
	crypto_secret_free(pw);
	return 0;
}
