/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_SIMCARD_BACKEND (remsim_simcard_backend_get_type())
G_DECLARE_FINAL_TYPE(RemsimSimcardBackend, remsim_simcard_backend, REMSIM, SIMCARD_BACKEND,
		     RemsimBackend)

G_END_DECLS
