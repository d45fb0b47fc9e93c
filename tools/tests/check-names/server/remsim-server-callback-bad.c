/* rule callback: a source callback without _cb */
#include <glib.h>

static gboolean
remsim_server_callback_bad_tick(gpointer data)
{
	return G_SOURCE_REMOVE;
}

void
remsim_server_callback_bad_start(void)
{
	g_idle_add(remsim_server_callback_bad_tick, NULL);
}
