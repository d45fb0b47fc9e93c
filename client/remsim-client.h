/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClient: the remsim-client daemon. It builds one RemsimClientSlot (with
 * its own front end) per configured client slot and runs them side by side.
 */
#pragma once

#include "remsim-client-config.h"
#include "remsim-client-slot.h"

G_BEGIN_DECLS

#define REMSIM_CLIENT_ERROR (remsim_client_error_quark())
GQuark remsim_client_error_quark(void);

typedef enum {
	REMSIM_CLIENT_ERROR_FAILED, /* anything else */
	REMSIM_CLIENT_ERROR_CONFIG,
} RemsimClientError;

#define REMSIM_DEFAULT_SERVER_HOST "127.0.0.1"
#define REMSIM_DEFAULT_SERVER_PORT 9998

#define REMSIM_TYPE_CLIENT (remsim_client_get_type())
G_DECLARE_FINAL_TYPE(RemsimClient, remsim_client, REMSIM, CLIENT, GObject)

/*
 * One slot per [slot N] group of @config, or one slot (client-slot) without such
 * groups. @config is borrowed and must outlive the client.
 */
RemsimClient *remsim_client_new(RemsimConfig *config, GError **error);

gboolean remsim_client_start(RemsimClient *self, GError **error);
void remsim_client_stop(RemsimClient *self);

guint remsim_client_get_n_slots(RemsimClient *self);
RemsimClientSlot *remsim_client_get_slot(RemsimClient *self, guint index);
/* the front end name of slot @index */
const gchar *remsim_client_get_frontend_name(RemsimClient *self, guint index);

/*
 * A reload: @next is the configuration just read. It is checked as a start
 * would build it, front ends included (a bad one changes nothing); each slot's
 * server-host and server-port take effect at once (its server link dials the
 * new place, the bank link stays), and every other key of the client's table
 * whose value for a slot differs from the one in force is named in
 * @needs_restart, as "[slot N] key" when the file has slot groups, and so are
 * slot groups that came or went ("[slot N]"). @config, as given to
 * remsim_client_new(), stays the configuration in force. The keys every daemon
 * has (debug, dbus ...) are the caller's: remsim_reload_compare_common().
 */
gboolean remsim_client_reconfigure(RemsimClient *self, RemsimConfig *next, GPtrArray *applied,
				   GPtrArray *needs_restart, GError **error);

/* a front end ended with an error (its device is gone) */
gboolean remsim_client_get_failed(RemsimClient *self);

/*
 * Signal ::finished — a front end that ends (the shell at end of input) has
 * ended: the process should exit.
 */

G_END_DECLS
