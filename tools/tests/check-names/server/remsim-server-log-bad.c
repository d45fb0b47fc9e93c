/* rule log: a translated log line */
#include <glib/gi18n.h>

void
remsim_server_log_bad_say(void)
{
	g_message(_("hello"));
	remsim_log_message(&tag, _("hello"));
}
