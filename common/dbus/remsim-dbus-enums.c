/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-dbus-enums.h"

const gchar *
remsim_dbus_enums_get_nick(GType type, gint value)
{
	g_autoptr(GEnumClass) klass = g_type_class_ref(type);
	const GEnumValue *v = g_enum_get_value(klass, value);

	/* the class of a static type lives on, and so do its nicks */
	return v != NULL ? v->value_nick : "unknown";
}
