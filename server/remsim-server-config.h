/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerConfig: the server's settings from /etc/remsim/server.conf
 * (group [server]) and the command line; an option wins over the file.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_SERVER_CONFIG_GROUP "server"
#define REMSIM_SERVER_DEFAULT_RSPRO_PORT 9998
#define REMSIM_SERVER_DEFAULT_REST_PORT 9997

typedef struct {
	gchar *config_file;  /* the file read, or NULL */
	gchar *bind_ip;	     /* RSPRO listener; NULL = every address */
	guint16 rspro_port;  /* 0 = ephemeral */
	gchar *rest_bind_ip; /* NULL = every address */
	guint16 rest_port;
	gchar *state_dir;
	gchar *port_file; /* where to write the bound ports, or NULL */
	gboolean dbus;
	gboolean session_bus;
	gboolean debug;
	gboolean show_version;
} RemsimServerConfig;

/* the exit status for a usage error (upstream exits 2 on extra arguments) */
#define REMSIM_SERVER_EXIT_USAGE 2

/*
 * Parses @argv, then the config file (--config, else the default path if it
 * exists). A bad value's message names the file and the key.
 */
gboolean remsim_server_config_load(RemsimServerConfig *cfg, gint *argc, gchar ***argv,
				   GError **error);
void remsim_server_config_clear(RemsimServerConfig *cfg);
/* the SQLite file inside the state directory */
gchar *remsim_server_config_get_db_path(const RemsimServerConfig *cfg);

G_END_DECLS
