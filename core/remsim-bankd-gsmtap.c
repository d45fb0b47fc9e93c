/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-bankd-gsmtap.h"
#include "remsim-log.h"

struct _RemsimBankdGsmtap {
	GObject parent_instance;
	gchar *host;
	guint16 port;
	gint slot_nr;
	RemsimLogTag log; /* [gsmtap HOST:PORT] */
	GCancellable *cancellable;
	GSocketAddress *target; /* NULL until the host is resolved */
	GSocket *socket;
	gboolean told_failure;
};

G_DEFINE_FINAL_TYPE(RemsimBankdGsmtap, remsim_bankd_gsmtap, G_TYPE_OBJECT)

static void
remsim_bankd_gsmtap_dispose(GObject *object)
{
	RemsimBankdGsmtap *self = REMSIM_BANKD_GSMTAP(object);

	if (self->cancellable != NULL)
		g_cancellable_cancel(self->cancellable);
	g_clear_object(&self->cancellable);
	g_clear_object(&self->target);
	if (self->socket != NULL)
		g_socket_close(self->socket, NULL);
	g_clear_object(&self->socket);
	G_OBJECT_CLASS(remsim_bankd_gsmtap_parent_class)->dispose(object);
}

static void
remsim_bankd_gsmtap_finalize(GObject *object)
{
	RemsimBankdGsmtap *self = REMSIM_BANKD_GSMTAP(object);

	g_free(self->host);
	G_OBJECT_CLASS(remsim_bankd_gsmtap_parent_class)->finalize(object);
}

static void
remsim_bankd_gsmtap_class_init(RemsimBankdGsmtapClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->dispose = remsim_bankd_gsmtap_dispose;
	object_class->finalize = remsim_bankd_gsmtap_finalize;
}

static void
remsim_bankd_gsmtap_init(RemsimBankdGsmtap *self)
{
}

/* the destination is known: a non-blocking UDP socket of its family */
static void
remsim_bankd_gsmtap_set_address(RemsimBankdGsmtap *self, GInetAddress *address)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = g_inet_address_to_string(address);

	self->socket = g_socket_new(g_inet_address_get_family(address), G_SOCKET_TYPE_DATAGRAM,
				    G_SOCKET_PROTOCOL_UDP, &error);
	if (self->socket == NULL) {
		remsim_log_warning(&self->log, "no UDP socket for GSMTAP: %s", error->message);
		return;
	}
	g_socket_set_blocking(self->socket, FALSE);
	self->target = g_inet_socket_address_new(address, self->port);
	remsim_log_message(&self->log, "sending SIM traces to %s port %u", text, self->port);
}

static void
remsim_bankd_gsmtap_resolve_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GList *addresses = g_resolver_lookup_by_name_finish(G_RESOLVER(source), result, &error);
	GInetAddress *address = addresses != NULL ? addresses->data : NULL;
	RemsimBankdGsmtap *self;

	if (addresses == NULL) {
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			return;
		self = user_data;
		remsim_log_warning(&self->log, "cannot resolve %s: %s; no GSMTAP", self->host,
				   error->message);
		return;
	}
	self = user_data;
	/* an IPv4 address where the name has one: where GSMTAP listeners usually are */
	for (GList *l = addresses; l != NULL; l = l->next) {
		if (g_inet_address_get_family(l->data) == G_SOCKET_FAMILY_IPV4) {
			address = l->data;
			break;
		}
	}
	remsim_bankd_gsmtap_set_address(self, address);
	g_resolver_free_addresses(addresses);
}

RemsimBankdGsmtap *
remsim_bankd_gsmtap_new(const gchar *host, guint16 port, gint slot_nr)
{
	RemsimBankdGsmtap *self = g_object_new(REMSIM_TYPE_BANKD_GSMTAP, NULL);
	g_autoptr(GInetAddress) address = g_inet_address_new_from_string(host);
	g_autofree gchar *name = g_strdup_printf("gsmtap %s:%u", host, port);
	g_autoptr(GResolver) resolver = NULL;

	self->host = g_strdup(host);
	self->port = port;
	self->slot_nr = slot_nr;
	remsim_log_tag_set_name(&self->log, name);
	if (address != NULL) {
		remsim_bankd_gsmtap_set_address(self, address);
		return self;
	}
	/* a name: the resolver's thread looks it up, the main loop never waits for DNS */
	self->cancellable = g_cancellable_new();
	resolver = g_resolver_get_default();
	g_resolver_lookup_by_name_async(resolver, host, self->cancellable,
					remsim_bankd_gsmtap_resolve_ready, self);
	return self;
}

static void
remsim_bankd_gsmtap_send(RemsimBankdGsmtap *self, guint slot_nr, RemsimBankdGsmtapSubType sub_type,
			 GBytes *first, GBytes *second)
{
	g_autoptr(GByteArray) datagram = NULL;
	g_autoptr(GError) error = NULL;
	guint8 header[REMSIM_BANKD_GSMTAP_HEADER_LEN] = { 0 };
	GBytes *parts[] = { first, second };

	if (self->socket == NULL || (self->slot_nr >= 0 && (guint)self->slot_nr != slot_nr))
		return;
	/* version, header length in 32-bit words, type; sub-type at offset 12 */
	header[0] = REMSIM_BANKD_GSMTAP_VERSION;
	header[1] = REMSIM_BANKD_GSMTAP_HEADER_LEN / 4;
	header[2] = REMSIM_BANKD_GSMTAP_TYPE_SIM;
	header[12] = sub_type;
	datagram = g_byte_array_sized_new(sizeof(header) + 300);
	g_byte_array_append(datagram, header, sizeof(header));
	for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
		gsize len = 0;
		const guint8 *data = parts[i] != NULL ? g_bytes_get_data(parts[i], &len) : NULL;

		if (len > 0)
			g_byte_array_append(datagram, data, len);
	}
	if (g_socket_send_to(self->socket, self->target, (const gchar *)datagram->data,
			     datagram->len, NULL, &error) >= 0) {
		self->told_failure = FALSE;
		return;
	}
	/* a trace is a copy for a person to look at: losing one never stops the relay */
	if (!self->told_failure)
		remsim_log_message(&self->log, "a GSMTAP datagram was dropped: %s", error->message);
	self->told_failure = TRUE;
}

void
remsim_bankd_gsmtap_send_atr(RemsimBankdGsmtap *self, guint slot_nr, GBytes *atr)
{
	g_return_if_fail(REMSIM_IS_BANKD_GSMTAP(self));
	remsim_bankd_gsmtap_send(self, slot_nr, REMSIM_BANKD_GSMTAP_SIM_ATR, atr, NULL);
}

void
remsim_bankd_gsmtap_send_apdu(RemsimBankdGsmtap *self, guint slot_nr, GBytes *command,
			      GBytes *response)
{
	g_return_if_fail(REMSIM_IS_BANKD_GSMTAP(self));
	remsim_bankd_gsmtap_send(self, slot_nr, REMSIM_BANKD_GSMTAP_SIM_APDU, command, response);
}
