/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimPluginLoader: finds reader backends, in plugin modules on disk or
 * linked in, and maps backend names to their GType.
 */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_PLUGIN_LOADER (remsim_plugin_loader_get_type())
G_DECLARE_FINAL_TYPE(RemsimPluginLoader, remsim_plugin_loader, REMSIM, PLUGIN_LOADER, GObject)

RemsimPluginLoader *remsim_plugin_loader_new(void);

/*
 * Load every module in @dir. A file that is not a loadable plugin, has another
 * ABI version or does not register a backend is skipped with a warning naming
 * it. Returns the number of backends added; FALSE only if @dir cannot be read.
 */
gboolean remsim_plugin_loader_load_dir(RemsimPluginLoader *self, const gchar *dir, guint *n_loaded,
				       GError **error);
/* one module; FALSE with @error (naming the file) if it is not a usable plugin */
gboolean remsim_plugin_loader_load_file(RemsimPluginLoader *self, const gchar *path,
					GError **error);
/* the origin of backends linked into the program */
#define REMSIM_PLUGIN_LOADER_BUILTIN "built-in"

/* a backend linked into the program (@origin REMSIM_PLUGIN_LOADER_BUILTIN) or found elsewhere */
gboolean remsim_plugin_loader_add_info(RemsimPluginLoader *self, const RemsimPluginInfo *info,
				       const gchar *origin, GError **error);

/* G_TYPE_INVALID if no backend has that name */
GType remsim_plugin_loader_lookup(RemsimPluginLoader *self, const gchar *name);
/* sorted names, NULL-terminated */
gchar **remsim_plugin_loader_list(RemsimPluginLoader *self);

G_END_DECLS
