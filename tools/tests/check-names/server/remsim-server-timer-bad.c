/* rule callback: a GSourceFunc handed to a helper by value, without _cb */
#include <glib.h>

static void
remsim_server_timer_bad_arm(GSourceFunc func)
{
	g_timeout_add(10, func, NULL);
}

static gboolean
remsim_server_timer_bad_expired(gpointer data)
{
	return G_SOURCE_REMOVE;
}

void
remsim_server_timer_bad_start(void)
{
	remsim_server_timer_bad_arm(remsim_server_timer_bad_expired);
}
