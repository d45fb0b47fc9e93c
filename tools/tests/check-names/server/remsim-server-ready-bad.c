/* rule callback: a GAsyncReadyCallback named _cb instead of _ready */
#include <gio/gio.h>

void
remsim_server_ready_bad_done_cb(GObject *source, GAsyncResult *result, gpointer data)
{
}
