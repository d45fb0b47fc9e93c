/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plugin loader against real modules: the example backend (usable), one
 * built for another ABI version, a shared object without the registration
 * symbol, and a file that is not a shared object at all.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "remsim-bankd-plugin-loader.h"

typedef struct {
	gchar *dir;
	gchar *example;
	gchar *wrong_abi;
	gchar *none;
	gchar *junk;
} LoaderFixture;

static gchar *
link_module(const gchar *dir, const gchar *env)
{
	const gchar *path = g_getenv(env);
	g_autofree gchar *base = NULL;
	gchar *link;

	g_assert_nonnull(path);
	base = g_path_get_basename(path);
	link = g_build_filename(dir, base, NULL);
	g_assert_cmpint(symlink(path, link), ==, 0);
	return link;
}

static void
fixture_setup(LoaderFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("remsim-loader-XXXXXX", &error);
	g_assert_no_error(error);
	f->example = link_module(f->dir, "REMSIM_TEST_EXAMPLE_PLUGIN");
	f->wrong_abi = link_module(f->dir, "REMSIM_TEST_WRONG_ABI_PLUGIN");
	f->none = link_module(f->dir, "REMSIM_TEST_NONE_PLUGIN");
	f->junk = g_build_filename(f->dir, "junk." G_MODULE_SUFFIX, NULL);
	g_assert_true(g_file_set_contents(f->junk, "not an ELF file\n", -1, NULL));
}

static void
fixture_teardown(LoaderFixture *f, gconstpointer data)
{
	const gchar *files[] = { f->example, f->wrong_abi, f->none, f->junk };

	for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
		g_unlink(files[i]);
		g_free((gchar *)files[i]);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

typedef struct {
	gboolean done;
	GBytes *bytes;
	GError *error;
} Wait;

static void
done_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Wait *wait = user_data;
	RemsimCardSlot *slot = REMSIM_CARD_SLOT(source);

	if (g_task_get_source_tag(G_TASK(result)) == NULL && wait->bytes == NULL)
		wait->bytes = remsim_card_slot_transmit_finish(slot, result, &wait->error);
	wait->done = TRUE;
}

static void
power_on_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Wait *wait = user_data;

	wait->bytes =
	    remsim_card_slot_power_on_finish(REMSIM_CARD_SLOT(source), result, &wait->error);
	wait->done = TRUE;
}

static void
spin(Wait *wait)
{
	while (!wait->done)
		g_main_context_iteration(NULL, TRUE);
}

static void
test_good_plugin(LoaderFixture *f, gconstpointer data)
{
	g_autoptr(RemsimBankdPluginLoader) loader = remsim_bankd_plugin_loader_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimBackend) backend = NULL;
	g_autoptr(GKeyFile) config = g_key_file_new();
	g_autoptr(GPtrArray) slots = NULL;
	g_autoptr(GBytes) apdu = g_bytes_new_static("\x00\xd6\x00\x00\x02\xca\xfe", 7);
	g_auto(GStrv) names = NULL;
	Wait on = { 0 }, tx = { 0 };
	GType type;

	g_assert_true(remsim_bankd_plugin_loader_load_file(loader, f->example, &error));
	g_assert_no_error(error);
	names = remsim_bankd_plugin_loader_list(loader);
	g_assert_cmpstrv(names, ((const gchar *[]){ "example", NULL }));
	type = remsim_bankd_plugin_loader_lookup(loader, "example");
	g_assert_true(g_type_is_a(type, REMSIM_TYPE_BACKEND));
	g_assert_cmpuint(remsim_bankd_plugin_loader_lookup(loader, "nonesuch"), ==, G_TYPE_INVALID);

	backend = g_object_new(type, NULL);
	g_key_file_set_integer(config, "example", "slots", 3);
	g_assert_true(remsim_backend_configure(backend, config, "example", &error));
	slots = remsim_backend_enumerate(backend);
	g_assert_cmpuint(slots->len, ==, 3);
	for (guint i = 0; i < slots->len; i++)
		g_assert_cmpuint(remsim_card_slot_get_index(slots->pdata[i]), ==, i);
	g_assert_true(remsim_card_slot_get_card_present(slots->pdata[1]));

	remsim_card_slot_power_on_async(slots->pdata[1], REMSIM_POWER_ON_NONE, NULL, power_on_ready,
					&on);
	spin(&on);
	g_assert_no_error(on.error);
	g_assert_cmpmem(g_bytes_get_data(on.bytes, NULL), g_bytes_get_size(on.bytes),
			"\x3b\x04"
			"echo",
			6);
	remsim_card_slot_transmit_async(slots->pdata[1], apdu, NULL, done_ready, &tx);
	spin(&tx);
	g_assert_no_error(tx.error);
	g_assert_cmpmem(g_bytes_get_data(tx.bytes, NULL), g_bytes_get_size(tx.bytes),
			"\xca\xfe\x90\x00", 4);
	remsim_card_slot_power_off(slots->pdata[1]);
	g_bytes_unref(on.bytes);
	g_bytes_unref(tx.bytes);
}

static void
test_bad_config(LoaderFixture *f, gconstpointer data)
{
	g_autoptr(RemsimBankdPluginLoader) loader = remsim_bankd_plugin_loader_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimBackend) backend = NULL;
	g_autoptr(GKeyFile) config = g_key_file_new();

	g_assert_true(remsim_bankd_plugin_loader_load_file(loader, f->example, NULL));
	backend = g_object_new(remsim_bankd_plugin_loader_lookup(loader, "example"), NULL);
	g_key_file_set_string(config, "example", "slots", "many");
	g_assert_false(remsim_backend_configure(backend, config, "example", &error));
	g_assert_nonnull(error);
	/* the message names the key so that a person can find it */
	g_assert_nonnull(strstr(error->message, "slots"));
}

static void
assert_refused(const gchar *path, const gchar *needle)
{
	g_autoptr(RemsimBankdPluginLoader) loader = remsim_bankd_plugin_loader_new();
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) names = NULL;

	g_assert_false(remsim_bankd_plugin_loader_load_file(loader, path, &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, path));
	if (needle != NULL)
		g_assert_nonnull(strstr(error->message, needle));
	names = remsim_bankd_plugin_loader_list(loader);
	g_assert_cmpuint(g_strv_length(names), ==, 0);
}

static void
test_wrong_abi(LoaderFixture *f, gconstpointer data)
{
	/* its get_type() aborts: passing means it was never called */
	assert_refused(f->wrong_abi, "ABI");
}

static void
test_not_a_plugin(LoaderFixture *f, gconstpointer data)
{
	assert_refused(f->none, "remsim_plugin_info");
	assert_refused(f->junk, NULL);
}

static void
test_load_dir(LoaderFixture *f, gconstpointer data)
{
	g_autoptr(RemsimBankdPluginLoader) loader = remsim_bankd_plugin_loader_new();
	g_autoptr(GError) error = NULL;
	guint n = 0;

	/* each bad file gets one warning naming it; the good one loads */
	g_test_expect_message("remsim-bankd", G_LOG_LEVEL_WARNING, "*junk*");
	g_test_expect_message("remsim-bankd", G_LOG_LEVEL_WARNING, "*test-plugin-none*");
	g_test_expect_message("remsim-bankd", G_LOG_LEVEL_WARNING, "*test-plugin-wrong-abi*");
	g_assert_true(remsim_bankd_plugin_loader_load_dir(loader, f->dir, &n, &error));
	g_test_assert_expected_messages();
	g_assert_no_error(error);
	g_assert_cmpuint(n, ==, 1);
	g_assert_true(remsim_bankd_plugin_loader_lookup(loader, "example") != G_TYPE_INVALID);
	g_assert_true(remsim_bankd_plugin_loader_lookup(loader, "wrong-abi") == G_TYPE_INVALID);
}

static void
test_missing_dir(void)
{
	g_autoptr(RemsimBankdPluginLoader) loader = remsim_bankd_plugin_loader_new();
	g_autoptr(GError) error = NULL;

	g_assert_false(
	    remsim_bankd_plugin_loader_load_dir(loader, "/nonexistent/remsim", NULL, &error));
	g_assert_nonnull(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/bankd/loader/good-plugin", LoaderFixture, NULL, fixture_setup,
		   test_good_plugin, fixture_teardown);
	g_test_add("/bankd/loader/bad-config", LoaderFixture, NULL, fixture_setup, test_bad_config,
		   fixture_teardown);
	g_test_add("/bankd/loader/wrong-abi", LoaderFixture, NULL, fixture_setup, test_wrong_abi,
		   fixture_teardown);
	g_test_add("/bankd/loader/not-a-plugin", LoaderFixture, NULL, fixture_setup,
		   test_not_a_plugin, fixture_teardown);
	g_test_add("/bankd/loader/load-dir", LoaderFixture, NULL, fixture_setup, test_load_dir,
		   fixture_teardown);
	g_test_add_func("/bankd/loader/missing-dir", test_missing_dir);
	return g_test_run();
}
