/* src/base: read cursor, write buffer, hex, log levels. Table-driven where
 * the cases are data. */
#include "base/cursor.h"
#include "base/err.h"
#include "base/hex.h"
#include "base/log.h"
#include "base/wbuf.h"
#include "test.h"

static void test_cursor_reads(void)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	struct rd r, sub;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	const uint8_t *ref;

	rd_init(&r, b, sizeof(b));
	CHECK_EQ(rd_u8(&r, &u8), 0);
	CHECK_EQ(u8, 1);
	CHECK_EQ(rd_u16(&r, &u16), 0);
	CHECK_EQ(u16, 0x0203);
	CHECK_EQ(rd_u32(&r, &u32), 0);
	CHECK_EQ(u32, 0x04050607);
	CHECK_EQ(rd_u64(&r, &u64), 0);
	CHECK(u64 == 0x08090a0b0c0d0e0full);
	CHECK_EQ(rd_left(&r), 0);
	CHECK_EQ(rd_u8(&r, &u8), -EBADMSG);

	/* A failed read leaves the cursor where it was. */
	rd_init(&r, b, 3);
	CHECK_EQ(rd_u32(&r, &u32), -EBADMSG);
	CHECK_EQ(r.off, 0);
	CHECK_EQ(rd_u64(&r, &u64), -EBADMSG);
	CHECK_EQ(rd_skip(&r, 4), -EBADMSG);
	CHECK_EQ(rd_skip(&r, 3), 0);
	CHECK_EQ(rd_skip(&r, 0), 0);

	/* Sub-cursors see only their bytes. */
	rd_init(&r, b, sizeof(b));
	CHECK_EQ(rd_sub(&r, 4, &sub), 0);
	CHECK_EQ(rd_left(&sub), 4);
	CHECK_EQ(rd_u64(&sub, &u64), -EBADMSG);
	CHECK_EQ(rd_u32(&sub, &u32), 0);
	CHECK_EQ(u32, 0x01020304);
	CHECK_EQ(rd_sub(&r, 12, &sub), -EBADMSG);
	CHECK_EQ(rd_ref(&r, 11, &ref), 0);
	CHECK(ref == b + 4);
	CHECK_EQ(rd_ref(&r, 1, &ref), -EBADMSG);

	/* Huge lengths cannot wrap the bounds check. */
	rd_init(&r, b, sizeof(b));
	rd_skip(&r, 1);
	CHECK_EQ(rd_skip(&r, (size_t)-1), -EBADMSG);
	CHECK_EQ(rd_sub(&r, (size_t)-1, &sub), -EBADMSG);
}

static void test_wbuf(void)
{
	uint8_t buf[8];
	struct wb w;

	wb_init(&w, buf, sizeof(buf));
	CHECK_EQ(wb_u8(&w, 0xaa), 0);
	size_t at = wb_len(&w);
	CHECK_EQ(wb_u16(&w, 0), 0);
	CHECK_EQ(wb_u32(&w, 0x01020304), 0);
	CHECK_EQ(wb_set_u16(&w, at, 0xbeef), 0);
	static const uint8_t want[] = { 0xaa, 0xbe, 0xef, 1, 2, 3, 4 };
	CHECK_EQ(wb_len(&w), sizeof(want));
	CHECK_MEM(buf, want, sizeof(want));
	CHECK_EQ(wb_room(&w), 1);

	/* Overflow is sticky and nothing more is written. */
	CHECK_EQ(wb_u16(&w, 0x1111), -ENOBUFS);
	CHECK_EQ(wb_err(&w), -ENOBUFS);
	CHECK_EQ(wb_u8(&w, 1), -ENOBUFS);
	CHECK_EQ(wb_len(&w), sizeof(want));
	CHECK(wb_reserve(&w, 0) == NULL);

	/* Patching outside what was written is refused. */
	wb_init(&w, buf, sizeof(buf));
	wb_u16(&w, 1);
	CHECK_EQ(wb_set_u32(&w, 0, 5), -EINVAL);
	wb_init(&w, buf, sizeof(buf));
	CHECK_EQ(wb_u64(&w, 0x0102030405060708ull), 0);
	CHECK_EQ(buf[0], 1);
	CHECK_EQ(buf[7], 8);
	CHECK_EQ(wb_put(&w, "x", 1), -ENOBUFS);
}

static void test_hex(void)
{
	static const struct {
		const char *in;
		int rc;
		size_t n;
		uint8_t first;
	} cases[] = {
		{ "00ff10", 0, 3, 0x00 },
		{ "DE AD:be\nef", 0, 4, 0xde },
		{ "", 0, 0, 0 },
		{ "abc", -EBADMSG, 0, 0 },
		{ "zz", -EBADMSG, 0, 0 },
		{ "0102030405060708090a", -ENOBUFS, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[8];
		size_t n = 0;
		int rc = hex_decode(out, sizeof(out), cases[i].in, &n);
		CHECK_EQ(rc, cases[i].rc);
		if (rc == 0) {
			CHECK_EQ(n, cases[i].n);
			if (n)
				CHECK_EQ(out[0], cases[i].first);
		}
	}
	char s[7];
	static const uint8_t b[] = { 0x01, 0xab, 0xff };
	CHECK_EQ(hex_encode(s, sizeof(s), b, 3), 0);
	CHECK(strcmp(s, "01abff") == 0);
	CHECK_EQ(hex_encode(s, 6, b, 3), -ENOBUFS);
}

static int sink_calls;
static void count_sink(void *ctx, enum pt_log_level lvl, const char *sub, const char *line)
{
	(void)lvl;
	(void)sub;
	(void)line;
	(*(int *)ctx)++;
}

static void test_log(void)
{
	enum pt_log_level l;
	pt_log_set_sink(count_sink, &sink_calls);
	pt_log_set_level(PT_LOG_WARN);
	log_info("test", "hidden %d", 1);
	log_warn("test", "shown %d", 2);
	log_debug("test", "hidden");
	CHECK_EQ(sink_calls, 1);
	CHECK_EQ(pt_log_level_parse("debug", &l), 0);
	CHECK_EQ(l, PT_LOG_DEBUG);
	CHECK_EQ(pt_log_level_parse("loud", &l), -EINVAL);
	pt_log_set_sink(NULL, NULL);
	CHECK(strcmp(pt_strerror(-EBADMSG), "malformed message") == 0);
}

int main(void)
{
	test_cursor_reads();
	test_wbuf();
	test_hex();
	test_log();
	return test_done();
}
