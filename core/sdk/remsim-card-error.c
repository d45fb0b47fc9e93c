/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "remsim-card-error.h"

G_DEFINE_QUARK(remsim_card_error_quark, remsim_card_error)
