/* The configuration payload in IKE_AUTH (RFC 7296 2.19, 3.15; RFC 8598):
 * the initiator asks for a virtual address and DNS servers, the responder
 * answers from its pool.
 *
 *   HDR, SK { ..., CP(CFG_REQUEST) { IP4_ADDR, IP4_DNS, IP6_ADDR, IP6_DNS } ... } -->
 *   <-- HDR, SK { ..., CP(CFG_REPLY) { IP4_ADDR a, IP4_DNS d, IP6_ADDR a/p ... } ... }
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"

struct task_cfg {
	struct ike_task t;
	int sent;                          /* initiator: CP goes in the first round only */
	int asked_v4, asked_v6, asked_dns; /* responder: what the request named */
	int asked_domains;
};

/* RFC 8598 4: a domain name in presentation form, without a trailing NUL;
 * we take letters, digits, '-', '_' and '.', so that what reaches the
 * resolver configuration cannot carry anything else. */
static int domain_ok(const uint8_t *v, size_t len)
{
	if (len == 0 || len >= IKE_DOMAIN_MAX || v[0] == '.')
		return 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static void add_attr(struct ike_cp *cp, uint16_t type, const uint8_t *val, uint16_t len)
{
	if (cp->n >= PT_IKE_CP_ATTRS_MAX)
		return;
	cp->attr[cp->n].type = type;
	cp->attr[cp->n].val = val;
	cp->attr[cp->n].len = len;
	cp->n++;
}

static int add_cp(struct ike_msg_out *m, const struct ike_cp *cp)
{
	ike_bld_begin(&m->b, IKE_PLD_CP, 0);
	ike_cp_encode(&m->w, cp);
	return ike_bld_end(&m->b);
}

static int build_i(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_cfg *tc = (struct task_cfg *)t;
	struct ike_cp cp = { .type = IKE_CFG_REQUEST };

	if ((!sa->cfg.cp_want_v4 && !sa->cfg.cp_want_v6) || tc->sent)
		return 0;
	tc->sent = 1;
	if (sa->cfg.cp_want_v4) {
		add_attr(&cp, IKE_CPA_INTERNAL_IP4_ADDRESS, NULL, 0);
		add_attr(&cp, IKE_CPA_INTERNAL_IP4_DNS, NULL, 0);
	}
	if (sa->cfg.cp_want_v6) {
		add_attr(&cp, IKE_CPA_INTERNAL_IP6_ADDRESS, NULL, 0);
		add_attr(&cp, IKE_CPA_INTERNAL_IP6_DNS, NULL, 0);
	}
	add_attr(&cp, IKE_CPA_INTERNAL_DNS_DOMAIN, NULL, 0);
	return add_cp(m, &cp);
}

static int process_i(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_CP, NULL);
	struct ike_cp cp;
	struct ike_cp_result *r = &sa->cp;

	if (!sa->cfg.cp_want_v4 && !sa->cfg.cp_want_v6)
		return 0;
	if (sa->state != IKE_S_ESTABLISHED)
		return IKE_TASK_MORE; /* EAP rounds: the reply comes with the last AUTH */
	if (!p && ike_in_error(m))
		return 0; /* the Child SA was refused with it (2.21.2): see child.c */
	if (!p || ike_cp_decode(p, &cp) || cp.type != IKE_CFG_REPLY) {
		log_warn(IKE_LOG, "IKE_AUTH: the gateway assigned no virtual address");
		return -EPROTO;
	}
	for (size_t i = 0; i < cp.n; i++) {
		const struct ike_cp_attr *a = &cp.attr[i];
		switch (a->type) {
		case IKE_CPA_INTERNAL_IP4_ADDRESS:
			if (a->len == 4 && !r->has_v4) {
				memcpy(r->v4, a->val, 4);
				r->has_v4 = 1;
			}
			break;
		case IKE_CPA_INTERNAL_IP6_ADDRESS: /* RFC 7296 3.15.1: address | prefix length */
			if (a->len == 17 && !r->has_v6 && a->val[16] <= 128) {
				memcpy(r->v6, a->val, 16);
				r->v6_prefix = a->val[16];
				r->has_v6 = 1;
			}
			break;
		case IKE_CPA_INTERNAL_IP4_DNS:
			if (a->len == 4 && r->n_dns_v4 < IKE_CFG_DNS_MAX)
				memcpy(r->dns_v4[r->n_dns_v4++], a->val, 4);
			break;
		case IKE_CPA_INTERNAL_IP6_DNS:
			if (a->len == 16 && r->n_dns_v6 < IKE_CFG_DNS_MAX)
				memcpy(r->dns_v6[r->n_dns_v6++], a->val, 16);
			break;
		case IKE_CPA_INTERNAL_DNS_DOMAIN:
			if (domain_ok(a->val, a->len) && r->n_domains < IKE_CFG_DOMAINS_MAX) {
				memcpy(r->domains[r->n_domains], a->val, a->len);
				r->domains[r->n_domains++][a->len] = '\0';
			} else {
				log_info(IKE_LOG, "IKE_AUTH: a DNS domain from the gateway is not a name; ignored");
			}
			break;
		default:
			break; /* RFC 7296 3.15: unknown attributes are ignored */
		}
	}
	if (!r->has_v4 && !r->has_v6) {
		log_warn(IKE_LOG, "IKE_AUTH: the gateway's CP reply holds no address");
		return -EPROTO;
	}
	return 0;
}

static int process_r(struct ike_task *t, struct ike_sa *sa, const struct ike_msg_in *m)
{
	struct task_cfg *tc = (struct task_cfg *)t;
	const struct ike_pld *p = ike_chain_find(m->chain, IKE_PLD_CP, NULL);
	struct ike_cp cp;

	if (!p)
		return 0;
	if (ike_cp_decode(p, &cp))
		return -EBADMSG;
	if (cp.type != IKE_CFG_REQUEST)
		return 0;
	for (size_t i = 0; i < cp.n; i++) {
		switch (cp.attr[i].type) {
		case IKE_CPA_INTERNAL_IP4_ADDRESS: tc->asked_v4 = 1; break;
		case IKE_CPA_INTERNAL_IP6_ADDRESS: tc->asked_v6 = 1; break;
		case IKE_CPA_INTERNAL_IP4_DNS:
		case IKE_CPA_INTERNAL_IP6_DNS: tc->asked_dns = 1; break;
		case IKE_CPA_INTERNAL_DNS_DOMAIN: tc->asked_domains = 1; break;
		default: break;
		}
	}
	if ((tc->asked_v4 && !sa->cfg.cp_has_v4 && !(tc->asked_v6 && sa->cfg.cp_has_v6)) ||
	    (tc->asked_v6 && !sa->cfg.cp_has_v6 && !(tc->asked_v4 && sa->cfg.cp_has_v4))) {
		ike_sa_refuse(sa, IKE_N_INTERNAL_ADDRESS_FAILURE, NULL, 0);
		return -EPROTO;
	}
	/* The child task narrows TSi to what is assigned here. */
	if (tc->asked_v4 && sa->cfg.cp_has_v4) {
		memcpy(sa->cp.v4, sa->cfg.cp_v4, 4);
		sa->cp.has_v4 = 1;
	}
	if (tc->asked_v6 && sa->cfg.cp_has_v6) {
		memcpy(sa->cp.v6, sa->cfg.cp_v6, 16);
		sa->cp.v6_prefix = 128;
		sa->cp.has_v6 = 1;
	}
	return 0;
}

static int build_r(struct ike_task *t, struct ike_sa *sa, struct ike_msg_out *m)
{
	struct task_cfg *tc = (struct task_cfg *)t;
	struct ike_cp cp = { .type = IKE_CFG_REPLY };
	uint8_t v6[17];

	if ((!tc->asked_v4 && !tc->asked_v6) || sa->state != IKE_S_ESTABLISHED)
		return 0; /* nothing asked, or EAP still running (2.16) */
	if (sa->cp.has_v4)
		add_attr(&cp, IKE_CPA_INTERNAL_IP4_ADDRESS, sa->cp.v4, 4);
	if (sa->cp.has_v6) {
		memcpy(v6, sa->cp.v6, 16);
		v6[16] = sa->cp.v6_prefix;
		add_attr(&cp, IKE_CPA_INTERNAL_IP6_ADDRESS, v6, 17);
	}
	if (tc->asked_dns) {
		for (size_t i = 0; i < sa->cfg.n_dns_v4; i++)
			add_attr(&cp, IKE_CPA_INTERNAL_IP4_DNS, sa->cfg.dns_v4[i], 4);
		for (size_t i = 0; i < sa->cfg.n_dns_v6; i++)
			add_attr(&cp, IKE_CPA_INTERNAL_IP6_DNS, sa->cfg.dns_v6[i], 16);
	}
	if (tc->asked_domains)
		for (size_t i = 0; i < sa->cfg.n_dns_domains; i++)
			add_attr(&cp, IKE_CPA_INTERNAL_DNS_DOMAIN, (const uint8_t *)sa->cfg.dns_domains[i],
				 (uint16_t)strlen(sa->cfg.dns_domains[i]));
	return add_cp(m, &cp);
}

static void task_free(struct ike_task *t) { free(t); }

static const struct ike_task_ops ops_i = { "cfg", IKE_EXCH_AUTH, build_i, process_i, task_free };
static const struct ike_task_ops ops_r = { "cfg", IKE_EXCH_AUTH, build_r, process_r, task_free };

int ike_task_cfg_new(struct ike_sa *sa, int initiator, struct ike_task **out)
{
	struct task_cfg *tc = calloc(1, sizeof(*tc));
	(void)sa;
	if (!tc)
		return -ENOMEM;
	tc->t.ops = initiator ? &ops_i : &ops_r;
	tc->t.initiator = initiator;
	*out = &tc->t;
	return 0;
}
