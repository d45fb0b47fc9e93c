/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the server believes of a bank: the endpoint it announces in its
 * connectBankReq (`bound`), which the server hands to clients as the place to
 * send their SIM traffic. (What a peer may claim by its certificate is
 * common/remsim-tls.h's.)
 */
#pragma once

#include "rspro-connection.h"
#include "rspro-pdu.h"

G_BEGIN_DECLS

/*
 * The allowed list of the bank-allowed-addresses key: IP addresses separated
 * by commas (spaces allowed), as GInetAddress; an empty array for NULL or "".
 * An error names the word that is no IP address.
 */
GPtrArray *remsim_server_trust_parse_addresses(const gchar *list, GError **error);

/*
 * TRUE if a bank connected over @conn may send clients to @bound: an
 * unspecified address (0.0.0.0 or ::, upstream's default: the server uses the
 * bank's peer address), the bank's peer address itself, an address of
 * @allowed, or, for a bank that connects over loopback (it runs on the
 * server's host), one of the host's own addresses.
 */
gboolean remsim_server_trust_bound_allowed(RsproConnection *conn, const RsproIpPort *bound,
					   GPtrArray *allowed);

/* "192.0.2.1" or "2001:db8::1", for logs */
gchar *remsim_server_trust_ip_to_string(const RsproIpPort *ip);

G_END_DECLS
