/* rule async: no GCancellable, no _finish */
#include <gio/gio.h>

void
remsim_server_async_bad_go_async(GObject *self, GAsyncReadyCallback callback, gpointer user_data)
{
}
