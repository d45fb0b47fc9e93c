/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-client-config.h"
#include "remsim-client.h"
#include "remsim-client-frontend-vpcd.h"

#define REMSIM_CLIENT_CONFIG_FIELD(kind, m) REMSIM_CONFIG_FIELD_##kind(RemsimClientSlotSettings, m)
#define REMSIM_CLIENT_CONFIG_SLOT (REMSIM_CONFIG_KEY_GROUPS)
#define REMSIM_CLIENT_CONFIG_USB_NUMBER(name, letter, what)                                        \
	{                                                                                          \
		.key = name, .short_name = letter, .type = REMSIM_CONFIG_TYPE_INT,                 \
		.flags = REMSIM_CLIENT_CONFIG_SLOT, .min = 0, .max = 255, .arg = N_("N"),          \
		.help = what                                                                       \
	}

/* upstream's osmo-remsim-client-st2 / -shell options, then ours */
static const RemsimConfigKey remsim_client_config_keys[] = {
	{ .key = "server-host",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = REMSIM_DEFAULT_SERVER_HOST,
	  .arg = N_("HOST"),
	  .help = N_("Server address"),
	  .aliases = { { "server-ip", 'i' } },
	  REMSIM_CLIENT_CONFIG_FIELD(STRING, server_host) },
	{ .key = "server-port",
	  .short_name = 'p',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = G_STRINGIFY(REMSIM_DEFAULT_SERVER_PORT),
	  .min = 1,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("Server RSPRO port"),
	  REMSIM_CLIENT_CONFIG_FIELD(INT, server_port) },
	{ .key = "client-id",
	  .short_name = 'c',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = "0",
	  .min = 0,
	  .max = RSPRO_ID_MAX,
	  .arg = N_("N"),
	  .help = N_("Own client id, 0..1023"),
	  REMSIM_CLIENT_CONFIG_FIELD(INT, client_slot.client_id) },
	{ .key = "client-slot",
	  .short_name = 'n',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = "0",
	  .min = 0,
	  .max = RSPRO_ID_MAX,
	  .arg = N_("N"),
	  .help = N_("Own client slot number, 0..1023 (without [slot N] groups)") },
	{ .key = "atr",
	  .short_name = 'a',
	  .type = REMSIM_CONFIG_TYPE_HEX,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .min = 2,
	  .max = RSPRO_ATR_MAX,
	  .arg = N_("HEX"),
	  .help = N_("ATR shown before the bank's, 2..55 bytes (default 3B 00)"),
	  REMSIM_CLIENT_CONFIG_FIELD(BYTES, atr) },
	{ .key = "atr-ignore-rspro",
	  .short_name = 'r',
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = "false",
	  .help = N_("Keep the local ATR; ignore the bank's setAtrReq"),
	  REMSIM_CLIENT_CONFIG_FIELD(BOOLEAN, atr_ignore_rspro) },
	{ .key = "event-script",
	  .short_name = 'e',
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .arg = N_("CMD"),
	  .help = N_("Run CMD <cause> on events") },
	{ .key = "frontend",
	  .type = REMSIM_CONFIG_TYPE_CHOICE,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = "shell",
	  .choices = "shell|vpcd|simtrace2",
	  .arg = N_("NAME"),
	  .help = N_("Modem side: shell, vpcd or simtrace2") },
	{ .key = "component-name",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .arg = N_("NAME"),
	  .help = N_("Identity name sent to server and bank (default: the host name)"),
	  REMSIM_CLIENT_CONFIG_FIELD(STRING, component_name) },
	{ .key = "metrics-port",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .default_value = "0",
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("Serve Prometheus metrics at http://HOST:PORT/metrics; 0: no metrics") },
	{ .key = "metrics-bind-ip",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("ADDR"),
	  .help = N_("Address the metrics listener binds (default: every address)") },
	{ .key = "connect-timeout-ms",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = G_STRINGIFY(REMSIM_BANKD_CLIENT_CONNECT_TIMEOUT_MS),
	  .min = 100,
	  .max = 60000,
	  .arg = N_("MS"),
	  .help = N_("TCP connect timeout; a refused connection is retried by the back-off"),
	  REMSIM_CLIENT_CONFIG_FIELD(INT, connect_timeout_ms) },
	{ .key = "backoff-scale",
	  .type = REMSIM_CONFIG_TYPE_DOUBLE,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT | REMSIM_CONFIG_KEY_HIDDEN,
	  .default_value = "1.0",
	  .min = 0,
	  .max = 100,
	  .arg = N_("FACTOR"),
	  .help = N_("Scale of the server and bank reconnect back-off; 1.0: upstream's timings"),
	  REMSIM_CLIENT_CONFIG_FIELD(DOUBLE, backoff_scale) },
	{ .key = "server-tls",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = "false",
	  .help = N_("Dial the server with TLS, verifying its certificate for --server-host "
		     "against --tls-ca-file"),
	  REMSIM_CLIENT_CONFIG_FIELD(BOOLEAN, server_tls) },
	{ .key = "bankd-tls",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = "false",
	  .help = N_("Dial the bank the server names with TLS, verifying its certificate for "
		     "the address the server gave against --tls-ca-file"),
	  REMSIM_CLIENT_CONFIG_FIELD(BOOLEAN, bankd_tls) },
	{ .key = "tls-cert-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .arg = N_("FILE"),
	  .help = N_("The client's TLS certificate (PEM; the key too, without --tls-key-file), "
		     "for a server or bank that asks for one"),
	  REMSIM_CLIENT_CONFIG_FIELD(STRING, tls_cert_file) },
	{ .key = "tls-key-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .arg = N_("FILE"),
	  .help = N_("The private key of --tls-cert-file (PEM)"),
	  REMSIM_CLIENT_CONFIG_FIELD(STRING, tls_key_file) },
	{ .key = "tls-ca-file",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .arg = N_("FILE"),
	  .help = N_("CA certificates (PEM) that sign the server's and the banks' certificates "
		     "(default: the system's)"),
	  REMSIM_CLIENT_CONFIG_FIELD(STRING, tls_ca_file) },
	/* the vpcd front end: where pcscd's vpcd driver listens */
	{ .key = "vpcd-host",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = "127.0.0.1",
	  .arg = N_("HOST"),
	  .help = N_("vpcd: the host of pcscd's vpcd driver") },
	{ .key = "vpcd-port",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .default_value = G_STRINGIFY(REMSIM_VPCD_DEFAULT_PORT),
	  .min = 1,
	  .max = G_MAXUINT16,
	  .arg = N_("PORT"),
	  .help = N_("vpcd: the port of pcscd's vpcd driver (its DEVICENAME)") },
	/* the SIMtrace2 front end: which device (upstream's -st2 options) */
	{ .key = "usb-vendor",
	  .short_name = 'V',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT | REMSIM_CONFIG_KEY_HEX_NUMBER,
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("HEX"),
	  .help = N_("SIMtrace2: USB vendor id (default: any)") },
	{ .key = "usb-product",
	  .short_name = 'P',
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT | REMSIM_CONFIG_KEY_HEX_NUMBER,
	  .min = 0,
	  .max = G_MAXUINT16,
	  .arg = N_("HEX"),
	  .help = N_("SIMtrace2: USB product id (default: any)") },
	REMSIM_CLIENT_CONFIG_USB_NUMBER("usb-config", 'C',
					N_("SIMtrace2: USB configuration (default: the current)")),
	REMSIM_CLIENT_CONFIG_USB_NUMBER(
	    "usb-interface", 'I', N_("SIMtrace2: USB interface, the modem slot (default: any)")),
	REMSIM_CLIENT_CONFIG_USB_NUMBER("usb-altsetting", 'S',
					N_("SIMtrace2: USB alternate setting (default: 0)")),
	REMSIM_CLIENT_CONFIG_USB_NUMBER("usb-address", 'A',
					N_("SIMtrace2: USB device address (default: any)")),
	{ .key = "usb-path",
	  .short_name = 'H',
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .arg = N_("PATH"),
	  .help = N_("SIMtrace2: USB port path, e.g. 2-1.1 (default: any)") },
	{ .key = "sim-presence",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CLIENT_CONFIG_SLOT,
	  .min = 0,
	  .max = 2,
	  .arg = N_("N"),
	  .help = N_("SIMtrace2: SIM presence polarity, 1 high or 0 low when present (2, or "
		     "not given: the firmware's)"),
	  .aliases = { { "set-sim-presence", 'Z' } } },
	{ NULL },
};

static const RemsimConfigSchema remsim_client_config_schema = {
	.program = "remsim-client",
	.group = REMSIM_CLIENT_CONFIG_GROUP,
	.summary = N_("remsim-client: use a SIM card in a remote bank"),
	.keys = remsim_client_config_keys,
	.version_short = 'v',
	.groups = REMSIM_CONFIG_GROUPS_SLOTS,
};

const RemsimConfigSchema *
remsim_client_config_get_schema(void)
{
	return &remsim_client_config_schema;
}

RemsimConfig *
remsim_client_config_parse(gint *argc, gchar ***argv, gint *exit_status, GError **error)
{
	return remsim_config_new_from_args(&remsim_client_config_schema, argc, argv, exit_status,
					   error);
}

void
remsim_client_config_get_slot_settings(RemsimConfig *config, const gchar *group, guint slot_nr,
				       RemsimClientSlotSettings *settings)
{
	remsim_config_fill(config, group, settings);
	settings->client_slot.slot_nr = (guint16)slot_nr;
}
