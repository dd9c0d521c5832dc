/* Names for the wire constants in consts.h, generated from the same tables. */
#include "ike/pld/consts.h"

#include <stdio.h>

/* A small per-thread ring so that several names fit in one log line. */
static const char *unknown_name(unsigned v)
{
	static _Thread_local char ring[4][20];
	static _Thread_local unsigned next;
	char *s = ring[next++ % 4];
	snprintf(s, sizeof(ring[0]), "UNKNOWN(%u)", v);
	return s;
}

#define IKE_CONST_CASE(sym, val, name, ref) case val: return name;
#define IKE_NAME_FN(fn, table)                                  \
	const char *fn(unsigned v)                              \
	{                                                       \
		switch (v) {                                    \
		table(IKE_CONST_CASE)                           \
		default: return unknown_name(v);                \
		}                                               \
	}

IKE_NAME_FN(ike_exch_name, IKE_EXCH_TABLE)
IKE_NAME_FN(ike_pld_name, IKE_PLD_TABLE)
IKE_NAME_FN(ike_xform_name, IKE_XFORM_TABLE)
IKE_NAME_FN(ike_encr_name, IKE_ENCR_TABLE)
IKE_NAME_FN(ike_prf_name, IKE_PRF_TABLE)
IKE_NAME_FN(ike_integ_name, IKE_INTEG_TABLE)
IKE_NAME_FN(ike_ke_name, IKE_KE_TABLE)
IKE_NAME_FN(ike_esn_name, IKE_ESN_TABLE)
IKE_NAME_FN(ike_attr_name, IKE_ATTR_TABLE)
IKE_NAME_FN(ike_proto_name, IKE_PROTO_TABLE)
IKE_NAME_FN(ike_notify_name, IKE_NOTIFY_TABLE)
IKE_NAME_FN(ike_id_name, IKE_ID_TABLE)
IKE_NAME_FN(ike_auth_name, IKE_AUTH_TABLE)
IKE_NAME_FN(ike_hash_name, IKE_HASH_TABLE)
IKE_NAME_FN(ike_cert_name, IKE_CERT_TABLE)
IKE_NAME_FN(ike_ts_name, IKE_TS_TABLE)
IKE_NAME_FN(ike_cfg_name, IKE_CFG_TABLE)
IKE_NAME_FN(ike_cpa_name, IKE_CPA_TABLE)
IKE_NAME_FN(ike_eap_code_name, IKE_EAP_CODE_TABLE)

const char *ike_xform_id_name(unsigned type, unsigned id)
{
	switch (type) {
	case IKE_XF_ENCR: return ike_encr_name(id);
	case IKE_XF_PRF: return ike_prf_name(id);
	case IKE_XF_INTEG: return ike_integ_name(id);
	case IKE_XF_ESN: return ike_esn_name(id);
	default:
		if (type >= IKE_XF_KE && type <= IKE_XF_ADDKE7)
			return ike_ke_name(id);
		return unknown_name(id);
	}
}

#define IKE_CONST_IS(sym, val, name, ref) case val: return 1;
int ike_notify_registered(unsigned v)
{
	switch (v) {
	IKE_NOTIFY_TABLE(IKE_CONST_IS)
	default: return 0;
	}
}
