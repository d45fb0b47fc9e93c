/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The remsim-bankd plugin API: everything a reader backend includes.
 * See doc/plugin-guide.md for a walk-through.
 */
#pragma once

#include <gmodule.h>

#include "remsim-backend.h"
#include "remsim-card-error.h"
#include "remsim-card-slot.h"

G_BEGIN_DECLS

/**
 * REMSIM_PLUGIN_ABI_VERSION:
 *
 * Bumped whenever a change to this API would break a plugin built against an
 * older header (class layout, function signatures, RemsimPluginInfo). The
 * bankd loads a plugin only if its version equals the bankd's own.
 */
#define REMSIM_PLUGIN_ABI_VERSION 2

/**
 * REMSIM_PLUGIN_INFO_SYMBOL:
 *
 * The name of the one symbol a plugin module exports, a #RemsimPluginInfo.
 */
#define REMSIM_PLUGIN_INFO_SYMBOL "remsim_plugin_info"

/**
 * RemsimPluginInfo:
 * @abi_version: %REMSIM_PLUGIN_ABI_VERSION at build time; always the first
 *  member, so that the loader can read it from any version of this struct
 * @name: the backend name used in configuration (`backend = NAME`)
 * @get_type: registers the #RemsimBackend subclass and returns its type
 *
 * What a plugin tells the bankd about itself; `REMSIM_DEFINE_PLUGIN()` writes
 * it. The loader reads @abi_version first and uses nothing else of a plugin
 * built for another version.
 */
typedef struct {
	guint32 abi_version;
	const gchar *name;
	GType (*get_type)(void);
} RemsimPluginInfo;

/**
 * REMSIM_DEFINE_PLUGIN:
 * @ident: the backend name as a C identifier (`simcard`)
 * @get_type_func: the backend type's get_type function
 *
 * Put once in a plugin, after the backend type is defined. It emits the
 * exported #RemsimPluginInfo, or, when the plugin is linked into the bankd
 * (meson -Dbuiltin_plugins=true, which defines REMSIM_PLUGIN_BUILTIN), a
 * uniquely named one that the bankd's built-in list refers to.
 */
#ifdef REMSIM_PLUGIN_BUILTIN
#define REMSIM_DEFINE_PLUGIN(ident, get_type_func)                                                 \
	const RemsimPluginInfo remsim_plugin_info_##ident = { REMSIM_PLUGIN_ABI_VERSION, #ident,   \
							      get_type_func }
#else
#define REMSIM_DEFINE_PLUGIN(ident, get_type_func)                                                 \
	G_MODULE_EXPORT const RemsimPluginInfo remsim_plugin_info = { REMSIM_PLUGIN_ABI_VERSION,   \
								      #ident, get_type_func }
#endif

G_END_DECLS
