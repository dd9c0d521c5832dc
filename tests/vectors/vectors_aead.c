/* AEAD known answers:
 *  - RFC 8439 2.8.2 (ChaCha20-Poly1305 AEAD example), once with the 12-octet
 *    nonce and once as ESP does it (RFC 7634 2: keymat = key | 4-octet salt,
 *    nonce = salt | 8-octet IV; the RFC 8439 nonce 07000000|4041..47 is
 *    exactly that split).
 *  - "The Galois/Counter Mode of Operation (GCM)", McGrew & Viega, the
 *    revised spec submitted to NIST, Appendix B test cases 1-4 (AES-128)
 *    and 13-16 (AES-256): with and without AAD, 96-bit IVs; these are also
 *    in NIST CAVP gcmEncryptExtIV128/256. One tampered tag rejected per alg. */
#include "crypto/aead.h"
#include "vec.h"

struct aead_case {
	const char *name;
	int alg;
	const char *key, *nonce, *aad, *pt, *ct, *tag;
};

#define GCM_K3 "feffe9928665731c6d6a8f9467308308"
#define GCM_P3 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	       "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
#define GCM_P4 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" \
	       "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
#define GCM_A4 "feedfacedeadbeeffeedfacedeadbeefabaddad2"
#define GCM_IV "cafebabefacedbaddecaf888"
#define Z12 "000000000000000000000000"

static const struct aead_case cases[] = {
	{ "RFC 8439 2.8.2", CRYPTO_AEAD_CHACHA20_POLY1305,
	  "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
	  "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
	  /* "Ladies and Gentlemen of the class of '99: If I could offer you
	   * only one tip for the future, sunscreen would be it." */
	  "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
	  "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
	  "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
	  "637265656e20776f756c642062652069742e",
	  "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	  "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	  "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	  "3ff4def08e4b7a9de576d26586cec64b6116",
	  "1ae10b594f09e26a7e902ecbd0600691" },
	{ "GCM test case 1", CRYPTO_AEAD_AES_GCM16, "00000000000000000000000000000000", Z12,
	  "", "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
	{ "GCM test case 2", CRYPTO_AEAD_AES_GCM16, "00000000000000000000000000000000", Z12,
	  "", "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
	  "ab6e47d42cec13bdf53a67b21257bddf" },
	{ "GCM test case 3", CRYPTO_AEAD_AES_GCM16, GCM_K3, GCM_IV, "", GCM_P3,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	  "4d5c2af327cd64a62cf35abd2ba6fab4" },
	{ "GCM test case 4", CRYPTO_AEAD_AES_GCM16, GCM_K3, GCM_IV, GCM_A4, GCM_P4,
	  "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	  "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
	  "5bc94fbc3221a5db94fae95ae7121a47" },
	{ "GCM test case 13", CRYPTO_AEAD_AES_GCM16,
	  "0000000000000000000000000000000000000000000000000000000000000000", Z12,
	  "", "", "", "530f8afbc74536b9a963b4f1c4cb738b" },
	{ "GCM test case 14", CRYPTO_AEAD_AES_GCM16,
	  "0000000000000000000000000000000000000000000000000000000000000000", Z12,
	  "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
	  "d0d1c8a799996bf0265b98b5d48ab919" },
	{ "GCM test case 15", CRYPTO_AEAD_AES_GCM16, GCM_K3 GCM_K3, GCM_IV, "", GCM_P3,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
	  "b094dac5d93471bdec1a502270e3cc6c" },
	{ "GCM test case 16", CRYPTO_AEAD_AES_GCM16, GCM_K3 GCM_K3, GCM_IV, GCM_A4, GCM_P4,
	  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
	  "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
	  "76fc6ece0f4e1768cddf8853bb2d551b" },
};

static void check_case(const struct aead_case *c)
{
	size_t klen, nlen, alen, plen, clen, tlen;
	uint8_t *key = vec_hex(c->key, &klen), *nonce = vec_hex(c->nonce, &nlen);
	uint8_t *aad = vec_hex(c->aad, &alen), *pt = vec_hex(c->pt, &plen);
	uint8_t *ct = vec_hex(c->ct, &clen), *tag = vec_hex(c->tag, &tlen);
	uint8_t *buf = malloc(plen + 1), out_tag[16];
	struct crypto_aead *a = NULL;

	printf("%s\n", c->name);
	CHECK_EQ(nlen, 12);
	CHECK_EQ(plen, clen);
	CHECK_EQ(crypto_aead_new(c->alg, key, klen, &a), 0);
	if (!a)
		goto out;
	/* Seal in place. */
	memcpy(buf, pt, plen);
	CHECK_EQ(crypto_aead_seal_nonce(a, nonce, aad, alen, buf, plen, out_tag), 0);
	CHECK_MEM(buf, ct, clen);
	CHECK_MEM(out_tag, tag, 16);
	/* Open in place. */
	CHECK_EQ(crypto_aead_open_nonce(a, nonce, aad, alen, buf, plen, tag), 0);
	CHECK_MEM(buf, pt, plen);
	/* A tampered tag is refused and the buffer is wiped: no unauthenticated
	 * plaintext comes out. */
	memcpy(buf, ct, clen);
	tag[15] ^= 0x01;
	CHECK_EQ(crypto_aead_open_nonce(a, nonce, aad, alen, buf, plen, tag), -EACCES);
	for (size_t i = 0; i < plen; i++)
		CHECK_EQ(buf[i], 0);
	tag[15] ^= 0x01;
	crypto_aead_free(a);
	a = NULL;

	/* The same vector as ESP/IKE carry it: keymat = key | salt, per-packet
	 * IV = the nonce's last 8 octets (RFC 4106 4, RFC 7634 2). */
	uint8_t keymat[36];
	memcpy(keymat, key, klen);
	memcpy(keymat + klen, nonce, 4);
	CHECK_EQ(crypto_aead_new(c->alg, keymat, klen + 4, &a), 0);
	if (!a)
		goto out;
	memcpy(buf, pt, plen);
	CHECK_EQ(crypto_aead_seal(a, nonce + 4, aad, alen, buf, plen, out_tag), 0);
	CHECK_MEM(buf, ct, clen);
	CHECK_MEM(out_tag, tag, 16);
	CHECK_EQ(crypto_aead_open(a, nonce + 4, aad, alen, buf, plen, tag), 0);
	CHECK_MEM(buf, pt, plen);
out:
	crypto_aead_free(a);
	free(key); free(nonce); free(aad); free(pt); free(ct); free(tag); free(buf);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(&cases[i]);
	return test_done();
}
