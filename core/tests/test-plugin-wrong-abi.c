/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A plugin built for another ABI version: the loader must not call anything in it. */
#include <stdlib.h>

#include "remsim-plugin.h"

static GType
test_plugin_wrong_abi_get_type(void)
{
	/* reached only if the loader ignores the ABI version */
	abort();
}

G_MODULE_EXPORT const RemsimPluginInfo remsim_plugin_info = {
	REMSIM_PLUGIN_ABI_VERSION + 1000,
	"wrong-abi",
	test_plugin_wrong_abi_get_type,
};
