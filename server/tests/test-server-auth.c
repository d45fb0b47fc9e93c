/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The REST tokens file (remsim-server-auth.c): names, rights and tokens as
 * read, every bad line named FILE:LINE, and lookups that find exactly the
 * token given.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "remsim-server-auth.h"
#include "remsim-test-common.h"

#define READ "viewer-token-0123456789"
#define WRITE "ops-token-0123456789abcdef"

static gchar *dir;

static RemsimServerAuth *
load(const gchar *text, GError **error)
{
	g_autofree gchar *path = remsim_test_common_write_file(dir, "tokens", text);

	g_assert_no_errno(g_chmod(path, 0600));
	return remsim_server_auth_new_from_file(path, error);
}

/* a file every user may read works, with a warning */
static void
test_world_readable(void)
{
	g_autofree gchar *path =
	    remsim_test_common_write_file(dir, "tokens", "ops write " WRITE "\n");
	g_autoptr(RemsimServerAuth) auth = NULL;
	g_autoptr(GError) error = NULL;

	g_assert_no_errno(g_chmod(path, 0644));
	g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING,
			      "REST tokens file */tokens is readable by every user (mode 0644)*");
	auth = remsim_server_auth_new_from_file(path, &error);
	g_test_assert_expected_messages();
	g_assert_no_error(error);
	g_assert_nonnull(auth);
}

static void
test_good(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerAuth) auth = load(
	    "# name rights token\n\n  viewer read " READ "  \nops\twrite\t" WRITE "\n", &error);
	gboolean write = TRUE;

	g_assert_no_error(error);
	g_assert_cmpuint(remsim_server_auth_get_count(auth), ==, 2);
	g_assert_cmpstr(remsim_server_auth_lookup(auth, READ, &write), ==, "viewer");
	g_assert_false(write);
	g_assert_cmpstr(remsim_server_auth_lookup(auth, WRITE, &write), ==, "ops");
	g_assert_true(write);
	/* a prefix, a longer token, another case, nothing: no match */
	g_assert_null(remsim_server_auth_lookup(auth, "viewer-token-012345678", &write));
	g_assert_null(remsim_server_auth_lookup(auth, READ "0", &write));
	g_assert_null(remsim_server_auth_lookup(auth, "VIEWER-token-0123456789", &write));
	g_assert_null(remsim_server_auth_lookup(auth, "", &write));
}

static void
test_bad(void)
{
	static const struct {
		const gchar *text;
		const gchar *problem;
	} cases[] = {
		{ "ops write " WRITE "\nviewer reed " READ "\n",
		  ":2: the rights of viewer are \"reed\", not read or write" },
		{ "ops write\n", ":1: expected NAME RIGHTS TOKEN, found 2 words" },
		{ "# c\nops write " WRITE " extra\n",
		  ":2: expected NAME RIGHTS TOKEN, found 4 words" },
		{ "op/s write " WRITE "\n", ":1: the name \"op/s\" may hold only letters" },
		{ "ops write short\n",
		  ":1: the token of ops must be 16 to 256 printable characters" },
		{ "ops write " WRITE "\nops read " READ "\n", ":2: the name ops is given twice" },
		{ "ops write " WRITE "\nviewer read " WRITE "\n",
		  ":2: viewer has the token of ops" },
		{ "# nothing\n\n", ": no token: every REST request would be refused" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(RemsimServerAuth) auth = load(cases[i].text, &error);
		g_autofree gchar *want = g_strconcat(dir, "/tokens", cases[i].problem, NULL);

		g_assert_null(auth);
		g_assert_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE);
		g_assert_true(g_str_has_prefix(error->message, want));
		/* a token never reaches an error */
		g_assert_null(strstr(error->message, WRITE));
		g_assert_null(strstr(error->message, READ));
	}
}

static void
test_missing(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimServerAuth) auth =
	    remsim_server_auth_new_from_file("/nonexistent/tokens", &error);

	g_assert_null(auth);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

int
main(int argc, char **argv)
{
	int status;

	g_test_init(&argc, &argv, NULL);
	dir = remsim_test_common_make_dir("remsim-auth-XXXXXX");
	g_test_add_func("/server/auth/good", test_good);
	g_test_add_func("/server/auth/bad", test_bad);
	g_test_add_func("/server/auth/missing", test_missing);
	g_test_add_func("/server/auth/world-readable", test_world_readable);
	status = g_test_run();
	remsim_test_common_remove_tree(dir);
	g_free(dir);
	return status;
}
