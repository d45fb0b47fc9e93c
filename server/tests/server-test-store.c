/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sqlite3.h>

#include "server-test-store.h"

void
server_test_store_refuse(const gchar *state_dir, guint abort_client, guint rollback_client)
{
	g_autofree gchar *path = g_build_filename(state_dir, "server.db", NULL);
	g_autofree gchar *sql = g_strdup_printf(
	    "CREATE TRIGGER test_abort BEFORE INSERT ON slotmaps WHEN NEW.client_id = %u"
	    " BEGIN SELECT RAISE(ABORT, 'the test refuses this map'); END;"
	    "CREATE TRIGGER test_rollback AFTER INSERT ON slotmaps WHEN NEW.client_id = %u"
	    " BEGIN SELECT RAISE(ROLLBACK, 'the test rolls this map back'); END;",
	    abort_client, rollback_client);
	sqlite3 *db = NULL;
	char *message = NULL;

	g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
		g_error("%s: %s", path, message);
	g_assert_cmpint(sqlite3_close(db), ==, SQLITE_OK);
}
