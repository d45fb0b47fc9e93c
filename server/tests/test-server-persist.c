/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-server's persistence and start-up checks: slot maps survive a
 * restart and kill -9, a bad database or config stops the server with a
 * message that names the file.
 */
#include <glib/gstdio.h>

#include "remsim-test-util.h"

#define API "/api/backend/v1"

static guint
count_maps(TestServer *s)
{
	g_autoptr(JsonNode) root = test_http_get_json(s, API "/slotmaps", 200);

	return json_array_get_length(
	    json_object_get_array_member(json_node_get_object(root), "slotmaps"));
}

static guint64
restart_counter(TestServer *s)
{
	g_autoptr(JsonNode) root = test_http_get_json(s, API "/restart-counter", 200);

	return json_object_get_int_member(json_node_get_object(root), "restart-counter");
}

static void
test_restart(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autoptr(TestServer) s = test_server_start(dir, NULL);
	g_autoptr(ServerTestPeer) bank = test_bank_new(s, 1, 8, NULL);
	g_autoptr(ServerTestPeer) client = NULL;
	g_autoptr(RsproPdu) create = NULL;
	g_autoptr(RsproPdu) cfg = NULL;
	g_autoptr(ServerTestPeer) bank2 = NULL;

	g_assert_cmpuint(restart_counter(s), ==, 1);
	g_assert_cmpuint(test_create_slotmap(s, 1, 0, 2, 0), ==, 201);
	g_assert_cmpuint(test_create_slotmap(s, 2, 3, 4, 0), ==, 201);
	g_assert_true(test_wait_slotmap_state(s, 1, 0, "ACTIVE"));
	test_server_stop(s);
	g_assert_true(test_peer_wait_closed(bank, 5000));
	g_clear_pointer(&bank, test_peer_free);
	g_clear_pointer(&s, test_server_free);

	s = test_server_start(dir, NULL);
	g_assert_cmpuint(restart_counter(s), ==, 2);
	g_assert_cmpuint(count_maps(s), ==, 2);
	g_assert_true(test_wait_slotmap_state(s, 1, 0, "NEW"));
	g_assert_true(test_wait_slotmap_state(s, 2, 3, "NEW"));
	/* re-pushed as the bank comes back, and the client told where to go */
	bank = test_bank_new(s, 1, 8, NULL);
	create = test_peer_take(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 10000);
	g_assert_nonnull(create);
	g_assert_cmpuint(create->u.create_mapping_req.client.client_id, ==, 2);
	g_assert_true(test_wait_slotmap_state(s, 1, 0, "ACTIVE"));
	client = test_client_new(s, 2, 0);
	cfg = test_peer_take(client, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ, 10000);
	g_assert_nonnull(cfg);
	g_assert_cmpuint(cfg->u.config_client_bank_req.bankd.port, ==, 9999);
	bank2 = test_bank_new(s, 2, 8, NULL);
	g_clear_pointer(&create, rspro_pdu_free);
	create = test_peer_take(bank2, RSPRO_MSG_CREATE_MAPPING_REQ, 10000);
	g_assert_nonnull(create);
	g_assert_cmpuint(create->u.create_mapping_req.bank.slot_nr, ==, 3);
	g_clear_pointer(&s, test_server_free);
	remsim_test_common_remove_tree(dir);
}

static void
test_kill9(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autoptr(TestServer) s = test_server_start(dir, NULL);
	g_autoptr(ServerTestPeer) bank = NULL;
	g_autoptr(JsonNode) root = NULL;
	JsonArray *maps;
	guint n = 0;

	for (guint i = 0; i < 50; i++)
		g_assert_cmpuint(test_create_slotmap(s, 7, i, 100 + i, 1), ==, 201);
	for (guint i = 0; i < 50; i += 5) {
		g_autofree gchar *path = g_strdup_printf(API "/slotmaps/%u", 7 * 65536 + i);

		g_assert_cmpuint(test_http(s, "DELETE", path, NULL, NULL, NULL, NULL), ==, 200);
	}
	/* every answered change must survive an immediate kill -9 */
	test_server_kill(s);
	g_clear_pointer(&s, test_server_free);

	s = test_server_start(dir, NULL);
	root = test_http_get_json(s, API "/slotmaps", 200);
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
	bank = test_bank_new(s, 7, 64, NULL);
	for (guint i = 0; i < 40; i++)
		test_peer_expect(bank, RSPRO_MSG_CREATE_MAPPING_REQ, 10000);
	g_clear_pointer(&bank, test_peer_free);
	g_clear_pointer(&s, test_server_free);
	remsim_test_common_remove_tree(dir);
}

/* runs the server on @dir expecting it to refuse to start; returns stderr */
static gchar *
expect_start_failure(const gchar *dir, const gchar *const *extra)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_auto(GStrv) args = NULL;
	g_autofree gchar *conf = g_build_filename(dir, "empty.conf", NULL);
	gchar *err = NULL;
	gint status;

	g_file_set_contents(conf, "", 0, NULL);
	g_strv_builder_add_many(b, "--rspro-port", "0", "--rest-port", "0", "--no-dbus",
				"--bind-ip", "127.0.0.1", "--rest-bind-ip", "127.0.0.1", NULL);
	g_strv_builder_add_many(b, "--config", conf, "--state-dir", dir, NULL);
	for (guint i = 0; extra && extra[i]; i++)
		g_strv_builder_add(b, extra[i]);
	args = g_strv_builder_end(b);
	status = test_server_run_to_exit((const gchar *const *)args, &err);
	g_test_message("exit %d: %s", status, err);
	g_assert_cmpint(status, !=, 0);
	return err;
}

static void
test_corrupt_db(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *db = g_build_filename(dir, "server.db", NULL);
	g_autoptr(GString) junk = g_string_new(NULL);
	g_autofree gchar *err = NULL;

	for (guint i = 0; i < 512; i++)
		g_string_append(junk, "not a database ");
	g_assert_true(g_file_set_contents(db, junk->str, junk->len, NULL));
	err = expect_start_failure(dir, NULL);
	g_assert_nonnull(strstr(err, db));
	/* the file is left as it was, for a person to look at */
	{
		g_autofree gchar *after = NULL;

		g_assert_true(g_file_get_contents(db, &after, NULL, NULL));
		g_assert_cmpstr(after, ==, junk->str);
	}
	remsim_test_common_remove_tree(dir);
}

static void
test_damaged_db(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *db = g_build_filename(dir, "server.db", NULL);
	g_autoptr(TestServer) s = test_server_start(dir, NULL);
	g_autofree gchar *data = NULL;
	g_autofree gchar *err = NULL;
	gsize len = 0;

	for (guint i = 0; i < 300; i++)
		g_assert_cmpuint(test_create_slotmap(s, 1 + i / 100, i % 100, i, 0), ==, 201);
	test_server_stop(s);
	/* a valid header over pages of garbage */
	g_assert_true(g_file_get_contents(db, &data, &len, NULL));
	g_assert_cmpuint(len, >, 4096);
	for (gsize i = 4096; i < len; i++)
		data[i] = (gchar)(i * 7 + 3);
	g_assert_true(g_file_set_contents(db, data, len, NULL));
	err = expect_start_failure(dir, NULL);
	g_assert_nonnull(strstr(err, db));
	g_clear_pointer(&s, test_server_free);
	remsim_test_common_remove_tree(dir);
}

static void
test_locked_db(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *db = g_build_filename(dir, "server.db", NULL);
	g_autoptr(TestServer) s = test_server_start(dir, NULL);
	g_autofree gchar *err = NULL;

	/* a second server on the same state would fight over it */
	err = expect_start_failure(dir, NULL);
	g_assert_nonnull(strstr(err, db));
	g_assert_nonnull(strstr(err, "locked"));
	/* the first one carries on */
	g_assert_cmpuint(test_create_slotmap(s, 1, 1, 1, 1), ==, 201);
	g_clear_pointer(&s, test_server_free);
	remsim_test_common_remove_tree(dir);
}

static void
test_unusable_state(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *db = g_build_filename(dir, "server.db", NULL);
	g_autofree gchar *file = g_build_filename(dir, "a-file", NULL);
	g_autofree gchar *below = g_build_filename(file, "state", NULL);
	g_autofree gchar *err = NULL;
	g_autofree gchar *err2 = NULL;

	/* server.db is a directory: it cannot be opened */
	g_assert_cmpint(g_mkdir(db, 0700), ==, 0);
	err = expect_start_failure(dir, NULL);
	g_assert_nonnull(strstr(err, db));
	/* the state directory cannot be created */
	g_assert_true(g_file_set_contents(file, "x", 1, NULL));
	err2 = expect_start_failure(dir, (const gchar *const[]){ "--state-dir", below, NULL });
	g_assert_nonnull(strstr(err2, below));
	remsim_test_common_remove_tree(dir);
}

static void
test_bad_config(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *conf = g_build_filename(dir, "server.conf", NULL);
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
		g_autofree gchar *err = NULL;

		g_assert_true(g_file_set_contents(conf, cases[i].text, -1, NULL));
		err = expect_start_failure(dir, (const gchar *const[]){ "--config", conf, NULL });
		g_assert_nonnull(strstr(err, conf));
		g_assert_nonnull(strstr(err, cases[i].fragment));
	}
	remsim_test_common_remove_tree(dir);
}

/* every key works from the file; an option given on the command line wins */
static void
test_config_file(void)
{
	g_autofree gchar *dir = test_make_temp_dir();
	g_autofree gchar *conf = g_build_filename(dir, "server.conf", NULL);
	g_autofree gchar *state = g_build_filename(dir, "from-config", NULL);
	g_autofree gchar *db = g_build_filename(state, "server.db", NULL);
	g_autofree gchar *text = g_strdup_printf("# test\n[server]\nstate-dir=%s\n"
						 "bind-ip=127.0.0.1\nrspro-port=9\n"
						 "rest-bind-ip=127.0.0.1\nrest-port=9\n"
						 "dbus=false\ndbus-bus=session\ndebug=false\n",
						 state);
	g_autoptr(TestServer) s = NULL;

	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	/* test_server_start passes --rspro-port 0 --rest-port 0, which beat the 9s */
	s = test_server_start(dir, (const gchar *const[]){ "--config", conf, NULL });
	g_assert_cmpuint(s->rspro_port, !=, 9);
	g_assert_cmpuint(s->rest_port, !=, 9);
	g_assert_cmpuint(test_create_slotmap(s, 1, 0, 1, 0), ==, 201);
	g_assert_true(g_file_test(db, G_FILE_TEST_IS_REGULAR));
	g_clear_pointer(&s, test_server_free);
	remsim_test_common_remove_tree(dir);
}

static void
test_command_line(void)
{
	g_autofree gchar *err = NULL;
	g_autofree gchar *err2 = NULL;
	g_autofree gchar *err3 = NULL;

	/* upstream exits 2 on extra arguments */
	g_assert_cmpint(test_server_run_to_exit((const gchar *const[]){ "extra", NULL }, &err), ==,
			2);
	g_assert_cmpint(test_server_run_to_exit((const gchar *const[]){ "-V", NULL }, &err2), ==,
			0);
	g_assert_cmpint(
	    test_server_run_to_exit((const gchar *const[]){ "--rspro-port", "99999", NULL }, &err3),
	    !=, 0);
	g_assert_nonnull(strstr(err3, "99999"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/server/persist/restart", test_restart);
	g_test_add_func("/server/persist/kill9", test_kill9);
	g_test_add_func("/server/persist/corrupt-db", test_corrupt_db);
	g_test_add_func("/server/persist/damaged-db", test_damaged_db);
	g_test_add_func("/server/persist/locked-db", test_locked_db);
	g_test_add_func("/server/persist/unusable-state", test_unusable_state);
	g_test_add_func("/server/persist/bad-config", test_bad_config);
	g_test_add_func("/server/persist/config-file", test_config_file);
	g_test_add_func("/server/persist/command-line", test_command_line);
	return g_test_run();
}
