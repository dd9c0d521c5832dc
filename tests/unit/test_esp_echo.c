/* src/esp ESP Echo (draft-ietf-ipsecme-encrypted-esp-ping): a probe through
 * a Child SA, the peer's reply, matching and RTT; unknown or repeated
 * replies ignored; malformed messages; return-path validation; the reply
 * never larger than the request; configurable code points. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "esp/echo.h"
#include "test.h"
#include "test_esp.h"

#define SPI_UP   0x31000001u
#define SPI_DOWN 0x31000002u

/* The peer's side: decap, parse, answer on the reverse SA. */
static int peer_answers(struct duo *d, const struct esp_echo_cfg *cfg, struct esp_pkt *p)
{
	struct esp_rx rx;
	struct esp_echo req;
	int e = esp_decap(d->peer, p, &rx);
	if (e)
		return e;
	if (rx.next_header != cfg->next_header)
		return -100;
	e = esp_echo_parse(cfg, p->data, p->len, &req);
	if (e)
		return e;
	if (!req.is_request)
		return -101;
	struct esp_sa *back = esp_echo_reply_sa(d->peer, rx.sa, &req);
	if (!back)
		return -102;
	size_t req_len = p->len;
	e = esp_echo_reply(cfg, p, &req);
	if (e)
		return e;
	if (p->len > req_len)
		return -103;
	return esp_encap(back, p, cfg->next_header);
}

/* Our side: decap the reply, parse, match. */
static int we_match(struct duo *d, const struct esp_echo_cfg *cfg, struct esp_probes *pr,
		    struct esp_pkt *p, uint64_t now, uint64_t *rtt)
{
	struct esp_rx rx;
	struct esp_echo rep;
	int e = esp_decap(d->us, p, &rx);
	if (e)
		return e;
	if (rx.next_header != cfg->next_header)
		return -100;
	e = esp_echo_parse(cfg, p->data, p->len, &rep);
	if (e)
		return e;
	return esp_probes_match(pr, &rep, now, rtt);
}

static void test_round_trip(const struct esp_echo_cfg *cfg)
{
	for (size_t c = 0; c < N_ALG_CASES; c += 2) {
		struct duo d;
		CHECK_EQ(duo_open(&d, &alg_cases[c], SPI_UP, SPI_DOWN), 0);
		esp_table_set_echo_nh(d.us, cfg->next_header);
		esp_table_set_echo_nh(d.peer, cfg->next_header);
		struct esp_pkt *p = pkt_new();
		struct esp_probes pr;
		esp_probes_init(&pr, 0x4242);
		uint64_t rtt = 0;
		for (size_t data = 0; data <= ESP_ECHO_DATA_MAX; data += 128) {
			esp_pkt_reset(p);
			CHECK_EQ(esp_echo_probe(cfg, &pr, p, 1000 + data, data), 0);
			CHECK_EQ(p->len, ESP_ECHO_HDR_LEN + data);
			CHECK_EQ(p->data[0], cfg->request);
			CHECK_EQ(esp_encap(must(esp_table_out(d.us, d.us_slot)), p, cfg->next_header), 0);
			CHECK_EQ(peer_answers(&d, cfg, p), 0);
			CHECK_EQ(we_match(&d, cfg, &pr, p, 1000 + data + 37, &rtt), 0);
			CHECK_EQ(rtt, 37);
			CHECK_EQ(p->len, ESP_ECHO_HDR_LEN + data);
		}
		CHECK_EQ(esp_probes_outstanding(&pr), 0);
		CHECK_EQ(pr.matched, 5);

		/* Two probes out, answered in reverse order; then the first answer
		 * again (a duplicate: the window drops it), and an answer to a probe
		 * that was never sent. */
		struct esp_pkt *q = pkt_new();
		esp_pkt_reset(p);
		esp_pkt_reset(q);
		CHECK_EQ(esp_echo_probe(cfg, &pr, p, 5000, 16), 0);
		CHECK_EQ(esp_echo_probe(cfg, &pr, q, 5010, 16), 0);
		CHECK_EQ(esp_probes_outstanding(&pr), 2);
		CHECK_EQ(esp_encap(must(esp_table_out(d.us, d.us_slot)), p, cfg->next_header), 0);
		CHECK_EQ(esp_encap(must(esp_table_out(d.us, d.us_slot)), q, cfg->next_header), 0);
		CHECK_EQ(peer_answers(&d, cfg, p), 0);
		CHECK_EQ(peer_answers(&d, cfg, q), 0);
		uint8_t dup[256];
		size_t dup_len = q->len;
		memcpy(dup, q->data, dup_len);
		CHECK_EQ(we_match(&d, cfg, &pr, q, 5020, &rtt), 0);
		CHECK_EQ(rtt, 10);
		CHECK_EQ(we_match(&d, cfg, &pr, p, 5030, &rtt), 0);
		CHECK_EQ(rtt, 30);
		pkt_set(p, dup, dup_len);
		CHECK_EQ(we_match(&d, cfg, &pr, p, 5040, &rtt), -EALREADY);
		/* A reply with an identifier or sequence number we never used,
		 * sent by the (authenticated) peer: ignored and counted. */
		struct esp_echo fake = { .is_request = 1, .id = 0x4242, .seq = 999 };
		uint64_t unmatched = pr.unmatched;
		esp_pkt_reset(p);
		CHECK_EQ(esp_echo_request(cfg, p, 0x4242, 999, 0, 0), 0);
		CHECK_EQ(esp_echo_parse(cfg, p->data, p->len, &fake), 0);
		CHECK_EQ(esp_echo_reply(cfg, p, &fake), 0);
		CHECK_EQ(esp_encap(must(esp_table_out(d.peer, d.peer_slot)), p, cfg->next_header), 0);
		CHECK_EQ(we_match(&d, cfg, &pr, p, 6000, &rtt), -ENOENT);
		esp_pkt_reset(p);
		CHECK_EQ(esp_echo_request(cfg, p, 0x4243, 0, 0, 0), 0);  /* another identifier */
		CHECK_EQ(esp_echo_parse(cfg, p->data, p->len, &fake), 0);
		CHECK_EQ(esp_echo_reply(cfg, p, &fake), 0);
		CHECK_EQ(esp_encap(must(esp_table_out(d.peer, d.peer_slot)), p, cfg->next_header), 0);
		CHECK_EQ(we_match(&d, cfg, &pr, p, 6000, &rtt), -ENOENT);
		CHECK_EQ(pr.unmatched, unmatched + 2);
		free(p);
		free(q);
		duo_close(&d);
	}
}

static void test_parse(void)
{
	const struct esp_echo_cfg *cfg = &esp_echo_cfg_default;
	CHECK_EQ(cfg->next_header, 144);
	CHECK_EQ(cfg->request, 2);
	CHECK_EQ(cfg->reply, 3);
	struct esp_echo e;
	/* request, R, Return SPI, 3 octets of data */
	static const uint8_t req_r[] = { 2, 0x80, 0, 3, 0x12, 0x34, 0, 7, 0xde, 0xad, 0xbe, 0xef,
					 'a', 'b', 'c' };
	CHECK_EQ(esp_echo_parse(cfg, req_r, sizeof(req_r), &e), 0);
	CHECK(e.is_request && e.has_return_spi && e.return_spi == 0xdeadbeef);
	CHECK(e.id == 0x1234 && e.seq == 7 && e.data_len == 3 && e.data == req_r + 12);
	static const struct { uint8_t b[16]; size_t n; int want; } tc[] = {
		{ { 2, 0, 0, 0, 0, 1, 0, 1 }, 8, 0 },
		{ { 3, 0, 0, 0, 0, 1, 0, 1 }, 8, 0 },
		{ { 3, 0, 0, 0, 0, 1, 0, 1, 9, 9 }, 10, 0 },        /* trailing octets ignored */
		{ { 2, 0, 0, 0, 0, 1, 0 }, 7, -EBADMSG },           /* short header */
		{ { 2, 0, 0, 3, 0, 1, 0, 1, 'x', 'y' }, 10, -EBADMSG },/* data past the end */
		{ { 2, 0x80, 0, 0, 0, 1, 0, 1, 1, 2, 3 }, 11, -EBADMSG }, /* short Return SPI */
		{ { 3, 0x80, 0, 0, 0, 1, 0, 1, 1, 2, 3, 4 }, 12, -EBADMSG }, /* R in a reply */
		{ { 0, 0, 0, 0, 0, 1, 0, 1 }, 8, -EPROTONOSUPPORT }, /* IP-TFS data */
		{ { 1, 0, 0, 0, 0, 1, 0, 1 }, 8, -EPROTONOSUPPORT }, /* congestion control */
		{ { 0 }, 0, -EBADMSG },
	};
	for (size_t i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		int r = esp_echo_parse(cfg, tc[i].b, tc[i].n, &e);
		if (r != tc[i].want)
			fprintf(stderr, "echo parse case %zu: %d want %d\n", i, r, tc[i].want);
		CHECK_EQ(r, tc[i].want);
	}
	/* Build with a Return SPI; data beyond the cap refused. */
	struct esp_pkt *p = pkt_new();
	CHECK_EQ(esp_echo_request(cfg, p, 1, 2, 4, 0xabcdef01), 0);
	CHECK_EQ(p->len, 16);
	CHECK_EQ(p->data[1], 0x80);
	esp_pkt_reset(p);
	CHECK_EQ(esp_echo_request(cfg, p, 1, 2, ESP_ECHO_DATA_MAX + 1, 0), -EINVAL);
	free(p);
}

/* The reply to a request with a Return SPI and more data than we echo:
 * no Return SPI, data capped, never longer than the request; the Return
 * SPI must name the reverse SA of the same Child SA. */
static void test_reply_rules(void)
{
	const struct esp_echo_cfg *cfg = &esp_echo_cfg_default;
	struct duo d;
	CHECK_EQ(duo_open(&d, &alg_cases[2], SPI_UP, SPI_DOWN), 0);
	struct esp_pkt *p = pkt_new();
	pkt_fill(p, 0, 12 + 1000);
	uint8_t *b = p->data;
	b[0] = 2; b[1] = 0x80; b[2] = 1000 >> 8; b[3] = 1000 & 0xff; b[5] = 9; b[7] = 1;
	put_be32(b + 8, SPI_DOWN);                 /* the peer's outbound SPI */
	for (size_t i = 0; i < 1000; i++)
		b[12 + i] = (uint8_t)i;
	struct esp_echo req;
	CHECK_EQ(esp_echo_parse(cfg, p->data, p->len, &req), 0);
	CHECK_EQ(esp_encap(must(esp_table_out(d.us, d.us_slot)), p, cfg->next_header), 0);
	struct esp_rx rx;
	CHECK_EQ(esp_decap(d.peer, p, &rx), 0);
	CHECK_EQ(esp_echo_parse(cfg, p->data, p->len, &req), 0);
	CHECK(esp_echo_reply_sa(d.peer, rx.sa, &req) == must(esp_table_out(d.peer, d.peer_slot)));
	struct esp_echo wrong = req;
	wrong.return_spi = SPI_UP;                 /* our own inbound SA: not the way back */
	CHECK(esp_echo_reply_sa(d.peer, rx.sa, &wrong) == NULL);
	wrong.return_spi = 0x77777777;
	CHECK(esp_echo_reply_sa(d.peer, rx.sa, &wrong) == NULL);
	wrong = req;
	wrong.is_request = 0;
	CHECK(esp_echo_reply_sa(d.peer, rx.sa, &wrong) == NULL);
	CHECK_EQ(esp_echo_reply(cfg, p, &wrong), -EINVAL);
	size_t req_len = p->len;
	CHECK_EQ(esp_echo_reply(cfg, p, &req), 0);
	CHECK(p->len < req_len);
	CHECK_EQ(p->len, ESP_ECHO_HDR_LEN + ESP_ECHO_DATA_MAX);
	struct esp_echo rep;
	CHECK_EQ(esp_echo_parse(cfg, p->data, p->len, &rep), 0);
	CHECK(!rep.is_request && !rep.has_return_spi && rep.id == 9 && rep.seq == 1);
	CHECK_EQ(rep.data_len, ESP_ECHO_DATA_MAX);
	CHECK_EQ(rep.data[0], 0);
	CHECK_EQ(rep.data[511], 511 & 0xff);
	CHECK_EQ(p->data[1], 0);                   /* flags 0 */
	free(p);
	duo_close(&d);
}

static void test_probe_table(void)
{
	struct esp_probes pr;
	esp_probes_init(&pr, 7);
	for (unsigned i = 0; i < ESP_PROBES_MAX + 3; i++)
		CHECK_EQ(esp_probes_add(&pr, 100 + i), i);
	CHECK_EQ(esp_probes_outstanding(&pr), ESP_PROBES_MAX);
	/* The three oldest were forgotten. */
	struct esp_echo rep = { .is_request = 0, .id = 7, .seq = 0 };
	uint64_t rtt;
	CHECK_EQ(esp_probes_match(&pr, &rep, 500, &rtt), -ENOENT);
	rep.seq = 3;
	CHECK_EQ(esp_probes_match(&pr, &rep, 500, &rtt), 0);
	CHECK_EQ(rtt, 397);
	rep.seq = 4;
	rep.is_request = 1;                         /* a request is not an answer */
	CHECK_EQ(esp_probes_match(&pr, &rep, 500, &rtt), -ENOENT);
	rep.is_request = 0;
	CHECK_EQ(esp_probes_match(&pr, &rep, 50, &rtt), 0);   /* clock went back */
	CHECK_EQ(rtt, 0);
	esp_probes_clear(&pr);
	CHECK_EQ(esp_probes_outstanding(&pr), 0);
	rep.seq = 5;
	CHECK_EQ(esp_probes_match(&pr, &rep, 500, &rtt), -ENOENT);
	CHECK_EQ(pr.unmatched, 3);
	CHECK_EQ(pr.matched, 2);
}

int main(void)
{
	test_round_trip(&esp_echo_cfg_default);
	/* Code points from configuration (another implementation's values). */
	const struct esp_echo_cfg other = { .next_header = 253, .request = 7, .reply = 8 };
	test_round_trip(&other);
	test_parse();
	test_reply_rules();
	test_probe_table();
	return test_done();
}
