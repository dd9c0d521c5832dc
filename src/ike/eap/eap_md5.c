/* EAP-MD5-Challenge (RFC 3748 5.4, the CHAP algorithm of RFC 1994 4.1).
 * No key and no server authentication: for tests only (RFC 3748 5.4 and
 * RFC 7296 2.16 "SHOULD NOT"); eap_client_new() takes it like any other
 * method, the configuration layer is what keeps it out of profiles.
 *
 *  0                   1                   2
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Value-Size   |  Value ...     |  Name ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Request Value: the challenge (any length >= 1). Response Value:
 * MD5(Identifier | password | challenge), 16 octets. */
#include <errno.h>
#include <string.h>

#include "base/log.h"
#include "ike/eap/eap_int.h"

#define MD5_CHAL_LEN 16u

static int md5_value(uint8_t id, const struct secret *pw, const uint8_t *chal, size_t chal_len,
		     uint8_t out[CRYPTO_MD5_LEN])
{
	struct crypto_buf parts[3] = {
		{ &id, 1 },
		{ pw->p, pw->len },
		{ chal, chal_len },
	};
	return crypto_md5(parts, 3, out);
}

int eap_md5_client(struct eap_client *c, uint8_t id, struct rd *in, struct wb *w)
{
	uint8_t vlen, v[CRYPTO_MD5_LEN];
	const uint8_t *chal;
	if (rd_u8(in, &vlen) || vlen == 0 || rd_ref(in, vlen, &chal))
		return -EBADMSG;
	/* The rest is the server's Name: not used. */
	int err = md5_value(id, c->password, chal, vlen, v);
	if (err)
		return err;
	wb_u8(w, CRYPTO_MD5_LEN);
	wb_put(w, v, sizeof(v));
	wb_put(w, c->identity, c->identity_len);
	crypto_wipe(v, sizeof(v));
	c->method_done = 1;
	return wb_err(w);
}

int eap_md5_server_start(struct eap_server *s, struct wb *w)
{
	int err = crypto_random(s->m.md5.chal, MD5_CHAL_LEN);
	if (err)
		return err;
	wb_u8(w, MD5_CHAL_LEN);
	wb_put(w, s->m.md5.chal, MD5_CHAL_LEN);
	wb_put(w, s->name, strlen(s->name));
	return wb_err(w);
}

int eap_md5_server_process(struct eap_server *s, struct rd *in, struct wb *w)
{
	uint8_t vlen, want[CRYPTO_MD5_LEN];
	const uint8_t *got;
	struct secret *pw = NULL;
	if (rd_u8(in, &vlen) || vlen != CRYPTO_MD5_LEN || rd_ref(in, vlen, &got))
		return -EBADMSG;
	if (eap_server_password(s, s->identity, s->identity_len, &pw)) {
		log_info(EAP_SUBSYS, "EAP-MD5: no password for the identity");
		return -EACCES;
	}
	int err = md5_value(s->id, pw, s->m.md5.chal, MD5_CHAL_LEN, want);
	crypto_secret_free(pw);
	if (!err && !crypto_memeq(got, want, sizeof(want)))
		err = -EACCES;
	crypto_wipe(want, sizeof(want));
	if (err)
		return err;
	if (eap_server_set_auth_id(s, s->identity, s->identity_len))
		return -ENOMEM;
	return EAP_SUCCESS;
}
