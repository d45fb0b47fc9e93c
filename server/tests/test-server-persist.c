/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-server's persistence and start-up checks: slot maps survive a
 * restart and kill -9, a map the database does not take is gone (a statement
 * that fails, a COMMIT that fails), a bad database or config stops the server
 * with a message that names the file.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "remsim-test-daemon.h"
#include "remsim-test-peer.h"
#include "server-test-store.h"

#define API "/api/backend/v1"

/* a server on a state directory of the test's, which outlives it */
typedef struct {
	gchar *dir;
	RemsimTestDaemon *server;
} ServerPersistFixture;

static RemsimTestDaemon *
server_new(const gchar *dir)
{
	return remsim_test_daemon_new(REMSIM_TEST_DAEMON_SERVER,
				      &(RemsimTestDaemonOptions){ .state_dir = dir });
}

static void
fixture_setup(ServerPersistFixture *f, gconstpointer data)
{
	f->dir = remsim_test_common_make_dir("remsim-server-state-XXXXXX");
	f->server = server_new(f->dir);
}

static void
fixture_teardown(ServerPersistFixture *f, gconstpointer data)
{
	g_clear_object(&f->server);
	remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
}

/* a bank registered with the server, that takes every map */
static RemsimTestPeer *
bank_new(RemsimTestDaemon *s, guint16 bank_id, guint16 n_slots)
{
	RemsimTestPeer *bank = remsim_test_peer_new_bank(bank_id, n_slots);

	remsim_test_peer_load_script(bank, REMSIM_TEST_PEER_BANK_FOR_SERVER);
	g_assert_cmpint(remsim_test_peer_connect(bank, remsim_test_daemon_get_port(s)), ==,
			RSPRO_RESULT_OK);
	return bank;
}

static guint
count_maps(RemsimTestDaemon *s)
{
	g_autoptr(JsonNode) root = remsim_test_daemon_rest_json(s, API "/slotmaps", 200);

	return json_array_get_length(
	    json_object_get_array_member(json_node_get_object(root), "slotmaps"));
}

static guint64
restart_counter(RemsimTestDaemon *s)
{
	g_autoptr(JsonNode) root = remsim_test_daemon_rest_json(s, API "/restart-counter", 200);

	return json_object_get_int_member(json_node_get_object(root), "restart-counter");
}

static void
test_restart(ServerPersistFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(RemsimTestPeer) client = NULL;
	g_autoptr(RsproPdu) create = NULL;
	g_autoptr(RsproPdu) cfg = NULL;
	g_autoptr(RemsimTestPeer) bank2 = NULL;

	remsim_test_daemon_start(s);
	bank = bank_new(s, 1, 8);
	g_assert_cmpuint(restart_counter(s), ==, 1);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 0, 2, 0), ==, 201);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 2, 3, 4, 0), ==, 201);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(s, 1, 0, "ACTIVE"));
	remsim_test_daemon_stop(s);
	g_assert_true(remsim_test_peer_wait_closed(bank));
	g_clear_object(&bank);

	remsim_test_daemon_start(s);
	g_assert_cmpuint(restart_counter(s), ==, 2);
	g_assert_cmpuint(count_maps(s), ==, 2);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(s, 1, 0, "NEW"));
	g_assert_true(remsim_test_daemon_wait_slotmap_state(s, 2, 3, "NEW"));
	/* re-pushed as the bank comes back, and the client told where to go */
	bank = bank_new(s, 1, 8);
	create = remsim_test_peer_wait(bank, RSPRO_MSG_CREATE_MAPPING_REQ);
	g_assert_cmpuint(create->u.create_mapping_req.client.client_id, ==, 2);
	g_assert_true(remsim_test_daemon_wait_slotmap_state(s, 1, 0, "ACTIVE"));
	client = remsim_test_peer_new_client(2, 0);
	remsim_test_peer_load_script(client, REMSIM_TEST_PEER_CLIENT_FOR_SERVER);
	g_assert_cmpint(remsim_test_peer_connect(client, remsim_test_daemon_get_port(s)), ==,
			RSPRO_RESULT_OK);
	cfg = remsim_test_peer_wait(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);
	g_assert_cmpuint(cfg->u.config_client_bank_req.bankd.port, ==, 9999);
	bank2 = bank_new(s, 2, 8);
	g_clear_pointer(&create, rspro_pdu_free);
	create = remsim_test_peer_wait(bank2, RSPRO_MSG_CREATE_MAPPING_REQ);
	g_assert_cmpuint(create->u.create_mapping_req.bank.slot_nr, ==, 3);
}

/*
 * A write that fails at run time (a statement, or the COMMIT): the REST call
 * answers 500, the map is gone, its bank never hears of it, and the slots are
 * free for the next map; only the stored maps come back after a restart.
 */
static void
test_store_fails(ServerPersistFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(RsproPdu) first = NULL;
	g_autoptr(RsproPdu) second = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonArray *maps;

	/* the database exists once the server ran */
	remsim_test_daemon_start(s);
	remsim_test_daemon_stop(s);
	server_test_store_refuse(f->dir, 666, 667);
	remsim_test_daemon_start(s);
	bank = bank_new(s, 1, 8);

	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 0, 666, 0), ==, 500);
	g_assert_null(remsim_test_daemon_slotmap_state(s, 1, 0));
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 0, 5, 0), ==, 201);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 1, 667, 0), ==, 500);
	g_assert_null(remsim_test_daemon_slotmap_state(s, 1, 1));
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 1, 6, 0), ==, 201);
	/* the bank got the two maps that were stored, and only those, in order */
	first = remsim_test_peer_wait(bank, RSPRO_MSG_CREATE_MAPPING_REQ);
	g_assert_cmpuint(first->u.create_mapping_req.client.client_id, ==, 5);
	second = remsim_test_peer_wait(bank, RSPRO_MSG_CREATE_MAPPING_REQ);
	g_assert_cmpuint(second->u.create_mapping_req.client.client_id, ==, 6);
	g_assert_cmpuint(count_maps(s), ==, 2);

	remsim_test_daemon_stop(s);
	remsim_test_daemon_start(s);
	root = remsim_test_daemon_rest_json(s, API "/slotmaps", 200);
	maps = json_object_get_array_member(json_node_get_object(root), "slotmaps");
	g_assert_cmpuint(json_array_get_length(maps), ==, 2);
	for (guint i = 0; i < 2; i++) {
		JsonObject *map = json_array_get_object_element(maps, i);
		JsonObject *client = json_object_get_object_member(map, "client");

		g_assert_cmpint(json_object_get_int_member(client, "clientId"), ==, 5 + i);
	}
	g_assert_cmpuint(remsim_test_peer_count(bank, RSPRO_MSG_CREATE_MAPPING_REQ), ==, 2);
}

/* the client ids of the stored maps, in order, as "5,7" */
static gchar *
client_ids(RemsimTestDaemon *s)
{
	g_autoptr(JsonNode) root = remsim_test_daemon_rest_json(s, API "/slotmaps", 200);
	JsonArray *maps = json_object_get_array_member(json_node_get_object(root), "slotmaps");
	GString *ids = g_string_new(NULL);

	for (guint i = 0; i < json_array_get_length(maps); i++) {
		JsonObject *client =
		    json_object_get_object_member(json_array_get_object_element(maps, i), "client");

		g_string_append_printf(ids, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
				       json_object_get_int_member(client, "clientId"));
	}
	return g_string_free(ids, FALSE);
}

/*
 * The COMMIT itself fails, as on a full disk: every statement of the write
 * went through, then the database cannot grow. A file size limit on the
 * server does it (RLIMIT_FSIZE, with SIGXFSZ ignored, which the server
 * inherits: the write past the limit fails, the process lives). The REST call
 * answers 500, the map is gone, in memory and on disk, and once there is room
 * again the store goes on.
 */
static void
test_commit_fails(ServerPersistFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;
	g_autofree gchar *wal = g_build_filename(f->dir, "server.db-wal", NULL);
	g_autofree gchar *ids = NULL;
	struct rlimit room, full;
	GStatBuf st;
	pid_t pid;

	signal(SIGXFSZ, SIG_IGN);
	remsim_test_daemon_start(s);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 0, 5, 0), ==, 201);
	pid = (pid_t)atoi(g_subprocess_get_identifier(remsim_test_daemon_get_process(s)));
	/* the next COMMIT appends to the write-ahead log: it may not grow */
	g_assert_cmpint(g_stat(wal, &st), ==, 0);
	g_assert_cmpint(prlimit(pid, RLIMIT_FSIZE, NULL, &room), ==, 0);
	full = room;
	full.rlim_cur = (rlim_t)st.st_size;
	g_assert_cmpint(prlimit(pid, RLIMIT_FSIZE, &full, NULL), ==, 0);

	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 1, 6, 0), ==, 500);
	g_assert_null(remsim_test_daemon_slotmap_state(s, 1, 1));
	ids = client_ids(s);
	g_assert_cmpstr(ids, ==, "5");
	g_clear_pointer(&ids, g_free);

	g_assert_cmpint(prlimit(pid, RLIMIT_FSIZE, &room, NULL), ==, 0);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 1, 7, 0), ==, 201);
	remsim_test_daemon_stop(s);
	remsim_test_daemon_start(s);
	ids = client_ids(s);
	g_assert_cmpstr(ids, ==, "5,7");
}

static void
test_kill9(ServerPersistFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;
	g_autoptr(RemsimTestPeer) bank = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonArray *maps;
	guint n = 0;

	remsim_test_daemon_start(s);
	for (guint i = 0; i < 50; i++)
		g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 7, i, 100 + i, 1), ==, 201);
	for (guint i = 0; i < 50; i += 5) {
		g_autofree gchar *path = g_strdup_printf(API "/slotmaps/%u", 7 * 65536 + i);

		g_assert_cmpuint(remsim_test_daemon_rest(s, "DELETE", path, NULL, NULL, NULL, NULL),
				 ==, 200);
	}
	/* every answered change must survive an immediate kill -9 */
	remsim_test_daemon_kill(s);

	remsim_test_daemon_start(s);
	root = remsim_test_daemon_rest_json(s, API "/slotmaps", 200);
	maps = json_object_get_array_member(json_node_get_object(root), "slotmaps");
	g_assert_cmpuint(json_array_get_length(maps), ==, 40);
	for (guint i = 0; i < 50; i++) {
		JsonObject *m, *b, *c;

		if (i % 5 == 0)
			continue;
		/* in creation order */
		m = json_array_get_object_element(maps, n++);
		b = json_object_get_object_member(m, "bank");
		c = json_object_get_object_member(m, "client");
		g_assert_cmpint(json_object_get_int_member(b, "slotNr"), ==, i);
		g_assert_cmpint(json_object_get_int_member(c, "clientId"), ==, 100 + i);
		g_assert_cmpint(json_object_get_int_member(c, "slotNr"), ==, 1);
	}
	bank = bank_new(s, 7, 64);
	for (guint i = 0; i < 40; i++)
		rspro_pdu_free(remsim_test_peer_wait(bank, RSPRO_MSG_CREATE_MAPPING_REQ));
}

/* runs a server on @dir (with @config, if given) that must refuse to start; returns stderr */
static gchar *
expect_start_failure(const gchar *dir, const gchar *config, const gchar *const *extra)
{
	g_autoptr(RemsimTestDaemon) server = remsim_test_daemon_new(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .state_dir = dir, .config = config, .args = extra });
	gchar *err = NULL;
	gint status = remsim_test_daemon_run(server, &err);

	g_test_message("exit %d: %s", status, err);
	g_assert_cmpint(status, !=, 0);
	return err;
}

static void
test_corrupt_db(ServerPersistFixture *f, gconstpointer data)
{
	g_autofree gchar *db = g_build_filename(f->dir, "server.db", NULL);
	g_autoptr(GString) junk = g_string_new(NULL);
	g_autofree gchar *err = NULL;
	g_autofree gchar *after = NULL;

	for (guint i = 0; i < 512; i++)
		g_string_append(junk, "not a database ");
	g_assert_true(g_file_set_contents(db, junk->str, junk->len, NULL));
	err = expect_start_failure(f->dir, NULL, NULL);
	g_assert_nonnull(strstr(err, db));
	/* the file is left as it was, for a person to look at */
	g_assert_true(g_file_get_contents(db, &after, NULL, NULL));
	g_assert_cmpstr(after, ==, junk->str);
}

static void
test_damaged_db(ServerPersistFixture *f, gconstpointer data)
{
	RemsimTestDaemon *s = f->server;
	g_autofree gchar *db = g_build_filename(f->dir, "server.db", NULL);
	g_autofree gchar *bytes = NULL;
	g_autofree gchar *err = NULL;
	gsize len = 0;

	remsim_test_daemon_start(s);
	for (guint i = 0; i < 300; i++)
		g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1 + i / 100, i % 100, i, 0),
				 ==, 201);
	remsim_test_daemon_stop(s);
	/* a valid header over pages of garbage */
	g_assert_true(g_file_get_contents(db, &bytes, &len, NULL));
	g_assert_cmpuint(len, >, 4096);
	for (gsize i = 4096; i < len; i++)
		bytes[i] = (gchar)(i * 7 + 3);
	g_assert_true(g_file_set_contents(db, bytes, len, NULL));
	err = expect_start_failure(f->dir, NULL, NULL);
	g_assert_nonnull(strstr(err, db));
}

static void
test_locked_db(ServerPersistFixture *f, gconstpointer data)
{
	g_autofree gchar *db = g_build_filename(f->dir, "server.db", NULL);
	g_autofree gchar *err = NULL;

	remsim_test_daemon_start(f->server);
	/* a second server on the same state would fight over it */
	err = expect_start_failure(f->dir, NULL, NULL);
	g_assert_nonnull(strstr(err, db));
	g_assert_nonnull(strstr(err, "locked"));
	/* the first one carries on */
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(f->server, 1, 1, 1, 1), ==, 201);
}

static void
test_unusable_state(ServerPersistFixture *f, gconstpointer data)
{
	g_autofree gchar *db = g_build_filename(f->dir, "server.db", NULL);
	g_autofree gchar *file = g_build_filename(f->dir, "a-file", NULL);
	g_autofree gchar *below = g_build_filename(file, "state", NULL);
	g_autofree gchar *err = NULL;
	g_autofree gchar *err2 = NULL;

	/* server.db is a directory: it cannot be opened */
	g_assert_cmpint(g_mkdir(db, 0700), ==, 0);
	err = expect_start_failure(f->dir, NULL, NULL);
	g_assert_nonnull(strstr(err, db));
	/* the state directory cannot be created */
	g_assert_true(g_file_set_contents(file, "x", 1, NULL));
	err2 = expect_start_failure(below, NULL, NULL);
	g_assert_nonnull(strstr(err2, below));
}

static void
test_bad_config(ServerPersistFixture *f, gconstpointer data)
{
	const struct {
		const gchar *text;
		const gchar *fragment;
	} cases[] = {
		{ "[server]\nrspro-port=abc\n", "rspro-port" },
		{ "[server]\nrest-port=70000\n", "rest-port" },
		{ "[server]\ndbus=maybe\n", "dbus" },
		{ "[server]\ndbus-bus=other\n", "dbus-bus" },
		{ "[server]\nfrobnicate=1\n", "frobnicate" },
		{ "[elsewhere]\nrest-port=1\n", "elsewhere" },
		{ "[server]\nthis line is not a key\n", "server.conf" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(RemsimTestDaemon) server = remsim_test_daemon_new(
		    REMSIM_TEST_DAEMON_SERVER,
		    &(RemsimTestDaemonOptions){ .state_dir = f->dir, .config = cases[i].text });
		g_autofree gchar *err = NULL;

		g_assert_cmpint(remsim_test_daemon_run(server, &err), !=, 0);
		g_assert_nonnull(strstr(err, remsim_test_daemon_get_config_path(server)));
		g_assert_nonnull(strstr(err, cases[i].fragment));
	}
}

/* every key works from the file; an option given on the command line wins */
static void
test_config_file(ServerPersistFixture *f, gconstpointer data)
{
	g_autofree gchar *state = g_build_filename(f->dir, "from-config", NULL);
	g_autofree gchar *db = g_build_filename(state, "server.db", NULL);
	g_autofree gchar *text = g_strdup_printf("# test\n[server]\nstate-dir=%s\n"
						 "bind-ip=127.0.0.1\nrspro-port=9\n"
						 "rest-bind-ip=127.0.0.1\nrest-port=9\n"
						 "dbus=false\ndbus-bus=session\ndebug=false\n",
						 state);
	/* the helper passes --rspro-port 0 --rest-port 0, which beat the 9s */
	g_autoptr(RemsimTestDaemon) s = remsim_test_daemon_spawn(
	    REMSIM_TEST_DAEMON_SERVER,
	    &(RemsimTestDaemonOptions){ .config = text, .no_state_dir = TRUE });

	g_assert_cmpuint(remsim_test_daemon_get_port(s), !=, 9);
	g_assert_cmpuint(remsim_test_daemon_get_rest_port(s), !=, 9);
	g_assert_cmpuint(remsim_test_daemon_create_slotmap(s, 1, 0, 1, 0), ==, 201);
	g_assert_true(g_file_test(db, G_FILE_TEST_IS_REGULAR));
}

/* remsim-server with @args; returns its exit status and stderr */
static gint
run_with(const gchar *const *args, gchar **err)
{
	g_autoptr(RemsimTestDaemon) server = remsim_test_daemon_new(
	    REMSIM_TEST_DAEMON_SERVER, &(RemsimTestDaemonOptions){ .args = args });

	return remsim_test_daemon_run(server, err);
}

static void
test_command_line(ServerPersistFixture *f, gconstpointer data)
{
	g_autofree gchar *err = NULL;
	g_autofree gchar *err2 = NULL;
	g_autofree gchar *err3 = NULL;

	/* upstream exits 2 on extra arguments */
	g_assert_cmpint(run_with((const gchar *const[]){ "extra", NULL }, &err), ==, 2);
	g_assert_cmpint(run_with((const gchar *const[]){ "-V", NULL }, &err2), ==, 0);
	g_assert_cmpint(run_with((const gchar *const[]){ "--rspro-port", "99999", NULL }, &err3),
			!=, 0);
	g_assert_nonnull(strstr(err3, "99999"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(name, fn)                                                                              \
	g_test_add("/server/persist/" name, ServerPersistFixture, NULL, fixture_setup, fn,         \
		   fixture_teardown)
	ADD("restart", test_restart);
	ADD("kill9", test_kill9);
	ADD("store-fails", test_store_fails);
	ADD("commit-fails", test_commit_fails);
	ADD("corrupt-db", test_corrupt_db);
	ADD("damaged-db", test_damaged_db);
	ADD("locked-db", test_locked_db);
	ADD("unusable-state", test_unusable_state);
	ADD("bad-config", test_bad_config);
	ADD("config-file", test_config_file);
	ADD("command-line", test_command_line);
	return g_test_run();
}
