/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_EXAMPLE_BACKEND (remsim_example_backend_get_type())
G_DECLARE_FINAL_TYPE(RemsimExampleBackend, remsim_example_backend, REMSIM, EXAMPLE_BACKEND,
		     RemsimBackend)

G_END_DECLS
