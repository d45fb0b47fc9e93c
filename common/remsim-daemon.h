/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every daemon's main() does alike, around its config and its main loop. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* runs @loop until SIGINT or SIGTERM (logged) or g_main_loop_quit() */
void remsim_daemon_run(GMainLoop *loop);

G_END_DECLS
