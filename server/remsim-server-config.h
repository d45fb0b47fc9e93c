/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerConfig: the server's settings, from its key table through
 * common/remsim-config: the command line over /etc/remsim/server.conf (group
 * [server]) over the defaults.
 */
#pragma once

#include "remsim-config.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_CONFIG_GROUP "server"
#define REMSIM_SERVER_DEFAULT_RSPRO_PORT 9998
#define REMSIM_SERVER_DEFAULT_REST_PORT 9997

typedef struct {
	RemsimConfig *file;  /* the keys as read */
	gchar *bind_ip;	     /* RSPRO listener; NULL = every address */
	guint16 rspro_port;  /* 0 = ephemeral */
	gchar *rest_bind_ip; /* NULL = every address */
	guint16 rest_port;
	gchar *rest_tokens_file; /* NULL: no tokens, REST open */
	guint max_connections;	 /* on each port; 0: no limit */
	guint max_connections_per_address;
	gchar *tls;	      /* "off", "on" or "either" */
	gchar *tls_cert_file; /* or NULL */
	gchar *tls_key_file;
	gchar *tls_ca_file;
	gboolean tls_require_peer_certificate;
	gchar *bank_allowed_addresses; /* comma-separated, or NULL */
	gchar *state_dir;
	gchar *port_file; /* where to write the bound ports, or NULL */
	GBusType bus;	  /* G_BUS_TYPE_NONE: no D-Bus */
} RemsimServerConfig;

void remsim_server_config_free(RemsimServerConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimServerConfig, remsim_server_config_free)

/* the key table */
const RemsimConfigSchema *remsim_server_config_get_schema(void);

/*
 * Parses @argv, then the config file (--config, else the default path if it
 * exists). Nothing outside the result changes: the daemon puts its debug and
 * log-personal-info in force (remsim_config_apply_logging()) once it takes the
 * settings, at start or after a reload. NULL when there is nothing to run:
 * @exit_status 0 after --version, else 2 with @error naming the option, or the
 * file, the line and the key.
 */
RemsimServerConfig *remsim_server_config_parse(gint *argc, gchar ***argv, gint *exit_status,
					       GError **error);
/* the SQLite file inside the state directory */
gchar *remsim_server_config_get_db_path(const RemsimServerConfig *cfg);

G_END_DECLS
