/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-dbus-error.h"
#include "remsim-dbus-names.h"

static const GDBusErrorEntry remsim_dbus_error_entries[] = {
	{ REMSIM_DBUS_ERROR_FAILED, REMSIM_DBUS_ERROR_PREFIX "Failed" },
	{ REMSIM_DBUS_ERROR_INVALID_ARGS, REMSIM_DBUS_ERROR_PREFIX "InvalidArgs" },
	{ REMSIM_DBUS_ERROR_NOT_FOUND, REMSIM_DBUS_ERROR_PREFIX "NotFound" },
	{ REMSIM_DBUS_ERROR_CONFLICT, REMSIM_DBUS_ERROR_PREFIX "Conflict" },
	{ REMSIM_DBUS_ERROR_WRONG_STATE, REMSIM_DBUS_ERROR_PREFIX "WrongState" },
	{ REMSIM_DBUS_ERROR_INVALID_CONFIG, REMSIM_DBUS_ERROR_PREFIX "InvalidConfig" },
	{ REMSIM_DBUS_ERROR_ACCESS_DENIED, REMSIM_DBUS_ERROR_PREFIX "AccessDenied" },
};

/* every code has its name */
G_STATIC_ASSERT(G_N_ELEMENTS(remsim_dbus_error_entries) == REMSIM_DBUS_ERROR_ACCESS_DENIED + 1);

GQuark
remsim_dbus_error_quark(void)
{
	static gsize quark = 0;

	g_dbus_error_register_error_domain("remsim_dbus_error", &quark, remsim_dbus_error_entries,
					   G_N_ELEMENTS(remsim_dbus_error_entries));
	return (GQuark)quark;
}

void
remsim_dbus_error_return(GDBusMethodInvocation *invocation, const GError *error)
{
	if (error->domain == REMSIM_DBUS_ERROR) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_dbus_method_invocation_return_error_literal(invocation, REMSIM_DBUS_ERROR,
						      REMSIM_DBUS_ERROR_FAILED, error->message);
}
