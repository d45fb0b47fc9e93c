/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's key table, read through common/remsim-config: the command line
 * (upstream's option names and ours) over the config file over the defaults. In
 * the file, [client] holds the keys of every slot; a "[slot N]" group serves
 * client slot N and may repeat any per-slot key for that slot only.
 */
#pragma once

#include "remsim-client-slot.h"
#include "remsim-config.h"

G_BEGIN_DECLS

#define REMSIM_CLIENT_CONFIG_GROUP "client"

/* the key table */
const RemsimConfigSchema *remsim_client_config_get_schema(void);

/*
 * Parses @argv and the config file (--config, else the default one if it
 * exists). Nothing outside the result changes: the daemon puts its debug and
 * log-personal-info in force (remsim_config_apply_logging()) once it takes the
 * settings, at start or after a reload. NULL when there is nothing to run:
 * @exit_status 0 after --version, else 2 with @error naming the option, or the
 * file, the line and the key.
 */
RemsimConfig *remsim_client_config_parse(gint *argc, gchar ***argv, gint *exit_status,
					 GError **error);

/* the settings of the slot of @group ("slot N", or NULL for the only slot) */
void remsim_client_config_get_slot_settings(RemsimConfig *config, const gchar *group, guint slot_nr,
					    RemsimClientSlotSettings *settings);

G_END_DECLS
