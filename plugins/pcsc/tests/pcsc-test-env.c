/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <PCSC/winscard.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "pcsc-test-env.h"

#define PCSCD "/usr/sbin/pcscd"
#define UNSHARE "/usr/bin/unshare"
#define VPCD_DRIVER "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
#define PCSC_RUN_DIR "/run/pcscd"
#define NS_ENV "REMSIM_PCSC_TEST_NAMESPACE"
#define START_TIMEOUT_MS 15000

static gboolean pcsc_test_in_namespace;

void
pcsc_test_init(int argc, char **argv)
{
	g_autoptr(GStrvBuilder) builder = NULL;
	g_auto(GStrv) args = NULL;

	if (g_strcmp0(g_getenv(NS_ENV), "1") == 0) {
		/* where there is no /run/pcscd to cover, cover /run: only this namespace sees it */
		if (!g_file_test(PCSC_RUN_DIR, G_FILE_TEST_IS_DIR) &&
		    mount("remsim-test", "/run", "tmpfs", 0, NULL) == 0)
			g_mkdir(PCSC_RUN_DIR, 0755);
		pcsc_test_in_namespace = g_file_test(PCSC_RUN_DIR, G_FILE_TEST_IS_DIR);
		return;
	}
	if (getuid() != 0 || !g_file_test(UNSHARE, G_FILE_TEST_IS_EXECUTABLE))
		return;
	builder = g_strv_builder_new();
	g_strv_builder_add_many(builder, UNSHARE, "--mount", "--fork", "--", NULL);
	for (int i = 0; i < argc; i++)
		g_strv_builder_add(builder, argv[i]);
	args = g_strv_builder_end(builder);
	g_setenv(NS_ENV, "1", TRUE);
	execv(UNSHARE, args);
	/* no namespace: the tests that need pcscd skip */
	g_unsetenv(NS_ENV);
}

gchar *
pcsc_test_source_path(const gchar *first, ...)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	g_autoptr(GPtrArray) parts = g_ptr_array_new();
	va_list ap;

	g_assert_nonnull(srcdir);
	g_ptr_array_add(parts, (gpointer)srcdir);
	va_start(ap, first);
	for (const gchar *p = first; p != NULL; p = va_arg(ap, const gchar *))
		g_ptr_array_add(parts, (gpointer)p);
	va_end(ap);
	g_ptr_array_add(parts, NULL);
	return g_build_filenamev((gchar **)parts->pdata);
}

gchar *
pcsc_env_reader(guint slot)
{
	return g_strdup_printf(PCSC_TEST_READER " 00 %02X", slot);
}

static void
write_reader_conf(PcscTestEnv *env)
{
	g_autofree gchar *path = g_build_filename(env->confdir, "vpcd", NULL);
	g_autofree gchar *text = g_strdup_printf("FRIENDLYNAME \"" PCSC_TEST_READER "\"\n"
						 "DEVICENAME /dev/null:%u\n"
						 "LIBPATH " VPCD_DRIVER "\n"
						 "CHANNELID %u\n",
						 env->port, env->port);

	g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

/* the reader names pcscd lists now (empty if it does not answer) */
static GStrv
list_readers(void)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	SCARDCONTEXT ctx;
	DWORD len = 0;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
		return g_strv_builder_end(builder);
	if (SCardListReaders(ctx, NULL, NULL, &len) == SCARD_S_SUCCESS) {
		g_autofree gchar *names = g_malloc0(len + 1);

		if (SCardListReaders(ctx, NULL, names, &len) == SCARD_S_SUCCESS) {
			for (const gchar *n = names; *n != '\0'; n += strlen(n) + 1)
				g_strv_builder_add(builder, n);
		}
	}
	SCardReleaseContext(ctx);
	return g_strv_builder_end(builder);
}

gboolean
pcsc_wait_reader(const gchar *reader, gboolean listed, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	do {
		g_auto(GStrv) names = list_readers();

		if (g_strv_contains((const gchar *const *)names, reader) == listed)
			return TRUE;
		g_usleep(20000);
	} while (g_get_monotonic_time() < deadline);
	return FALSE;
}

gboolean
pcsc_wait_card(const gchar *reader, gboolean present, guint timeout_ms)
{
	SCARD_READERSTATE state = { 0 };
	SCARDCONTEXT ctx;
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
	gboolean ok = FALSE;

	if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS)
		return FALSE;
	state.szReader = reader;
	while (!ok && g_get_monotonic_time() < deadline) {
		LONG rv = SCardGetStatusChange(ctx, 100, &state, 1);

		if (rv == SCARD_S_SUCCESS)
			state.dwCurrentState = state.dwEventState & ~SCARD_STATE_CHANGED;
		else if (rv != SCARD_E_TIMEOUT)
			g_usleep(20000);
		ok = rv != SCARD_E_TIMEOUT && rv == SCARD_S_SUCCESS &&
		     ((state.dwEventState & SCARD_STATE_PRESENT) != 0) == present;
	}
	SCardReleaseContext(ctx);
	return ok;
}

PcscTestEnv *
pcsc_env_start(void)
{
	g_autoptr(GError) error = NULL;
	g_autofree gchar *run = NULL;
	PcscTestEnv *env;

	if (remsim_test_common_skip_unless(getuid() == 0, "needs root for a private pcscd") ||
	    remsim_test_common_skip_unless(g_file_test(PCSCD, G_FILE_TEST_IS_EXECUTABLE),
					   "pcscd is not installed") ||
	    remsim_test_common_skip_unless(g_file_test(VPCD_DRIVER, G_FILE_TEST_EXISTS),
					   "vsmartcard-vpcd is not installed") ||
	    remsim_test_common_skip_unless(pcsc_test_in_namespace,
					   "no private mount namespace (unshare --mount failed)"))
		return NULL;
	env = g_new0(PcscTestEnv, 1);
	env->dir = g_dir_make_tmp("remsim-pcsc-test-XXXXXX", &error);
	g_assert_no_error(error);
	env->confdir = g_build_filename(env->dir, "reader.conf.d", NULL);
	run = g_build_filename(env->dir, "run", NULL);
	g_assert_cmpint(g_mkdir(env->confdir, 0755), ==, 0);
	g_assert_cmpint(g_mkdir(run, 0755), ==, 0);
	if (mount(run, PCSC_RUN_DIR, NULL, MS_BIND, NULL) != 0) {
		remsim_test_common_skip_unless(FALSE, "cannot bind-mount over /run/pcscd");
		pcsc_env_stop(env);
		return NULL;
	}
	env->mounted = TRUE;
	env->port = remsim_test_common_free_port_pair();
	write_reader_conf(env);
	pcsc_env_start_pcscd(env);
	return env;
}

void
pcsc_env_stop(PcscTestEnv *env)
{
	if (env == NULL)
		return;
	pcsc_env_stop_pcscd(env);
	if (env->mounted)
		umount2(PCSC_RUN_DIR, MNT_DETACH);
	remsim_test_common_remove_tree(env->dir);
	g_free(env->confdir);
	g_free(env->dir);
	g_free(env);
}

void
pcsc_env_start_pcscd(PcscTestEnv *env)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDERR_MERGE);
	g_autofree gchar *log = g_build_filename(env->dir, "pcscd.log", NULL);
	g_autofree gchar *reader = pcsc_env_reader(0);

	g_assert_null(env->pcscd);
	g_subprocess_launcher_set_stdout_file_path(launcher, log);
	/* pcscd and the cards must not outlive a test that fails or times out */
	env->pcscd = remsim_test_common_daemon_spawn(
	    launcher, (const gchar *const[]){ PCSCD, "-f", "-c", env->confdir, NULL }, SIGKILL);
	g_assert_true(pcsc_wait_reader(reader, TRUE, START_TIMEOUT_MS));
}

void
pcsc_env_stop_pcscd(PcscTestEnv *env)
{
	if (env->pcscd == NULL)
		return;
	g_assert_true(remsim_test_common_daemon_stop(env->pcscd, SIGTERM, START_TIMEOUT_MS));
	g_clear_object(&env->pcscd);
}

static GSubprocess *
spawn_card(const gchar *const *argv)
{
	g_autoptr(GSubprocessLauncher) launcher =
	    g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);

	return remsim_test_common_daemon_spawn(launcher, argv, SIGKILL);
}

GSubprocess *
pcsc_card_start_sim(PcscTestEnv *env, guint slot, const gchar *profile)
{
	g_autofree gchar *port = g_strdup_printf("%u", env->port + slot);
	g_autofree gchar *reader = pcsc_env_reader(slot);
	const gchar *exe = g_getenv("REMSIM_VPCD_CARD");
	GSubprocess *card;

	g_assert_nonnull(exe);
	card =
	    spawn_card((const gchar *const[]){ exe, "--port", port, "--profile", profile, NULL });
	g_assert_true(pcsc_wait_card(reader, TRUE, START_TIMEOUT_MS));
	return card;
}

GSubprocess *
pcsc_card_start_vicc(PcscTestEnv *env, guint slot, gboolean t1)
{
	g_autofree gchar *port = g_strdup_printf("%u", env->port + slot);
	g_autofree gchar *reader = pcsc_env_reader(slot);
	g_autofree gchar *script =
	    pcsc_test_source_path("plugins", "pcsc", "tests", "vicc-card.py", NULL);
	GSubprocess *card;

	if (remsim_test_common_skip_unless(
		g_file_test("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) &&
		    remsim_test_common_python_has("import Cryptodome"),
		"python3-pycryptodome is not installed (vicc needs it)") ||
	    remsim_test_common_skip_unless(
		g_file_test("/usr/lib/python3/site-packages/virtualsmartcard", G_FILE_TEST_IS_DIR),
		"python3-virtualsmartcard is not installed"))
		return NULL;
	card =
	    spawn_card((const gchar *const[]){ "/usr/bin/python3", script, "--port", port, NULL });
	g_assert_true(pcsc_wait_card(reader, TRUE, START_TIMEOUT_MS));
	return card;
}

void
pcsc_card_stop(GSubprocess *card)
{
	if (card == NULL)
		return;
	g_assert_true(remsim_test_common_daemon_stop(card, SIGKILL, START_TIMEOUT_MS));
	g_object_unref(card);
}

GPtrArray *
pcsc_direct_exchange(const gchar *reader, const gchar *const *apdus, GBytes **atr)
{
	GPtrArray *responses = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	SCARDCONTEXT ctx;
	SCARDHANDLE card;
	DWORD protocol = 0, atr_len = MAX_ATR_SIZE, state = 0;
	guint8 atr_buf[MAX_ATR_SIZE];
	const DWORD protocols = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;

	g_assert_cmphex(SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx), ==,
			SCARD_S_SUCCESS);
	g_assert_cmphex(
	    SCardConnect(ctx, reader, SCARD_SHARE_EXCLUSIVE, protocols, &card, &protocol), ==,
	    SCARD_S_SUCCESS);
	g_assert_cmphex(
	    SCardReconnect(card, SCARD_SHARE_EXCLUSIVE, protocols, SCARD_RESET_CARD, &protocol), ==,
	    SCARD_S_SUCCESS);
	g_assert_cmphex(SCardStatus(card, NULL, NULL, &state, &protocol, atr_buf, &atr_len), ==,
			SCARD_S_SUCCESS);
	if (atr != NULL)
		*atr = g_bytes_new(atr_buf, atr_len);
	for (guint i = 0; apdus[i] != NULL; i++) {
		g_autoptr(GBytes) apdu = remsim_test_common_hex_bytes(apdus[i]);
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(apdu, &len);
		guint8 rx[4096];
		DWORD rx_len = sizeof(rx);

		g_assert_cmphex(
		    SCardTransmit(card, protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0,
				  data, len, NULL, rx, &rx_len),
		    ==, SCARD_S_SUCCESS);
		g_ptr_array_add(responses, g_bytes_new(rx, rx_len));
	}
	SCardDisconnect(card, SCARD_UNPOWER_CARD);
	SCardReleaseContext(ctx);
	return responses;
}
