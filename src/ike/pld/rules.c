/* Per-exchange payload rules (see rules.h). */
#include "ike/pld/rules.h"

#include "ike/pld/pld_int.h"

#define MANY 255u

struct rule {
	uint8_t type;
	uint8_t min, max;
};

struct exch_rules {
	uint8_t exch;
	uint8_t response;
	const struct rule *rules;
	size_t n;
};

/* RFC 7296 1.2: HDR, SAi1, KEi, Ni  -->  <-- HDR, SAr1, KEr, Nr, [CERTREQ] */
static const struct rule sa_init_req[] = {
	{ IKE_PLD_SA, 1, 1 }, { IKE_PLD_KE, 1, 1 }, { IKE_PLD_NONCE, 1, 1 },
	{ IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};
static const struct rule sa_init_resp[] = {
	{ IKE_PLD_SA, 1, 1 }, { IKE_PLD_KE, 1, 1 }, { IKE_PLD_NONCE, 1, 1 },
	{ IKE_PLD_CERTREQ, 0, MANY }, { IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};
/* RFC 7296 1.2, 2.16 (EAP rounds carry only EAP or only AUTH, so each
 * payload is optional here), RFC 6023 (childless: no SA/TS). */
static const struct rule auth_req[] = {
	{ IKE_PLD_IDI, 0, 1 }, { IKE_PLD_CERT, 0, PT_IKE_CERTS_MAX }, { IKE_PLD_CERTREQ, 0, MANY },
	{ IKE_PLD_IDR, 0, 1 }, { IKE_PLD_AUTH, 0, 1 }, { IKE_PLD_CP, 0, 1 }, { IKE_PLD_SA, 0, 1 },
	{ IKE_PLD_TSI, 0, 1 }, { IKE_PLD_TSR, 0, 1 }, { IKE_PLD_EAP, 0, 1 },
	{ IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};
static const struct rule auth_resp[] = {
	{ IKE_PLD_IDR, 0, 1 }, { IKE_PLD_CERT, 0, PT_IKE_CERTS_MAX }, { IKE_PLD_AUTH, 0, 1 },
	{ IKE_PLD_CP, 0, 1 }, { IKE_PLD_SA, 0, 1 }, { IKE_PLD_TSI, 0, 1 }, { IKE_PLD_TSR, 0, 1 },
	{ IKE_PLD_EAP, 0, 1 }, { IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};
/* RFC 7296 1.3: SA, Ni, [KEi], [TSi, TSr] (IKE rekey has no TS). */
static const struct rule child_req[] = {
	{ IKE_PLD_SA, 1, 1 }, { IKE_PLD_NONCE, 1, 1 }, { IKE_PLD_KE, 0, 1 },
	{ IKE_PLD_TSI, 0, 1 }, { IKE_PLD_TSR, 0, 1 },
	{ IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};
#define child_resp child_req
/* RFC 7296 1.4: [N], [D], [CP], in both directions. */
static const struct rule info[] = {
	{ IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_DELETE, 0, MANY }, { IKE_PLD_CP, 0, MANY },
	{ IKE_PLD_VID, 0, MANY },
};
/* RFC 9242 3, RFC 9370 2.2.2: at most one KE per IKE_INTERMEDIATE. */
static const struct rule intermediate[] = {
	{ IKE_PLD_KE, 0, 1 }, { IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};
/* RFC 9370 2.2.4: KEi(n), N(ADDITIONAL_KEY_EXCHANGE) --> <-- KEr(n). */
static const struct rule followup_req[] = {
	{ IKE_PLD_KE, 1, 1 }, { IKE_PLD_NOTIFY, 1, MANY }, { IKE_PLD_VID, 0, MANY },
};
static const struct rule followup_resp[] = {
	{ IKE_PLD_KE, 1, 1 }, { IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};
/* RFC 5723 4.3: [N(COOKIE)], Ni, N(TICKET_OPAQUE) --> <-- Nr. */
static const struct rule resume_req[] = {
	{ IKE_PLD_NONCE, 1, 1 }, { IKE_PLD_NOTIFY, 1, MANY }, { IKE_PLD_VID, 0, MANY },
};
static const struct rule resume_resp[] = {
	{ IKE_PLD_NONCE, 1, 1 }, { IKE_PLD_NOTIFY, 0, MANY }, { IKE_PLD_VID, 0, MANY },
};

#define ROW(x, resp, r) { x, resp, r, sizeof(r) / sizeof(r[0]) }
static const struct exch_rules table[] = {
	ROW(IKE_EXCH_SA_INIT, 0, sa_init_req),
	ROW(IKE_EXCH_SA_INIT, 1, sa_init_resp),
	ROW(IKE_EXCH_AUTH, 0, auth_req),
	ROW(IKE_EXCH_AUTH, 1, auth_resp),
	ROW(IKE_EXCH_CREATE_CHILD_SA, 0, child_req),
	ROW(IKE_EXCH_CREATE_CHILD_SA, 1, child_resp),
	ROW(IKE_EXCH_INFORMATIONAL, 0, info),
	ROW(IKE_EXCH_INFORMATIONAL, 1, info),
	ROW(IKE_EXCH_INTERMEDIATE, 0, intermediate),
	ROW(IKE_EXCH_INTERMEDIATE, 1, intermediate),
	ROW(IKE_EXCH_FOLLOWUP_KE, 0, followup_req),
	ROW(IKE_EXCH_FOLLOWUP_KE, 1, followup_resp),
	ROW(IKE_EXCH_SESSION_RESUME, 0, resume_req),
	ROW(IKE_EXCH_SESSION_RESUME, 1, resume_resp),
};

static const struct exch_rules *find_rules(uint8_t exch, int response)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].exch == exch && table[i].response == response)
			return &table[i];
	return NULL;
}

int ike_exch_encrypted(uint8_t exch)
{
	switch (exch) {
	case IKE_EXCH_SA_INIT:
	case IKE_EXCH_SESSION_RESUME:
		return 0;
	case IKE_EXCH_AUTH:
	case IKE_EXCH_CREATE_CHILD_SA:
	case IKE_EXCH_INFORMATIONAL:
	case IKE_EXCH_INTERMEDIATE:
	case IKE_EXCH_FOLLOWUP_KE:
		return 1;
	default:
		return -EPROTO;
	}
}

/* The Notify type without a full decode: the chain walk guaranteed the
 * 4 fixed octets. */
static uint16_t notify_type(const struct ike_pld *p)
{
	if (p->body_len < 4)
		return 0;
	return (uint16_t)(p->body[2] << 8 | p->body[3]);
}

/* An error response, or a corrective one that replaces the normal answer. */
static int is_error_response(const struct ike_chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->pld[i].type != IKE_PLD_NOTIFY)
			continue;
		uint16_t t = notify_type(&c->pld[i]);
		if (ike_notify_is_error(t) || t == IKE_N_COOKIE || t == IKE_N_TICKET_NACK ||
		    t == IKE_N_REDIRECT)
			return 1;
	}
	return 0;
}

static int check_table(const struct exch_rules *er, const struct ike_chain *c, int relax_min,
		       struct ike_diag *d)
{
	uint8_t seen[256] = { 0 };

	for (size_t i = 0; i < c->n; i++) {
		const struct ike_pld *p = &c->pld[i];
		if (!p->known)
			continue; /* unknown, non-critical: skipped (RFC 7296 2.5) */
		if (p->type == IKE_PLD_SK || p->type == IKE_PLD_SKF)
			return ike_fail(d, -EPROTO, "SK/SKF where payloads must be in the clear",
					IKE_N_INVALID_SYNTAX, p->type, p->off);
		size_t r = 0;
		while (r < er->n && er->rules[r].type != p->type)
			r++;
		if (r == er->n)
			return ike_fail(d, -EPROTO, "payload not allowed in this exchange",
					IKE_N_INVALID_SYNTAX, p->type, p->off);
		if (seen[p->type] == er->rules[r].max)
			return ike_fail(d, -EPROTO, "payload appears more often than allowed",
					IKE_N_INVALID_SYNTAX, p->type, p->off);
		seen[p->type]++;
	}
	if (!relax_min) {
		for (size_t r = 0; r < er->n; r++)
			if (seen[er->rules[r].type] < er->rules[r].min)
				return ike_fail(d, -EPROTO, "required payload missing",
						IKE_N_INVALID_SYNTAX, er->rules[r].type, 0);
	}
	/* Traffic selectors come in pairs (RFC 7296 2.9). */
	if (seen[IKE_PLD_TSI] != seen[IKE_PLD_TSR])
		return ike_fail(d, -EPROTO, "TSi without TSr or TSr without TSi",
				IKE_N_INVALID_SYNTAX, IKE_PLD_TSI, 0);
	/* A Child SA in IKE_AUTH needs its selectors, unless the response
	 * reports why the Child SA failed (RFC 7296 1.2, 2.21.2). */
	if (er->exch == IKE_EXCH_AUTH && !relax_min && seen[IKE_PLD_SA] != seen[IKE_PLD_TSI])
		return ike_fail(d, -EPROTO, "SA and TSi/TSr must come together in IKE_AUTH",
				IKE_N_INVALID_SYNTAX, IKE_PLD_SA, 0);
	return 0;
}

static int check_payloads(const struct ike_hdr *h, const struct ike_chain *c, struct ike_diag *d)
{
	int response = ike_hdr_is_response(h);
	const struct exch_rules *er = find_rules(h->exch, response);
	if (!er)
		return ike_fail(d, -EPROTO, "unknown exchange type", 0, 0, 18);
	int relax = response && is_error_response(c);
	int err = check_table(er, c, relax, d);
	if (err)
		return err;
	/* RFC 7296 2.6: a returned cookie is the first payload. */
	if ((h->exch == IKE_EXCH_SA_INIT || h->exch == IKE_EXCH_SESSION_RESUME) && !response) {
		for (size_t i = 1; i < c->n; i++)
			if (c->pld[i].type == IKE_PLD_NOTIFY &&
			    notify_type(&c->pld[i]) == IKE_N_COOKIE)
				return ike_fail(d, -EPROTO, "N(COOKIE) is not the first payload",
						IKE_N_INVALID_SYNTAX, IKE_PLD_NOTIFY, c->pld[i].off);
	}
	return 0;
}

int ike_rules_check_outer(const struct ike_hdr *h, const struct ike_chain *outer,
			  struct ike_diag *d)
{
	int enc = ike_exch_encrypted(h->exch);
	if (enc < 0)
		return ike_fail(d, -EPROTO, "unknown exchange type", 0, 0, 18);
	if (!enc)
		return check_payloads(h, outer, d);

	size_t n_sk = 0, n_known = 0;
	for (size_t i = 0; i < outer->n; i++) {
		const struct ike_pld *p = &outer->pld[i];
		if (p->type == IKE_PLD_SK || p->type == IKE_PLD_SKF)
			n_sk++;
		else if (p->known)
			n_known++;
	}
	if (n_sk == 0) {
		/* RFC 7296 1.5: unprotected notifies outside an IKE SA. */
		if (h->exch == IKE_EXCH_INFORMATIONAL && n_known > 0 &&
		    n_known == ike_chain_count(outer, IKE_PLD_NOTIFY))
			return 0;
		return ike_fail(d, -EPROTO, "encrypted exchange without SK/SKF",
				IKE_N_INVALID_SYNTAX, IKE_PLD_SK, 0);
	}
	/* The chain walk already ends at the first SK/SKF, so it is last and
	 * single; known payloads in the clear are not allowed beside it. */
	for (size_t i = 0; i < outer->n; i++) {
		const struct ike_pld *p = &outer->pld[i];
		if (p->known && p->type != IKE_PLD_SK && p->type != IKE_PLD_SKF)
			return ike_fail(d, -EPROTO, "payload outside SK in an encrypted exchange",
					IKE_N_INVALID_SYNTAX, p->type, p->off);
	}
	if (n_sk != 1 || (outer->pld[outer->n - 1].type != IKE_PLD_SK &&
			  outer->pld[outer->n - 1].type != IKE_PLD_SKF))
		return ike_fail(d, -EPROTO, "SK/SKF is not the single last payload",
				IKE_N_INVALID_SYNTAX, IKE_PLD_SK, 0);
	/* RFC 7383 2.5: never fragment IKE_SA_INIT (unencrypted anyway). */
	return 0;
}

int ike_rules_check_inner(const struct ike_hdr *h, const struct ike_chain *inner,
			  struct ike_diag *d)
{
	int enc = ike_exch_encrypted(h->exch);
	if (enc < 0)
		return ike_fail(d, -EPROTO, "unknown exchange type", 0, 0, 18);
	if (!enc)
		return ike_fail(d, -EPROTO, "exchange has no encrypted payloads",
				IKE_N_INVALID_SYNTAX, IKE_PLD_SK, 0);
	return check_payloads(h, inner, d);
}
