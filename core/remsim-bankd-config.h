/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdConfig: the bank daemon's settings, from its key table (upstream's
 * option names and ours) through common/remsim-config: the command line over
 * the config file (group [bankd]) over the defaults. Every other group of the
 * file belongs to a backend, which declares its keys (RemsimBackendClass).
 */
#pragma once

#include "remsim-bankd-plugin-loader.h"
#include "remsim-config.h"

G_BEGIN_DECLS

#define REMSIM_BANKD_DEFAULT_SERVER_PORT 9998
#define REMSIM_BANKD_DEFAULT_BIND_PORT 9999
#define REMSIM_BANKD_DEFAULT_BANK_ID 1
#define REMSIM_BANKD_DEFAULT_NUM_SLOTS 8
#define REMSIM_BANKD_MAX_SLOTS 1023
#define REMSIM_BANKD_DEFAULT_BACKEND "pcsc"
#define REMSIM_BANKD_GROUP "bankd"

typedef struct {
	RemsimConfig *file;	  /* the keys as read; the file's other groups are backends' */
	const gchar *config_path; /* the file read, or NULL */
	GKeyFile *keyfile;	  /* always set; empty without a file; backends read their group */
	gchar *server_host;
	guint16 server_port;
	guint16 bank_id;
	guint16 num_slots;
	gchar *component_name; /* NULL: the host name */
	gchar *bind_ip;	       /* NULL: every address */
	guint16 bind_port;
	guint max_connections; /* 0: no limit */
	guint max_connections_per_address;
	gchar *tls;	      /* the client port's TLS: "off", "on" or "either" */
	gchar *tls_cert_file; /* or NULL */
	gchar *tls_key_file;
	gchar *tls_ca_file;
	gboolean tls_require_peer_certificate;
	gboolean server_tls;   /* the link to the server */
	gchar *advertise;      /* HOST:PORT as given */
	gchar *advertise_host; /* NULL: not sent */
	guint16 advertise_port;
	gchar *backend;
	gchar *plugin_dir;
	gboolean shared;
	GBusType bus; /* G_BUS_TYPE_NONE: no D-Bus */
	gchar *port_file;
	gdouble backoff_scale; /* tests shorten the reconnect back-off */
	gchar *gsmtap_ip;      /* NULL: no GSMTAP trace */
	gint gsmtap_slot;      /* -1: every slot */
	guint16 gsmtap_port;
	guint16 metrics_port;	/* 0: no metrics listener */
	gchar *metrics_bind_ip; /* NULL: every address */
	gboolean inventory;
	gchar *inventory_pin1;	    /* as given: never logged */
	GHashTable *inventory_pins; /* parsed: "slot" or ICCID -> PIN */
} RemsimBankdConfig;

void remsim_bankd_config_free(RemsimBankdConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimBankdConfig, remsim_bankd_config_free)

/* the key table */
const RemsimConfigSchema *remsim_bankd_config_get_schema(void);

/*
 * Parse @argv (modified: parsed options are removed) and the config file it names
 * (or the default one, if that exists). Nothing outside the result changes: the
 * daemon puts its debug and log-personal-info in force
 * (remsim_config_apply_logging()) once it takes the settings, at start or after a
 * reload. Errors name the option, or the file, the line and the key. @exit_status
 * is 0 after --version / --dump-keys (return NULL, nothing to run), else 2.
 */
RemsimBankdConfig *remsim_bankd_config_parse(gint *argc, gchar ***argv, gint *exit_status,
					     GError **error);

/*
 * Every group of the file but [bankd] must be named after a backend of @loader
 * and hold only the keys that backend declares; the error names FILE:LINE.
 */
gboolean remsim_bankd_config_check_backend_groups(const RemsimBankdConfig *config,
						  RemsimBankdPluginLoader *loader, GError **error);

/* "HOST:PORT" or "[V6]:PORT" */
gboolean remsim_bankd_config_parse_endpoint(const gchar *text, gchar **host, guint16 *port,
					    GError **error);

G_END_DECLS
