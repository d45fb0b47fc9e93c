/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-ctl against the real daemons on a private session bus and over
 * REST: every command in both output modes, its --json checked against the
 * shape doc/remsim-ctl.md documents (read from the document itself, so the two
 * cannot drift), the same output from D-Bus and REST, unknown ids, refusals,
 * unreachable daemons, reset without a terminal, the confirmation and colour
 * on a terminal, and watch seeing maps and daemons come and go.
 */
#include "config.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-glib/json-glib.h>

#include "remsim-ctl-test-daemons.h"
#include "remsim-dbus.h"
#include "remsim-test-common.h"
#include "remsim-test-dbus.h"

#define MAP_1_0 65536 /* the id of the map of bank slot 1:0 */
#define MAP_1_1 65537

/* ---- the documented shapes ---- */

typedef struct {
	GHashTable *objects; /* kind -> GPtrArray of (member, type) pairs, as gchar *[2] */
	GHashTable *outputs; /* command -> the same */
	GHashTable *events;  /* event -> kind */
} CtlShapes;

static CtlShapes shapes;

static void
field_free(gpointer p)
{
	g_strfreev(p);
}

static gchar *
unquote(const gchar *cell)
{
	g_autofree gchar *text = g_strstrip(g_strdup(cell));

	if (g_str_has_prefix(text, "`") && g_str_has_suffix(text, "`") && strlen(text) >= 2)
		return g_strndup(text + 1, strlen(text) - 2);
	return g_steal_pointer(&text);
}

/* the tables of doc/remsim-ctl.md's "Objects" and "Output of each command" */
static void
shapes_load(void)
{
	g_autofree gchar *path =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "doc", "remsim-ctl.md", NULL);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	GHashTable *section = NULL;
	g_autofree gchar *name = NULL;
	gboolean events_table = FALSE;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	shapes.objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)g_ptr_array_unref);
	shapes.outputs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)g_ptr_array_unref);
	shapes.events = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i];
		g_auto(GStrv) cells = NULL;

		if (g_str_has_prefix(line, "### ")) {
			section = g_str_equal(line, "### Objects")		    ? shapes.objects
				  : g_str_equal(line, "### Output of each command") ? shapes.outputs
										    : NULL;
			continue;
		}
		if (g_str_has_prefix(line, "## ")) {
			section = NULL;
			continue;
		}
		if (g_str_has_prefix(line, "#### ")) {
			g_free(name);
			name = unquote(line + 5);
			events_table = FALSE;
			if (section != NULL)
				g_hash_table_insert(section, g_strdup(name),
						    g_ptr_array_new_with_free_func(field_free));
			continue;
		}
		if (g_str_has_prefix(line, "| event |"))
			events_table = TRUE;
		if (section == NULL || !g_str_has_prefix(line, "| `"))
			continue;
		cells = g_strsplit(line, "|", -1);
		g_assert_cmpuint(g_strv_length(cells), >=, 4);
		if (events_table) {
			g_hash_table_insert(shapes.events, unquote(cells[1]), unquote(cells[2]));
		} else {
			gchar **field = g_new0(gchar *, 3);

			field[0] = unquote(cells[1]);
			field[1] = g_strstrip(g_strdup(cells[2]));
			g_ptr_array_add(g_hash_table_lookup(section, name), field);
		}
	}
	/* what the checks below rely on being there */
	g_assert_nonnull(g_hash_table_lookup(shapes.objects, "map"));
	g_assert_nonnull(g_hash_table_lookup(shapes.outputs, "slot reset"));
	g_assert_cmpstr(g_hash_table_lookup(shapes.events, "map-added"), ==, "map");
}

static void check_object(JsonObject *object, GPtrArray *fields, const gchar *where);

/* @node is of the documented @type ("integer", "string or null", "array of `map`" ...) */
static void
check_value(JsonNode *node, const gchar *type, const gchar *where)
{
	g_autofree gchar *base = g_strdup(type);

	if (g_str_has_suffix(base, " or null")) {
		if (JSON_NODE_HOLDS_NULL(node))
			return;
		base[strlen(base) - strlen(" or null")] = '\0';
	}
	if (g_str_equal(base, "integer") || g_str_equal(base, "string") ||
	    g_str_equal(base, "boolean")) {
		GType want = g_str_equal(base, "integer")  ? G_TYPE_INT64
			     : g_str_equal(base, "string") ? G_TYPE_STRING
							   : G_TYPE_BOOLEAN;

		if (!JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != want)
			g_error("%s: not %s", where, type);
	} else if (g_str_has_prefix(base, "array of ")) {
		g_autofree gchar *kind = unquote(base + strlen("array of "));
		GPtrArray *fields = g_hash_table_lookup(shapes.objects, kind);
		JsonArray *array;

		g_assert_nonnull(fields);
		if (!JSON_NODE_HOLDS_ARRAY(node))
			g_error("%s: not an array", where);
		array = json_node_get_array(node);
		for (guint i = 0; i < json_array_get_length(array); i++) {
			g_autofree gchar *at = g_strdup_printf("%s[%u]", where, i);
			JsonNode *element = json_array_get_element(array, i);

			if (!JSON_NODE_HOLDS_OBJECT(element))
				g_error("%s: not an object", at);
			check_object(json_node_get_object(element), fields, at);
		}
	} else if (g_str_has_prefix(base, "`")) {
		g_autofree gchar *kind = unquote(base);
		GPtrArray *fields = g_hash_table_lookup(shapes.objects, kind);

		g_assert_nonnull(fields);
		if (!JSON_NODE_HOLDS_OBJECT(node))
			g_error("%s: not an object", where);
		check_object(json_node_get_object(node), fields, where);
	} else {
		g_error("doc/remsim-ctl.md: a type remsim-ctl's test does not know: %s", type);
	}
}

/* @object has every documented member with its type, and no other member */
static void
check_object(JsonObject *object, GPtrArray *fields, const gchar *where)
{
	for (guint i = 0; i < fields->len; i++) {
		gchar **field = fields->pdata[i];
		g_autofree gchar *at = g_strdup_printf("%s.%s", where, field[0]);
		JsonNode *node = json_object_get_member(object, field[0]);

		if (node == NULL)
			g_error("%s: missing", at);
		check_value(node, field[1], at);
	}
	if (json_object_get_size(object) != fields->len) {
		g_autoptr(GList) members = json_object_get_members(object);
		GString *names = g_string_new(NULL);

		for (GList *l = members; l != NULL; l = l->next)
			g_string_append_printf(names, " %s", (const gchar *)l->data);
		g_error("%s: members%s, but %u documented", where, names->str, fields->len);
	}
}

/* a watch event: time, event, and the object of the event's kind */
static void
check_event(JsonObject *event)
{
	const gchar *name = json_object_get_string_member(event, "event");
	const gchar *kind = g_hash_table_lookup(shapes.events, name);

	g_assert_nonnull(kind);
	check_value(json_object_get_member(event, "time"), "string", "event.time");
	g_autofree gchar *type = g_strconcat("`", kind, "`", NULL);

	g_assert_true(json_object_has_member(event, kind));
	check_value(json_object_get_member(event, kind), type, name);
	g_assert_cmpuint(json_object_get_size(event), ==, 3);
}

/* ---- running remsim-ctl ---- */

typedef struct {
	const gchar *name;
	const gchar *args[3]; /* where it asks: --session, or --server URL */
} CtlMode;

static gchar **
ctl_argv(const CtlMode *mode, const gchar *first, va_list ap)
{
	GPtrArray *argv = g_ptr_array_new();

	g_ptr_array_add(argv, g_strdup(g_getenv("REMSIM_CTL")));
	for (guint i = 0; mode != NULL && mode->args[i] != NULL; i++)
		g_ptr_array_add(argv, g_strdup(mode->args[i]));
	for (const gchar *a = first; a != NULL; a = va_arg(ap, const gchar *))
		g_ptr_array_add(argv, g_strdup(a));
	g_ptr_array_add(argv, NULL);
	return (gchar **)g_ptr_array_free(argv, FALSE);
}

/* an environment as a person's: English, no colour wishes */
static GSubprocessLauncher *
ctl_launcher(GSubprocessFlags flags, const gchar *const *env)
{
	GSubprocessLauncher *launcher = g_subprocess_launcher_new(flags);

	g_subprocess_launcher_setenv(launcher, "LC_ALL", "C.UTF-8", TRUE);
	g_subprocess_launcher_unsetenv(launcher, "LANGUAGE");
	g_subprocess_launcher_unsetenv(launcher, "NO_COLOR");
	for (guint i = 0; env != NULL && env[i] != NULL; i += 2)
		g_subprocess_launcher_setenv(launcher, env[i], env[i + 1], TRUE);
	return launcher;
}

/* runs remsim-ctl (stdin empty, not a terminal); returns its exit status */
static gint
ctl_run_argv(gchar **argv, const gchar *const *env, gchar **out, gchar **err)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    ctl_launcher(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
			     G_SUBPROCESS_FLAGS_STDERR_PIPE,
			 env);
	g_autoptr(GError) error = NULL;
	g_autoptr(GSubprocess) proc =
	    g_subprocess_launcher_spawnv(launcher, (const gchar *const *)argv, &error);
	g_autofree gchar *line = g_strjoinv(" ", argv);

	g_assert_no_error(error);
	g_assert_true(g_subprocess_communicate_utf8(proc, NULL, NULL, out, err, &error));
	g_assert_no_error(error);
	g_test_message("$ %s -> %d\n%s%s", line, g_subprocess_get_exit_status(proc), *out, *err);
	g_assert_true(g_subprocess_get_if_exited(proc));
	/* through a pipe, never colour */
	g_assert_null(strstr(*out, "\033"));
	return g_subprocess_get_exit_status(proc);
}

/* runs remsim-ctl @mode ... and asserts it exits 0 with nothing on stderr; returns stdout */
static G_GNUC_NULL_TERMINATED gchar *
ctl_ok(const CtlMode *mode, const gchar *first, ...)
{
	va_list ap;
	g_auto(GStrv) argv = NULL;
	gchar *out = NULL;
	g_autofree gchar *err = NULL;

	va_start(ap, first);
	argv = ctl_argv(mode, first, ap);
	va_end(ap);
	g_assert_cmpint(ctl_run_argv(argv, NULL, &out, &err), ==, 0);
	g_assert_cmpstr(err, ==, "");
	return out;
}

/*
 * runs remsim-ctl @mode ... and asserts it exits with @status, nothing on
 * stdout and one line on stderr with @message in it
 */
static G_GNUC_NULL_TERMINATED void
ctl_fails(const CtlMode *mode, gint status, const gchar *message, const gchar *first, ...)
{
	va_list ap;
	g_auto(GStrv) argv = NULL;
	g_autofree gchar *out = NULL, *err = NULL;

	va_start(ap, first);
	argv = ctl_argv(mode, first, ap);
	va_end(ap);
	g_assert_cmpint(ctl_run_argv(argv, NULL, &out, &err), ==, status);
	g_assert_cmpstr(out, ==, "");
	g_assert_true(g_str_has_prefix(err, "remsim-ctl: "));
	g_assert_nonnull(strstr(err, message));
	/* one line */
	g_assert_true(g_str_has_suffix(err, "\n"));
	g_assert_true(strchr(err, '\n') == err + strlen(err) - 1);
}

static JsonObject *
parse_object(const gchar *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	json_parser_load_from_data(parser, text, -1, &error);
	g_assert_no_error(error);
	g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
	return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

/*
 * runs remsim-ctl @mode ... --json, asserts it exits 0, and checks its output
 * against the shape documented for @output
 */
static G_GNUC_NULL_TERMINATED JsonObject *
ctl_json(const CtlMode *mode, const gchar *output, const gchar *first, ...)
{
	va_list ap;
	g_auto(GStrv) argv = NULL;
	g_autofree gchar *out = NULL, *err = NULL;
	GStrvBuilder *builder = g_strv_builder_new();
	g_auto(GStrv) with_json = NULL;
	JsonObject *object;
	GPtrArray *fields = g_hash_table_lookup(shapes.outputs, output);

	g_assert_nonnull(fields);
	va_start(ap, first);
	argv = ctl_argv(mode, first, ap);
	va_end(ap);
	/* a global option after the command, as people write it */
	g_strv_builder_addv(builder, (const gchar **)argv);
	g_strv_builder_add(builder, "--json");
	with_json = g_strv_builder_end(builder);
	g_strv_builder_unref(builder);
	g_assert_cmpint(ctl_run_argv(with_json, NULL, &out, &err), ==, 0);
	g_assert_cmpstr(err, ==, "");
	object = parse_object(out);
	check_object(object, fields, output);
	return object;
}

/* some line of @out whose first words are @first ... (NULL-terminated) */
static G_GNUC_NULL_TERMINATED void
assert_row(const gchar *out, const gchar *first, ...)
{
	g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
	g_autoptr(GPtrArray) want = g_ptr_array_new();
	va_list ap;

	va_start(ap, first);
	for (const gchar *w = first; w != NULL; w = va_arg(ap, const gchar *))
		g_ptr_array_add(want, (gpointer)w);
	va_end(ap);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_auto(GStrv) words = g_strsplit_set(lines[i], " ", -1);
		guint matched = 0;

		for (guint w = 0; words[w] != NULL && matched < want->len; w++) {
			if (*words[w] == '\0')
				continue;
			if (!g_str_equal(words[w], want->pdata[matched]))
				break;
			matched++;
		}
		if (matched == want->len)
			return;
	}
	g_error("no row starting with %s ... in:\n%s", first, out);
}

static JsonObject *
element(JsonObject *object, const gchar *member, guint index)
{
	JsonArray *array = json_object_get_array_member(object, member);

	g_assert_cmpuint(index, <, json_array_get_length(array));
	return json_array_get_object_element(array, index);
}

static guint
length(JsonObject *object, const gchar *member)
{
	return json_array_get_length(json_object_get_array_member(object, member));
}

static gboolean
is_null(JsonObject *object, const gchar *member)
{
	return json_object_get_null_member(object, member);
}

/* ---- fixtures ---- */

typedef struct {
	RemsimCtlTestDaemons *daemons;
	CtlMode dbus;
	CtlMode rest;
} CtlFixture;

static void
fixture_bus(CtlFixture *f, gconstpointer data)
{
	if (remsim_test_dbus_skip_without_daemon())
		return;
	f->daemons = remsim_ctl_test_daemons_new();
	f->dbus = (CtlMode){ "dbus", { "--session", NULL } };
}

/* the server, bank 1 with four cards and client 1:0, on the bus and over REST */
static void
fixture_all(CtlFixture *f, gconstpointer data)
{
	fixture_bus(f, data);
	if (f->daemons == NULL)
		return;
	remsim_ctl_test_daemons_start_server(f->daemons);
	remsim_ctl_test_daemons_start_bankd(f->daemons, 4);
	remsim_ctl_test_daemons_start_client(f->daemons, 1, 0);
	f->rest =
	    (CtlMode){ "rest",
		       { "--server", remsim_ctl_test_daemons_get_rest_url(f->daemons), NULL } };
}

static void
fixture_teardown(CtlFixture *f, gconstpointer data)
{
	g_clear_pointer(&f->daemons, remsim_ctl_test_daemons_free);
}

static const CtlMode *
fixture_mode(CtlFixture *f, gconstpointer data)
{
	return g_str_equal(data, "rest") ? &f->rest : &f->dbus;
}

static void
wait_map(CtlFixture *f, guint32 id, const gchar *state)
{
	g_autofree gchar *path = remsim_dbus_names_server_slotmap_path(id);

	remsim_ctl_test_daemons_wait_property(f->daemons, REMSIM_DBUS_SERVER_NAME, path,
					      REMSIM_DBUS_SERVER_SLOTMAP_INTERFACE, "State", state);
}

/* the map of bank slot 1:0 is active and the card powered, seen by bank and client */
static void
wait_relay(CtlFixture *f)
{
	g_autofree gchar *bank_slot = remsim_dbus_names_bankd_slot_path(0);
	g_autofree gchar *client_slot = remsim_dbus_names_client_slot_path(1, 0);

	wait_map(f, MAP_1_0, "active");
	remsim_ctl_test_daemons_wait_property(f->daemons, REMSIM_DBUS_BANKD_NAME, bank_slot,
					      REMSIM_DBUS_BANKD_SLOT_INTERFACE, "State",
					      "card-powered");
	remsim_ctl_test_daemons_wait_property(f->daemons, REMSIM_DBUS_CLIENT_NAME, client_slot,
					      REMSIM_DBUS_CLIENT_SLOT_INTERFACE, "State",
					      "card-powered");
}

/* ---- the command line alone ---- */

static const gchar *const ctl_commands[] = { "status", "banks", "slots",   "clients",
					     "maps",   "map",	"unmap",   "reset",
					     "slot",   "watch", "version", "help" };

static void
test_usage(void)
{
	g_autofree gchar *help = ctl_ok(NULL, "--help", NULL);
	g_autofree gchar *version = ctl_ok(NULL, "--version", NULL);
	g_autofree gchar *want_version = g_strdup_printf("remsim-ctl %s\n", PACKAGE_VERSION);

	/* help comes from the command table: every command, and each one's own */
	for (guint i = 0; i < G_N_ELEMENTS(ctl_commands); i++) {
		g_autofree gchar *own = ctl_ok(NULL, ctl_commands[i], "--help", NULL);
		g_autofree gchar *via_help = ctl_ok(NULL, "help", ctl_commands[i], NULL);
		g_autofree gchar *usage =
		    g_strdup_printf("remsim-ctl [OPTION…] %s", ctl_commands[i]);

		assert_row(help, ctl_commands[i], NULL);
		g_assert_nonnull(strstr(own, usage));
		g_assert_cmpstr(own, ==, via_help);
	}
	g_assert_nonnull(strstr(help, "--server=URL"));
	g_assert_cmpstr(version, ==, want_version);

	ctl_fails(NULL, 2, "no command given", NULL, NULL);
	ctl_fails(NULL, 2, "there is no command frobnicate", "frobnicate", NULL);
	ctl_fails(NULL, 2, "there is no command frobnicate", "help", "frobnicate", NULL);
	ctl_fails(NULL, 2, "remsim-ctl maps --help", "maps", "--frobnicate", NULL);
	ctl_fails(NULL, 2, "usage: remsim-ctl maps", "maps", "extra", NULL);
	ctl_fails(NULL, 2, "usage: remsim-ctl map CLIENT:SLOT BANK:SLOT", "map", "1:0", NULL);
	ctl_fails(NULL, 2, "x is not a slot", "map", "x", "1:0", NULL);
	ctl_fails(NULL, 2, "1:1024 is not a slot", "map", "1:0", "1:1024", NULL);
	ctl_fails(NULL, 2, "the client slot comes first", "map", "bank:1:0", "1:0", NULL);
	ctl_fails(NULL, 2, "abc is not a bank id", "slots", "abc", NULL);
	ctl_fails(NULL, 2, "client:1:0:0 is not a slot", "unmap", "client:1:0:0", NULL);
	ctl_fails(NULL, 2, "slot has no operation frob", "slot", "frob", "1:0", NULL);
	ctl_fails(NULL, 2, "give BANK:SLOT", "slot", "reset", "client:1:0", NULL);
	ctl_fails(NULL, 2, "exclude each other", "--session", "--server", "http://x", "maps", NULL);
	ctl_fails(NULL, 2, "is not a server's URL", "--server", "ftp://x", "maps", NULL);
	ctl_fails(NULL, 2, "is not a server's URL", "maps", "--server", "http://x/y?z", NULL);
	/* no terminal to ask on, and no --yes: refused before any daemon is asked */
	ctl_fails(NULL, 2, "add --yes", "reset", NULL);
	ctl_fails(NULL, 2, "add --yes", "--json", "reset", NULL);
}

/* ---- daemons that do not answer ---- */

/* a port on 127.0.0.1 where nothing listens */
static guint16
closed_port(void)
{
	g_autoptr(GSocketListener) listener = g_socket_listener_new();
	g_autoptr(GError) error = NULL;
	guint16 port = g_socket_listener_add_any_inet_port(listener, NULL, &error);

	g_assert_no_error(error);
	g_socket_listener_close(listener);
	return port;
}

static void
test_unreachable(CtlFixture *f, gconstpointer data)
{
	static const gchar *const server_commands[][4] = {
		{ "banks" },	  { "maps" },	      { "clients" },
		{ "slots" },	  { "slots", "1" },   { "map", "1:0", "1:0" },
		{ "unmap", "1" }, { "unmap", "1:0" }, { "reset", "--yes" },
	};
	g_autofree gchar *url = g_strdup_printf("http://127.0.0.1:%u", closed_port());
	CtlMode rest = { "rest", { "--server", url, NULL } };
	g_autofree gchar *no_bus = NULL;
	const gchar *no_bus_env[] = { "DBUS_SESSION_BUS_ADDRESS", NULL, NULL };
	g_autoptr(JsonObject) version = NULL;

	if (f->daemons == NULL)
		return;
	no_bus =
	    g_strdup_printf("unix:path=%s/no-bus", remsim_ctl_test_daemons_get_dir(f->daemons));
	no_bus_env[1] = no_bus;
	for (guint i = 0; i < G_N_ELEMENTS(server_commands); i++) {
		const gchar *const *c = server_commands[i];

		ctl_fails(&f->dbus, 3, "remsim-server is not on the session bus: start it", c[0],
			  c[1], c[2], NULL);
		ctl_fails(&f->dbus, 3, "remsim-server is not on the session bus", "--json", c[0],
			  c[1], c[2], NULL);
		ctl_fails(&rest, 3, "does not answer", c[0], c[1], c[2], NULL);
	}
	ctl_fails(&f->dbus, 3, "no remsim daemon is on the session bus", "status", NULL);
	ctl_fails(&f->dbus, 3, "remsim-bankd is not on the session bus", "slot", "reset", "1:0",
		  NULL);
	ctl_fails(&rest, 3, "does not answer", "status", NULL);
	ctl_fails(&rest, 3, "does not answer", "watch", NULL);
	ctl_fails(&rest, 3, "does not answer", "--json", "watch", NULL);

	/* no session bus at all */
	{
		gchar *argv[] = { (gchar *)g_getenv("REMSIM_CTL"), (gchar *)"--session",
				  (gchar *)"maps", NULL };
		g_autofree gchar *out = NULL, *err = NULL;

		g_assert_cmpint(ctl_run_argv(argv, no_bus_env, &out, &err), ==, 3);
		g_assert_nonnull(strstr(err, "there is no session bus here"));
	}

	/* version answers for itself, whoever else does not */
	version = ctl_json(&f->dbus, "version", "version", NULL);
	g_assert_cmpstr(json_object_get_string_member(version, "version"), ==, PACKAGE_VERSION);
	g_assert_cmpuint(length(version, "daemons"), ==, 0);
	g_clear_pointer(&version, json_object_unref);
	version = ctl_json(&rest, "version", "version", NULL);
	g_assert_cmpuint(length(version, "daemons"), ==, 0);
	g_free(ctl_ok(&rest, "version", NULL));
}

/* ---- every command, on D-Bus (data "dbus") or over REST ("rest") ---- */

static void
check_status(CtlFixture *f, const CtlMode *m, gboolean dbus)
{
	g_autofree gchar *out = ctl_ok(m, "status", NULL);
	g_autoptr(JsonObject) j = ctl_json(m, "status", "status", NULL);
	JsonObject *server;
	gboolean bank_link = FALSE, client_link = FALSE;

	assert_row(out, "DAEMON", "STATE", "VERSION", NULL);
	assert_row(out, "remsim-server", "running", PACKAGE_VERSION, NULL);
	assert_row(out, "bank:1", "server", "connected", NULL);
	assert_row(out, "client:1:0", "server", "connected", NULL);
	g_assert_cmpuint(length(j, "daemons"), ==, dbus ? 3 : 1);
	server = element(j, "daemons", 0);
	g_assert_cmpstr(json_object_get_string_member(server, "daemon"), ==, "remsim-server");
	g_assert_true(json_object_get_boolean_member(server, "reachable"));
	g_assert_cmpstr(json_object_get_string_member(server, "version"), ==, PACKAGE_VERSION);
	g_assert_cmpstr(json_object_get_string_member(server, "via"), ==,
			dbus ? "session-bus" : "rest");
	g_assert_cmpstr(json_object_get_string_member(server, "address"), ==,
			dbus ? REMSIM_DBUS_SERVER_NAME
			     : remsim_ctl_test_daemons_get_rest_url(f->daemons));
	if (dbus) {
		assert_row(out, "remsim-bankd", "running", PACKAGE_VERSION, NULL);
		assert_row(out, "remsim-client", "running", PACKAGE_VERSION, NULL);
		for (guint i = 0; i < 3; i++)
			g_assert_true(
			    json_object_get_boolean_member(element(j, "daemons", i), "reachable"));
	}
	for (guint i = 0; i < length(j, "links"); i++) {
		JsonObject *l = element(j, "links", i);

		if (!g_str_equal(json_object_get_string_member(l, "daemon"), "remsim-server"))
			continue;
		g_assert_cmpstr(json_object_get_string_member(l, "to"), ==, "server");
		g_assert_cmpstr(json_object_get_string_member(l, "state"), ==, "connected");
		g_assert_true(is_null(l, "address") != dbus);
		bank_link |= g_str_equal(json_object_get_string_member(l, "from"), "bank:1");
		client_link |= g_str_equal(json_object_get_string_member(l, "from"), "client:1:0");
	}
	g_assert_true(bank_link && client_link);
	/* the bank's and the client's own links, only they can tell */
	g_assert_cmpuint(length(j, "links"), ==, dbus ? 5 : 2);
}

static void
check_banks_clients(const CtlMode *m, gboolean dbus)
{
	g_autofree gchar *banks = ctl_ok(m, "banks", NULL);
	g_autofree gchar *clients = ctl_ok(m, "clients", NULL);
	g_autoptr(JsonObject) jb = ctl_json(m, "banks", "banks", NULL);
	g_autoptr(JsonObject) jc = ctl_json(m, "clients", "clients", NULL);
	g_autofree gchar *software = g_strdup_printf("remsim-bankd %s", PACKAGE_VERSION);
	JsonObject *bank, *client;

	assert_row(banks, "BANK", "SLOTS", "NAME", "SOFTWARE", "ADDRESS", NULL);
	g_assert_nonnull(strstr(banks, software));
	g_assert_cmpuint(length(jb, "banks"), ==, 1);
	bank = element(jb, "banks", 0);
	g_assert_cmpint(json_object_get_int_member(bank, "bank_id"), ==, 1);
	g_assert_cmpint(json_object_get_int_member(bank, "slots"), ==, 4);
	g_assert_cmpstr(json_object_get_string_member(bank, "software"), ==, "remsim-bankd");
	g_assert_cmpstr(json_object_get_string_member(bank, "software_version"), ==,
			PACKAGE_VERSION);
	g_assert_true(is_null(bank, "address") != dbus);

	assert_row(clients, "CLIENT", "NAME", "SOFTWARE", NULL);
	assert_row(clients, "1:0", NULL);
	g_assert_cmpuint(length(jc, "clients"), ==, 1);
	client = element(jc, "clients", 0);
	g_assert_cmpint(json_object_get_int_member(client, "client_id"), ==, 1);
	g_assert_cmpint(json_object_get_int_member(client, "slot"), ==, 0);
	g_assert_cmpstr(json_object_get_string_member(client, "software"), ==, "remsim-client");
	g_assert_true(is_null(client, "frontend") == !dbus);
	if (dbus)
		g_assert_cmpstr(json_object_get_string_member(client, "frontend"), ==, "shell");
}

static void
check_mapped(CtlFixture *f, const CtlMode *m, gboolean dbus)
{
	g_autofree gchar *maps = ctl_ok(m, "maps", NULL);
	g_autofree gchar *slots = ctl_ok(m, "slots", NULL);
	g_autoptr(JsonObject) jm = ctl_json(m, "maps", "maps", NULL);
	g_autoptr(JsonObject) js = ctl_json(m, "slots", "slots", NULL);
	g_autoptr(JsonObject) js1 = ctl_json(m, "slots", "slots", "1", NULL);
	g_autoptr(JsonObject) jc = ctl_json(m, "clients", "clients", NULL);
	JsonObject *map, *slot, *client;

	assert_row(maps, "ID", "CLIENT", "BANK", "STATE", "ERROR", NULL);
	assert_row(maps, "65536", "1:0", "1:0", "active", "-", NULL);
	g_assert_cmpuint(length(jm, "maps"), ==, 1);
	map = element(jm, "maps", 0);
	g_assert_cmpint(json_object_get_int_member(map, "id"), ==, MAP_1_0);
	g_assert_cmpint(json_object_get_int_member(map, "client_id"), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(map, "state"), ==, "active");
	g_assert_true(is_null(map, "error"));

	assert_row(slots, "SLOT", "CLIENT", "MAP", "STATE", "CARD", "APDUS", "ERRORS", NULL);
	if (dbus) {
		assert_row(slots, "1:0", "1:0", "active", "card-powered", "yes", NULL);
		assert_row(slots, "1:1", "-", "-", "idle", "yes", "0", "0", NULL);
	} else {
		assert_row(slots, "1:0", "1:0", "active", "-", "-", "-", "-", NULL);
		assert_row(slots, "1:3", "-", "-", "-", "-", "-", "-", NULL);
	}
	g_assert_cmpuint(length(js, "slots"), ==, 4);
	g_assert_cmpuint(length(js1, "slots"), ==, 4);
	slot = element(js, "slots", 0);
	g_assert_cmpint(json_object_get_int_member(slot, "map_id"), ==, MAP_1_0);
	g_assert_cmpstr(json_object_get_string_member(slot, "map_state"), ==, "active");
	g_assert_true(is_null(slot, "state") == !dbus);
	g_assert_true(is_null(slot, "atr") == !dbus);
	if (dbus) {
		g_assert_cmpstr(json_object_get_string_member(slot, "state"), ==, "card-powered");
		g_assert_true(json_object_get_boolean_member(slot, "card_present"));
		g_assert_true(g_str_has_prefix(json_object_get_string_member(slot, "atr"), "3B"));
	}
	g_assert_true(is_null(element(js, "slots", 1), "map_id"));

	client = element(jc, "clients", 0);
	if (dbus) {
		g_assert_cmpstr(json_object_get_string_member(client, "state"), ==, "card-powered");
		g_assert_cmpint(json_object_get_int_member(client, "bank_id"), ==, 1);
		g_assert_cmpint(json_object_get_int_member(client, "bank_slot"), ==, 0);
	} else {
		g_assert_true(is_null(client, "state") && is_null(client, "bank_id"));
	}
	ctl_fails(m, 5, "bank 7 is not connected", "slots", "7", NULL);
}

static void
check_slot_reset(const CtlMode *m, gboolean dbus)
{
	g_autofree gchar *out = NULL;
	g_autoptr(JsonObject) j = NULL;
	JsonObject *slot;

	if (!dbus) {
		ctl_fails(m, 2, "REST API cannot reset a card", "slot", "reset", "1:0", NULL);
		return;
	}
	out = ctl_ok(m, "slot", "reset", "1:0", NULL);
	g_assert_true(
	    g_str_has_prefix(out, "Reset the card in bank slot 1:0; it answered with ATR 3B"));
	j = ctl_json(m, "slot reset", "slot", "reset", "bank:1:0", NULL);
	slot = json_object_get_object_member(j, "slot");
	g_assert_cmpint(json_object_get_int_member(slot, "bank_id"), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(slot, "state"), ==, "card-powered");
	g_assert_true(g_str_has_prefix(json_object_get_string_member(slot, "atr"), "3B"));
	g_assert_true(is_null(slot, "map_state"));
	ctl_fails(m, 4, "remsim-bankd refused", "slot", "reset", "1:1", NULL);
	ctl_fails(m, 4, "remsim-ctl slots shows which cards are powered", "slot", "reset", "1:1",
		  NULL);
	ctl_fails(m, 5, "bank 7 is not on this bus", "slot", "reset", "7:0", NULL);
	ctl_fails(m, 5, "bank 1 has no slot 9", "slot", "reset", "1:9", NULL);
}

static void
check_unmap(CtlFixture *f, const CtlMode *m)
{
	g_autoptr(JsonObject) unmapped = ctl_json(m, "unmap", "unmap", "65536", NULL);
	g_autoptr(JsonObject) mapped = NULL;
	g_autofree gchar *out = NULL, *ambiguous = NULL, *by_bank = NULL, *bare = NULL;
	JsonObject *map = json_object_get_object_member(unmapped, "map");
	const gchar *state;

	g_assert_cmpint(json_object_get_int_member(map, "id"), ==, MAP_1_0);
	g_assert_cmpstr(json_object_get_string_member(map, "state"), ==, "active");
	wait_map(f, MAP_1_0, NULL);
	ctl_fails(m, 5, "there is no slot map 65536", "unmap", "65536", NULL);
	ctl_fails(m, 5, "no slot map uses 5:5", "unmap", "5:5", NULL);

	/* made in JSON mode, deleted by its client slot */
	mapped = ctl_json(m, "map", "map", "1:0", "1:0", NULL);
	map = json_object_get_object_member(mapped, "map");
	g_assert_cmpint(json_object_get_int_member(map, "id"), ==, MAP_1_0);
	state = json_object_get_string_member(map, "state");
	g_assert_true(g_str_equal(state, "new") || g_str_equal(state, "unacknowledged") ||
		      g_str_equal(state, "active"));
	out = ctl_ok(m, "unmap", "client:1:0", NULL);
	g_assert_cmpstr(out, ==,
			"Deleted slot map 65536: client slot 1:0 no longer uses bank slot 1:0.\n");
	wait_map(f, MAP_1_0, NULL);

	/* 1:0 is the client slot of one map and the bank slot of another */
	g_free(ctl_ok(m, "map", "1:0", "1:1", NULL));
	g_free(ctl_ok(m, "map", "1:1", "1:0", NULL));
	ctl_fails(m, 2, "write client:1:0 or bank:1:0", "unmap", "1:0", NULL);
	by_bank = ctl_ok(m, "unmap", "bank:1:0", NULL);
	g_assert_true(g_str_has_prefix(by_bank, "Deleted slot map 65536: client slot 1:1 "));
	bare = ctl_ok(m, "unmap", "1:1", NULL);
	g_assert_true(g_str_has_prefix(bare, "Deleted slot map 65537: client slot 1:0 "));
	wait_map(f, MAP_1_0, NULL);
	wait_map(f, MAP_1_1, NULL);
}

static void
check_reset_version(CtlFixture *f, const CtlMode *m, gboolean dbus)
{
	g_autofree gchar *out = NULL, *version = NULL, *want = NULL;
	g_autoptr(JsonObject) j = NULL, jv = NULL;

	g_free(ctl_ok(m, "map", "1:0", "1:0", NULL));
	g_free(ctl_ok(m, "map", "2:0", "1:1", NULL));
	out = ctl_ok(m, "reset", "--yes", NULL);
	g_assert_cmpstr(out, ==, "Deleted 2 slot maps.\n");
	wait_map(f, MAP_1_0, NULL);
	wait_map(f, MAP_1_1, NULL);
	g_free(ctl_ok(m, "map", "1:0", "1:0", NULL));
	j = ctl_json(m, "reset", "reset", "-y", NULL);
	g_assert_cmpint(json_object_get_int_member(j, "removed"), ==, 1);
	wait_map(f, MAP_1_0, NULL);
	g_clear_pointer(&out, g_free);
	out = ctl_ok(m, "maps", NULL);
	g_assert_cmpstr(out, ==, "No slot maps.\n");

	version = ctl_ok(m, "version", NULL);
	want =
	    g_strdup_printf("remsim-ctl %s\nremsim-server %s\n", PACKAGE_VERSION, PACKAGE_VERSION);
	g_assert_true(g_str_has_prefix(version, want));
	jv = ctl_json(m, "version", "version", NULL);
	g_assert_cmpstr(json_object_get_string_member(jv, "version"), ==, PACKAGE_VERSION);
	g_assert_cmpuint(length(jv, "daemons"), ==, dbus ? 3 : 1);
}

static guint
cards_read(const CtlMode *m)
{
	g_autoptr(JsonObject) cards = ctl_json(m, "cards", "cards", NULL);
	guint n = 0;

	for (guint i = 0; i < length(cards, "cards"); i++)
		if (!json_object_get_boolean_member(element(cards, "cards", i), "stale"))
			n++;
	return n;
}

/* the cards the bank read, searched, and a map made by ICCID */
static void
check_cards(const CtlMode *m)
{
	g_autoptr(JsonObject) cards = NULL, none = NULL, made = NULL;
	g_autofree gchar *table = NULL;
	JsonObject *card;

	REMSIM_TEST_WAIT_FOR(cards_read(m) >= 2);
	/* every slot of the bank holds the same profile */
	cards = ctl_json(m, "cards", "cards", "--iccid", "89001010", NULL);
	g_assert_cmpuint(length(cards, "cards"), >=, 2);
	card = element(cards, "cards", 1);
	g_assert_cmpint(json_object_get_int_member(card, "slot"), ==, 1);
	g_assert_cmpstr(json_object_get_string_member(card, "iccid"), ==, "8900101000000000019");
	g_assert_cmpstr(json_object_get_string_member(card, "spn"), ==, "remsim 1");
	/* PIN1 keeps the IMSI: no PIN is configured */
	g_assert_true(is_null(card, "imsi"));
	none = ctl_json(m, "cards", "cards", "--imsi", "001", NULL);
	g_assert_cmpuint(length(none, "cards"), ==, 0);
	table = ctl_ok(m, "cards", NULL);
	/* words: the SPN "remsim 1" is two */
	assert_row(table, "1:0", "8900101000000000019", "-", "remsim", "1", "enabled", "-", "read",
		   NULL);

	made = ctl_json(m, "map", "map", "2:0", "iccid:8900101000000000019", NULL);
	g_assert_cmpint(
	    json_object_get_int_member(json_object_get_object_member(made, "map"), "bank_id"), ==,
	    1);
	g_free(ctl_ok(m, "unmap", "client:2:0", NULL));
	ctl_fails(m, 5, "8900000000000000000", "map", "2:0", "iccid:8900000000000000000", NULL);
}

static void
test_commands(CtlFixture *f, gconstpointer data)
{
	const CtlMode *m = fixture_mode(f, data);
	gboolean dbus = m == &f->dbus;
	g_autofree gchar *none = NULL, *made = NULL;
	g_autoptr(JsonObject) empty = NULL;

	if (f->daemons == NULL)
		return;
	check_status(f, m, dbus);
	check_banks_clients(m, dbus);

	none = ctl_ok(m, "maps", NULL);
	g_assert_cmpstr(none, ==, "No slot maps.\n");
	empty = ctl_json(m, "maps", "maps", NULL);
	g_assert_cmpuint(length(empty, "maps"), ==, 0);

	made = ctl_ok(m, "map", "1:0", "1:0", NULL);
	g_assert_true(
	    g_str_has_prefix(made, "Client slot 1:0 now uses bank slot 1:0 (slot map 65536, "));
	wait_relay(f);
	check_mapped(f, m, dbus);
	/* the client slot is taken: the server refuses */
	ctl_fails(m, 4, "refused: client slot", "map", "1:0", "1:2", NULL);
	ctl_fails(m, 4, "remsim-ctl unmap frees a slot", "map", "1:3", "1:0", NULL);
	check_slot_reset(m, dbus);
	check_unmap(f, m);
	check_reset_version(f, m, dbus);
	check_cards(m);
}

/* every member of D-Bus's answer is REST's, or null over REST (what REST cannot know) */
static void
assert_same_output(JsonObject *dbus, JsonObject *rest, const gchar *where)
{
	g_autoptr(GList) members = json_object_get_members(dbus);

	g_assert_cmpuint(json_object_get_size(dbus), ==, json_object_get_size(rest));
	for (GList *l = members; l != NULL; l = l->next) {
		JsonNode *a = json_object_get_member(dbus, l->data);
		JsonNode *b = json_object_get_member(rest, l->data);

		g_assert_nonnull(b);
		if (JSON_NODE_HOLDS_ARRAY(a)) {
			JsonArray *x = json_node_get_array(a), *y = json_node_get_array(b);

			g_assert_cmpuint(json_array_get_length(x), ==, json_array_get_length(y));
			for (guint i = 0; i < json_array_get_length(x); i++)
				assert_same_output(json_array_get_object_element(x, i),
						   json_array_get_object_element(y, i), where);
		} else if (!JSON_NODE_HOLDS_NULL(b) && !json_node_equal(a, b)) {
			g_error("%s.%s differs between D-Bus and REST", where,
				(const gchar *)l->data);
		}
	}
}

static void
test_same_output(CtlFixture *f, gconstpointer data)
{
	static const gchar *const commands[] = { "banks", "clients", "maps", "slots", "cards" };

	if (f->daemons == NULL)
		return;
	g_free(ctl_ok(&f->dbus, "map", "1:0", "1:0", NULL));
	wait_relay(f);
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autoptr(JsonObject) dbus = ctl_json(&f->dbus, commands[i], commands[i], NULL);
		g_autoptr(JsonObject) rest = ctl_json(&f->rest, commands[i], commands[i], NULL);

		assert_same_output(dbus, rest, commands[i]);
	}
}

/* ---- on a terminal: colour, and reset's question ---- */

/*
 * runs remsim-ctl --session ... with standard input, output and error on a
 * new terminal, after typing @input; returns its exit status and in @out all
 * it wrote there
 */
static gint
ctl_run_on_terminal(const gchar *const *env, const gchar *input, gchar **out,
		    const gchar *const *args)
{
	gint master = posix_openpt(O_RDWR | O_NOCTTY);
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	GString *text = g_string_new(NULL);
	GPtrArray *argv = g_ptr_array_new();
	gint slave;
	gchar buf[4096];
	gssize n;

	g_assert_cmpint(master, >=, 0);
	g_assert_cmpint(grantpt(master), ==, 0);
	g_assert_cmpint(unlockpt(master), ==, 0);
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	g_assert_cmpint(slave, >=, 0);
	launcher = ctl_launcher(G_SUBPROCESS_FLAGS_NONE, env);
	g_subprocess_launcher_take_stdin_fd(launcher, dup(slave));
	g_subprocess_launcher_take_stderr_fd(launcher, dup(slave));
	g_subprocess_launcher_take_stdout_fd(launcher, slave);
	g_ptr_array_add(argv, (gpointer)g_getenv("REMSIM_CTL"));
	g_ptr_array_add(argv, (gpointer) "--session");
	for (guint i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	if (input != NULL)
		g_assert_cmpint(write(master, input, strlen(input)), ==, (gssize)strlen(input));
	proc = g_subprocess_launcher_spawnv(launcher, (const gchar *const *)argv->pdata, &error);
	g_assert_no_error(error);
	g_ptr_array_unref(argv);
	/* the terminal is ours alone once the launcher let go of its side */
	g_clear_object(&launcher);
	g_assert_true(g_subprocess_wait(proc, NULL, &error));
	g_assert_no_error(error);
	g_unix_set_fd_nonblocking(master, TRUE, NULL);
	while ((n = read(master, buf, sizeof(buf))) > 0)
		g_string_append_len(text, buf, n);
	close(master);
	*out = g_string_free(text, FALSE);
	g_test_message("on a terminal -> %d:\n%s", g_subprocess_get_exit_status(proc), *out);
	return g_subprocess_get_exit_status(proc);
}

static void
test_terminal(CtlFixture *f, gconstpointer data)
{
	const gchar *maps[] = { "maps", NULL };
	const gchar *reset[] = { "reset", NULL };
	const gchar *term[] = { "TERM", "xterm", NULL };
	const gchar *no_colour[] = { "TERM", "xterm", "NO_COLOR", "1", NULL };
	const gchar *dumb[] = { "TERM", "dumb", NULL };
	g_autofree gchar *coloured = NULL, *plain = NULL, *dumb_out = NULL;
	g_autofree gchar *declined = NULL, *confirmed = NULL, *left = NULL;

	if (f->daemons == NULL)
		return;
	g_free(ctl_ok(&f->dbus, "map", "1:0", "1:0", NULL));
	wait_map(f, MAP_1_0, "active");

	/* colour only on a terminal, and not with NO_COLOR or TERM=dumb */
	g_assert_cmpint(ctl_run_on_terminal(term, NULL, &coloured, maps), ==, 0);
	g_assert_nonnull(strstr(coloured, "\033[1mID\033[0m"));
	g_assert_nonnull(strstr(coloured, "\033[32mactive\033[0m"));
	g_assert_cmpint(ctl_run_on_terminal(no_colour, NULL, &plain, maps), ==, 0);
	g_assert_null(strstr(plain, "\033"));
	g_assert_nonnull(strstr(plain, "active"));
	g_assert_cmpint(ctl_run_on_terminal(dumb, NULL, &dumb_out, maps), ==, 0);
	g_assert_null(strstr(dumb_out, "\033"));

	/* reset asks, and "n" keeps the maps */
	g_assert_cmpint(ctl_run_on_terminal(term, "n\n", &declined, reset), ==, 4);
	g_assert_nonnull(strstr(declined, "Delete 1 slot map? Its bank drops its client. [y/N]"));
	g_assert_nonnull(strstr(declined, "not confirmed: nothing was deleted"));
	left = ctl_ok(&f->dbus, "maps", NULL);
	assert_row(left, "65536", NULL);
	g_assert_cmpint(ctl_run_on_terminal(term, "y\n", &confirmed, reset), ==, 0);
	g_assert_nonnull(strstr(confirmed, "Deleted 1 slot map."));
	wait_map(f, MAP_1_0, NULL);
}

/* ---- watch ---- */

typedef struct {
	GDataInputStream *stream;
	GPtrArray *lines;
	gboolean eof;
} CtlReader;

typedef struct {
	GSubprocess *proc;
	CtlReader out;
	CtlReader err;
	guint next; /* the first line of out not looked at yet */
} CtlWatch;

static void reader_next(CtlReader *r);

static void
reader_line_ready(GObject *source, GAsyncResult *result, gpointer data)
{
	CtlReader *r = data;
	gchar *line = g_data_input_stream_read_line_finish_utf8(G_DATA_INPUT_STREAM(source), result,
								NULL, NULL);

	if (line == NULL) {
		r->eof = TRUE;
		return;
	}
	g_ptr_array_add(r->lines, line);
	reader_next(r);
}

static void
reader_next(CtlReader *r)
{
	g_data_input_stream_read_line_async(r->stream, G_PRIORITY_DEFAULT, NULL, reader_line_ready,
					    r);
}

static void
reader_start(CtlReader *r, GInputStream *pipe)
{
	r->stream = g_data_input_stream_new(pipe);
	r->lines = g_ptr_array_new_with_free_func(g_free);
	reader_next(r);
}

static gboolean
reader_has_line(gpointer data)
{
	CtlReader *r = data;

	return r->lines->len > 0 || r->eof;
}

static gboolean
reader_at_end(gpointer data)
{
	return ((CtlReader *)data)->eof;
}

/* remsim-ctl @mode [--json] watch, running once it said so on stderr */
static CtlWatch *
watch_start(const CtlMode *m, gboolean json)
{
	CtlWatch *w = g_new0(CtlWatch, 1);
	g_autoptr(GSubprocessLauncher) launcher =
	    ctl_launcher(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
	g_autoptr(GError) error = NULL;
	GPtrArray *argv = g_ptr_array_new();

	g_ptr_array_add(argv, (gpointer)g_getenv("REMSIM_CTL"));
	for (guint i = 0; m->args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)m->args[i]);
	if (json)
		g_ptr_array_add(argv, (gpointer) "--json");
	g_ptr_array_add(argv, (gpointer) "watch");
	g_ptr_array_add(argv, NULL);
	w->proc = g_subprocess_launcher_spawnv(launcher, (const gchar *const *)argv->pdata, &error);
	g_assert_no_error(error);
	g_ptr_array_unref(argv);
	reader_start(&w->out, g_subprocess_get_stdout_pipe(w->proc));
	reader_start(&w->err, g_subprocess_get_stderr_pipe(w->proc));
	remsim_ctl_test_daemons_wait(reader_has_line, &w->err);
	g_assert_cmpuint(w->err.lines->len, ==, 1);
	g_assert_true(g_str_has_prefix(w->err.lines->pdata[0], "Watching "));
	return w;
}

typedef struct {
	CtlWatch *w;
	const gchar *text;
} CtlWatchWait;

static gboolean
watch_has(gpointer data)
{
	CtlWatchWait *wait = data;
	CtlWatch *w = wait->w;

	for (; w->next < w->out.lines->len; w->next++)
		if (strstr(w->out.lines->pdata[w->next], wait->text) != NULL)
			return TRUE;
	if (w->out.eof)
		g_error("watch ended without a line with %s", wait->text);
	return FALSE;
}

/* the next line of the watch's output with @text in it */
static const gchar *
watch_wait(CtlWatch *w, const gchar *text)
{
	CtlWatchWait wait = { w, text };

	remsim_ctl_test_daemons_wait(watch_has, &wait);
	return w->out.lines->pdata[w->next++];
}

/*
 * a JSON event @event about a @kind whose @member is @value and whose state
 * is @state (NULL: any), seen so far or still to come: events of different
 * daemons come in any order
 */
static JsonObject *
watch_wait_event(CtlWatch *w, const gchar *event, const gchar *kind, const gchar *member,
		 gint64 value, const gchar *state)
{
	g_autofree gchar *text = g_strdup_printf("\"event\":\"%s\"", event);

	w->next = 0;
	for (;;) {
		JsonObject *e = parse_object(watch_wait(w, text));
		JsonObject *o = json_object_get_object_member(e, kind);

		check_event(e);
		if (json_object_get_int_member(o, member) == value &&
		    (state == NULL ||
		     g_strcmp0(json_object_get_string_member(o, "state"), state) == 0))
			return e;
		json_object_unref(e);
	}
}

/* SIGINT, and a clean exit */
static void
watch_stop(CtlWatch *w)
{
	g_autoptr(GError) error = NULL;

	g_subprocess_send_signal(w->proc, SIGINT);
	remsim_ctl_test_daemons_wait(reader_at_end, &w->out);
	remsim_ctl_test_daemons_wait(reader_at_end, &w->err);
	g_assert_true(g_subprocess_wait(w->proc, NULL, &error));
	g_assert_true(g_subprocess_get_if_exited(w->proc));
	g_assert_cmpint(g_subprocess_get_exit_status(w->proc), ==, 0);
	g_assert_cmpuint(w->err.lines->len, ==, 1);
	for (guint i = 0; i < w->out.lines->len; i++)
		g_assert_null(strstr(w->out.lines->pdata[i], "\033"));
	g_object_unref(w->out.stream);
	g_object_unref(w->err.stream);
	g_ptr_array_unref(w->out.lines);
	g_ptr_array_unref(w->err.lines);
	g_object_unref(w->proc);
	g_free(w);
}

static void
test_watch(CtlFixture *f, gconstpointer data)
{
	const CtlMode *m = fixture_mode(f, data);
	gboolean dbus = m == &f->dbus;
	CtlWatch *w;
	g_autoptr(JsonObject) added = NULL, link = NULL;

	if (f->daemons == NULL)
		return;
	/* JSON: the map comes, and (live on D-Bus) turns active */
	w = watch_start(m, TRUE);
	g_free(ctl_ok(m, "map", "1:0", "1:0", NULL));
	added = watch_wait_event(w, "map-added", "map", "id", MAP_1_0, NULL);
	g_assert_cmpint(
	    json_object_get_int_member(json_object_get_object_member(added, "map"), "client_id"),
	    ==, 1);
	if (dbus) {
		/* live: the map turns active, the bank's slot and the client follow */
		json_object_unref(
		    watch_wait_event(w, "map-changed", "map", "id", MAP_1_0, "active"));
		json_object_unref(
		    watch_wait_event(w, "slot-changed", "slot", "slot", 0, "card-powered"));
		json_object_unref(watch_wait_event(w, "client-changed", "client", "client_id", 1,
						   "card-powered"));
		w->next = 0;
		link = parse_object(watch_wait(w, "\"event\":\"link-changed\""));
		check_event(link);
	}
	wait_map(f, MAP_1_0, "active");
	watch_stop(w);

	/* for people: the map goes */
	w = watch_start(m, FALSE);
	g_free(ctl_ok(m, "unmap", "1:0", NULL));
	watch_wait(w, "slot map 65536 removed: client 1:0, bank 1:0");
	watch_stop(w);
}

/* daemons that come and go while watching on D-Bus; a bank and a client without a server */
static void
test_daemons(CtlFixture *f, gconstpointer data)
{
	CtlWatch *w;
	JsonObject *e;
	g_autoptr(JsonObject) slots = NULL, clients = NULL, status = NULL;
	g_autofree gchar *table = NULL;

	if (f->daemons == NULL)
		return;
	w = watch_start(&f->dbus, TRUE);
	remsim_ctl_test_daemons_start_server(f->daemons);
	e = parse_object(watch_wait(w, "\"event\":\"daemon-found\""));
	check_event(e);
	g_assert_cmpstr(
	    json_object_get_string_member(json_object_get_object_member(e, "daemon"), "daemon"), ==,
	    "remsim-server");
	json_object_unref(e);
	remsim_ctl_test_daemons_start_bankd(f->daemons, 2);
	json_object_unref(watch_wait_event(w, "bank-added", "bank", "bank_id", 1, NULL));
	remsim_ctl_test_daemons_start_client(f->daemons, 3, 1);
	json_object_unref(watch_wait_event(w, "client-added", "client", "client_id", 3, NULL));
	remsim_ctl_test_daemons_stop_server(f->daemons);
	e = parse_object(watch_wait(w, "\"event\":\"daemon-lost\""));
	check_event(e);
	g_assert_false(json_object_get_boolean_member(json_object_get_object_member(e, "daemon"),
						      "reachable"));
	json_object_unref(e);
	watch_stop(w);

	/* the bank's slots from the bank alone, the client's from the client alone */
	ctl_fails(&f->dbus, 3, "remsim-server is not on the session bus", "banks", NULL);
	slots = ctl_json(&f->dbus, "slots", "slots", NULL);
	g_assert_cmpuint(length(slots, "slots"), ==, 2);
	g_assert_true(is_null(element(slots, "slots", 0), "map_state"));
	g_assert_cmpstr(json_object_get_string_member(element(slots, "slots", 1), "state"), ==,
			"idle");
	table = ctl_ok(&f->dbus, "slots", "1", NULL);
	assert_row(table, "1:1", "-", "-", "idle", "yes", "0", "0", NULL);
	clients = ctl_json(&f->dbus, "clients", "clients", NULL);
	g_assert_cmpuint(length(clients, "clients"), ==, 1);
	g_assert_cmpint(json_object_get_int_member(element(clients, "clients", 0), "client_id"), ==,
			3);
	g_assert_true(is_null(element(clients, "clients", 0), "address"));
	g_assert_cmpstr(json_object_get_string_member(element(clients, "clients", 0), "frontend"),
			==, "shell");
	status = ctl_json(&f->dbus, "status", "status", NULL);
	g_assert_false(json_object_get_boolean_member(element(status, "daemons", 0), "reachable"));
	g_assert_true(json_object_get_boolean_member(element(status, "daemons", 1), "reachable"));
	g_assert_true(json_object_get_boolean_member(element(status, "daemons", 2), "reachable"));
}

int
main(int argc, char *argv[])
{
	g_test_init(&argc, &argv, NULL);
	shapes_load();

	g_test_add_func("/ctl/usage", test_usage);
	g_test_add("/ctl/unreachable", CtlFixture, NULL, fixture_bus, test_unreachable,
		   fixture_teardown);
	g_test_add("/ctl/dbus/commands", CtlFixture, "dbus", fixture_all, test_commands,
		   fixture_teardown);
	g_test_add("/ctl/rest/commands", CtlFixture, "rest", fixture_all, test_commands,
		   fixture_teardown);
	g_test_add("/ctl/same-output", CtlFixture, NULL, fixture_all, test_same_output,
		   fixture_teardown);
	g_test_add("/ctl/terminal", CtlFixture, NULL, fixture_all, test_terminal, fixture_teardown);
	g_test_add("/ctl/dbus/watch", CtlFixture, "dbus", fixture_all, test_watch,
		   fixture_teardown);
	g_test_add("/ctl/rest/watch", CtlFixture, "rest", fixture_all, test_watch,
		   fixture_teardown);
	g_test_add("/ctl/dbus/daemons", CtlFixture, NULL, fixture_bus, test_daemons,
		   fixture_teardown);
	return g_test_run();
}
