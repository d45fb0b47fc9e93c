/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim_audit: one log line for each change an operator may have to account
 * for (a slot map made or removed, a reset, a reload) and for each refused
 * caller (an unknown REST token, a D-Bus caller without the right), naming
 * who asked:
 *
 *   audit: caller=CALLER action=ACTION [DETAILS] result=RESULT
 *
 * CALLER is "token:NAME" (REST with tokens), "peer:ADDRESS" (REST without
 * tokens) or "dbus:UNIQUE-NAME(uid=UID)". The line is a message (always
 * shown) and carries the journald fields REMSIM_AUDIT=1,
 * REMSIM_AUDIT_CALLER and REMSIM_AUDIT_ACTION. Never a token, key or PIN.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void remsim_audit_log(const gchar *log_domain, const gchar *caller, const gchar *action,
		      const gchar *result, const gchar *details_format, ...) G_GNUC_PRINTF(5, 6);

/* remsim_audit(caller, action, result, "bank=%u:%u", ...); "" for no details */
#define remsim_audit(caller, action, result, ...)                                                  \
	remsim_audit_log(G_LOG_DOMAIN, caller, action, result, __VA_ARGS__)

G_END_DECLS
