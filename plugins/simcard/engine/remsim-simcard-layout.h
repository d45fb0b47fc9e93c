/* The standard file layout of the simulated UICC (TS 102 221, TS 31.102, GSM 11.11), filled
 * with realistic contents derived from a card profile. */
#pragma once

#include "remsim-simcard-fs.h"
#include "remsim-simcard-profile.h"

G_BEGIN_DECLS

/* The USIM application identifier the card announces in EF.DIR. */
GBytes *remsim_simcard_layout_usim_aid(void);

/* Builds the tree and applies the profile's file overrides (errors name "files.<path>"). */
RemsimSimcardFs *remsim_simcard_layout_build(const RemsimSimcardProfile *profile, GError **error);

/* Encoders shared with the tests' expectations: BCD with swapped nibbles, 'F' padded. */
void remsim_simcard_layout_encode_bcd(const gchar *digits, guint8 *out, gsize out_len);
void remsim_simcard_layout_encode_plmn(const gchar *mcc, const gchar *mnc, guint8 out[3]);

G_END_DECLS
