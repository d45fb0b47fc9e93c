/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimTestDaemon: a real remsim-server, remsim-bankd or remsim-client from the
 * build tree (REMSIM_SERVER, REMSIM_BANKD, REMSIM_CLIENT), started the one way
 * every test starts it:
 *
 *   - in a temporary folder of its own (its working directory, removed after),
 *   - with an explicit config file written there (empty unless the test gives
 *     its text), never the host's /etc/remsim,
 *   - on 127.0.0.1 with ephemeral ports it reports through --port-file
 *     (remsim_test_daemon_start() returns once it listens),
 *   - without D-Bus unless the test gives a session bus (remsim-test-dbus.h),
 *   - dying with the test if the test dies (PR_SET_PDEATHSIG).
 *
 * remsim_test_daemon_stop() sends SIGTERM and fails the test if the daemon does
 * not exit, cleanly and with status 0, within REMSIM_TEST_TIMEOUT_MS; an
 * unreferenced daemon that still runs is stopped so. A stopped or killed daemon
 * starts again with remsim_test_daemon_start(), on the ports it had.
 *
 * The client (and any other program of kind PROGRAM) is driven as a user
 * drives it: lines written to its stdin (the shell front end), its stdout read
 * line by line as it comes.
 *
 * Example:
 *
 *   g_autoptr(RemsimTestDaemon) bankd = remsim_test_daemon_spawn(
 *       REMSIM_TEST_DAEMON_BANKD,
 *       &(RemsimTestDaemonOptions){ .server_port = remsim_test_peer_get_port(server),
 *                                   .backend = "example", .n_slots = 2,
 *                                   .config = "[example]\nslots=2\n" });
 *   client = remsim_test_peer_new_client(7, 0);
 *   remsim_test_peer_dial(client, remsim_test_daemon_get_port(bankd), hello);
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "remsim-test-common.h"

G_BEGIN_DECLS

/* the bank id remsim-bankd is started with */
#define REMSIM_TEST_DAEMON_BANK_ID 1

typedef enum {
	REMSIM_TEST_DAEMON_SERVER,
	REMSIM_TEST_DAEMON_BANKD,
	REMSIM_TEST_DAEMON_CLIENT,
	/* any other program, driven through stdin and stdout like the client */
	REMSIM_TEST_DAEMON_PROGRAM,
} RemsimTestDaemonKind;

typedef struct {
	/*
	 * The text of its config file (written into its folder and passed with
	 * --config); NULL: an empty file. remsim-bankd's file starts with the
	 * helper's "[bankd]\nbackoff-scale=0.02\n" (a restarted server is found
	 * again at once), which this text follows: it may go on with [bankd] keys.
	 * remsim-client gets the same scale as --backoff-scale=0.02 (a test's
	 * --backoff-scale in @args wins).
	 */
	const gchar *config;
	/* more arguments after the helper's (later ones win); PROGRAM: the whole argv */
	const gchar *const *args;
	/* more environment, "NAME=value" each */
	const gchar *const *env;
	/* D-Bus: --session on this bus; NULL: --no-dbus */
	const gchar *bus_address;
	/* the working directory; NULL: the daemon's own folder */
	const gchar *cwd;
	/*
	 * its stderr goes to a file (remsim_test_daemon_get_stderr()), not to the
	 * test's; the server's and the bankd's stdout too, where GLib writes info
	 * and debug lines (the client's stdout is its front end's, read as lines)
	 */
	gboolean capture_stderr;
	/*
	 * Its open-file limit, soft and hard (so that it cannot raise it), set by
	 * prlimit(1) as it starts; 0: the test's. The test checks first that
	 * prlimit is there (remsim_test_common_skip_unless()).
	 */
	guint fd_limit;

	/* bankd, client: the server's RSPRO port to dial (client: 0 gives none) */
	guint16 server_port;
	/* server: its RSPRO port; bankd: its client port; 0: any */
	guint16 port;
	/* server: the state directory; NULL: a folder of its own */
	const gchar *state_dir;
	/* server: no --state-dir at all (the config names one) */
	gboolean no_state_dir;
	/* bankd: --backend and the number of bank slots (-n; 0: none given) */
	const gchar *backend;
	guint n_slots;
} RemsimTestDaemonOptions;

#define REMSIM_TEST_TYPE_DAEMON (remsim_test_daemon_get_type())
G_DECLARE_FINAL_TYPE(RemsimTestDaemon, remsim_test_daemon, REMSIM_TEST, DAEMON, GObject)

/* a daemon ready to start: its folder and config file exist; @options are copied */
RemsimTestDaemon *remsim_test_daemon_new(RemsimTestDaemonKind kind,
					 const RemsimTestDaemonOptions *options);
/*
 * Starts it; the server and the bankd are listening when this returns (fails
 * the test if one exits or writes no port file in time). Again after a stop or
 * a kill: the same ports, the same state.
 */
void remsim_test_daemon_start(RemsimTestDaemon *self);
/* new and start */
RemsimTestDaemon *remsim_test_daemon_spawn(RemsimTestDaemonKind kind,
					   const RemsimTestDaemonOptions *options);
/* runs it to its end (stdin empty); returns its exit status and, in @stderr_text, its stderr */
gint remsim_test_daemon_run(RemsimTestDaemon *self, gchar **stderr_text);
/* SIGTERM; fails the test unless it exits with status 0 in time (PROGRAM: any exit) */
void remsim_test_daemon_stop(RemsimTestDaemon *self);
/* SIGKILL, and wait for it */
void remsim_test_daemon_kill(RemsimTestDaemon *self);

RemsimTestDaemonKind remsim_test_daemon_get_kind(RemsimTestDaemon *self);
/* the running process (for signals and /proc), or NULL */
GSubprocess *remsim_test_daemon_get_process(RemsimTestDaemon *self);
/* its folder, config file and (server) state directory */
const gchar *remsim_test_daemon_get_dir(RemsimTestDaemon *self);
const gchar *remsim_test_daemon_get_config_path(RemsimTestDaemon *self);
const gchar *remsim_test_daemon_get_state_dir(RemsimTestDaemon *self);
/* server: its RSPRO port; bankd: its client port */
guint16 remsim_test_daemon_get_port(RemsimTestDaemon *self);
/* server: its REST port */
guint16 remsim_test_daemon_get_rest_port(RemsimTestDaemon *self);
/* what it wrote to stderr so far (with capture_stderr) */
gchar *remsim_test_daemon_get_stderr(RemsimTestDaemon *self);
/* how often @text occurs in that: waits on a daemon's log go through this */
guint remsim_test_daemon_count_stderr(RemsimTestDaemon *self, const gchar *text);

/* --- stdin and stdout (client, PROGRAM) --- */

void remsim_test_daemon_write(RemsimTestDaemon *self, const gchar *text);
void remsim_test_daemon_close_stdin(RemsimTestDaemon *self);
/* the lines of stdout so far (gchar *, without their newline) */
GPtrArray *remsim_test_daemon_get_lines(RemsimTestDaemon *self);
/* the index of the first line from @start that equals @line, or -1 */
gint remsim_test_daemon_find_line(RemsimTestDaemon *self, guint start, const gchar *line);
/* the first line that starts with @prefix, or NULL */
const gchar *remsim_test_daemon_find_prefix(RemsimTestDaemon *self, const gchar *prefix);
/* TRUE once it exited (and its stdout, if read, ended) */
gboolean remsim_test_daemon_has_exited(RemsimTestDaemon *self);
/* waits for that; returns its exit status (-1 if a signal ended it) */
gint remsim_test_daemon_wait_exit(RemsimTestDaemon *self);

/* --- REST (server) --- */

/*
 * One HTTP/1.1 request to its REST port, with @body (NULL: none) of
 * @content_type (NULL: none); the main loop runs meanwhile. Returns the status;
 * the body and Content-Type in @body_out and @content_type_out (may be NULL).
 */
guint remsim_test_daemon_rest(RemsimTestDaemon *self, const gchar *method, const gchar *path,
			      const gchar *content_type, const gchar *body, gchar **body_out,
			      gchar **content_type_out);
/* GET @path; asserts @status and a JSON body, and returns it parsed */
JsonNode *remsim_test_daemon_rest_json(RemsimTestDaemon *self, const gchar *path, guint status);
/* POST /api/backend/v1/slotmaps for bank slot @bank:@bank_slot and client slot; the status */
guint remsim_test_daemon_create_slotmap(RemsimTestDaemon *self, guint bank, guint bank_slot,
					guint client, guint client_slot);
/* the REST state of the map on bank slot @bank:@slot, or NULL if it is not listed */
gchar *remsim_test_daemon_slotmap_state(RemsimTestDaemon *self, guint bank, guint slot);
/* waits until that map is in @state (NULL: gone); FALSE after REMSIM_TEST_TIMEOUT_MS */
gboolean remsim_test_daemon_wait_slotmap_state(RemsimTestDaemon *self, guint bank, guint slot,
					       const gchar *state);

G_END_DECLS
