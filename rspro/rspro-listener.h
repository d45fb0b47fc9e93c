/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproListener: accepts RSPRO connections on a TCP port, through an
 * RsproAcceptor (connection limits, back-off when out of descriptors).
 */
#pragma once

#include "rspro-acceptor.h"
#include "rspro-connection.h"

G_BEGIN_DECLS

#define RSPRO_TYPE_LISTENER (rspro_listener_get_type())
G_DECLARE_FINAL_TYPE(RsproListener, rspro_listener, RSPRO, LISTENER, GObject)

RsproListener *rspro_listener_new(void);

/* keep-alive for every accepted connection (see rspro_connection_set_keepalive()) */
void rspro_listener_set_keepalive(RsproListener *self, guint interval_ms, guint timeout_ms);

/*
 * The most connections open at once, in all and from one address (0: no
 * limit); one past them is closed as soon as it is accepted, with a log line.
 * Call before listening.
 */
void rspro_listener_set_limits(RsproListener *self, guint max_connections, guint max_per_address);

/* @bind_ip NULL or "" for every address; @port 0 for an ephemeral port */
gboolean rspro_listener_listen(RsproListener *self, const gchar *bind_ip, guint16 port,
			       GError **error);
/* the port actually bound */
guint16 rspro_listener_get_port(RsproListener *self);
/* connections accepted and not freed yet */
guint rspro_listener_get_n_connections(RsproListener *self);
void rspro_listener_close(RsproListener *self);

/*
 * Signal ::connection (RsproConnection *conn): a new peer. Connect to the
 * connection's signals in the handler; the listener starts it after the
 * handlers have run and keeps no reference.
 */

G_END_DECLS
