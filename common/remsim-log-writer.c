/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "remsim-log-writer.h"

static gint remsim_log_writer_level = -1;
static gboolean remsim_log_writer_timestamp;
static gboolean remsim_log_writer_color = TRUE;
static gboolean remsim_log_writer_installed;

gint
remsim_log_writer_level_of(GLogLevelFlags level)
{
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		return REMSIM_LOG_WRITER_LEVEL_FATAL;
	if (level & G_LOG_LEVEL_WARNING)
		return REMSIM_LOG_WRITER_LEVEL_ERROR;
	if (level & G_LOG_LEVEL_MESSAGE)
		return REMSIM_LOG_WRITER_LEVEL_NOTICE;
	if (level & G_LOG_LEVEL_INFO)
		return REMSIM_LOG_WRITER_LEVEL_INFO;
	return REMSIM_LOG_WRITER_LEVEL_DEBUG;
}

gboolean
remsim_log_writer_would_drop(GLogLevelFlags level, const gchar *log_domain)
{
	if (remsim_log_writer_level < 0)
		return g_log_writer_default_would_drop(level, log_domain);
	return remsim_log_writer_level_of(level) < remsim_log_writer_level;
}

static const gchar *
remsim_log_writer_domain(const GLogField *fields, gsize n_fields)
{
	for (gsize i = 0; i < n_fields; i++) {
		if (g_str_equal(fields[i].key, "GLIB_DOMAIN"))
			return fields[i].value;
	}
	return NULL;
}

static GLogWriterOutput
remsim_log_writer_write_cb(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
			   gpointer user_data)
{
	/* a daemon's lines all go to stderr: the shell front end's stdout is its modem side */
	FILE *stream = stderr;
	g_autofree gchar *line = NULL;

	if (remsim_log_writer_would_drop(level, remsim_log_writer_domain(fields, n_fields)))
		return G_LOG_WRITER_HANDLED;
	/* the journal keeps its own time and has no colours */
	if (g_log_writer_is_journald(fileno(stderr)) &&
	    g_log_writer_journald(level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
		return G_LOG_WRITER_HANDLED;
	line = g_log_writer_format_fields(level, fields, n_fields,
					  remsim_log_writer_color &&
					      g_log_writer_supports_color(fileno(stream)));
	if (remsim_log_writer_timestamp) {
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		g_autofree gchar *date = g_date_time_format(now, "%Y-%m-%d");

		/* GLib's line has the time of day already (to the ms): the date completes it */
		fprintf(stream, "%s %s\n", date, line);
	} else {
		fprintf(stream, "%s\n", line);
	}
	fflush(stream);
	return G_LOG_WRITER_HANDLED;
}

void
remsim_log_writer_configure(gint level, gboolean timestamp, gboolean color)
{
	remsim_log_writer_level = level;
	remsim_log_writer_timestamp = timestamp;
	remsim_log_writer_color = color;
	/* GLib takes one writer per process: a reload only changes the settings */
	if (remsim_log_writer_installed)
		return;
	g_log_set_writer_func(remsim_log_writer_write_cb, NULL, NULL);
	remsim_log_writer_installed = TRUE;
}
