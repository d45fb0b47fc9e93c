/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "remsim-config-check.h"

/* the keys every daemon has besides its own (remsim-config.c) */
static const gchar *const common_keys[] = {
	"config",	 "debug",   "log-personal-info", "dbus", "dbus-bus",
	"disable-color", "version", "dump-keys",	 NULL,
};

static gchar *
expected_options(const RemsimConfigKey *key)
{
	GString *out = g_string_new(NULL);

	if (!(key->flags & REMSIM_CONFIG_KEY_NO_OPTION)) {
		if (key->short_name != 0)
			g_string_append_printf(out, "-%c, ", key->short_name);
		g_string_append_printf(out, "--%s", key->key);
	}
	for (guint i = 0; i < REMSIM_CONFIG_MAX_ALIASES; i++) {
		const RemsimConfigAlias *alias = &key->aliases[i];

		if (alias->name == NULL)
			continue;
		if (out->len > 0)
			g_string_append(out, ", ");
		if (alias->short_name != 0)
			g_string_append_printf(out, "-%c, ", alias->short_name);
		g_string_append_printf(out, "--%s", alias->name);
		if (alias->value != NULL)
			g_string_append_printf(out, " (%s)", alias->value);
	}
	if (out->len == 0)
		g_string_append(out, "-");
	return g_string_free(out, FALSE);
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
		g_autofree gchar *options = expected_options(key);
		g_autofree gchar *groups = expected_groups(schema, key);

		if (row == NULL)
			g_error("--dump-keys has no line for %s", key->key);
		g_assert_cmpstr(row[1], ==, groups);
		g_assert_cmpstr(row[2], ==, options);
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

	g_assert_nonnull(program);
	g_assert_true(g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
				   NULL, &status, &error));
	g_assert_no_error(error);
	g_assert_true(g_spawn_check_wait_status(status, NULL));
	remsim_config_check_dump(schema, out);
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
