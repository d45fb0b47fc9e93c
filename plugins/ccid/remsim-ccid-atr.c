/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-atr.h"
#include "remsim-ccid-error.h"

static void
remsim_ccid_atr_defaults(RemsimCcidAtr *out)
{
	*out = (RemsimCcidAtr){ .ta1 = 0x11, .wi = 10, .ifsc = 32, .bwi_cwi = 0x4d };
}

/* the interface bytes of level @i (1-based) that TD(i-1) announced */
static void
remsim_ccid_atr_take(RemsimCcidAtr *out, guint i, guint8 protocol, guint8 mask, const guint8 *bytes,
		     gboolean *t1_seen)
{
	guint n = 0;
	gint ta = -1, tb = -1, tc = -1;

	if (mask & 0x1)
		ta = bytes[n++];
	if (mask & 0x2)
		tb = bytes[n++];
	if (mask & 0x4)
		tc = bytes[n++];
	if (i == 1 && ta >= 0) {
		out->has_ta1 = TRUE;
		out->ta1 = (guint8)ta;
	}
	if (i == 1 && tc >= 0)
		out->tc1 = (guint8)tc;
	if (i == 2 && ta >= 0) {
		out->specific_mode = TRUE;
		out->specific_protocol = (guint8)(ta & 0x0f);
	}
	if (i == 2 && tc >= 0 && protocol == 0)
		out->wi = (guint8)tc;
	/* the first TA/TB/TC after a T=1 TD are IFSC, BWI/CWI and the EDC */
	if (i >= 3 && protocol == 1 && !*t1_seen) {
		if (ta >= 0)
			out->ifsc = (guint8)ta;
		if (tb >= 0)
			out->bwi_cwi = (guint8)tb;
		if (tc >= 0)
			out->crc = tc & 1;
		*t1_seen = TRUE;
	}
	if (i >= 3 && protocol == 15 && ta >= 0) {
		out->classes |= (guint8)(ta & 0x07);
		out->clock_stop = (guint8)((ta >> 6) & 0x03);
	}
}

gboolean
remsim_ccid_atr_parse(const guint8 *atr, gsize len, RemsimCcidAtr *out, GError **error)
{
	gsize pos = 2;
	guint8 td, protocol = 0;
	gboolean need_tck = FALSE, t1_seen = FALSE;

	remsim_ccid_atr_defaults(out);
	if (len < 2 || (atr[0] != 0x3b && atr[0] != 0x3f)) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "ATR of %" G_GSIZE_FORMAT " bytes does not start with TS 3B or 3F",
			    len);
		return FALSE;
	}
	out->inverse = atr[0] == 0x3f;
	out->n_historical = atr[1] & 0x0f;
	td = atr[1];
	for (guint i = 1;; i++) {
		guint8 mask = (guint8)(td >> 4);
		guint n = (guint)__builtin_popcount(mask & 0x7);

		if (pos + n + ((mask & 0x8) ? 1 : 0) > len) {
			g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
				    "ATR ends within its interface bytes");
			return FALSE;
		}
		remsim_ccid_atr_take(out, i, protocol, mask, atr + pos, &t1_seen);
		pos += n;
		if (!(mask & 0x8))
			break;
		td = atr[pos++];
		protocol = td & 0x0f;
		if (i == 1)
			out->first_protocol = protocol;
		if (protocol <= 1)
			out->protocols |= (guint8)(1u << protocol);
		if (protocol != 0)
			need_tck = TRUE;
	}
	if (out->protocols == 0)
		out->protocols = 0x01;
	pos += out->n_historical;
	if (pos + (need_tck ? 1 : 0) != len) {
		g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
			    "ATR of %" G_GSIZE_FORMAT
			    " bytes, its format byte says %" G_GSIZE_FORMAT,
			    len, pos + (need_tck ? 1 : 0));
		return FALSE;
	}
	if (need_tck) {
		guint8 x = 0;

		for (gsize i = 1; i < len; i++)
			x ^= atr[i];
		if (x != 0) {
			g_set_error(error, REMSIM_CCID_ERROR, REMSIM_CCID_ERROR_MALFORMED,
				    "ATR check byte TCK is wrong");
			return FALSE;
		}
	}
	return TRUE;
}

GBytes *
remsim_ccid_atr_protocol_data(const RemsimCcidAtr *atr, guint protocol, guint8 fi_di)
{
	guint8 convention = atr->inverse ? 0x02 : 0x00;

	if (protocol == 1) {
		guint8 d[7] = { fi_di,
				(guint8)(0x10 | convention | (atr->crc ? 0x01 : 0x00)),
				atr->tc1,
				atr->bwi_cwi,
				atr->clock_stop,
				atr->ifsc,
				0 };

		return g_bytes_new(d, sizeof(d));
	} else {
		guint8 d[5] = { fi_di, convention, atr->tc1, atr->wi, atr->clock_stop };

		return g_bytes_new(d, sizeof(d));
	}
}
