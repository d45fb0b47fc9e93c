/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientConfig: the client's settings from /etc/remsim/client.conf and the
 * command line. Keys are looked up in the command line first, then in the
 * slot's own group ("[slot N]"), then in "[client]"; a bad value is reported
 * with the file and line it came from.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_CLIENT_CONFIG_ERROR (remsim_client_config_error_quark())
GQuark remsim_client_config_error_quark(void);

typedef enum {
	REMSIM_CLIENT_CONFIG_ERROR_FAILED, /* anything else */
	REMSIM_CLIENT_CONFIG_ERROR_INVALID,
} RemsimClientConfigError;

#define REMSIM_CLIENT_CONFIG_GROUP "client"
#define REMSIM_CLIENT_CONFIG_SLOT_PREFIX "slot "

typedef struct _RemsimClientConfig RemsimClientConfig;

RemsimClientConfig *remsim_client_config_new(void);
void remsim_client_config_free(RemsimClientConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimClientConfig, remsim_client_config_free)

/* read a GKeyFile; a missing file is an error only if @must_exist */
gboolean remsim_client_config_load(RemsimClientConfig *self, const gchar *path, gboolean must_exist,
				   GError **error);
/* a value given on the command line: it beats every group of the file */
void remsim_client_config_set_override(RemsimClientConfig *self, const gchar *key,
				       const gchar *value);

/* the slot numbers of the "[slot N]" groups, sorted; FALSE with @error for a bad group name */
gboolean remsim_client_config_list_slots(RemsimClientConfig *self, GArray **slots, GError **error);
/* "slot N" */
gchar *remsim_client_config_slot_group(guint slot_nr);

/* @group may be NULL (only the command line and [client]) */
gchar *remsim_client_config_get_string(RemsimClientConfig *self, const gchar *group,
				       const gchar *key, const gchar *default_value);
gboolean remsim_client_config_get_uint(RemsimClientConfig *self, const gchar *group,
				       const gchar *key, guint default_value, guint min, guint max,
				       guint *value, GError **error);
gboolean remsim_client_config_get_bool(RemsimClientConfig *self, const gchar *group,
				       const gchar *key, gboolean default_value, gboolean *value,
				       GError **error);
/* hex bytes, white space allowed; @value stays NULL when the key is unset */
gboolean remsim_client_config_get_hex(RemsimClientConfig *self, const gchar *group,
				      const gchar *key, gsize min_len, gsize max_len,
				      GBytes **value, GError **error);

G_END_DECLS
