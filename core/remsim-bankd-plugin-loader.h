/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimBankdPluginLoader: finds reader backends, in plugin modules on disk or
 * linked in, and maps backend names to their GType.
 */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_BANKD_PLUGIN_LOADER (remsim_bankd_plugin_loader_get_type())
G_DECLARE_FINAL_TYPE(RemsimBankdPluginLoader, remsim_bankd_plugin_loader, REMSIM,
		     BANKD_PLUGIN_LOADER, GObject)

RemsimBankdPluginLoader *remsim_bankd_plugin_loader_new(void);

/*
 * Load every module in @dir. A file that is not a loadable plugin, has another
 * ABI version or does not register a backend is skipped with a warning naming
 * it. Returns the number of backends added; FALSE only if @dir cannot be read.
 */
gboolean remsim_bankd_plugin_loader_load_dir(RemsimBankdPluginLoader *self, const gchar *dir,
					     guint *n_loaded, GError **error);
/* one module; FALSE with @error (naming the file) if it is not a usable plugin */
gboolean remsim_bankd_plugin_loader_load_file(RemsimBankdPluginLoader *self, const gchar *path,
					      GError **error);
/* the origin of backends linked into the program */
#define REMSIM_BANKD_PLUGIN_LOADER_BUILTIN "built-in"

/* a backend linked into the program (@origin REMSIM_BANKD_PLUGIN_LOADER_BUILTIN) or found elsewhere
 */
gboolean remsim_bankd_plugin_loader_add_info(RemsimBankdPluginLoader *self,
					     const RemsimPluginInfo *info, const gchar *origin,
					     GError **error);

/* G_TYPE_INVALID if no backend has that name */
GType remsim_bankd_plugin_loader_lookup(RemsimBankdPluginLoader *self, const gchar *name);
/* sorted names, NULL-terminated */
gchar **remsim_bankd_plugin_loader_list(RemsimBankdPluginLoader *self);

G_END_DECLS
