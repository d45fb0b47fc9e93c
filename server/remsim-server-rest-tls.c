/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-server-rest-tls.h"

/* one handshake under way */
typedef struct {
	GWeakRef owner;
	RemsimServerRestTlsReady ready;
	GSocketConnection *conn;
	GIOStream *tls;
	GCancellable *cancellable; /* cancelled when the time is up */
	guint timer;
} RemsimServerRestTlsPending;

static void
remsim_server_rest_tls_pending_free(RemsimServerRestTlsPending *p)
{
	g_clear_handle_id(&p->timer, g_source_remove);
	g_weak_ref_clear(&p->owner);
	g_clear_object(&p->conn);
	g_clear_object(&p->tls);
	g_clear_object(&p->cancellable);
	g_free(p);
}

static gboolean
remsim_server_rest_tls_timeout_cb(gpointer data)
{
	RemsimServerRestTlsPending *p = data;

	p->timer = 0;
	g_cancellable_cancel(p->cancellable);
	return G_SOURCE_REMOVE;
}

static void
remsim_server_rest_tls_handshake_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	RemsimServerRestTlsPending *p = data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GObject) owner = g_weak_ref_get(&p->owner);
	gboolean ok = g_tls_connection_handshake_finish(G_TLS_CONNECTION(source), result, &error);

	if (!ok) {
		g_autoptr(GSocketAddress) remote =
		    g_socket_connection_get_remote_address(p->conn, NULL);
		g_autofree gchar *who =
		    remote != NULL ? g_socket_connectable_to_string(G_SOCKET_CONNECTABLE(remote))
				   : g_strdup("a peer");

		g_debug("REST: TLS handshake with %s failed: %s", who,
			g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
			    ? "no handshake in time"
			    : error->message);
		g_io_stream_close(G_IO_STREAM(p->conn), NULL, NULL);
	}
	if (owner != NULL)
		p->ready(ok ? p->tls : NULL, p->conn, owner);
	remsim_server_rest_tls_pending_free(p);
}

/*
 * A client's certificate: glib-networking leaves every one to this signal on
 * the server side, with what its check against the CA bundle found. Taken if
 * that found nothing wrong; else refused, and the log says why.
 */
static gboolean
remsim_server_rest_tls_accept_certificate_cb(GTlsConnection *conn, GTlsCertificate *cert,
					     GTlsCertificateFlags errors, gpointer data)
{
	g_autofree gchar *subject = NULL;

	if (errors == 0)
		return TRUE;
	g_object_get(cert, "subject-name", &subject, NULL);
	g_debug("REST: client certificate %s refused (GTlsCertificateFlags 0x%x)",
		subject != NULL ? subject : "?", (guint)errors);
	return FALSE;
}

void
remsim_server_rest_tls_accept(const RemsimServerRestTls *tls, GSocketConnection *conn,
			      GObject *owner, RemsimServerRestTlsReady ready)
{
	g_autoptr(GError) error = NULL;
	RemsimServerRestTlsPending *p;
	GIOStream *stream =
	    g_tls_server_connection_new(G_IO_STREAM(conn), tls->certificate, &error);

	if (stream == NULL) {
		g_warning("REST: no TLS for a connection: %s", error->message);
		g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
		return;
	}
	if (tls->ca != NULL) {
		g_tls_connection_set_database(G_TLS_CONNECTION(stream), tls->ca);
		g_object_set(stream, "authentication-mode",
			     tls->require_peer_certificate ? G_TLS_AUTHENTICATION_REQUIRED
							   : G_TLS_AUTHENTICATION_REQUESTED,
			     NULL);
	}
	g_signal_connect(stream, "accept-certificate",
			 G_CALLBACK(remsim_server_rest_tls_accept_certificate_cb), NULL);
	p = g_new0(RemsimServerRestTlsPending, 1);
	g_weak_ref_init(&p->owner, owner);
	p->ready = ready;
	p->conn = g_object_ref(conn);
	p->tls = stream;
	p->cancellable = g_cancellable_new();
	p->timer = g_timeout_add(REMSIM_SERVER_REST_TLS_HANDSHAKE_MS,
				 remsim_server_rest_tls_timeout_cb, p);
	g_tls_connection_handshake_async(G_TLS_CONNECTION(stream), G_PRIORITY_DEFAULT,
					 p->cancellable, remsim_server_rest_tls_handshake_ready, p);
}

void
remsim_server_rest_tls_free(RemsimServerRestTls *tls)
{
	if (tls == NULL)
		return;
	g_clear_object(&tls->certificate);
	g_clear_object(&tls->ca);
	g_free(tls);
}
