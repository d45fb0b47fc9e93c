/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What JSON from a peer (a REST body, a remsim message over RSPRO) must pass
 * before json-glib parses it. json-glib recurses once per nesting level
 * (100,000 levels crash a daemon), keeps the last of two equal keys, and wraps
 * integers that do not fit 64 bits (18446744073709551617 reads as 1): so the
 * text is scanned first, without recursion, for its depth and its keys, and
 * the text of its numbers is kept for range checks and their messages.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* a slot map is two levels deep, a bank's report four: room to grow, none for a bomb */
#define REMSIM_JSON_MAX_DEPTH 32

/*
 * Scans @len bytes of JSON text: FALSE (G_IO_ERROR_INVALID_DATA, a message for
 * the 400's body) if objects or arrays nest deeper than @max_depth, or an
 * object has a key twice. Syntax is json-glib's to check, after. On success
 * @numbers (if not NULL) maps the path of each number that is an object member
 * ("bank.bankId"; "[]" stands for an array level) to its text as written.
 */
gboolean remsim_json_scan(const gchar *text, gsize len, guint max_depth, GHashTable **numbers,
			  GError **error);

G_END_DECLS
