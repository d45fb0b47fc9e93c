/* AES-128 against FIPS-197 (Appendix B and Appendix C.1). */
#include "remsim-simcard-aes.h"

#include "test-simcard-util.h"

static void
check_vector(const gchar *key_hex, const gchar *plain_hex, const gchar *cipher_hex)
{
	g_autoptr(GBytes) key = test_hex(key_hex);
	g_autoptr(GBytes) plain = test_hex(plain_hex);
	g_autoptr(GBytes) expected = test_hex(cipher_hex);
	RemsimSimcardAes aes;
	guint8 out[16];
	g_autoptr(GBytes) got = NULL;

	remsim_simcard_aes_init(&aes, g_bytes_get_data(key, NULL));
	remsim_simcard_aes_encrypt(&aes, g_bytes_get_data(plain, NULL), out);
	got = g_bytes_new(out, sizeof(out));
	test_assert_bytes_equal(got, expected);
}

static void
test_aes_fips197_appendix_b(void)
{
	check_vector("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
		     "3925841d02dc09fbdc118597196a0b32");
}

static void
test_aes_fips197_appendix_c1(void)
{
	check_vector("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
		     "69c4e0d86a7b0430d8cdb78070b4c55a");
}

static void
test_aes_in_place(void)
{
	g_autoptr(GBytes) key = test_hex("000102030405060708090a0b0c0d0e0f");
	g_autoptr(GBytes) expected = test_hex("69c4e0d86a7b0430d8cdb78070b4c55a");
	g_autoptr(GBytes) plain = test_hex("00112233445566778899aabbccddeeff");
	g_autoptr(GBytes) got = NULL;
	RemsimSimcardAes aes;
	guint8 buf[16];

	/* Milenage encrypts into the buffer it reads from */
	memcpy(buf, g_bytes_get_data(plain, NULL), 16);
	remsim_simcard_aes_init(&aes, g_bytes_get_data(key, NULL));
	remsim_simcard_aes_encrypt(&aes, buf, buf);
	got = g_bytes_new(buf, sizeof(buf));
	test_assert_bytes_equal(got, expected);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/simcard/aes/fips197-appendix-b", test_aes_fips197_appendix_b);
	g_test_add_func("/simcard/aes/fips197-appendix-c1", test_aes_fips197_appendix_c1);
	g_test_add_func("/simcard/aes/in-place", test_aes_in_place);
	return g_test_run();
}
