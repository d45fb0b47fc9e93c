/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "remsim-slot-file.h"

typedef enum {
	ROW_NOT_BEGUN,
	FIELD_NOT_BEGUN,
	FIELD_UNQUOTED,
	FIELD_QUOTED,
	FIELD_QUOTE_SEEN, /* a quote inside a quoted field: the end, or the first of "" */
} RemsimSlotFileState;

typedef struct {
	const gchar *path;
	RemsimSlotFileState state;
	guint line;	/* current line, from 1 */
	guint row_line; /* where the current row began */
	GPtrArray *fields;
	GString *field;
	gsize keep; /* length of the field without trailing blanks of an unquoted field */
	GPtrArray *rules;
	RemsimSlotRuleKinds kinds;
} RemsimSlotFileParser;

static gboolean
remsim_slot_file_is_blank(gchar c)
{
	return c == ' ' || c == '\t';
}

static void
remsim_slot_file_parser_end_field(RemsimSlotFileParser *p)
{
	if (p->state == FIELD_UNQUOTED)
		g_string_truncate(p->field, p->keep);
	g_ptr_array_add(p->fields, g_string_free(g_steal_pointer(&p->field), FALSE));
	p->field = g_string_new(NULL);
	p->keep = 0;
	p->state = FIELD_NOT_BEGUN;
}

static gboolean
remsim_slot_file_parser_end_row(RemsimSlotFileParser *p, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	RemsimSlotRule *rule;
	const gchar *pattern;

	if (p->state == ROW_NOT_BEGUN)
		return TRUE;
	remsim_slot_file_parser_end_field(p);
	p->state = ROW_NOT_BEGUN;
	if (p->fields->len < 3) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
			    /* TRANSLATORS: FILE:LINE, then how many columns the row has */
			    ngettext("%s:%u: %u column, need bank id, slot number and "
				     "reader-name pattern",
				     "%s:%u: %u columns, need bank id, slot number and "
				     "reader-name pattern",
				     p->fields->len),
			    p->path, p->row_line, p->fields->len);
		return FALSE;
	}
	/* upstream lets every column after the second overwrite the pattern */
	pattern = p->fields->pdata[p->fields->len - 1];
	rule = remsim_slot_rule_new(atoi(p->fields->pdata[0]), atoi(p->fields->pdata[1]), pattern,
				    p->kinds, &local_error);
	if (rule == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: %s", p->path,
			    p->row_line, local_error->message);
		return FALSE;
	}
	rule->line = p->row_line;
	g_ptr_array_add(p->rules, rule);
	g_ptr_array_set_size(p->fields, 0);
	return TRUE;
}

static void
remsim_slot_file_parser_begin_row(RemsimSlotFileParser *p)
{
	if (p->state != ROW_NOT_BEGUN)
		return;
	p->row_line = p->line;
	p->state = FIELD_NOT_BEGUN;
}

/* one character outside a quoted field */
static gboolean
remsim_slot_file_parser_plain_char(RemsimSlotFileParser *p, gchar c, GError **error)
{
	if (c == '\n' || c == '\r')
		return remsim_slot_file_parser_end_row(p, error);
	if (remsim_slot_file_is_blank(c) &&
	    (p->state == ROW_NOT_BEGUN || p->state == FIELD_NOT_BEGUN))
		return TRUE;
	remsim_slot_file_parser_begin_row(p);
	if (c == ',') {
		remsim_slot_file_parser_end_field(p);
	} else if (c == '"' && p->state == FIELD_NOT_BEGUN) {
		p->state = FIELD_QUOTED;
	} else {
		/* text after a closing quote is kept, as libcsv does when not strict */
		if (p->state != FIELD_UNQUOTED)
			p->keep = p->field->len;
		p->state = FIELD_UNQUOTED;
		g_string_append_c(p->field, c);
		if (!remsim_slot_file_is_blank(c))
			p->keep = p->field->len;
	}
	return TRUE;
}

static gboolean
remsim_slot_file_parser_char(RemsimSlotFileParser *p, gchar c, GError **error)
{
	switch (p->state) {
	case FIELD_QUOTED:
		if (c == '"')
			p->state = FIELD_QUOTE_SEEN;
		else
			g_string_append_c(p->field, c);
		return TRUE;
	case FIELD_QUOTE_SEEN:
		if (c == '"') {
			g_string_append_c(p->field, c);
			p->state = FIELD_QUOTED;
			return TRUE;
		}
		/* the quoted field has ended; trailing blanks before a comma are dropped */
		p->state = FIELD_UNQUOTED;
		p->keep = p->field->len;
		if (remsim_slot_file_is_blank(c))
			return TRUE;
		if (c == ',' || c == '\n' || c == '\r')
			return remsim_slot_file_parser_plain_char(p, c, error);
		g_string_append_c(p->field, c);
		p->keep = p->field->len;
		return TRUE;
	default:
		return remsim_slot_file_parser_plain_char(p, c, error);
	}
}

GPtrArray *
remsim_slot_file_parse(const gchar *text, gsize len, const gchar *path, RemsimSlotRuleKinds kinds,
		       GError **error)
{
	g_autoptr(GPtrArray) rules =
	    g_ptr_array_new_with_free_func((GDestroyNotify)remsim_slot_rule_free);
	g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GString) field = g_string_new(NULL);
	RemsimSlotFileParser p = { path, ROW_NOT_BEGUN, 1, 1, fields, NULL, 0, rules, kinds };
	gboolean ok = TRUE;

	p.field = g_steal_pointer(&field);
	for (gsize i = 0; ok && i < len; i++) {
		gchar c = text[i];

		if (c == '\0') {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
				    _("%s:%u: NUL byte in the file"), path, p.line);
			ok = FALSE;
			break;
		}
		ok = remsim_slot_file_parser_char(&p, c, error);
		/* a CR LF pair is one line end */
		if (c == '\n' || (c == '\r' && (i + 1 >= len || text[i + 1] != '\n')))
			p.line++;
	}
	if (ok)
		ok = remsim_slot_file_parser_end_row(&p, error);
	g_string_free(p.field, TRUE);
	return ok ? g_steal_pointer(&rules) : NULL;
}

GPtrArray *
remsim_slot_file_load(const gchar *path, RemsimSlotRuleKinds kinds, GError **error)
{
	g_autofree gchar *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	return remsim_slot_file_parse(text, len, path, kinds, error);
}
