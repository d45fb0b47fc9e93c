/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-client-apdu-case.h"

typedef struct {
	guint8 ins;
	guint8 cse; /* 0: decided by a helper */
} RemsimClientInsCase;

/* GSM 11.11, CLA A0 */
static const RemsimClientInsCase gsm_table[] = {
	{ 0xa4, 4 }, { 0xf2, 2 }, { 0xb0, 2 }, { 0xd6, 3 }, { 0xb2, 2 }, { 0xdc, 3 },
	{ 0xa2, 4 }, { 0x32, 4 }, { 0x20, 3 }, { 0x24, 3 }, { 0x26, 3 }, { 0x28, 3 },
	{ 0x2c, 3 }, { 0x04, 1 }, { 0x44, 1 }, { 0x88, 4 }, { 0xfa, 1 }, { 0xc0, 2 },
	{ 0x10, 3 }, { 0xc2, 4 }, { 0x12, 2 }, { 0x14, 3 },
};

/* TS 102 221 CAT, CLA 80 */
static const RemsimClientInsCase uicc_80_table[] = {
	{ 0x10, 3 }, { 0xc2, 4 }, { 0x12, 2 }, { 0x14, 3 }, { 0x76, 4 }, { 0x7a, 4 },
};

/* TS 102 221, CLA 0x/4x/6x; 73 and 75 need their helpers */
static const RemsimClientInsCase uicc_table[] = {
	{ 0xa4, 4 }, { 0xb0, 2 }, { 0xd6, 3 }, { 0xb2, 2 }, { 0xdc, 3 }, { 0xa2, 4 }, { 0x20, 3 },
	{ 0x24, 3 }, { 0x26, 3 }, { 0x28, 3 }, { 0x2c, 3 }, { 0x04, 1 }, { 0x44, 1 }, { 0x88, 4 },
	{ 0x89, 4 }, { 0x84, 2 }, { 0x70, 2 }, { 0xc0, 2 }, { 0x73, 0 }, { 0x75, 0 },
};

/* GlobalPlatform, CLA 8x/Cx/Ex; E2, CA, CB and F2 need their helpers */
static const RemsimClientInsCase gp_table[] = {
	{ 0xe4, 4 }, { 0xe6, 4 }, { 0xe8, 4 }, { 0xd8, 4 }, { 0xf0, 3 },
	{ 0xc0, 2 }, { 0xe2, 0 }, { 0xca, 0 }, { 0xcb, 0 }, { 0xf2, 0 },
};

/* proprietary UICC, CLA 8x/Cx/Ex */
static const RemsimClientInsCase uicc_prop_table[] = {
	{ 0xf2, 2 }, { 0x32, 4 }, { 0xcb, 4 }, { 0xdb, 3 }, { 0xaa, 3 }, { 0x78, 4 },
};

/* last resort, CLA 00 only */
static const RemsimClientInsCase fallback_table[] = {
	{ 0xa4, 4 },
	{ 0xca, 2 },
	{ 0xc0, 2 },
};

static gint
remsim_client_apdu_case_lookup(const RemsimClientInsCase *table, gsize n, guint8 ins)
{
	for (gsize i = 0; i < n; i++) {
		if (table[i].ins == ins)
			return table[i].cse;
	}
	return -1;
}

static RemsimClientApduCase
remsim_client_apdu_case_uicc_helper(const guint8 *h)
{
	guint8 p1 = h[2], p2 = h[3];

	if (h[1] == 0x75) /* RETRIEVE DATA / SET DATA */
		return (p1 & 0x04) ? REMSIM_CLIENT_APDU_CASE_3 : REMSIM_CLIENT_APDU_CASE_2;
	/* 0x73 MANAGE SECURE CHANNEL */
	if (p1 == 0x00)
		return REMSIM_CLIENT_APDU_CASE_2;
	if ((p1 & 0x07) >= 1 && (p1 & 0x07) <= 3) {
		if (p2 == 0x80 || (p2 >> 5) == 0)
			return REMSIM_CLIENT_APDU_CASE_3;
		if ((p2 >> 5) == 1 || (p2 >> 5) == 5)
			return REMSIM_CLIENT_APDU_CASE_2;
		return REMSIM_CLIENT_APDU_CASE_UNKNOWN;
	}
	if ((p1 & 0x07) == 4)
		return REMSIM_CLIENT_APDU_CASE_3;
	return REMSIM_CLIENT_APDU_CASE_UNKNOWN;
}

static RemsimClientApduCase
remsim_client_apdu_case_gp_helper(const guint8 *h)
{
	switch (h[1]) {
	case 0xe2: /* STORE DATA */
		return (h[2] & 0x01) ? REMSIM_CLIENT_APDU_CASE_4 : REMSIM_CLIENT_APDU_CASE_3;
	case 0xca: /* GET DATA */
	case 0xcb:
		return h[4] == 0 ? REMSIM_CLIENT_APDU_CASE_2 : REMSIM_CLIENT_APDU_CASE_4;
	default: /* F2 GET STATUS */
		return (h[2] & 0xf0) ? REMSIM_CLIENT_APDU_CASE_4 : REMSIM_CLIENT_APDU_CASE_2;
	}
}

/* the case from one table, UNKNOWN if the INS is not in it */
static RemsimClientApduCase
remsim_client_apdu_case_from_table(const RemsimClientInsCase *table, gsize n, const guint8 *h,
				   RemsimClientApduCase (*helper)(const guint8 *h))
{
	gint c = remsim_client_apdu_case_lookup(table, n, h[1]);

	if (c < 0)
		return REMSIM_CLIENT_APDU_CASE_UNKNOWN;
	if (c == 0)
		return helper != NULL ? helper(h) : REMSIM_CLIENT_APDU_CASE_UNKNOWN;
	return (RemsimClientApduCase)c;
}

#define FROM(t, h, helper) remsim_client_apdu_case_from_table((t), G_N_ELEMENTS(t), (h), (helper))

RemsimClientApduCase
remsim_client_apdu_case(const guint8 header[5])
{
	guint8 cla = header[0], hi = cla & 0xf0;
	RemsimClientApduCase c = REMSIM_CLIENT_APDU_CASE_UNKNOWN;

	/* the rows in libosmocore's order: the first one that knows the INS wins */
	if (cla == 0xa0 && (c = FROM(gsm_table, header, NULL)))
		return c;
	if (cla == 0x80 && (c = FROM(uicc_80_table, header, NULL)))
		return c;
	if ((hi == 0x00 || hi == 0x40 || hi == 0x60) &&
	    (c = FROM(uicc_table, header, remsim_client_apdu_case_uicc_helper)))
		return c;
	if (hi == 0x80 && (c = FROM(gp_table, header, remsim_client_apdu_case_gp_helper)))
		return c;
	if ((hi == 0x80 || hi == 0xc0 || hi == 0xe0) && (c = FROM(uicc_prop_table, header, NULL)))
		return c;
	if ((hi == 0xc0 || hi == 0xe0) &&
	    (c = FROM(gp_table, header, remsim_client_apdu_case_gp_helper)))
		return c;
	if (cla == 0x00)
		c = FROM(fallback_table, header, NULL);
	return c;
}
