/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCtlTable: an aligned table for people, each column as wide as its
 * widest cell (wide characters count twice), headings in bold and state words
 * translated and coloured when colour is on.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_CTL_COLUMN_TEXT,
	/* a state word: translated, and coloured when colour is on */
	REMSIM_CTL_COLUMN_STATE,
} RemsimCtlColumnKind;

typedef struct _RemsimCtlTable RemsimCtlTable;

RemsimCtlTable *remsim_ctl_table_new(void);
void remsim_ctl_table_free(RemsimCtlTable *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCtlTable, remsim_ctl_table_free)

/* a column with its (translated) heading; columns first, then rows */
void remsim_ctl_table_add_column(RemsimCtlTable *self, const gchar *heading,
				 RemsimCtlColumnKind kind);
/* one cell per column, copied; NULL shows as "-" (nothing known) */
void remsim_ctl_table_add_row(RemsimCtlTable *self, ...);
/* the same, taking the cells (g_free()d) */
void remsim_ctl_table_add_row_take(RemsimCtlTable *self, gchar **cells);
guint remsim_ctl_table_get_n_columns(RemsimCtlTable *self);
/* prints it on standard output, the widest cell setting each column's width */
void remsim_ctl_table_print(RemsimCtlTable *self, gboolean colour);

G_END_DECLS
