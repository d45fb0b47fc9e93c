/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>

#include "remsim-ctl-output.h"
#include "remsim-ctl-table.h"

struct _RemsimCtlTable {
	GPtrArray *headings; /* gchar * */
	GArray *kinds;	     /* RemsimCtlColumnKind */
	GPtrArray *rows;     /* GStrv, one cell per column, NULL for "-" */
};

RemsimCtlTable *
remsim_ctl_table_new(void)
{
	RemsimCtlTable *self = g_new0(RemsimCtlTable, 1);

	self->headings = g_ptr_array_new_with_free_func(g_free);
	self->kinds = g_array_new(FALSE, FALSE, sizeof(RemsimCtlColumnKind));
	self->rows = g_ptr_array_new_with_free_func(g_free);
	return self;
}

static void
remsim_ctl_table_free_row(gchar **cells, guint n)
{
	for (guint i = 0; i < n; i++)
		g_free(cells[i]);
	g_free(cells);
}

void
remsim_ctl_table_free(RemsimCtlTable *self)
{
	for (guint i = 0; i < self->rows->len; i++)
		remsim_ctl_table_free_row(g_steal_pointer(&self->rows->pdata[i]),
					  self->headings->len);
	g_ptr_array_unref(self->rows);
	g_ptr_array_unref(self->headings);
	g_array_unref(self->kinds);
	g_free(self);
}

void
remsim_ctl_table_add_column(RemsimCtlTable *self, const gchar *heading, RemsimCtlColumnKind kind)
{
	g_return_if_fail(self->rows->len == 0);
	g_ptr_array_add(self->headings, g_strdup(heading));
	g_array_append_val(self->kinds, kind);
}

guint
remsim_ctl_table_get_n_columns(RemsimCtlTable *self)
{
	return self->headings->len;
}

void
remsim_ctl_table_add_row(RemsimCtlTable *self, ...)
{
	gchar **cells = g_new0(gchar *, self->headings->len);
	va_list ap;

	va_start(ap, self);
	for (guint i = 0; i < self->headings->len; i++)
		cells[i] = g_strdup(va_arg(ap, const gchar *));
	va_end(ap);
	g_ptr_array_add(self->rows, cells);
}

void
remsim_ctl_table_add_row_take(RemsimCtlTable *self, gchar **cells)
{
	g_ptr_array_add(self->rows, cells);
}

/* the columns a text takes on a terminal: two for wide characters */
static guint
remsim_ctl_table_width(const gchar *text)
{
	guint width = 0;

	for (const gchar *p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (g_unichar_iszerowidth(c))
			continue;
		width += g_unichar_iswide(c) ? 2 : 1;
	}
	return width;
}

/* what a cell shows: "-" for nothing, a state word translated */
static const gchar *
remsim_ctl_table_text(RemsimCtlTable *self, guint column, const gchar *cell)
{
	if (cell == NULL)
		return "-";
	if (g_array_index(self->kinds, RemsimCtlColumnKind, column) == REMSIM_CTL_COLUMN_STATE)
		return remsim_ctl_output_state_label(cell);
	return cell;
}

static void
remsim_ctl_table_print_line(RemsimCtlTable *self, const guint *widths, gchar **cells,
			    gboolean heading, gboolean colour)
{
	GString *line = g_string_new(NULL);

	for (guint i = 0; i < self->headings->len; i++) {
		const gchar *text = heading ? cells[i] : remsim_ctl_table_text(self, i, cells[i]);
		g_autofree gchar *painted = NULL;
		gboolean last = i + 1 == self->headings->len;

		if (heading)
			painted = remsim_ctl_output_bold(text, colour);
		else if (g_array_index(self->kinds, RemsimCtlColumnKind, i) ==
			 REMSIM_CTL_COLUMN_STATE)
			painted = remsim_ctl_output_paint(cells[i], text, colour);
		else
			painted = g_strdup(text);
		g_string_append(line, painted);
		if (!last)
			for (guint w = remsim_ctl_table_width(text); w < widths[i] + 2; w++)
				g_string_append_c(line, ' ');
	}
	g_strchomp(line->str);
	fputs(line->str, stdout);
	fputc('\n', stdout);
	g_string_free(line, TRUE);
}

void
remsim_ctl_table_print(RemsimCtlTable *self, gboolean colour)
{
	g_autofree guint *widths = g_new0(guint, self->headings->len);

	for (guint i = 0; i < self->headings->len; i++) {
		widths[i] = remsim_ctl_table_width(self->headings->pdata[i]);
		for (guint r = 0; r < self->rows->len; r++) {
			gchar **cells = self->rows->pdata[r];

			widths[i] =
			    MAX(widths[i],
				remsim_ctl_table_width(remsim_ctl_table_text(self, i, cells[i])));
		}
	}
	remsim_ctl_table_print_line(self, widths, (gchar **)self->headings->pdata, TRUE, colour);
	for (guint r = 0; r < self->rows->len; r++)
		remsim_ctl_table_print_line(self, widths, self->rows->pdata[r], FALSE, colour);
	fflush(stdout);
}
