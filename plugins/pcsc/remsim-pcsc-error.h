/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PC/SC result codes as REMSIM_CARD_ERROR errors that name the reader. */
#pragma once

#include <PCSC/winscard.h>

#include "remsim-plugin.h"

G_BEGIN_DECLS

/* the RemsimCardError a PC/SC failure means for the bank */
RemsimCardError remsim_pcsc_error_code(LONG rv);
/* a readable name for @rv, e.g. "SCARD_W_REMOVED_CARD" */
const gchar *remsim_pcsc_error_name(LONG rv);
/* sets @error to "READER: WHAT: text (NAME)" */
void remsim_pcsc_error_set(GError **error, const gchar *reader, const gchar *what, LONG rv);
/* TRUE if the card handle is worthless after @rv (card gone or reset, reader or service gone) */
gboolean remsim_pcsc_error_loses_card(LONG rv);
/* TRUE if the PC/SC context itself is worthless after @rv */
gboolean remsim_pcsc_error_loses_context(LONG rv);

G_END_DECLS
