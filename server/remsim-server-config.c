/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-daemon.h"
#include "remsim-server-config.h"

#define REMSIM_SERVER_CONFIG_FIELD(kind, m) REMSIM_CONFIG_FIELD_##kind(RemsimServerConfig, m)

/* upstream's server has no address or port options: -d, -L and -V are common keys */
static const RemsimConfigKey remsim_server_config_keys[] = {
	{ .key = "bind-ip",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("ADDR"),
	  .help = N_("Address for RSPRO connections from banks and clients (default: every "
		     "address)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, bind_ip) },
	{ .key = "rspro-port",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_SERVER_DEFAULT_RSPRO_PORT),
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("RSPRO port; 0: any free port"),
	  REMSIM_SERVER_CONFIG_FIELD(INT, rspro_port) },
	{ .key = "rest-bind-ip",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("ADDR"),
	  .help = N_("Address of the REST API (default: every address)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, rest_bind_ip) },
	{ .key = "rest-port",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_SERVER_DEFAULT_REST_PORT),
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("REST port; 0: any free port"),
	  REMSIM_SERVER_CONFIG_FIELD(INT, rest_port) },
	{ .key = "rest-tokens-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("Bearer tokens the REST API requires, one \"NAME read|write TOKEN\" a "
		     "line (default: none, the REST API is open)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, rest_tokens_file) },
	{ .key = "rest-tls-cert",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("Serve the REST API over HTTPS only, with this certificate (PEM; default: "
		     "plain HTTP)") },
	{ .key = "rest-tls-key",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("The private key of rest-tls-cert (PEM; default: in the certificate's "
		     "file)") },
	{ .key = "rest-tls-ca",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("CA certificates (PEM) that REST clients' certificates are checked "
		     "against; a client is asked for one") },
	{ .key = "rest-tls-require-peer-certificate",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "false",
	  .help = N_("Refuse a REST client without a certificate rest-tls-ca trusts") },
	{ .key = "max-connections",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_DAEMON_DEFAULT_MAX_CONNECTIONS),
	  .min = 0,
	  .max = REMSIM_DAEMON_MAX_CONNECTIONS_LIMIT,
	  .arg = N_("N"),
	  .help = N_("Most connections open at once on the RSPRO port, and on the REST port; "
		     "0: no limit"),
	  REMSIM_SERVER_CONFIG_FIELD(INT, max_connections) },
	{ .key = "max-connections-per-address",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_DAEMON_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
	  .min = 0,
	  .max = REMSIM_DAEMON_MAX_CONNECTIONS_LIMIT,
	  .arg = N_("N"),
	  .help = N_("Most connections open at once from one address, on each port; 0: no "
		     "limit"),
	  REMSIM_SERVER_CONFIG_FIELD(INT, max_connections_per_address) },
	{ .key = "tls",
	  .type = REMSIM_CONFIG_TYPE_CHOICE,
	  .default_value = "off",
	  .choices = "off|on|either",
	  .arg = N_("MODE"),
	  .help = N_("TLS on the RSPRO port: off (plain, as upstream), on (TLS only), either "
		     "(TLS or plain, by the peer's first byte)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, tls) },
	{ .key = "tls-cert-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("The RSPRO port's TLS certificate (PEM; the key too, without "
		     "--tls-key-file)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, tls_cert_file) },
	{ .key = "tls-key-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("The private key of --tls-cert-file (PEM)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, tls_key_file) },
	{ .key = "tls-ca-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("CA certificates (PEM) that sign the certificates of banks and clients"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, tls_ca_file) },
	{ .key = "tls-require-peer-certificate",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "false",
	  .help = N_("Mutual TLS: every bank and client presents a certificate of "
		     "--tls-ca-file, and claims only the bank or client its certificate names "
		     "(bank:N, client:N, client:N:S)"),
	  REMSIM_SERVER_CONFIG_FIELD(BOOLEAN, tls_require_peer_certificate) },
	{ .key = "bank-allowed-addresses",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("ADDR,..."),
	  .help = N_("Addresses a bank may announce for its clients besides the one it "
		     "connects from (comma-separated IP addresses)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, bank_allowed_addresses) },
	{ .key = "state-dir",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .default_value = REMSIM_LOCALSTATEDIR,
	  .arg = N_("DIR"),
	  .help = N_("Directory of the slot map database (server.db)"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, state_dir) },
	{ .key = "port-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .arg = N_("FILE"),
	  .help = N_("Write the bound ports to FILE once listening"),
	  REMSIM_SERVER_CONFIG_FIELD(STRING, port_file) },
	{ NULL },
};

static const RemsimConfigSchema remsim_server_config_schema = {
	.program = "remsim-server",
	.group = REMSIM_SERVER_CONFIG_GROUP,
	.summary = N_("The remsim server: banks, clients and slot maps."),
	.keys = remsim_server_config_keys,
	.config_short = 'c',
	.version_short = 'V',
	.log_level_short = 'e',
	.groups = REMSIM_CONFIG_GROUPS_NONE,
};

const RemsimConfigSchema *
remsim_server_config_get_schema(void)
{
	return &remsim_server_config_schema;
}

void
remsim_server_config_free(RemsimServerConfig *cfg)
{
	if (cfg == NULL)
		return;
	remsim_config_clear_fields(&remsim_server_config_schema, cfg);
	g_clear_pointer(&cfg->file, remsim_config_free);
	g_free(cfg);
}

RemsimServerConfig *
remsim_server_config_parse(gint *argc, gchar ***argv, gint *exit_status, GError **error)
{
	g_autoptr(RemsimServerConfig) cfg = g_new0(RemsimServerConfig, 1);

	cfg->file = remsim_config_new_from_args(&remsim_server_config_schema, argc, argv,
						exit_status, error);
	if (cfg->file == NULL)
		return NULL;
	remsim_config_fill(cfg->file, NULL, cfg);
	cfg->bus = remsim_config_get_bus_type(cfg->file);
	return g_steal_pointer(&cfg);
}

gchar *
remsim_server_config_get_db_path(const RemsimServerConfig *cfg)
{
	return g_build_filename(cfg->state_dir, "server.db", NULL);
}
