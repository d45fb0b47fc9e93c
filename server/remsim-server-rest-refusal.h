/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An answer to a REST request whose body the server will not read (too big,
 * or chunked). libsoup 3 reads the whole body before it sends any answer,
 * whatever an early handler says, unless the client asked "Expect:
 * 100-continue": so the connection is taken from libsoup, the answer written
 * on it, what the client still sends read and dropped for a moment (closing
 * on unread data would reset the connection and may lose the answer), and
 * the connection closed.
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/*
 * @msg is answered @status with @body (application/json) and @headers (NULL,
 * or lines each ending in CRLF), then its connection closes
 */
void remsim_server_rest_refusal_send(SoupServerMessage *msg, guint status, const gchar *headers,
				     const gchar *body);

G_END_DECLS
