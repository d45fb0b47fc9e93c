/* follows every rule: the checker must accept it */
#include <gio/gio.h>

typedef enum {
	REMSIM_SERVER_GOOD_ERROR_FAILED,
	REMSIM_SERVER_GOOD_ERROR_BUSY,
} RemsimServerGoodError;

G_DEFINE_QUARK(remsim_server_good_error_quark, remsim_server_good_error)

static gboolean
remsim_server_good_tick_cb(gpointer data)
{
	g_message("tick");
	return G_SOURCE_CONTINUE;
}

static void
remsim_server_good_done_ready(GObject *source, GAsyncResult *result, gpointer data)
{
}

void
remsim_server_good_run_async(GObject *self, GCancellable *cancellable, GAsyncReadyCallback callback,
			     gpointer user_data)
{
	g_idle_add(remsim_server_good_tick_cb, NULL);
	remsim_server_good_done_ready(self, NULL, NULL);
}

gboolean
remsim_server_good_run_finish(GObject *self, GAsyncResult *result, GError **error)
{
	return TRUE;
}
