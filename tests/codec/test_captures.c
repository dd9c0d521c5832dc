/* Every captured strongSwan 5.9.8 message (tests/codec/captures/ss598-*.bin, see
 * its README) decodes, passes the per-exchange rules and the per-payload
 * checks, and re-encodes byte for byte. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/pld/pld.h"
#include "ike/pld/rules.h"
#include "test.h"
#include "codec/typed.h"

static uint8_t buf[PT_IKE_MSG_MAX_LEN + 1];
static uint8_t out[PT_IKE_MSG_MAX_LEN];

static void check_file(const char *dir, const char *name)
{
	char path[4096];
	int k = snprintf(path, sizeof(path), "%s/%s", dir, name);
	CHECK(k > 0 && (size_t)k < sizeof(path));
	if (k <= 0 || (size_t)k >= sizeof(path))
		return;
	FILE *f = fopen(path, "rb");
	CHECK(f != NULL);
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);

	struct ike_msg m;
	struct ike_diag d = { 0 };
	int err = ike_msg_decode(buf, n, &m, &d);
	if (err)
		fprintf(stderr, "%s: decode %d (%s, payload %u at %zu)\n", name, err,
			d.reason, d.pld_type, d.off);
	CHECK_EQ(err, 0);
	if (err)
		return;
	err = ike_rules_check_outer(&m.hdr, &m.chain, &d);
	if (err)
		fprintf(stderr, "%s: rules %d (%s, payload %s)\n", name, err, d.reason,
			ike_pld_name(d.pld_type));
	CHECK_EQ(err, 0);
	err = ike_chain_validate(&m.chain, &d);
	if (err)
		fprintf(stderr, "%s: validate %d (%s, payload %s at %zu)\n", name, err, d.reason,
			ike_pld_name(d.pld_type), d.off);
	CHECK_EQ(err, 0);

	/* Each known payload through its typed codec gives its body back
	 * (strongSwan sends zero reserved fields). */
	for (size_t i = 0; i < m.chain.n; i++) {
		static union typed_any u;
		static uint8_t body[PT_IKE_MSG_MAX_LEN];
		const struct ike_pld *p = &m.chain.pld[i];
		struct wb bw;
		wb_init(&bw, body, sizeof(body));
		err = typed_reencode(p, &bw, &u);
		if (err == 1)
			continue;
		CHECK_EQ(err, 0);
		CHECK_EQ(wb_len(&bw), p->body_len);
		if (!err && wb_len(&bw) == p->body_len)
			CHECK_MEM(body, p->body, p->body_len);
	}

	struct wb w;
	wb_init(&w, out, sizeof(out));
	CHECK_EQ(ike_msg_encode(&w, &m.hdr, &m.chain), 0);
	CHECK_EQ(wb_len(&w), n);
	if (wb_len(&w) == n)
		CHECK_MEM(out, buf, n);
	printf("%-48s %-18s %s %2zu payloads ok\n", name, ike_exch_name(m.hdr.exch),
	       ike_hdr_is_response(&m.hdr) ? "resp" : "req ", m.chain.n);
}

int main(void)
{
	const char *src = getenv("PETREL_SRC");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/tests/codec/captures", src ? src : ".");
	DIR *dp = opendir(dir);
	if (!dp)
		return test_skip("no tests/codec/captures directory");
	int files = 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 4, ".bin") != 0)
			continue;
		check_file(dir, e->d_name);
		files++;
	}
	closedir(dp);
	if (!files)
		return test_skip("no captures (*.bin) yet");
	printf("%d captures\n", files);
	return test_done();
}
