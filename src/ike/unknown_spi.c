/* A stateless answer for messages outside any IKE SA (RFC 7296 2.21.4). */
#include <errno.h>
#include <string.h>

#include "ike/ike.h"
#include "ike/pld/consts.h"
#include "ike/pld/pld.h"

int ike_answer_unknown_spi(const uint8_t *req, size_t len, uint8_t *out, size_t cap,
			   size_t *out_len)
{
	struct ike_hdr rh;
	struct ike_diag d = { 0 };
	struct wb w;
	struct ike_bld b;
	size_t n;

	if (ike_hdr_decode(req, len, &rh, &d))
		return -EBADMSG;
	if (ike_hdr_is_response(&rh))
		return -EALREADY; /* "MUST NOT respond" */
	struct ike_hdr h = { .version = IKE_VERSION_2_0, .exch = IKE_EXCH_INFORMATIONAL,
			     .msg_id = rh.msg_id,
			     /* The Initiator flag says which end we are in that SA. */
			     .flags = IKE_HDR_F_RESPONSE |
				      ((rh.flags & IKE_HDR_F_INITIATOR) ? 0 : IKE_HDR_F_INITIATOR) };
	memcpy(h.spi_i, rh.spi_i, 8);
	memcpy(h.spi_r, rh.spi_r, 8);
	struct ike_notify nt = { .type = IKE_N_INVALID_IKE_SPI };
	wb_init(&w, out, cap);
	ike_bld_msg(&b, &w, &h);
	ike_bld_begin(&b, IKE_PLD_NOTIFY, 0);
	ike_notify_encode(&w, &nt);
	ike_bld_end(&b);
	if (ike_bld_finish(&b, &n))
		return -ENOBUFS;
	*out_len = n;
	return 0;
}
