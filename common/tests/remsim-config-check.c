/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "remsim-config-check.h"

/* the keys every daemon has besides its own (remsim-config.c) */
static const gchar *const common_keys[] = {
	"config",    "debug",	  "log-personal-info", "dbus",	  "dbus-bus",  "dbus-group",
	"log-level", "timestamp", "disable-color",     "version", "dump-keys", NULL,
};

/* every option name of @key, as --dump-keys writes them: "-p", "--server-port", "--no-dbus (false)"
 */
static GHashTable *
expected_options(const RemsimConfigKey *key)
{
	GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (!(key->flags & REMSIM_CONFIG_KEY_NO_OPTION)) {
		g_hash_table_add(names, g_strconcat("--", key->key, NULL));
		if (key->short_name != 0)
			g_hash_table_add(names, g_strdup_printf("-%c", key->short_name));
	}
	for (guint i = 0; i < REMSIM_CONFIG_MAX_ALIASES; i++) {
		const RemsimConfigAlias *alias = &key->aliases[i];

		if (alias->name == NULL)
			continue;
		if (alias->value != NULL)
			g_hash_table_add(names,
					 g_strdup_printf("--%s (%s)", alias->name, alias->value));
		else
			g_hash_table_add(names, g_strconcat("--", alias->name, NULL));
		if (alias->short_name != 0)
			g_hash_table_add(names, g_strdup_printf("-%c", alias->short_name));
	}
	return names;
}

/* the options column has the names of @key and no other */
static void
check_options(const RemsimConfigKey *key, const gchar *column)
{
	g_autoptr(GHashTable) want = expected_options(key);
	g_auto(GStrv) got = g_strsplit(column, ", ", -1);

	if (g_hash_table_size(want) == 0) {
		g_assert_cmpstr(column, ==, "-");
		return;
	}
	g_assert_cmpuint(g_strv_length(got), ==, g_hash_table_size(want));
	for (guint i = 0; got[i] != NULL; i++) {
		if (!g_hash_table_contains(want, got[i]))
			g_error("--dump-keys: %s has option %s", key->key, got[i]);
	}
}

static gchar *
expected_groups(const RemsimConfigSchema *schema, const RemsimConfigKey *key)
{
	if (key->flags & REMSIM_CONFIG_KEY_NO_FILE)
		return g_strdup("-");
	if (key->flags & REMSIM_CONFIG_KEY_GROUPS)
		return g_strdup_printf("[%s] [slot N]", schema->group);
	return g_strdup_printf("[%s]", schema->group);
}

void
remsim_config_check_dump(const RemsimConfigSchema *schema, const gchar *dump)
{
	g_auto(GStrv) lines = g_strsplit(dump, "\n", -1);
	g_autoptr(GHashTable) rows =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_strfreev);
	guint n_keys = 0;

	for (guint i = 0; lines[i] != NULL; i++) {
		gchar **fields;

		if (lines[i][0] == '\0' || lines[i][0] == '#')
			continue;
		fields = g_strsplit(lines[i], "\t", -1);
		g_assert_cmpuint(g_strv_length(fields), ==, 6);
		/* one line a key */
		g_assert_false(g_hash_table_contains(rows, fields[0]));
		g_hash_table_insert(rows, fields[0], fields);
	}
	for (const RemsimConfigKey *key = schema->keys; key->key != NULL; key++) {
		gchar **row = g_hash_table_lookup(rows, key->key);
		g_autofree gchar *groups = expected_groups(schema, key);

		if (row == NULL)
			g_error("--dump-keys has no line for %s", key->key);
		g_assert_cmpstr(row[1], ==, groups);
		check_options(key, row[2]);
		g_assert_cmpstr(row[4], ==, key->default_value != NULL ? key->default_value : "-");
		g_assert_cmpstr(row[5], ==, key->help);
		n_keys++;
	}
	for (guint i = 0; common_keys[i] != NULL; i++) {
		if (!g_hash_table_contains(rows, common_keys[i]))
			g_error("--dump-keys has no line for %s", common_keys[i]);
		n_keys++;
	}
	/* and nothing else */
	g_assert_cmpuint(g_hash_table_size(rows), ==, n_keys);
}

void
remsim_config_check_program_dump(const gchar *program, const RemsimConfigSchema *schema)
{
	const gchar *argv[] = { program, "--dump-keys", NULL };
	g_autoptr(GError) error = NULL;
	g_autofree gchar *out = NULL;
	gint status = -1;

	g_assert_true(remsim_config_check_schema(schema, &error));
	g_assert_no_error(error);
	g_assert_nonnull(program);
	g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
				   NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	remsim_config_check_dump(schema, out);
}

gpointer
remsim_config_check_parse(RemsimConfigCheckParseFunc parse, const gchar *const *args,
			  GError **error)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autofree gchar **copy = NULL;
	gint argc, status = -1;
	gpointer result;

	g_ptr_array_add(argv, "remsim-test");
	for (guint i = 0; args != NULL && args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	argc = argv->len;
	g_ptr_array_add(argv, NULL);
	/* the option parser rearranges the vector: hand it a copy */
	copy = g_memdup2(argv->pdata, argv->len * sizeof(gpointer));
	result = parse(&argc, &copy, &status, error);
	if (result != NULL)
		g_assert_cmpint(status, ==, 0);
	else
		g_assert_cmpint(status, ==, 2);
	return result;
}

void
remsim_config_check_parse_error(RemsimConfigCheckParseFunc parse, const gchar *text,
				const gchar *const *extra, const gchar *want)
{
	g_autofree gchar *conf = remsim_config_check_write("test.conf", text);
	g_autoptr(GPtrArray) args = g_ptr_array_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *expect =
	    g_str_has_prefix(want, "%s") ? g_strconcat(conf, want + 2, NULL) : g_strdup(want);

	g_ptr_array_add(args, "--config");
	g_ptr_array_add(args, conf);
	for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
		g_ptr_array_add(args, (gpointer)extra[i]);
	g_ptr_array_add(args, NULL);
	g_assert_null(remsim_config_check_parse(parse, (const gchar *const *)args->pdata, &error));
	g_assert_nonnull(error);
	if (!g_str_has_prefix(error->message, expect))
		g_error("“%s” does not start with “%s”", error->message, expect);
	remsim_config_check_remove(conf);
}

gchar *
remsim_config_check_write(const gchar *name, const gchar *text)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *dir = g_dir_make_tmp("remsim-config-XXXXXX", &error);
	gchar *path;

	g_assert_no_error(error);
	path = g_build_filename(dir, name, NULL);
	g_assert_true(g_file_set_contents(path, text, -1, &error));
	g_assert_no_error(error);
	return path;
}

void
remsim_config_check_remove(const gchar *path)
{
	g_autofree gchar *dir = g_path_get_dirname(path);

	g_unlink(path);
	g_rmdir(dir);
}
