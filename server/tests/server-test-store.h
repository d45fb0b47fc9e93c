/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A state database that fails writes at run time, through SQLite's own error
 * paths: triggers in the file itself, so the server runs its real code and
 * nothing in it knows of the test.
 */
#pragma once

#include <glib.h>

/*
 * Adds to the stopped server's database in @state_dir (it must have run once):
 * a map of client @abort_client fails its INSERT statement, and a map of
 * client @rollback_client rolls the whole transaction back, so that the
 * writer's COMMIT fails.
 */
void server_test_store_refuse(const gchar *state_dir, guint abort_client, guint rollback_client);
