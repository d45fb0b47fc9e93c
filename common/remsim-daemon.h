/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every daemon's main() does alike, around its config and its main loop. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* runs @loop until SIGINT or SIGTERM (logged) or g_main_loop_quit() */
void remsim_daemon_run(GMainLoop *loop);

/*
 * Every peer holds a descriptor: the soft limit of open files goes up to the
 * hard limit (often 1024 against 524288), as far as the process may.
 */
void remsim_daemon_raise_fd_limit(void);

/*
 * The defaults of the listeners' max-connections and
 * max-connections-per-address keys: far above a real installation (a
 * remsim-client process opens one connection per slot, up to 1024, and many
 * may share an address behind NAT), low enough that one address cannot take
 * every descriptor.
 */
#define REMSIM_DAEMON_DEFAULT_MAX_CONNECTIONS 16384
#define REMSIM_DAEMON_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 4096
#define REMSIM_DAEMON_MAX_CONNECTIONS_LIMIT 1000000

G_END_DECLS
