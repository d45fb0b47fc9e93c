/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which log lines a daemon writes, and how they look on a terminal or in a
 * file: upstream's -e (a global log level, in its numbers), -T (a full
 * timestamp on every line) and -L (no colours). Without them the lines are
 * GLib's default ones, handed to journald when stderr is the journal; but every
 * line goes to stderr, as upstream's do, debug and info lines included (GLib's
 * default writer puts those on stdout, which is the shell front end's output).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* upstream's (libosmocore's) levels, as -e takes them */
#define REMSIM_LOG_WRITER_LEVEL_DEBUG 1
#define REMSIM_LOG_WRITER_LEVEL_INFO 3
#define REMSIM_LOG_WRITER_LEVEL_NOTICE 5
#define REMSIM_LOG_WRITER_LEVEL_ERROR 7
#define REMSIM_LOG_WRITER_LEVEL_FATAL 8

/*
 * Puts the settings in force, and the daemon's writer from the first call on
 * (GLib takes one writer per process); called again at a reload.
 *
 * @level: lines below it are dropped and lines from it up are written (debug
 * lines too, with 1); -1: GLib's own rules (-d, G_MESSAGES_DEBUG).
 * @timestamp: each line starts with the date (GLib's line has the time of day).
 * @color: GLib's colours on a terminal.
 */
void remsim_log_writer_configure(gint level, gboolean timestamp, gboolean color);

/* TRUE if a line of @level in @log_domain would not be written */
gboolean remsim_log_writer_would_drop(GLogLevelFlags level, const gchar *log_domain);

/* a line's level in upstream's numbers (debug 1, info 3, notice 5, error 7, fatal 8) */
gint remsim_log_writer_level_of(GLogLevelFlags level);

G_END_DECLS
