/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CCID_BACKEND (remsim_ccid_backend_get_type())
G_DECLARE_FINAL_TYPE(RemsimCcidBackend, remsim_ccid_backend, REMSIM, CCID_BACKEND, RemsimBackend)

G_END_DECLS
