/* src/net/mtu: the tunnel MTU from the path MTU and the ESP overhead, table
 * driven; every row checks that the inner packet plus its ESP wrapping fits
 * the path exactly (no octet left that a larger packet could use). */
#include <sys/socket.h>

#include "net/mtu.h"
#include "test.h"

static void test_table(void)
{
	enum { N = NET_MTU_ENCAP_NONE, U = NET_MTU_ENCAP_UDP, T = NET_MTU_ENCAP_TCP };
	static const struct {
		unsigned path; int fam; int encap; unsigned iv, icv, block;
		unsigned overhead, want;
	} rows[] = {
		/* AES-GCM-16 / ChaCha20-Poly1305: IV 8, ICV 16, 4-octet alignment */
		{ 1500, AF_INET,  U, 8, 16, 4, 20 + 8 + 8 + 8 + 2 + 16, 1438 },
		{ 1500, AF_INET,  N, 8, 16, 4, 20 + 8 + 8 + 2 + 16, 1446 },
		{ 1500, AF_INET6, U, 8, 16, 4, 40 + 8 + 8 + 8 + 2 + 16, 1418 },
		{ 1500, AF_INET6, N, 8, 16, 4, 40 + 8 + 8 + 2 + 16, 1426 },
		{ 1500, AF_INET,  T, 8, 16, 4, 20 + 22 + 8 + 8 + 2 + 16, 1422 },
		{ 1280, AF_INET6, U, 8, 16, 4, 82, 1198 },   /* below IPv6's minimum: caller decides */
		{ 1492, AF_INET,  U, 8, 16, 4, 62, 1430 },   /* PPPoE */
		{ 1501, AF_INET,  U, 8, 16, 4, 62, 1438 },   /* rounds down to the block */
		{ 1502, AF_INET,  U, 8, 16, 4, 62, 1438 },
		{ 1503, AF_INET,  U, 8, 16, 4, 62, 1438 },
		{ 1504, AF_INET,  U, 8, 16, 4, 62, 1442 },
		{ 9000, AF_INET,  U, 8, 16, 4, 62, 8938 },   /* jumbo */
		/* AES-CBC + HMAC-SHA-256-128: IV 16, ICV 16, 16-octet blocks */
		{ 1500, AF_INET,  U, 16, 16, 16, 20 + 8 + 8 + 16 + 2 + 16, 1422 },
		{ 1500, AF_INET,  N, 16, 16, 16, 62, 1438 },
		/* AES-CBC + HMAC-SHA-1-96: ICV 12 */
		{ 1500, AF_INET,  U, 16, 12, 16, 66, 1422 },
		/* too small, and invalid parameters */
		{ 100,  AF_INET,  U, 8, 16, 4, 62, 0 },
		{ 40,   AF_INET,  U, 8, 16, 4, 62, 0 },
		{ 0,    AF_INET,  U, 8, 16, 4, 62, 0 },
		{ 1500, AF_UNIX,  U, 8, 16, 4, 0, 0 },
		{ 1500, AF_INET,  U, 8, 16, 0, 62, 0 },
		{ 1500, AF_INET,  U, 8, 16, 6, 62, 0 },
		{ 1500, AF_INET,  7, 8, 16, 4, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct net_mtu_esp p = { rows[i].path, rows[i].fam, (enum net_mtu_encap)rows[i].encap,
					 rows[i].iv, rows[i].icv, rows[i].block };
		unsigned got = net_mtu_tunnel(&p);
		if (got != rows[i].want || net_mtu_overhead(&p) != rows[i].overhead)
			fprintf(stderr, "row %zu: mtu %u (want %u), overhead %u (want %u)\n", i, got,
				rows[i].want, net_mtu_overhead(&p), rows[i].overhead);
		CHECK_EQ(got, rows[i].want);
		CHECK_EQ(net_mtu_overhead(&p), rows[i].overhead);
		if (!got)
			continue;
		/* it fits, aligned, and one block more would not */
		unsigned hdrs = rows[i].overhead - 2 - rows[i].icv;
		unsigned enc = got + 2;
		CHECK_EQ(enc % rows[i].block, 0);
		CHECK(hdrs + enc + rows[i].icv <= rows[i].path);
		CHECK(hdrs + enc + rows[i].block + rows[i].icv > rows[i].path);
	}
	struct net_mtu_esp d = NET_MTU_ESP_AEAD(1500, AF_INET, NET_MTU_ENCAP_UDP);
	CHECK_EQ(net_mtu_tunnel(&d), 1438);
}

int main(void)
{
	test_table();
	return test_done();
}
