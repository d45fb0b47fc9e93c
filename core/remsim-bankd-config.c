/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "remsim-bankd-config.h"
#include "remsim-bankd-gsmtap.h"
#include "remsim-bankd-inventory.h"
#include "remsim-daemon.h"
#include "rspro-pdu.h"

#define REMSIM_BANKD_CONFIG_FIELD(kind, m) REMSIM_CONFIG_FIELD_##kind(RemsimBankdConfig, m)

static const RemsimConfigKey remsim_bankd_config_keys[] = {
	{ .key = "server-host",
	  .short_name = 'i',
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("HOST"),
	  .help = N_("remsim-server host (required)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, server_host) },
	{ .key = "server-port",
	  .short_name = 'p',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_BANKD_DEFAULT_SERVER_PORT),
	  .min = 1,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("remsim-server port"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, server_port) },
	{ .key = "bank-id",
	  .short_name = 'b',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_BANKD_DEFAULT_BANK_ID),
	  .min = 1,
	  .max = RSPRO_ID_MAX,
	  .arg = N_("N"),
	  .help = N_("Bank id, 1..1023"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, bank_id) },
	{ .key = "num-slots",
	  .short_name = 'n',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_BANKD_DEFAULT_NUM_SLOTS),
	  .min = 1,
	  .max = REMSIM_BANKD_MAX_SLOTS,
	  .arg = N_("N"),
	  .help = N_("Number of bank slots, 1..1023"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, num_slots) },
	{ .key = "component-name",
	  .short_name = 'N',
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("NAME"),
	  .help = N_("Name announced to the server (default: the host name)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, component_name) },
	{ .key = "bind-ip",
	  .short_name = 'I',
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("ADDR"),
	  .help = N_("Address to accept clients on (default: every address)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, bind_ip) },
	{ .key = "bind-port",
	  .short_name = 'P',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_BANKD_DEFAULT_BIND_PORT),
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("Port to accept clients on; 0: any free port"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, bind_port) },
	{ .key = "max-connections",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_DAEMON_DEFAULT_MAX_CONNECTIONS),
	  .min = 0,
	  .max = REMSIM_DAEMON_MAX_CONNECTIONS_LIMIT,
	  .arg = N_("N"),
	  .help = N_("Most client connections open at once; 0: no limit"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, max_connections) },
	{ .key = "max-connections-per-address",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_DAEMON_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
	  .min = 0,
	  .max = REMSIM_DAEMON_MAX_CONNECTIONS_LIMIT,
	  .arg = N_("N"),
	  .help = N_("Most client connections open at once from one address; 0: no limit"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, max_connections_per_address) },
	{ .key = "tls",
	  .type = REMSIM_CONFIG_TYPE_CHOICE,
	  .default_value = "off",
	  .choices = "off|on|either",
	  .arg = N_("MODE"),
	  .help = N_("TLS on the client port: off (plain, as upstream), on (TLS only), either "
		     "(TLS or plain, by the client's first byte)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, tls) },
	{ .key = "tls-cert-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("The bank's TLS certificate (PEM; the key too, without --tls-key-file): "
		     "on the client port, and towards the server when it asks for one"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, tls_cert_file) },
	{ .key = "tls-key-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("The private key of --tls-cert-file (PEM)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, tls_key_file) },
	{ .key = "tls-ca-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .arg = N_("FILE"),
	  .help = N_("CA certificates (PEM) that sign the server's and the clients' "
		     "certificates (default: the system's, for the server)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, tls_ca_file) },
	{ .key = "tls-require-peer-certificate",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "false",
	  .help = N_("Mutual TLS on the client port: every client presents a certificate of "
		     "--tls-ca-file, and claims only the client slots its certificate names "
		     "(client:N, client:N:S)"),
	  REMSIM_BANKD_CONFIG_FIELD(BOOLEAN, tls_require_peer_certificate) },
	{ .key = "server-tls",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "false",
	  .help = N_("Dial the server with TLS, verifying its certificate for --server-host "
		     "against --tls-ca-file"),
	  REMSIM_BANKD_CONFIG_FIELD(BOOLEAN, server_tls) },
	{ .key = "advertise",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("HOST:PORT"),
	  .help = N_("Endpoint clients should dial, sent to the server (behind NAT)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, advertise) },
	{ .key = "backend",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .default_value = REMSIM_BANKD_DEFAULT_BACKEND,
	  .arg = N_("NAME"),
	  .help = N_("Reader backend; its settings are in the group named after it"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, backend) },
	{ .key = "plugin-dir",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .default_value = REMSIM_PLUGINDIR,
	  .arg = N_("DIR"),
	  .help = N_("Directory of backend plugins; REMSIM_PLUGIN_DIR beats the file"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, plugin_dir) },
	{ .key = "permit-shared",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "false",
	  .help = N_("Open cards shared with other programs instead of exclusively"),
	  .aliases = { { "permit-shared-pcsc", 's' } },
	  REMSIM_BANKD_CONFIG_FIELD(BOOLEAN, shared) },
	{ .key = "inventory",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "true",
	  .help = N_("Read each card no client holds (ICCID, IMSI, SPN) when it comes and after "
		     "each client session"),
	  REMSIM_BANKD_CONFIG_FIELD(BOOLEAN, inventory) },
	{ .key = "inventory-pin1",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("SLOT=PIN;ICCID=PIN"),
	  .help = N_("PIN1 the inventory may verify once per insertion to read IMSI and MSISDN, "
		     "by bank slot or ICCID"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, inventory_pin1) },
	{ .key = "metrics-port",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = "0",
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("Serve Prometheus metrics at http://HOST:PORT/metrics; 0: no metrics"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, metrics_port) },
	{ .key = "metrics-bind-ip",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("ADDR"),
	  .help = N_("Address the metrics listener binds (default: every address)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, metrics_bind_ip) },
	{ .key = "port-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .arg = N_("FILE"),
	  .help = N_("Write the client port actually bound to FILE"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, port_file) },
	{ .key = "backoff-scale",
	  .type = REMSIM_CONFIG_TYPE_DOUBLE,
	  .flags = REMSIM_CONFIG_KEY_HIDDEN,
	  .default_value = "1.0",
	  .min = 0,
	  .max = 100,
	  .arg = N_("FACTOR"),
	  .help = N_("Scale of the server reconnect back-off; 1.0: upstream's timings"),
	  REMSIM_BANKD_CONFIG_FIELD(DOUBLE, backoff_scale) },
	/* upstream HEAD's GSMTAP trace of the card traffic */
	{ .key = "gsmtap-ip",
	  .short_name = 'g',
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("HOST"),
	  .help = N_("Send ATRs and APDUs as GSMTAP (type SIM) to HOST (default: none)"),
	  REMSIM_BANKD_CONFIG_FIELD(STRING, gsmtap_ip) },
	{ .key = "gsmtap-slot",
	  .short_name = 'G',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .min = 0,
	  .max = REMSIM_BANKD_MAX_SLOTS - 1,
	  .arg = N_("N"),
	  .help = N_("Trace only bank slot N (default: every slot)") },
	{ .key = "gsmtap-port",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = G_STRINGIFY(REMSIM_BANKD_GSMTAP_PORT),
	  .min = 1,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("UDP port of the GSMTAP trace"),
	  REMSIM_BANKD_CONFIG_FIELD(INT, gsmtap_port) },
	{ NULL },
};

static const RemsimConfigSchema remsim_bankd_config_schema = {
	.program = "remsim-bankd",
	.group = REMSIM_BANKD_GROUP,
	.summary = N_("The remsim SIM bank daemon."),
	.keys = remsim_bankd_config_keys,
	.config_short = 'c',
	.version_short = 'V',
	.log_level_short = 'e',
	.groups = REMSIM_CONFIG_GROUPS_DEFERRED,
};

const RemsimConfigSchema *
remsim_bankd_config_get_schema(void)
{
	return &remsim_bankd_config_schema;
}

void
remsim_bankd_config_free(RemsimBankdConfig *config)
{
	if (config == NULL)
		return;
	remsim_config_clear_fields(&remsim_bankd_config_schema, config);
	g_free(config->advertise_host);
	g_clear_pointer(&config->inventory_pins, g_hash_table_unref);
	g_clear_pointer(&config->file, remsim_config_free);
	g_free(config);
}

gboolean
remsim_bankd_config_parse_endpoint(const gchar *text, gchar **host, guint16 *port, GError **error)
{
	const gchar *colon = strrchr(text, ':');
	g_autofree gchar *h = NULL;
	guint64 value = 0;

	if (colon == NULL || colon == text) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("“%s” is not HOST:PORT"), text);
		return FALSE;
	}
	h = g_strndup(text, colon - text);
	if (h[0] == '[' && g_str_has_suffix(h, "]")) {
		gchar *inner = g_strndup(h + 1, strlen(h) - 2);

		g_free(h);
		h = inner;
	}
	if (!g_ascii_string_to_unsigned(colon + 1, 10, 1, G_MAXUINT16, &value, NULL)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("“%s” has no valid port"), text);
		return FALSE;
	}
	*host = g_steal_pointer(&h);
	*port = (guint16)value;
	return TRUE;
}

/* what the table cannot say: endpoints, the environment, required keys */
static gboolean
remsim_bankd_config_finish(RemsimBankdConfig *config, GError **error)
{
	const gchar *env_dir = g_getenv("REMSIM_PLUGIN_DIR");

	if (config->advertise != NULL &&
	    !remsim_bankd_config_parse_endpoint(config->advertise, &config->advertise_host,
						&config->advertise_port, error)) {
		if (remsim_config_is_option_given(config->file, "advertise")) {
			g_prefix_error(error, "--advertise: ");
		} else {
			g_prefix_error(error, "[%s] advertise: ", REMSIM_BANKD_GROUP);
			remsim_config_prefix_error(config->file, error, REMSIM_BANKD_GROUP,
						   "advertise");
		}
		return FALSE;
	}
	config->inventory_pins = remsim_bankd_inventory_parse_pins(config->inventory_pin1, error);
	if (config->inventory_pins == NULL) {
		if (remsim_config_is_option_given(config->file, "inventory-pin1")) {
			g_prefix_error(error, "--inventory-pin1: ");
		} else {
			g_prefix_error(error, "[%s] inventory-pin1: ", REMSIM_BANKD_GROUP);
			remsim_config_prefix_error(config->file, error, REMSIM_BANKD_GROUP,
						   "inventory-pin1");
		}
		return FALSE;
	}
	/* the environment beats the config file, the command line beats both */
	if (env_dir != NULL && env_dir[0] != '\0' &&
	    !remsim_config_is_option_given(config->file, "plugin-dir")) {
		g_free(config->plugin_dir);
		config->plugin_dir = g_strdup(env_dir);
	}
	if (config->server_host == NULL || config->server_host[0] == '\0') {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    _("no server host: give -i/--server-host or server-host in [%s]"),
			    REMSIM_BANKD_GROUP);
		return FALSE;
	}
	return TRUE;
}

RemsimBankdConfig *
remsim_bankd_config_parse(gint *argc, gchar ***argv, gint *exit_status, GError **error)
{
	g_autoptr(RemsimBankdConfig) config = g_new0(RemsimBankdConfig, 1);

	config->file = remsim_config_new_from_args(&remsim_bankd_config_schema, argc, argv,
						   exit_status, error);
	if (config->file == NULL)
		return NULL;
	remsim_config_fill(config->file, NULL, config);
	config->config_path = remsim_config_get_path(config->file);
	config->keyfile = remsim_config_get_keyfile(config->file);
	config->bus = remsim_config_get_bus_type(config->file);
	/* no default: -1, every slot */
	config->gsmtap_slot = remsim_config_get_int(config->file, NULL, "gsmtap-slot");
	if (!remsim_bankd_config_finish(config, error)) {
		*exit_status = 2;
		return NULL;
	}
	return g_steal_pointer(&config);
}

gboolean
remsim_bankd_config_check_backend_groups(const RemsimBankdConfig *config,
					 RemsimBankdPluginLoader *loader, GError **error)
{
	g_auto(GStrv) groups = remsim_config_get_other_groups(config->file);

	for (guint i = 0; groups[i] != NULL; i++) {
		GType type = remsim_bankd_plugin_loader_lookup(loader, groups[i]);
		RemsimBackendClass *klass;
		gboolean ok;

		if (type == G_TYPE_INVALID) {
			g_auto(GStrv) names = remsim_bankd_plugin_loader_list(loader);
			g_autofree gchar *list = g_strjoinv(", ", names);
			g_autofree gchar *expected =
			    g_strdup_printf(_("[%s] or a backend: %s"), REMSIM_BANKD_GROUP,
					    list[0] != '\0' ? list : _("none"));

			remsim_config_set_unknown_group_error(config->file, groups[i], expected,
							      error);
			return FALSE;
		}
		klass = g_type_class_ref(type);
		/* a plugin built before backends declared their keys is not checked */
		ok = klass->config_keys == NULL ||
		     remsim_config_check_group(config->file, groups[i], klass->config_keys, error);
		g_type_class_unref(klass);
		if (!ok)
			return FALSE;
	}
	return TRUE;
}
