/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RemsimPcscBackend: PC/SC readers as bank slots. */
#pragma once

#include "remsim-plugin.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_PCSC_BACKEND (remsim_pcsc_backend_get_type())
G_DECLARE_FINAL_TYPE(RemsimPcscBackend, remsim_pcsc_backend, REMSIM, PCSC_BACKEND, RemsimBackend)

G_END_DECLS
