/* Milenage and c2/c3 against the 3GPP TS 35.207/35.208 test sets in tests/vectors. */
#include "remsim-simcard-milenage.h"

#include "test-simcard-util.h"

enum {
	COL_SET,
	COL_K,
	COL_RAND,
	COL_SQN,
	COL_AMF,
	COL_OP,
	COL_OPC,
	COL_MAC_A,
	COL_MAC_S,
	COL_RES,
	COL_CK,
	COL_IK,
	COL_AK,
	COL_AK_STAR,
	COL_SRES,
	COL_KC,
	N_COLS
};

static GPtrArray *
load_sets(void)
{
	g_autofree gchar *path = test_srcdir_path("tests/vectors/milenage.tsv");
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) lines = NULL;
	GPtrArray *sets = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);

	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar **cols;

		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		cols = g_strsplit(lines[i], "\t", -1);
		g_assert_cmpuint(g_strv_length(cols), ==, N_COLS);
		g_ptr_array_add(sets, cols);
	}
	return sets;
}

static void
assert_hex(const guint8 *got, gsize len, const gchar *expected)
{
	g_autoptr(GBytes) g = g_bytes_new(got, len);
	g_autoptr(GBytes) e = test_hex(expected);

	test_assert_bytes_equal(g, e);
}

static void
check_set(gchar **c)
{
	g_autoptr(GBytes) k = test_hex(c[COL_K]);
	g_autoptr(GBytes) rand = test_hex(c[COL_RAND]);
	g_autoptr(GBytes) sqn = test_hex(c[COL_SQN]);
	g_autoptr(GBytes) amf = test_hex(c[COL_AMF]);
	g_autoptr(GBytes) op = test_hex(c[COL_OP]);
	const guint8 *kd = g_bytes_get_data(k, NULL), *rd = g_bytes_get_data(rand, NULL);
	guint8 opc[16], mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], ak_star[6];
	guint8 sres[4], kc[8];

	g_test_message("test set %s", c[COL_SET]);
	remsim_simcard_milenage_opc(kd, g_bytes_get_data(op, NULL), opc);
	assert_hex(opc, 16, c[COL_OPC]);
	remsim_simcard_milenage_f1(kd, opc, rd, g_bytes_get_data(sqn, NULL),
				   g_bytes_get_data(amf, NULL), mac_a, mac_s);
	assert_hex(mac_a, 8, c[COL_MAC_A]);
	assert_hex(mac_s, 8, c[COL_MAC_S]);
	remsim_simcard_milenage_f2345(kd, opc, rd, res, ck, ik, ak, ak_star);
	assert_hex(res, 8, c[COL_RES]);
	assert_hex(ck, 16, c[COL_CK]);
	assert_hex(ik, 16, c[COL_IK]);
	assert_hex(ak, 6, c[COL_AK]);
	assert_hex(ak_star, 6, c[COL_AK_STAR]);
	remsim_simcard_milenage_gsm_c2(res, sres);
	remsim_simcard_milenage_gsm_c3(ck, ik, kc);
	assert_hex(sres, 4, c[COL_SRES]);
	assert_hex(kc, 8, c[COL_KC]);
}

static void
test_milenage_sets(void)
{
	g_autoptr(GPtrArray) sets = load_sets();

	/* the file holds test sets 1 to 6 */
	g_assert_cmpuint(sets->len, ==, 6);
	for (guint i = 0; i < sets->len; i++)
		check_set(g_ptr_array_index(sets, i));
}

static void
test_milenage_partial_outputs(void)
{
	g_autoptr(GPtrArray) sets = load_sets();
	gchar **c = g_ptr_array_index(sets, 0);
	g_autoptr(GBytes) k = test_hex(c[COL_K]);
	g_autoptr(GBytes) rand = test_hex(c[COL_RAND]);
	g_autoptr(GBytes) opc = test_hex(c[COL_OPC]);
	guint8 ak_star[6];

	/* asking for one output alone gives the same value */
	remsim_simcard_milenage_f2345(g_bytes_get_data(k, NULL), g_bytes_get_data(opc, NULL),
				      g_bytes_get_data(rand, NULL), NULL, NULL, NULL, NULL,
				      ak_star);
	assert_hex(ak_star, 6, c[COL_AK_STAR]);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/simcard/milenage/test-sets", test_milenage_sets);
	g_test_add_func("/simcard/milenage/partial-outputs", test_milenage_partial_outputs);
	return g_test_run();
}
