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

/* runs @program --dump-keys and checks its output against @schema */
void remsim_config_check_program_dump(const gchar *program, const RemsimConfigSchema *schema);

/* a file with @text in a new temporary folder; remove it with remsim_config_check_remove() */
gchar *remsim_config_check_write(const gchar *name, const gchar *text);
void remsim_config_check_remove(const gchar *path);

G_END_DECLS
