/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>

#include "remsim-bankd-plugin-loader.h"

struct _RemsimBankdPluginLoader {
	GObject parent_instance;
	GHashTable *backends; /* name → GType */
	gboolean has_builtins;
};

G_DEFINE_TYPE(RemsimBankdPluginLoader, remsim_bankd_plugin_loader, G_TYPE_OBJECT)

static void
remsim_bankd_plugin_loader_finalize(GObject *object)
{
	RemsimBankdPluginLoader *self = REMSIM_BANKD_PLUGIN_LOADER(object);

	g_hash_table_unref(self->backends);
	G_OBJECT_CLASS(remsim_bankd_plugin_loader_parent_class)->finalize(object);
}

static void
remsim_bankd_plugin_loader_class_init(RemsimBankdPluginLoaderClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = remsim_bankd_plugin_loader_finalize;
}

static void
remsim_bankd_plugin_loader_init(RemsimBankdPluginLoader *self)
{
	self->backends = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

RemsimBankdPluginLoader *
remsim_bankd_plugin_loader_new(void)
{
	return g_object_new(REMSIM_TYPE_BANKD_PLUGIN_LOADER, NULL);
}

gboolean
remsim_bankd_plugin_loader_add_info(RemsimBankdPluginLoader *self, const RemsimPluginInfo *info,
				    const gchar *origin, GError **error)
{
	GType type;

	/* the ABI version is the one field valid in every layout: check it before anything else */
	if (info->abi_version != REMSIM_PLUGIN_ABI_VERSION) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    _("%s: plugin ABI version %u, this bankd needs %u"), origin,
			    info->abi_version, (guint)REMSIM_PLUGIN_ABI_VERSION);
		return FALSE;
	}
	if (info->name == NULL || info->name[0] == '\0' || info->get_type == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    _("%s: plugin has no name or no type"), origin);
		return FALSE;
	}
	if (g_hash_table_contains(self->backends, info->name)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
			    _("%s: a backend named “%s” is already loaded"), origin, info->name);
		return FALSE;
	}
	type = info->get_type();
	if (!g_type_is_a(type, REMSIM_TYPE_BACKEND) || G_TYPE_IS_ABSTRACT(type)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    _("%s: plugin type is not a RemsimBackend"), origin);
		return FALSE;
	}
	g_hash_table_insert(self->backends, g_strdup(info->name), GSIZE_TO_POINTER(type));
	if (g_strcmp0(origin, REMSIM_BANKD_PLUGIN_LOADER_BUILTIN) == 0)
		self->has_builtins = TRUE;
	g_debug("backend “%s” from %s", info->name, origin);
	return TRUE;
}

gboolean
remsim_bankd_plugin_loader_load_file(RemsimBankdPluginLoader *self, const gchar *path,
				     GError **error)
{
	GModule *module;
	gpointer symbol = NULL;

	g_return_val_if_fail(REMSIM_IS_BANKD_PLUGIN_LOADER(self), FALSE);
	/* local binding: two plugins may use the same internal names */
	module = g_module_open_full(path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL, error);
	if (module == NULL) {
		g_prefix_error(error, "%s: ", path);
		return FALSE;
	}
	if (!g_module_symbol(module, REMSIM_PLUGIN_INFO_SYMBOL, &symbol) || symbol == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    _("%s: not a remsim plugin (no %s)"), path, REMSIM_PLUGIN_INFO_SYMBOL);
		g_module_close(module);
		return FALSE;
	}
	if (!remsim_bankd_plugin_loader_add_info(self, symbol, path, error)) {
		g_module_close(module);
		return FALSE;
	}
	/* a registered GType can never go away, so neither may its code */
	g_module_make_resident(module);
	return TRUE;
}

static gint
remsim_bankd_plugin_loader_compare_names(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

static gboolean
remsim_bankd_plugin_loader_is_module_name(const gchar *name)
{
	return g_str_has_suffix(name, "." G_MODULE_SUFFIX);
}

gboolean
remsim_bankd_plugin_loader_load_dir(RemsimBankdPluginLoader *self, const gchar *dir,
				    guint *n_loaded, GError **error)
{
	g_autoptr(GDir) gdir = NULL;
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	const gchar *name;
	guint count = 0;

	g_return_val_if_fail(REMSIM_IS_BANKD_PLUGIN_LOADER(self), FALSE);
	gdir = g_dir_open(dir, 0, error);
	if (gdir == NULL)
		return FALSE;
	while ((name = g_dir_read_name(gdir)) != NULL) {
		if (remsim_bankd_plugin_loader_is_module_name(name))
			g_ptr_array_add(names, g_strdup(name));
	}
	/* a stable order, so that a duplicate name always loses the same way */
	g_ptr_array_sort(names, remsim_bankd_plugin_loader_compare_names);
	for (guint i = 0; i < names->len; i++) {
		g_autofree gchar *path = g_build_filename(dir, names->pdata[i], NULL);
		g_autoptr(GError) local_error = NULL;

		if (remsim_bankd_plugin_loader_load_file(self, path, &local_error))
			count++;
		else if (self->has_builtins &&
			 g_error_matches(local_error, G_IO_ERROR, G_IO_ERROR_EXISTS))
			/* the module of a backend that is linked in: the built-in copy serves */
			g_debug("skipping %s", local_error->message);
		else
			g_warning("Skipping plugin: %s", local_error->message);
	}
	if (n_loaded != NULL)
		*n_loaded = count;
	return TRUE;
}

GType
remsim_bankd_plugin_loader_lookup(RemsimBankdPluginLoader *self, const gchar *name)
{
	gpointer type;

	g_return_val_if_fail(REMSIM_IS_BANKD_PLUGIN_LOADER(self), G_TYPE_INVALID);
	if (name == NULL || !g_hash_table_lookup_extended(self->backends, name, NULL, &type))
		return G_TYPE_INVALID;
	return GPOINTER_TO_SIZE(type);
}

gchar **
remsim_bankd_plugin_loader_list(RemsimBankdPluginLoader *self)
{
	g_autofree gpointer *keys = NULL;
	guint n = 0;
	gchar **names;

	g_return_val_if_fail(REMSIM_IS_BANKD_PLUGIN_LOADER(self), NULL);
	keys = g_hash_table_get_keys_as_array(self->backends, &n);
	names = g_new0(gchar *, n + 1);
	for (guint i = 0; i < n; i++)
		names[i] = g_strdup(keys[i]);
	qsort(names, n, sizeof(gchar *), remsim_bankd_plugin_loader_compare_names);
	return names;
}
