/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproAcceptor: accepts TCP connections on a port, within limits, for
 * RsproListener and for remsim-server's REST API alike.
 *
 * - A total and a per-address number of open connections: a connection past
 *   either is closed as soon as it is accepted. A connection counts from its
 *   accept until its GSocket is freed.
 * - Out of descriptors (or of kernel memory), accept() fails: accepting stops
 *   for RSPRO_ACCEPTOR_BACKOFF_MS and starts again, instead of failing again
 *   at once for every connection waiting in the backlog. The connections
 *   already open go on.
 * - Each of the three (a total, a per-address refusal, a failed accept) is
 *   logged at most once per RSPRO_ACCEPTOR_LOG_INTERVAL_MS, with the count
 *   of what happened since the last line.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RSPRO_ACCEPTOR_BACKOFF_MS 250
#define RSPRO_ACCEPTOR_LOG_INTERVAL_MS 10000

#define RSPRO_TYPE_ACCEPTOR (rspro_acceptor_get_type())
G_DECLARE_FINAL_TYPE(RsproAcceptor, rspro_acceptor, RSPRO, ACCEPTOR, GObject)

/* @name says which port a log line is about ("RSPRO", "REST") */
RsproAcceptor *rspro_acceptor_new(const gchar *name);

/* the most connections open at once, in all and from one address; 0: no limit */
void rspro_acceptor_set_limits(RsproAcceptor *self, guint max_connections, guint max_per_address);

/*
 * Listens on @bind_ip (NULL or "": every address, IPv6 and IPv4 where the
 * host has IPv6) and @port (0: one the kernel picks).
 */
gboolean rspro_acceptor_listen(RsproAcceptor *self, const gchar *bind_ip, guint16 port,
			       GError **error);
/* the port bound, 0 when not listening */
guint16 rspro_acceptor_get_port(RsproAcceptor *self);
/* stops listening; the connections accepted stay their owners' */
void rspro_acceptor_close(RsproAcceptor *self);

/* connections accepted and not freed yet */
guint rspro_acceptor_get_n_connections(RsproAcceptor *self);

/*
 * Signal ::incoming (GSocketConnection *conn): a connection within the
 * limits. Take a reference to keep it; it is closed when the last one goes.
 */

G_END_DECLS
