/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdConfig: the bank daemon's settings, from the command line (upstream's
 * option names and ours) over the config file (GKeyFile, group [bankd]) over defaults.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_BANKD_DEFAULT_SERVER_PORT 9998
#define REMSIM_BANKD_DEFAULT_BIND_PORT 9999
#define REMSIM_BANKD_DEFAULT_BANK_ID 1
#define REMSIM_BANKD_DEFAULT_NUM_SLOTS 8
#define REMSIM_BANKD_MAX_SLOTS 1023
#define REMSIM_BANKD_DEFAULT_BACKEND "pcsc"
#define REMSIM_BANKD_GROUP "bankd"

typedef struct {
	gchar *config_path; /* the file read, or NULL */
	GKeyFile *keyfile;  /* always set; empty without a file; backends read their group */
	gchar *server_host;
	guint16 server_port;
	guint16 bank_id;
	guint16 num_slots;
	gchar *component_name; /* NULL: the host name */
	gchar *bind_ip;	       /* NULL: every address */
	guint16 bind_port;
	gchar *advertise_host; /* NULL: not sent */
	guint16 advertise_port;
	gchar *backend;
	gchar *plugin_dir;
	gboolean shared;
	gboolean session_bus;
	gboolean no_dbus;
	gchar *port_file;
	gdouble backoff_scale; /* tests shorten the reconnect back-off */
} RemsimBankdConfig;

void remsim_bankd_config_free(RemsimBankdConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimBankdConfig, remsim_bankd_config_free)

/*
 * Parse @argv (modified: parsed options are removed) and the config file it names
 * (or the default one, if that exists). Errors name the option or the file and key.
 * @exit_status is 0 after --help / --version (return NULL, nothing to run), else 2.
 */
RemsimBankdConfig *remsim_bankd_config_parse(gint *argc, gchar ***argv, gint *exit_status,
					     GError **error);

/*
 * Prefix @error with "FILE:LINE: " where the problem is: @key of @group, or with
 * both NULL the "[group] key:" a backend's message starts with, or the line a
 * GKeyFile parse error quotes. Falls back to "FILE: ".
 */
void remsim_bankd_config_prefix_error(GError **error, const gchar *path, const gchar *group,
				      const gchar *key);

/* "HOST:PORT" or "[V6]:PORT" */
gboolean remsim_bankd_config_parse_endpoint(const gchar *text, gchar **host, guint16 *port,
					    GError **error);

G_END_DECLS
