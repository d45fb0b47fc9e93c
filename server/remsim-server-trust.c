/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The announced endpoint's check (remsim-server-trust.h). Without it a peer
 * that registers as a bank could point clients (their APDUs, their
 * authentication requests) at any host.
 */
#include "config.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "remsim-server-trust.h"

GPtrArray *
remsim_server_trust_parse_addresses(const gchar *list, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_object_unref);
	g_auto(GStrv) words = g_strsplit(list != NULL ? list : "", ",", -1);

	for (guint i = 0; words[i] != NULL; i++) {
		g_autofree gchar *word = g_strstrip(g_strdup(words[i]));
		GInetAddress *addr;

		if (*word == '\0')
			continue;
		addr = g_inet_address_new_from_string(word);
		if (addr == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "bank-allowed-addresses: \"%s\" is not an IP address", word);
			return NULL;
		}
		g_ptr_array_add(out, addr);
	}
	return g_steal_pointer(&out);
}

static GInetAddress *
remsim_server_trust_ip_address(const RsproIpPort *ip)
{
	return g_inet_address_new_from_bytes(ip->addr, ip->is_ipv6 ? G_SOCKET_FAMILY_IPV6
								   : G_SOCKET_FAMILY_IPV4);
}

gchar *
remsim_server_trust_ip_to_string(const RsproIpPort *ip)
{
	g_autoptr(GInetAddress) addr = remsim_server_trust_ip_address(ip);

	return g_inet_address_to_string(addr);
}

/* an IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d: compare it as IPv4 */
static GInetAddress *
remsim_server_trust_unmap(GInetAddress *addr)
{
	static const guint8 v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const guint8 *bytes = g_inet_address_to_bytes(addr);

	if (g_inet_address_get_family(addr) == G_SOCKET_FAMILY_IPV6 &&
	    memcmp(bytes, v4_mapped, sizeof(v4_mapped)) == 0)
		return g_inet_address_new_from_bytes(bytes + 12, G_SOCKET_FAMILY_IPV4);
	return g_object_ref(addr);
}

/* TRUE if @addr is one of this host's interface addresses */
static gboolean
remsim_server_trust_is_local(GInetAddress *addr)
{
	struct ifaddrs *list = NULL;
	gboolean found = FALSE;

	if (getifaddrs(&list) != 0)
		return FALSE;
	for (struct ifaddrs *ifa = list; ifa != NULL && !found; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL ||
		    (ifa->ifa_addr->sa_family != AF_INET && ifa->ifa_addr->sa_family != AF_INET6))
			continue;

		gsize len = ifa->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in)
								: sizeof(struct sockaddr_in6);
		g_autoptr(GSocketAddress) sa = g_socket_address_new_from_native(ifa->ifa_addr, len);

		if (G_IS_INET_SOCKET_ADDRESS(sa))
			found = g_inet_address_equal(
			    addr, g_inet_socket_address_get_address(G_INET_SOCKET_ADDRESS(sa)));
	}
	freeifaddrs(list);
	return found;
}

gboolean
remsim_server_trust_bound_allowed(RsproConnection *conn, const RsproIpPort *bound,
				  GPtrArray *allowed)
{
	g_autoptr(GInetAddress) announced = remsim_server_trust_ip_address(bound);
	GInetSocketAddress *remote = rspro_connection_get_remote_address(conn);
	g_autoptr(GInetAddress) peer = NULL;

	if (g_inet_address_get_is_any(announced))
		return TRUE;
	if (remote != NULL) {
		peer = remsim_server_trust_unmap(g_inet_socket_address_get_address(remote));
		if (g_inet_address_equal(peer, announced))
			return TRUE;
	}
	for (guint i = 0; allowed != NULL && i < allowed->len; i++)
		if (g_inet_address_equal(allowed->pdata[i], announced))
			return TRUE;
	return peer != NULL && g_inet_address_get_is_loopback(peer) &&
	       remsim_server_trust_is_local(announced);
}
