/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproIpPort: the IP address and port of a bank, to and from text.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

gboolean
rspro_ip_port_from_string(RsproIpPort *ip_port, const gchar *ip, guint16 port)
{
	g_autoptr(GInetAddress) addr = NULL;
	gsize size;

	g_return_val_if_fail(ip_port != NULL, FALSE);
	if (!ip)
		return FALSE;
	addr = g_inet_address_new_from_string(ip);
	if (!addr)
		return FALSE;
	size = g_inet_address_get_native_size(addr);
	memset(ip_port, 0, sizeof(*ip_port));
	ip_port->is_ipv6 = g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6;
	memcpy(ip_port->addr, g_inet_address_to_bytes(addr), MIN(size, sizeof(ip_port->addr)));
	ip_port->port = port;
	return TRUE;
}

gchar *
rspro_ip_port_to_string(const RsproIpPort *ip_port)
{
	g_autoptr(GInetAddress) addr = NULL;

	g_return_val_if_fail(ip_port != NULL, NULL);
	addr = g_inet_address_new_from_bytes(
	    ip_port->addr, ip_port->is_ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
	return g_inet_address_to_string(addr);
}
