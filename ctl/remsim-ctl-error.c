/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-ctl-error.h"
#include "remsim-dbus.h"

G_DEFINE_QUARK(remsim_ctl_error_quark, remsim_ctl_error)

gint
remsim_ctl_error_exit_status(const GError *error)
{
	if (error->domain != REMSIM_CTL_ERROR)
		return 1;
	return 1 + error->code;
}

static RemsimCtlError
remsim_ctl_error_code_for(const GError *error)
{
	if (error->domain == REMSIM_DBUS_ERROR) {
		switch ((RemsimDbusError)error->code) {
		case REMSIM_DBUS_ERROR_NOT_FOUND:
			return REMSIM_CTL_ERROR_NOT_FOUND;
		case REMSIM_DBUS_ERROR_CONFLICT:
		case REMSIM_DBUS_ERROR_WRONG_STATE:
		case REMSIM_DBUS_ERROR_ACCESS_DENIED:
			return REMSIM_CTL_ERROR_REFUSED;
		case REMSIM_DBUS_ERROR_INVALID_ARGS:
			return REMSIM_CTL_ERROR_USAGE;
		case REMSIM_DBUS_ERROR_FAILED:
		case REMSIM_DBUS_ERROR_INVALID_CONFIG:
			break;
		}
		return REMSIM_CTL_ERROR_FAILED;
	}
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
		return REMSIM_CTL_ERROR_REFUSED;
	if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
	    g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED))
		return REMSIM_CTL_ERROR_UNREACHABLE;
	return REMSIM_CTL_ERROR_FAILED;
}

GError *
remsim_ctl_error_from_dbus(const GError *error, const gchar *daemon, const gchar *what)
{
	g_autoptr(GError) copy = g_error_copy(error);
	RemsimCtlError code = remsim_ctl_error_code_for(error);

	g_dbus_error_strip_remote_error(copy);
	switch (code) {
	case REMSIM_CTL_ERROR_REFUSED:
		if (g_error_matches(error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
		    g_error_matches(error, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_ACCESS_DENIED))
			return g_error_new(REMSIM_CTL_ERROR, code,
					   /* TRANSLATORS: what was asked, the daemon, its reason */
					   _("%s: %s does not allow it (%s): run remsim-ctl as "
					     "root, e.g. with sudo"),
					   what, daemon, copy->message);
		return g_error_new(
		    REMSIM_CTL_ERROR, code,
		    /* TRANSLATORS: what was asked, the daemon, its reason (English) */
		    _("%s: %s refused: %s"), what, daemon, copy->message);
	case REMSIM_CTL_ERROR_UNREACHABLE:
		return g_error_new(REMSIM_CTL_ERROR, code,
				   /* TRANSLATORS: what was asked, the daemon, why */
				   _("%s: %s went away (%s): check that it runs, then try again"),
				   what, daemon, copy->message);
	case REMSIM_CTL_ERROR_NOT_FOUND:
	case REMSIM_CTL_ERROR_USAGE:
		return g_error_new(REMSIM_CTL_ERROR, code, "%s: %s", what, copy->message);
	case REMSIM_CTL_ERROR_FAILED:
		break;
	}
	return g_error_new(REMSIM_CTL_ERROR, code,
			   /* TRANSLATORS: what was asked, the daemon, its reason (English) */
			   _("%s: %s failed: %s (its log tells more)"), what, daemon,
			   copy->message);
}

void
remsim_ctl_error_add_hint(GError **error, RemsimCtlError code, const gchar *hint)
{
	gchar *message;

	if (error == NULL || !g_error_matches(*error, REMSIM_CTL_ERROR, code))
		return;
	/* TRANSLATORS: an error message, then what to do next */
	message = g_strdup_printf(_("%s; %s"), (*error)->message, hint);
	g_free((*error)->message);
	(*error)->message = message;
}
