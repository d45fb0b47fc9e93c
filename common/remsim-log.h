/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Log lines that say which object they are about, for operators (never
 * translated): "[bank 1 slot 7] card removed", with the object's ids also as
 * journald fields (REMSIM_BANK, REMSIM_SLOT, REMSIM_CLIENT) next to MESSAGE,
 * PRIORITY, GLIB_DOMAIN and CODE_*, through GLib's structured logging.
 *
 * Subscriber data (IMSI, ICCID, Ki, OPc, PINs, APDU data) is hidden unless the
 * daemon runs with --log-personal-info: pass such values through
 * remsim_log_personal() or the APDU helpers.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* which object a line is about; set once, for example when the object is made */
typedef struct {
	gchar prefix[80]; /* "[bank 1 slot 7]", "" for none */
	gchar bank[8];	  /* REMSIM_BANK, "" for none */
	gchar slot[8];	  /* REMSIM_SLOT, the bank slot */
	gchar client[16]; /* REMSIM_CLIENT, "23:0" */
} RemsimLogTag;

/* "[bank B slot N]" */
void remsim_log_tag_set_bank_slot(RemsimLogTag *tag, guint bank_id, guint slot_nr);
/* "[bank B]" */
void remsim_log_tag_set_bank(RemsimLogTag *tag, guint bank_id);
/* "[client C:N]" */
void remsim_log_tag_set_client(RemsimLogTag *tag, guint client_id, guint slot_nr);
/* "[@name]" for anything else ("server", "peer 192.0.2.1:4711"); no fields */
void remsim_log_tag_set_name(RemsimLogTag *tag, const gchar *name);

/* one line about @tag (NULL: no object); use the macros below */
void remsim_log_structured(const gchar *log_domain, GLogLevelFlags level, const RemsimLogTag *tag,
			   const gchar *file, const gchar *line, const gchar *func,
			   const gchar *format, ...) G_GNUC_PRINTF(7, 8);

#define REMSIM_LOG_(level, tag, ...)                                                               \
	remsim_log_structured(G_LOG_DOMAIN, level, tag, __FILE__, G_STRINGIFY(__LINE__),           \
			      G_STRFUNC, __VA_ARGS__)
#define remsim_log_debug(tag, ...) REMSIM_LOG_(G_LOG_LEVEL_DEBUG, tag, __VA_ARGS__)
#define remsim_log_info(tag, ...) REMSIM_LOG_(G_LOG_LEVEL_INFO, tag, __VA_ARGS__)
#define remsim_log_message(tag, ...) REMSIM_LOG_(G_LOG_LEVEL_MESSAGE, tag, __VA_ARGS__)
#define remsim_log_warning(tag, ...) REMSIM_LOG_(G_LOG_LEVEL_WARNING, tag, __VA_ARGS__)

/* FALSE if a debug line of @log_domain would be dropped: skip building it */
gboolean remsim_log_debug_enabled(const gchar *log_domain);

/* --log-personal-info: show subscriber data in logs (off by default) */
void remsim_log_set_personal_info(gboolean show);
gboolean remsim_log_get_personal_info(void);

/* @value (an IMSI, ICCID, PIN ...), or "[hidden]" */
const gchar *remsim_log_personal(const gchar *value);
/*
 * A command APDU for a log line: its header always ("00 a4 00 00 02"), its data
 * only with --log-personal-info ("[2 bytes]" otherwise). A response: its status
 * word always, its data likewise.
 */
gchar *remsim_log_apdu_command(GBytes *apdu);
gchar *remsim_log_apdu_response(GBytes *response);

G_END_DECLS
