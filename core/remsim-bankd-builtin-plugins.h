/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The backends linked into remsim-bankd (-Dbuiltin_plugins=true); empty otherwise. */
#pragma once

#include "remsim-plugin.h"

/* NULL-terminated */
extern const RemsimPluginInfo *const remsim_bankd_builtin_plugins[];
