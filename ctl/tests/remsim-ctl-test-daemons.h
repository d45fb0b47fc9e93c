/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real daemons remsim-ctl's tests drive, started as an operator would:
 * remsim-server, remsim-bankd with the simcard backend, and remsim-client with
 * the shell front end fed by a pipe, all on a private session bus (--session),
 * on 127.0.0.1 with ephemeral ports (--port-file), each with an explicit config
 * file (an empty one where none is wanted), dying with the test.
 *
 * The daemons are tests/common's RemsimTestDaemon; what this adds is the three
 * on one bus, and waits for their objects. Every wait is for an event (a bus
 * name, an object or a property on D-Bus), with REMSIM_TEST_TIMEOUT_MS as its
 * deadline; a daemon that exits while one is waited for fails the test.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RemsimCtlTestDaemons RemsimCtlTestDaemons;

/* a temporary folder and a private session bus (DBUS_SESSION_BUS_ADDRESS); no daemon yet */
RemsimCtlTestDaemons *remsim_ctl_test_daemons_new(void);
/* stops every daemon, takes the bus down and removes the folder */
void remsim_ctl_test_daemons_free(RemsimCtlTestDaemons *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCtlTestDaemons, remsim_ctl_test_daemons_free)

/* the temporary folder */
const gchar *remsim_ctl_test_daemons_get_dir(RemsimCtlTestDaemons *self);
/* the private bus */
GDBusConnection *remsim_ctl_test_daemons_get_bus(RemsimCtlTestDaemons *self);

/* remsim-server; returns once it listens, is on the bus and can be asked */
void remsim_ctl_test_daemons_start_server(RemsimCtlTestDaemons *self);
/* remsim-bankd, bank 1 with @n_slots simulated cards; returns once the server lists it */
void remsim_ctl_test_daemons_start_bankd(RemsimCtlTestDaemons *self, guint n_slots);
/* remsim-client @client_id:@slot (shell front end); returns once the server lists it */
void remsim_ctl_test_daemons_start_client(RemsimCtlTestDaemons *self, guint client_id, guint slot);
/* SIGTERM to remsim-server, and waits for its clean exit */
void remsim_ctl_test_daemons_stop_server(RemsimCtlTestDaemons *self);

/* the server's REST URL, "http://127.0.0.1:PORT" */
const gchar *remsim_ctl_test_daemons_get_rest_url(RemsimCtlTestDaemons *self);

/*
 * Waits until the string property @property of the interface @iface at @path
 * of the daemon @bus_name (its object manager's objects) is @value; @value
 * NULL: until that object is gone.
 */
void remsim_ctl_test_daemons_wait_property(RemsimCtlTestDaemons *self, const gchar *bus_name,
					   const gchar *path, const gchar *iface,
					   const gchar *property, const gchar *value);

/* spins the default main context until @done(@data) holds; fails the test after
 * REMSIM_TEST_TIMEOUT_MS */
void remsim_ctl_test_daemons_wait(gboolean (*done)(gpointer data), gpointer data);

G_END_DECLS
