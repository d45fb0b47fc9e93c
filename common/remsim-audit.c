/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-audit.h"

void
remsim_audit_log(const gchar *log_domain, const gchar *caller, const gchar *action,
		 const gchar *result, const gchar *details_format, ...)
{
	g_autofree gchar *details = NULL;
	g_autofree gchar *message = NULL;
	va_list args;

	va_start(args, details_format);
	details = g_strdup_vprintf(details_format, args);
	va_end(args);
	message = g_strdup_printf("audit: caller=%s action=%s%s%s result=%s", caller, action,
				  details[0] != '\0' ? " " : "", details, result);
	/* a message, not info: audit lines are kept whatever the log level */
	GLogField fields[] = {
		{ "MESSAGE", message, -1 },
		{ "PRIORITY", "5", -1 },
		{ "GLIB_DOMAIN", log_domain, -1 },
		{ "REMSIM_AUDIT", "1", -1 },
		{ "REMSIM_AUDIT_CALLER", caller, -1 },
		{ "REMSIM_AUDIT_ACTION", action, -1 },
	};
	g_log_structured_array(G_LOG_LEVEL_MESSAGE, fields, G_N_ELEMENTS(fields));
}
