/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A shared object that is not a remsim plugin: it has no registration symbol. */
#include <gmodule.h>

G_MODULE_EXPORT int test_plugin_none_value(void);

G_MODULE_EXPORT int
test_plugin_none_value(void)
{
	return 42;
}
