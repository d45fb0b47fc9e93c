/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Checks shared by the daemons' config tests. */
#pragma once

#include "remsim-config.h"

G_BEGIN_DECLS

/*
 * Asserts that @dump (what --dump-keys prints) has exactly one line for each key
 * of @schema and of the common table, each with the key's groups, options,
 * aliases, default and help as the table has them.
 */
void remsim_config_check_dump(const RemsimConfigSchema *schema, const gchar *dump);

/* checks @schema, then runs @program --dump-keys and checks its output against it */
void remsim_config_check_program_dump(const gchar *program, const RemsimConfigSchema *schema);

/* a daemon's parse function (remsim_server_config_parse ...) */
typedef gpointer (*RemsimConfigCheckParseFunc)(gint *argc, gchar ***argv, gint *exit_status,
					       GError **error);

/* runs @parse on "PROGRAM @args..."; asserts exit status 0 when it returns non-NULL */
gpointer remsim_config_check_parse(RemsimConfigCheckParseFunc parse, const gchar *const *args,
				   GError **error);
/*
 * Runs @parse on "--config FILE @extra...", FILE holding @text; asserts that it
 * fails with exit status 2 and a message starting with @want, where a leading
 * "%s" stands for FILE.
 */
void remsim_config_check_parse_error(RemsimConfigCheckParseFunc parse, const gchar *text,
				     const gchar *const *extra, const gchar *want);

/* a file with @text in a new temporary folder; remove it with remsim_config_check_remove() */
gchar *remsim_config_check_write(const gchar *name, const gchar *text);
void remsim_config_check_remove(const gchar *path);

G_END_DECLS
