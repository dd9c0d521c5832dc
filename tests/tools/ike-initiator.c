/* ike-initiator: petrel's IKE engine as an initiator over real UDP (ikesock
 * + libuv), for the e2e tests until petreld exists (it will replace this).
 *
 *   ike-initiator --gateway ADDR --id ID --remote-id ID
 *                 (--psk-file F | --cert F --key F | --eap-user NAME --eap-password-file F)
 *                 [--ca F] [--ike PROP]... [--esp PROP]... [--timeout-ms N]
 *                 [--delete] [--hold-ms N] [--port N] [--natt]
 *                 [--rekey-child-after-ms N] [--rekey-ike-after-ms N] [--expect-rekey]
 *                 [--resume-after-ms N [--resume-auth message|full]]
 *
 * How we authenticate: --psk-file, a certificate (--cert and --key, RFC
 * 7427 signatures) or EAP-MSCHAPv2 (--eap-user, --eap-password-file, a file
 * of mode 0600 as for the PSK). How the gateway must: by a certificate that
 * chains to --ca and proves --remote-id (we send CERTREQ with the SHA-1 of
 * the first CA's public key), else by the PSK of --psk-file.
 *
 * --hold-ms keeps the SA up that long after it is established (then
 * --delete deletes it, or the program exits); SIGUSR1 ends the hold early.
 * Without --delete and with a long hold it waits for the gateway's delete.
 * --rekey-child-after-ms / --rekey-ike-after-ms start one Child SA / IKE SA
 * rekey (CREATE_CHILD_SA) that long after establishment (within the hold).
 * --expect-rekey: fail unless the gateway started at least one rekey.
 * --resume-after-ms: ask for an RFC 5723 ticket in IKE_AUTH; that long
 * after establishment drop the IKE SA without a word (as a laptop that
 * moved) and resume it with IKE_SESSION_RESUME; the hold starts again.
 * Fails unless the resumed SA is established. --resume-auth: what the
 * resumed AUTH covers (default message).
 *
 * Prints one JSON line per event on stdout: start, send, recv, established,
 * child_up (also for each new Child SA of a rekey, with "rekey":1),
 * child_down (the replaced pair), rekey_start, rekeyed (new IKE SPIs),
 * deleted, failed, timeout; and, at the end, the result:
 *   result spi_i=.. spi_r=.. ike=AES_GCM_16_256/PRF_HMAC_SHA2_256/CURVE25519
 *          child_in=.. child_out=.. esp=.. vip=203.0.113.10 dns=.. nat_local=0
 *          nat_remote=0 established=1 deleted=0|1 child_rekeys=N ike_rekeys=N
 *          peer_rekeys=N resumed=0|1
 * (the SPIs are the current ones, after any rekey).
 * Exit 0 when established (and, with --delete, deleted with an answer from
 * the gateway; with --expect-rekey, rekeyed by the gateway); 1 when it
 * failed or timed out; 2 for bad arguments. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "base/err.h"
#include "base/hex.h"
#include "base/log.h"
#include "crypto/secret.h"
#include "crypto/secret_file.h"
#include "crypto/sig.h"
#include "crypto/x509.h"
#include "ike/eap/eap.h"
#include "ike/ident.h"
#include "ike/ike.h"
#include "ike/pld/consts.h"
#include "ike/proposal.h"
#include "net/addr.h"
#include "net/ikesock.h"

struct ini {
	uv_loop_t *loop;
	struct ikesock *sock;
	struct ike_sa *sa;
	struct ike_cfg cfg;
	struct ike_ops ops;
	struct secret *psk, *eap_password;
	struct crypto_cert *cert, *ca_cert;
	struct crypto_pkey *key;
	struct crypto_castore *ca;
	uint8_t ca_hash[1][20];
	struct sockaddr_storage gw, local;
	uint16_t gw_port;
	int natt;            /* IKE on 4500 with the marker (RFC 7296 2.23) */
	int force_natt;
	int want_delete;
	unsigned long hold_ms; /* stay established this long before --delete or exit */
	int established, deleted, failed, err;
	int done;
	/* Rekeys: ours after these delays (0: none), and what happened. */
	unsigned long rekey_child_ms, rekey_ike_ms;
	int expect_rekey;
	unsigned n_child_up, n_ike_rekeyed, asked_child, asked_ike;
	uv_timer_t sa_timer, deadline, later, rekey_child_t, rekey_ike_t;
	uv_signal_t usr1;
	struct ike_child child;
	int have_child;
	/* RFC 5723 */
	unsigned long resume_ms;
	uv_timer_t resume_t;
	struct ike_ticket ticket;
	int have_ticket, resuming, resumed;
};

static void jline(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jline(const char *event, const char *fmt, ...)
{
	va_list ap;
	printf("{\"event\":\"%s\"", event);
	if (fmt && *fmt) {
		printf(",");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("}\n");
	fflush(stdout);
}

static void spis_hex(struct ike_sa *sa, char i[17], char r[17])
{
	uint8_t si[8], sr[8];
	ike_sa_spis(sa, si, sr);
	hex_encode(i, 17, si, 8);
	hex_encode(r, 17, sr, 8);
}

static void finish(struct ini *in);

static int op_send(void *ctx, struct ike_sa *sa, const uint8_t *msg, size_t len)
{
	struct ini *in = ctx;
	struct sockaddr_storage to = in->gw;

	/* RFC 7296 2.23: with a NAT in the path, everything after IKE_SA_INIT
	 * goes to port 4500 (with the non-ESP marker). */
	enum ike_state st = ike_sa_state(sa);
	if (!in->natt && st != IKE_S_NEW && st != IKE_S_INIT_SENT &&
	    (ike_sa_nat_local(sa) || ike_sa_nat_remote(sa))) {
		in->natt = 1;
		jline("float", "\"to_port\":%u,\"nat_local\":%d,\"nat_remote\":%d", IKESOCK_PORT_NATT,
		      ike_sa_nat_local(sa), ike_sa_nat_remote(sa));
	}
	net_sa_set_port(&to, in->natt ? IKESOCK_PORT_NATT : in->gw_port);
	int rc = ikesock_send(in->sock, msg, len, (struct sockaddr *)&to,
			      in->natt ? IKESOCK_NATT : IKESOCK_IKE);
	jline("send", "\"exch\":\"%s\",\"len\":%zu,\"port\":%u,\"rc\":%d", len > 18 ? ike_exch_name(msg[18]) : "?",
	      len, net_sa_port((struct sockaddr *)&to), rc);
	return rc;
}

static void on_sa_timer(uv_timer_t *t)
{
	struct ini *in = t->data;
	if (in->sa)
		ike_sa_on_timer(in->sa);
}

static void op_timer(void *ctx, struct ike_sa *sa, uint64_t delay_ms)
{
	struct ini *in = ctx;
	if (delay_ms == UINT64_MAX)
		uv_timer_stop(&in->sa_timer);
	else
		uv_timer_start(&in->sa_timer, on_sa_timer, delay_ms, 0);
}

static uint64_t op_now(void *ctx) { return uv_now(((struct ini *)ctx)->loop); }
static int op_random(void *ctx, void *buf, size_t len) { return crypto_random(buf, len); }

static void op_addrs(void *ctx, struct ike_sa *sa, struct ike_addr *local, struct ike_addr *remote)
{
	struct ini *in = ctx;
	struct sockaddr_storage l;
	struct sockaddr_storage r = in->gw;

	if (ikesock_local(in->sock, in->natt ? IKESOCK_NATT : IKESOCK_IKE, &l) == 0)
		net_addr_from_sa((struct sockaddr *)&l, local);
	net_sa_set_port(&r, in->natt ? IKESOCK_PORT_NATT : in->gw_port);
	net_addr_from_sa((struct sockaddr *)&r, remote);
}

static int op_child_up(void *ctx, struct ike_sa *sa, const struct ike_child *c)
{
	struct ini *in = ctx;
	char algs[160], ts[96];
	in->child = *c;
	in->child.key_in = in->child.key_out = NULL; /* not ours to keep */
	in->have_child = 1;
	in->n_child_up++;
	ike_chosen_str(&c->alg, algs, sizeof(algs));
	/* After the first, each new pair comes from a CREATE_CHILD_SA rekey. */
	printf("{\"event\":\"child_up\",\"spi_in\":\"%08x\",\"spi_out\":\"%08x\",\"esp\":\"%s\",\"rekey\":%d,\"ts_local\":[",
	       c->spi_in, c->spi_out, algs, in->n_child_up > 1);
	for (size_t i = 0; i < c->n_ts_local; i++)
		printf("%s\"%s\"", i ? "," : "", net_ts_str(&c->ts_local[i], ts, sizeof(ts)));
	printf("],\"ts_remote\":[");
	for (size_t i = 0; i < c->n_ts_remote; i++)
		printf("%s\"%s\"", i ? "," : "", net_ts_str(&c->ts_remote[i], ts, sizeof(ts)));
	printf("]}\n");
	fflush(stdout);
	return 0;
}

static void op_child_down(void *ctx, struct ike_sa *sa, const struct ike_child *c)
{
	jline("child_down", "\"spi_in\":\"%08x\",\"spi_out\":\"%08x\"", c->spi_in, c->spi_out);
}

static void on_rekey(uv_timer_t *t)
{
	struct ini *in = t->data;
	int child = t == &in->rekey_child_t;
	char si[17], sr[17];

	if (in->done || !in->established || in->failed || in->deleted)
		return;
	spis_hex(in->sa, si, sr);
	int rc = child ? ike_sa_rekey_child(in->sa) : ike_sa_rekey_ike(in->sa);
	if (rc == 0) {
		if (child)
			in->asked_child++;
		else
			in->asked_ike++;
	}
	jline("rekey_start", "\"what\":\"%s\",\"spi_i\":\"%s\",\"spi_r\":\"%s\",\"child_in\":\"%08x\",\"rc\":%d",
	      child ? "child" : "ike", si, sr, in->have_child ? in->child.spi_in : 0, rc);
	if (rc) {
		in->failed = 1;
		finish(in);
	}
}

static void on_later(uv_timer_t *t)
{
	struct ini *in = t->data;
	if (in->done)
		return;
	if (in->established && in->want_delete && !in->deleted && !in->failed &&
	    ike_sa_state(in->sa) == IKE_S_ESTABLISHED) {
		int rc = ike_sa_delete(in->sa);
		jline("delete", "\"rc\":%d", rc);
		if (rc) {
			in->failed = 1;
			finish(in);
		}
		return;
	}
	finish(in);
}

static void on_resume(uv_timer_t *t);

static void op_event(void *ctx, struct ike_sa *sa, enum ike_event ev, int err)
{
	struct ini *in = ctx;
	char si[17], sr[17];

	spis_hex(sa, si, sr);
	switch (ev) {
	case IKE_EV_ESTABLISHED: {
		char ike[160], v4[INET_ADDRSTRLEN] = "-";
		const struct ike_cp_result *cp = ike_sa_cp(sa);
		in->established = 1;
		ike_chosen_str(ike_sa_ike_alg(sa), ike, sizeof(ike));
		if (cp->has_v4)
			inet_ntop(AF_INET, cp->v4, v4, sizeof(v4));
		jline("established", "\"spi_i\":\"%s\",\"spi_r\":\"%s\",\"ike\":\"%s\",\"vip\":\"%s\",\"nat_local\":%d,\"nat_remote\":%d",
		      si, sr, ike, v4, ike_sa_nat_local(sa), ike_sa_nat_remote(sa));
		if (in->resuming) {
			in->resuming = 0;
			in->resumed = 1;
		} else if (in->resume_ms) {
			uv_timer_start(&in->resume_t, on_resume, in->resume_ms, 0);
			return;
		}
		/* Stay up for hold_ms (the test looks at the peer meanwhile). */
		uv_timer_start(&in->later, on_later, in->hold_ms, 0);
		if (in->rekey_child_ms)
			uv_timer_start(&in->rekey_child_t, on_rekey, in->rekey_child_ms, 0);
		if (in->rekey_ike_ms)
			uv_timer_start(&in->rekey_ike_t, on_rekey, in->rekey_ike_ms, 0);
		return;
	}
	case IKE_EV_REKEYED: {
		char ike[160];
		in->n_ike_rekeyed++;
		ike_chosen_str(ike_sa_ike_alg(sa), ike, sizeof(ike));
		jline("rekeyed", "\"spi_i\":\"%s\",\"spi_r\":\"%s\",\"ike\":\"%s\"", si, sr, ike);
		return;
	}
	case IKE_EV_TICKET:
		if (ike_sa_ticket(sa, &in->ticket) == 0) {
			in->have_ticket = 1;
			jline("ticket", "\"len\":%zu,\"lifetime_s\":%u", in->ticket.opaque_len,
			      in->ticket.lifetime_s);
		}
		return;
	case IKE_EV_FAILED:
		in->failed = 1;
		in->err = err;
		jline("failed", "\"spi_i\":\"%s\",\"spi_r\":\"%s\",\"error\":\"%s\"", si, sr, pt_strerror(err));
		break;
	case IKE_EV_DELETED:
		in->deleted = 1;
		jline("deleted", "\"spi_i\":\"%s\",\"spi_r\":\"%s\"", si, sr);
		break;
	default:
		jline("other", "\"code\":%d", (int)ev);
		return;
	}
	/* Never act on the SA from inside its own callback: next loop turn. */
	uv_timer_start(&in->later, on_later, 0, 0);
}

static void on_recv(void *ctx, const uint8_t *msg, size_t len, const struct sockaddr *from,
		    enum ikesock_port port)
{
	struct ini *in = ctx;
	char a[NET_ADDR_STR_MAX];
	if (in->done || !in->sa)
		return;
	if (!net_sa_eq_ip(from, (struct sockaddr *)&in->gw)) {
		jline("drop", "\"from\":\"%s\",\"why\":\"not the gateway\"", net_sa_str(from, a, sizeof(a)));
		return;
	}
	int rc = ike_sa_recv(in->sa, msg, len);
	jline("recv", "\"exch\":\"%s\",\"len\":%zu,\"port\":%u,\"rc\":%d", ike_exch_name(msg[18]), len,
	      port == IKESOCK_NATT ? IKESOCK_PORT_NATT : in->gw_port, rc);
	if (ike_sa_state(in->sa) == IKE_S_DEAD && !in->deleted && !in->failed) {
		in->failed = 1;
		uv_timer_start(&in->later, on_later, 0, 0);
	}
}

/* A move: the old IKE SA is left behind without a word, a new one resumes
 * it with the ticket (RFC 5723). */
static void on_resume(uv_timer_t *t)
{
	struct ini *in = t->data;
	char si[17], sr[17];
	int rc;

	if (in->done)
		return;
	if (!in->have_ticket) {
		jline("resume_start", "\"error\":\"the gateway gave no ticket\"");
		in->failed = 1;
		finish(in);
		return;
	}
	spis_hex(in->sa, si, sr);
	ike_sa_free(in->sa);
	in->sa = NULL;
	in->established = in->have_child = 0;
	in->cfg.resume = &in->ticket;
	rc = ike_sa_new(&in->cfg, &in->ops, &in->sa);
	in->cfg.resume = NULL;
	crypto_wipe(&in->ticket, sizeof(in->ticket));
	in->have_ticket = 0;
	jline("resume_start", "\"old_spi_i\":\"%s\",\"old_spi_r\":\"%s\",\"rc\":%d", si, sr, rc);
	if (!rc) {
		in->resuming = 1;
		rc = ike_sa_initiate(in->sa);
	}
	if (rc) {
		in->failed = 1;
		finish(in);
	}
}

static void on_usr1(uv_signal_t *h, int signum)
{
	struct ini *in = h->data;
	if (in->established && !in->done)
		uv_timer_start(&in->later, on_later, 0, 0);
}

static void on_deadline(uv_timer_t *t)
{
	struct ini *in = t->data;
	jline("timeout", "\"state\":\"%s\"", in->sa ? ike_state_name(ike_sa_state(in->sa)) : "none");
	in->failed = 1;
	finish(in);
}

static unsigned child_rekeys(const struct ini *in)
{
	return in->n_child_up > 1 ? in->n_child_up - 1 : 0;
}

/* Rekeys beyond the ones we started (in a collision both count as ours:
 * RFC 7296 2.8.1 keeps one of the two). */
static unsigned peer_rekeys(const struct ini *in)
{
	unsigned c = child_rekeys(in), k = in->n_ike_rekeyed;
	return (c > in->asked_child ? c - in->asked_child : 0) +
	       (k > in->asked_ike ? k - in->asked_ike : 0);
}

static void print_result(struct ini *in)
{
	char si[17] = "", sr[17] = "", ike[160] = "", esp[160] = "-", v4[INET_ADDRSTRLEN] = "-";
	char dns[4 * INET_ADDRSTRLEN + 4] = "-";

	if (!in->sa)
		return;
	spis_hex(in->sa, si, sr);
	ike_chosen_str(ike_sa_ike_alg(in->sa), ike, sizeof(ike));
	if (in->have_child)
		ike_chosen_str(&in->child.alg, esp, sizeof(esp));
	const struct ike_cp_result *cp = ike_sa_cp(in->sa);
	if (cp->has_v4)
		inet_ntop(AF_INET, cp->v4, v4, sizeof(v4));
	size_t used = 0;
	for (size_t i = 0; i < cp->n_dns_v4 && i < IKE_CFG_DNS_MAX; i++) {
		char one[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, cp->dns_v4[i], one, sizeof(one));
		used += (size_t)snprintf(dns + used, sizeof(dns) - used, "%s%s", i ? "," : "", one);
	}
	printf("result spi_i=%s spi_r=%s ike=%s child_in=%08x child_out=%08x esp=%s vip=%s dns=%s nat_local=%d nat_remote=%d established=%d deleted=%d child_rekeys=%u ike_rekeys=%u peer_rekeys=%u resumed=%d\n",
	       si, sr, ike, in->have_child ? in->child.spi_in : 0, in->have_child ? in->child.spi_out : 0,
	       esp, v4, dns, ike_sa_nat_local(in->sa), ike_sa_nat_remote(in->sa), in->established,
	       in->deleted, child_rekeys(in), in->n_ike_rekeyed, peer_rekeys(in), in->resumed);
	fflush(stdout);
}

static void finish(struct ini *in)
{
	if (in->done)
		return;
	in->done = 1;
	print_result(in);
	uv_timer_stop(&in->deadline);
	uv_close((uv_handle_t *)&in->sa_timer, NULL);
	uv_close((uv_handle_t *)&in->deadline, NULL);
	uv_close((uv_handle_t *)&in->later, NULL);
	uv_close((uv_handle_t *)&in->rekey_child_t, NULL);
	uv_close((uv_handle_t *)&in->rekey_ike_t, NULL);
	uv_close((uv_handle_t *)&in->usr1, NULL);
	uv_close((uv_handle_t *)&in->resume_t, NULL);
	crypto_wipe(&in->ticket, sizeof(in->ticket));
	ikesock_close(in->sock, NULL, NULL);
	in->sock = NULL;
}

static int add_props(const char *s, uint8_t proto, struct ike_prop_cfg *props, size_t *n)
{
	const char *why = "";
	char bad[32] = "";
	if (*n >= IKE_CFG_PROPS_MAX) {
		fprintf(stderr, "ike-initiator: at most %u proposals\n", IKE_CFG_PROPS_MAX);
		return -E2BIG;
	}
	if (ike_prop_parse(s, proto, &props[*n], &why, bad)) {
		fprintf(stderr, "ike-initiator: proposal '%s': %s %s\n", s, why, bad);
		return -EINVAL;
	}
	(*n)++;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ike-initiator --gateway ADDR --id ID --remote-id ID\n"
		   "       (--psk-file FILE | --cert FILE --key FILE | --eap-user NAME --eap-password-file FILE)\n"
		   "       [--ca FILE] [--ike PROP]... [--esp PROP]... [--timeout-ms N] [--delete]\n"
		   "       [--hold-ms N] [--rekey-child-after-ms N] [--rekey-ike-after-ms N] [--expect-rekey]\n"
		   "       [--port N] [--natt] [--log-level err|warn|info|debug]\n"
		   "  we authenticate with the PSK, the certificate or EAP-MSCHAPv2; the gateway\n"
		   "  with a certificate from --ca's CA, else with the PSK (--psk-file)\n");
}

struct creds {
	const char *psk_file, *cert, *key, *ca, *eap_user, *eap_pw_file;
};

static void creds_free(struct ini *in)
{
	crypto_secret_free(in->psk);
	crypto_secret_free(in->eap_password);
	crypto_cert_free(in->cert);
	crypto_cert_free(in->ca_cert);
	crypto_pkey_free(in->key);
	crypto_castore_free(in->ca);
	in->psk = in->eap_password = NULL;
	in->cert = in->ca_cert = NULL;
	in->key = NULL;
	in->ca = NULL;
}

/* Which credentials go together, then load them. 0, or 2 (usage) after a
 * message that names the option. */
static int creds_load(struct ini *in, const struct creds *cr)
{
	const char *why;
	int rc;

	if (!!cr->cert != !!cr->key) {
		fprintf(stderr, "ike-initiator: --cert and --key go together\n");
		return 2;
	}
	if (!!cr->eap_user != !!cr->eap_pw_file) {
		fprintf(stderr, "ike-initiator: --eap-user and --eap-password-file go together\n");
		return 2;
	}
	if (cr->cert && cr->eap_user) {
		fprintf(stderr, "ike-initiator: --cert and --eap-user exclude each other (one way to authenticate)\n");
		return 2;
	}
	if (!cr->cert && !cr->eap_user && !cr->psk_file) {
		fprintf(stderr, "ike-initiator: how do we authenticate? --psk-file, --cert/--key or --eap-user/--eap-password-file\n");
		return 2;
	}
	if (!cr->ca && !cr->psk_file) {
		fprintf(stderr, "ike-initiator: how is the gateway authenticated? --ca (certificate) or --psk-file\n");
		return 2;
	}
	if (cr->eap_user && (!*cr->eap_user || strlen(cr->eap_user) > EAP_IDENTITY_MAX_LEN)) {
		fprintf(stderr, "ike-initiator: --eap-user: 1..%u octets\n", EAP_IDENTITY_MAX_LEN);
		return 2;
	}
	if (cr->psk_file && (rc = crypto_secret_load_file(cr->psk_file, &in->psk, &why))) {
		fprintf(stderr, "ike-initiator: --psk-file %s %s: %s\n", cr->psk_file, why, pt_strerror(rc));
		return 2;
	}
	if (cr->eap_pw_file && (rc = crypto_secret_load_file(cr->eap_pw_file, &in->eap_password, &why))) {
		fprintf(stderr, "ike-initiator: --eap-password-file %s %s: %s\n", cr->eap_pw_file, why,
			pt_strerror(rc));
		return 2;
	}
	if (cr->cert && (rc = crypto_cert_load_file(cr->cert, &in->cert))) {
		fprintf(stderr, "ike-initiator: --cert %s: not a certificate (PEM or DER): %s\n", cr->cert,
			pt_strerror(rc));
		return 2;
	}
	if (cr->key && (rc = crypto_pkey_load_file(cr->key, &in->key))) {
		fprintf(stderr, "ike-initiator: --key %s: not an unencrypted private key: %s\n", cr->key,
			pt_strerror(rc));
		return 2;
	}
	if (cr->ca) {
		if ((rc = crypto_castore_new(&in->ca)) || (rc = crypto_castore_load_file(in->ca, cr->ca)) ||
		    (rc = crypto_cert_load_file(cr->ca, &in->ca_cert)) ||
		    (rc = crypto_cert_spki_sha1(in->ca_cert, in->ca_hash[0]))) {
			fprintf(stderr, "ike-initiator: --ca %s: no CA certificate: %s\n", cr->ca, pt_strerror(rc));
			return 2;
		}
	}
	in->cfg.psk = in->psk;
	if (cr->cert) {
		in->cfg.auth = IKE_AUTHK_CERT;
		in->cfg.cert = in->cert;
		in->cfg.key = in->key;
	} else if (cr->eap_user) {
		in->cfg.auth = IKE_AUTHK_EAP;
		in->cfg.eap_method = EAP_MSCHAPV2;
		in->cfg.eap_id = (const uint8_t *)cr->eap_user;
		in->cfg.eap_id_len = strlen(cr->eap_user);
		in->cfg.eap_password = in->eap_password;
	} else {
		in->cfg.auth = IKE_AUTHK_PSK;
	}
	if (cr->ca) {
		/* RFC 7296 3.7: CERTREQ names the CA by the SHA-1 of its key. */
		in->cfg.peer_auth = IKE_AUTHK_CERT;
		in->cfg.ca = in->ca;
		in->cfg.ca_hashes = (const uint8_t(*)[20])in->ca_hash;
		in->cfg.n_ca_hashes = 1;
	} else {
		in->cfg.peer_auth = IKE_AUTHK_PSK;
	}
	return 0;
}

static int parse_ms(const char *opt, const char *arg, unsigned long min, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > 600000) {
		fprintf(stderr, "ike-initiator: %s: '%s' is not a number of milliseconds in %lu..600000\n",
			opt, arg, min);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_CERT = 256, O_KEY, O_CA, O_EAP_USER, O_EAP_PW, O_RK_CHILD, O_RK_IKE, O_EXPECT_RK,
	       O_RESUME, O_RESUME_AUTH };
	static const struct option opts[] = {
		{ "gateway", required_argument, NULL, 'g' }, { "id", required_argument, NULL, 'i' },
		{ "remote-id", required_argument, NULL, 'r' }, { "psk-file", required_argument, NULL, 'p' },
		{ "ike", required_argument, NULL, 'k' }, { "esp", required_argument, NULL, 'e' },
		{ "timeout-ms", required_argument, NULL, 't' }, { "delete", no_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'P' }, { "natt", no_argument, NULL, 'N' },
		{ "log-level", required_argument, NULL, 'l' }, { "help", no_argument, NULL, 'h' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "cert", required_argument, NULL, O_CERT }, { "key", required_argument, NULL, O_KEY },
		{ "ca", required_argument, NULL, O_CA }, { "eap-user", required_argument, NULL, O_EAP_USER },
		{ "eap-password-file", required_argument, NULL, O_EAP_PW },
		{ "rekey-child-after-ms", required_argument, NULL, O_RK_CHILD },
		{ "rekey-ike-after-ms", required_argument, NULL, O_RK_IKE },
		{ "expect-rekey", no_argument, NULL, O_EXPECT_RK },
		{ "resume-after-ms", required_argument, NULL, O_RESUME },
		{ "resume-auth", required_argument, NULL, O_RESUME_AUTH },
		{ NULL, 0, NULL, 0 },
	};
	struct ini in;
	struct creds cr = { 0 };
	const char *gw = NULL, *id = NULL, *rid = NULL;
	unsigned long timeout_ms = 10000, port = IKESOCK_PORT_IKE;
	enum pt_log_level lvl = PT_LOG_INFO;
	char *end;
	int c, rc;

	memset(&in, 0, sizeof(in));
	in.cfg.role = IKE_ROLE_INITIATOR;
	in.cfg.auth = IKE_AUTHK_PSK;
	in.cfg.cp_want_v4 = 1;
	while ((c = getopt_long(argc, argv, "g:i:r:p:k:e:t:dP:Nl:hH:", opts, NULL)) != -1) {
		switch (c) {
		case 'g': gw = optarg; break;
		case 'i': id = optarg; break;
		case 'r': rid = optarg; break;
		case 'p': cr.psk_file = optarg; break;
		case O_CERT: cr.cert = optarg; break;
		case O_KEY: cr.key = optarg; break;
		case O_CA: cr.ca = optarg; break;
		case O_EAP_USER: cr.eap_user = optarg; break;
		case O_EAP_PW: cr.eap_pw_file = optarg; break;
		case O_RK_CHILD:
			if (parse_ms("--rekey-child-after-ms", optarg, 1, &in.rekey_child_ms))
				return 2;
			break;
		case O_RK_IKE:
			if (parse_ms("--rekey-ike-after-ms", optarg, 1, &in.rekey_ike_ms))
				return 2;
			break;
		case O_EXPECT_RK: in.expect_rekey = 1; break;
		case O_RESUME:
			if (parse_ms("--resume-after-ms", optarg, 1, &in.resume_ms))
				return 2;
			in.cfg.ticket_request = 1;
			break;
		case O_RESUME_AUTH:
			if (strcmp(optarg, "message") && strcmp(optarg, "full")) {
				fprintf(stderr, "ike-initiator: --resume-auth: message or full\n");
				return 2;
			}
			in.cfg.resume_auth = strcmp(optarg, "full") == 0 ? IKE_RESUME_AUTH_FULL
									 : IKE_RESUME_AUTH_MESSAGE;
			break;
		case 'k':
			if (add_props(optarg, IKE_PROTO_IKE, in.cfg.ike_props, &in.cfg.n_ike_props))
				return 2;
			break;
		case 'e':
			if (add_props(optarg, IKE_PROTO_ESP, in.cfg.esp_props, &in.cfg.n_esp_props))
				return 2;
			break;
		case 't':
			if (parse_ms("--timeout-ms", optarg, 1, &timeout_ms))
				return 2;
			break;
		case 'd': in.want_delete = 1; break;
		case 'P':
			port = strtoul(optarg, &end, 10);
			if (*end || !port || port > 65535) {
				fprintf(stderr, "ike-initiator: --port: 1..65535\n");
				return 2;
			}
			break;
		case 'N': in.force_natt = 1; break;
		case 'H':
			if (parse_ms("--hold-ms", optarg, 0, &in.hold_ms))
				return 2;
			break;
		case 'l':
			if (pt_log_level_parse(optarg, &lvl)) {
				fprintf(stderr, "ike-initiator: --log-level: err, warn, info or debug\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "ike-initiator: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!gw || !id || !rid) {
		fprintf(stderr, "ike-initiator: --gateway, --id and --remote-id are required\n");
		usage(stderr);
		return 2;
	}
	if ((in.rekey_child_ms || in.rekey_ike_ms || in.expect_rekey) && !in.hold_ms) {
		fprintf(stderr, "ike-initiator: rekeys happen while the SA is held: give --hold-ms\n");
		return 2;
	}
	if ((in.rekey_child_ms && in.rekey_child_ms >= in.hold_ms) ||
	    (in.rekey_ike_ms && in.rekey_ike_ms >= in.hold_ms)) {
		fprintf(stderr, "ike-initiator: --rekey-*-after-ms must be shorter than --hold-ms\n");
		return 2;
	}
	pt_log_set_level(lvl);
	signal(SIGPIPE, SIG_IGN);
	in.gw_port = (uint16_t)port;
	in.natt = in.force_natt;
	if (net_sa_parse(gw, in.gw_port, &in.gw)) {
		fprintf(stderr, "ike-initiator: --gateway '%s' is not an IPv4 or IPv6 address\n", gw);
		return 2;
	}
	if (ike_ident_parse(id, &in.cfg.local_id) || ike_ident_parse(rid, &in.cfg.remote_id)) {
		fprintf(stderr, "ike-initiator: --id/--remote-id: an FQDN, user@FQDN or address\n");
		return 2;
	}
	if ((rc = creds_load(&in, &cr))) {
		creds_free(&in);
		return rc;
	}
	if (!in.cfg.n_ike_props)
		in.cfg.n_ike_props = ike_prop_defaults(IKE_PROTO_IKE, 0, in.cfg.ike_props, IKE_CFG_PROPS_MAX);
	if (!in.cfg.n_esp_props)
		in.cfg.n_esp_props = ike_prop_defaults(IKE_PROTO_ESP, 0, in.cfg.esp_props, IKE_CFG_PROPS_MAX);
	if ((rc = net_source_for(&in.gw, &in.local))) {
		fprintf(stderr, "ike-initiator: no route to %s: %s\n", gw, pt_strerror(rc));
		creds_free(&in);
		return 1;
	}
	in.loop = uv_default_loop();
	if ((rc = ikesock_new(in.loop, (struct sockaddr *)&in.local, 0, 0, on_recv, &in, &in.sock))) {
		fprintf(stderr, "ike-initiator: cannot open UDP sockets: %s\n", pt_strerror(rc));
		creds_free(&in);
		return 1;
	}
	uv_timer_init(in.loop, &in.sa_timer);
	uv_timer_init(in.loop, &in.deadline);
	uv_timer_init(in.loop, &in.later);
	uv_timer_init(in.loop, &in.rekey_child_t);
	uv_timer_init(in.loop, &in.rekey_ike_t);
	uv_timer_init(in.loop, &in.resume_t);
	in.resume_t.data = &in;
	in.sa_timer.data = in.deadline.data = in.later.data = &in;
	in.rekey_child_t.data = in.rekey_ike_t.data = &in;
	uv_signal_init(in.loop, &in.usr1);
	in.usr1.data = &in;
	uv_signal_start(&in.usr1, on_usr1, SIGUSR1);
	in.ops = (struct ike_ops){
		.ctx = &in, .send = op_send, .timer = op_timer, .now_ms = op_now,
		.random = op_random, .addrs = op_addrs, .child_up = op_child_up,
		.child_down = op_child_down, .event = op_event,
	};
	char a[NET_ADDR_STR_MAX], b[NET_ADDR_STR_MAX];
	struct sockaddr_storage l4500;
	ikesock_local(in.sock, IKESOCK_NATT, &l4500);
	ikesock_local(in.sock, IKESOCK_IKE, &in.local);
	jline("start", "\"pid\":%ld,\"local\":\"%s\",\"local_natt\":\"%s\",\"gateway\":\"%s\",\"auth\":\"%s\",\"peer_auth\":\"%s\"",
	      (long)getpid(), net_sa_str((struct sockaddr *)&in.local, a, sizeof(a)),
	      net_sa_str((struct sockaddr *)&l4500, b, sizeof(b)), gw,
	      in.cfg.auth == IKE_AUTHK_CERT ? "cert" : in.cfg.auth == IKE_AUTHK_EAP ? "eap-mschapv2" : "psk",
	      in.cfg.peer_auth == IKE_AUTHK_CERT ? "cert" : "psk");
	uv_timer_start(&in.deadline, on_deadline, timeout_ms, 0);
	if ((rc = ike_sa_new(&in.cfg, &in.ops, &in.sa)) || (rc = ike_sa_initiate(in.sa))) {
		jline("failed", "\"error\":\"%s\"", pt_strerror(rc));
		in.failed = 1;
		finish(&in);
	}
	uv_run(in.loop, UV_RUN_DEFAULT);
	int ok = in.established && !in.failed && (!in.want_delete || in.deleted) &&
		 (!in.expect_rekey || peer_rekeys(&in) > 0) && (!in.resume_ms || in.resumed);
	if (in.expect_rekey && in.established && !peer_rekeys(&in))
		fprintf(stderr, "ike-initiator: --expect-rekey: the gateway started no rekey\n");
	ike_sa_free(in.sa);
	creds_free(&in);
	uv_loop_close(in.loop);
	return ok ? 0 : 1;
}
