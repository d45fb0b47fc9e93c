/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-log.h"
#include "remsim-log-writer.h"

#define REMSIM_LOG_HIDDEN "[hidden]"
#define REMSIM_LOG_APDU_HEADER 5
#define REMSIM_LOG_SW 2

static gboolean remsim_log_show_personal;

void
remsim_log_tag_set_bank_slot(RemsimLogTag *tag, guint bank_id, guint slot_nr)
{
	memset(tag, 0, sizeof(*tag));
	g_snprintf(tag->prefix, sizeof(tag->prefix), "[bank %u slot %u]", bank_id, slot_nr);
	g_snprintf(tag->bank, sizeof(tag->bank), "%u", bank_id);
	g_snprintf(tag->slot, sizeof(tag->slot), "%u", slot_nr);
}

void
remsim_log_tag_set_bank(RemsimLogTag *tag, guint bank_id)
{
	memset(tag, 0, sizeof(*tag));
	g_snprintf(tag->prefix, sizeof(tag->prefix), "[bank %u]", bank_id);
	g_snprintf(tag->bank, sizeof(tag->bank), "%u", bank_id);
}

void
remsim_log_tag_set_client(RemsimLogTag *tag, guint client_id, guint slot_nr)
{
	memset(tag, 0, sizeof(*tag));
	g_snprintf(tag->prefix, sizeof(tag->prefix), "[client %u:%u]", client_id, slot_nr);
	g_snprintf(tag->client, sizeof(tag->client), "%u:%u", client_id, slot_nr);
}

void
remsim_log_tag_set_name(RemsimLogTag *tag, const gchar *name)
{
	memset(tag, 0, sizeof(*tag));
	g_snprintf(tag->prefix, sizeof(tag->prefix), "[%s]", name);
}

/* syslog's priorities, which journald's PRIORITY field takes */
static const gchar *
remsim_log_priority(GLogLevelFlags level)
{
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		return level & G_LOG_LEVEL_ERROR ? "3" : "4";
	if (level & G_LOG_LEVEL_WARNING)
		return "4";
	if (level & G_LOG_LEVEL_MESSAGE)
		return "5";
	if (level & G_LOG_LEVEL_INFO)
		return "6";
	return "7";
}

static void
remsim_log_add_field(GLogField *fields, gsize *n, const gchar *key, const gchar *value)
{
	if (value == NULL || value[0] == '\0')
		return;
	fields[*n].key = key;
	fields[*n].value = value;
	fields[*n].length = -1;
	(*n)++;
}

gboolean
remsim_log_debug_enabled(const gchar *log_domain)
{
	return !remsim_log_writer_would_drop(G_LOG_LEVEL_DEBUG, log_domain);
}

void
remsim_log_structured(const gchar *log_domain, GLogLevelFlags level, const RemsimLogTag *tag,
		      const gchar *file, const gchar *line, const gchar *func, const gchar *format,
		      ...)
{
	g_autofree gchar *text = NULL;
	g_autofree gchar *message = NULL;
	GLogField fields[10];
	gsize n = 0;
	va_list args;

	/* debug and info lines are usually dropped: do not build them then */
	if ((level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 &&
	    remsim_log_writer_would_drop(level, log_domain))
		return;
	va_start(args, format);
	text = g_strdup_vprintf(format, args);
	va_end(args);
	if (tag != NULL && tag->prefix[0] != '\0')
		message = g_strconcat(tag->prefix, " ", text, NULL);
	remsim_log_add_field(fields, &n, "MESSAGE", message != NULL ? message : text);
	remsim_log_add_field(fields, &n, "PRIORITY", remsim_log_priority(level));
	remsim_log_add_field(fields, &n, "GLIB_DOMAIN", log_domain);
	remsim_log_add_field(fields, &n, "CODE_FILE", file);
	remsim_log_add_field(fields, &n, "CODE_LINE", line);
	remsim_log_add_field(fields, &n, "CODE_FUNC", func);
	if (tag != NULL) {
		remsim_log_add_field(fields, &n, "REMSIM_BANK", tag->bank);
		remsim_log_add_field(fields, &n, "REMSIM_SLOT", tag->slot);
		remsim_log_add_field(fields, &n, "REMSIM_CLIENT", tag->client);
	}
	g_log_structured_array(level, fields, n);
}

void
remsim_log_set_personal_info(gboolean show)
{
	remsim_log_show_personal = show;
}

gboolean
remsim_log_get_personal_info(void)
{
	return remsim_log_show_personal;
}

const gchar *
remsim_log_personal(const gchar *value)
{
	if (value == NULL)
		return "(null)";
	return remsim_log_show_personal ? value : REMSIM_LOG_HIDDEN;
}

static void
remsim_log_append_hex(GString *out, const guint8 *data, gsize len)
{
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(out, "%s%02x", out->len > 0 ? " " : "", data[i]);
}

/* the hex of @data[@from..@to) or, without --log-personal-info, its length */
static void
remsim_log_append_private(GString *out, const guint8 *data, gsize from, gsize to)
{
	if (from >= to)
		return;
	if (remsim_log_show_personal) {
		remsim_log_append_hex(out, data + from, to - from);
		return;
	}
	g_string_append_printf(out, "%s[%" G_GSIZE_FORMAT " bytes]", out->len > 0 ? " " : "",
			       to - from);
}

gchar *
remsim_log_apdu_command(GBytes *apdu)
{
	gsize len = 0;
	const guint8 *data = apdu != NULL ? g_bytes_get_data(apdu, &len) : NULL;
	GString *out = g_string_new(NULL);
	gsize header = MIN(len, REMSIM_LOG_APDU_HEADER);

	if (len == 0)
		return g_string_free(out, FALSE);
	remsim_log_append_hex(out, data, header);
	remsim_log_append_private(out, data, header, len);
	return g_string_free(out, FALSE);
}

gchar *
remsim_log_apdu_response(GBytes *response)
{
	gsize len = 0;
	const guint8 *data = response != NULL ? g_bytes_get_data(response, &len) : NULL;
	GString *out = g_string_new(NULL);
	gsize body = len > REMSIM_LOG_SW ? len - REMSIM_LOG_SW : 0;

	if (len == 0)
		return g_string_free(out, FALSE);
	remsim_log_append_private(out, data, 0, body);
	remsim_log_append_hex(out, data + body, len - body);
	return g_string_free(out, FALSE);
}
