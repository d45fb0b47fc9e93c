/* Security commands: PIN/CHV management, AUTHENTICATE and RUN GSM ALGORITHM. */
#include "remsim-simcard-session.h"

#include <string.h>

#define SW_WRONG_LENGTH REMSIM_SW(0x67, 0x00)

enum {
	INS_VERIFY = 0x20,
	INS_CHANGE = 0x24,
	INS_DISABLE = 0x26,
	INS_ENABLE = 0x28,
	INS_UNBLOCK = 0x2C,
};

/* Key references: TS 102 221 9.5.1 (01 PIN1, 81 second application PIN, 0A ADM1); in GSM
 * class 01 CHV1, 02 CHV2, and UNBLOCK CHV names CHV1 with 00. */
static RemsimSimcardPin *
remsim_simcard_cmd_security_pin_ref(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	guint8 ref = apdu->p2;

	if (apdu->gsm) {
		if (apdu->ins == INS_UNBLOCK)
			return ref == 0x00 ? &s->pin1 : ref == 0x02 ? &s->pin2 : NULL;
		if (ref == 0x01)
			return &s->pin1;
		if (ref == 0x02 && apdu->ins != INS_DISABLE && apdu->ins != INS_ENABLE)
			return &s->pin2;
		return ref == 0x0A && apdu->ins == INS_VERIFY ? &s->adm : NULL;
	}
	if (ref == 0x01)
		return &s->pin1;
	if (ref == 0x81)
		return &s->pin2;
	return ref == 0x0A && apdu->ins != INS_UNBLOCK ? &s->adm : NULL;
}

static gsize
remsim_simcard_cmd_security_pin_lc(guint8 ins)
{
	return ins == INS_CHANGE || ins == INS_UNBLOCK ? 16 : 8;
}

/* GSM 11.11 9.4.5 */
static guint16
remsim_simcard_cmd_security_pin_sw_gsm(RemsimSimcardPinResult r, guint retries_left)
{
	switch (r) {
	case REMSIM_SIMCARD_PIN_OK:
		return REMSIM_SW_OK;
	case REMSIM_SIMCARD_PIN_WRONG:
		return retries_left > 0 ? REMSIM_SW(0x98, 0x04) : REMSIM_SW(0x98, 0x40);
	case REMSIM_SIMCARD_PIN_BLOCKED:
		return REMSIM_SW(0x98, 0x40);
	case REMSIM_SIMCARD_PIN_NOT_ALLOWED:
	default:
		return REMSIM_SW(0x98, 0x08);
	}
}

/* TS 102 221 10.2.1.5 */
static guint16
remsim_simcard_cmd_security_pin_sw_uicc(RemsimSimcardPinResult r, guint retries_left, guint8 ins)
{
	switch (r) {
	case REMSIM_SIMCARD_PIN_OK:
		return REMSIM_SW_OK;
	case REMSIM_SIMCARD_PIN_WRONG:
		return REMSIM_SW(0x63, 0xC0 | MIN(retries_left, 15));
	case REMSIM_SIMCARD_PIN_BLOCKED:
		return REMSIM_SW(0x69, 0x83);
	case REMSIM_SIMCARD_PIN_NOT_ALLOWED:
	default:
		/* CHANGE on a disabled PIN: referenced data invalidated */
		return ins == INS_CHANGE ? REMSIM_SW(0x69, 0x84) : REMSIM_SW(0x69, 0x85);
	}
}

/* VERIFY or UNBLOCK with no data (UICC only): how many tries are left */
static guint16
remsim_simcard_cmd_security_pin_query(RemsimSimcardPin *pin, guint8 ins)
{
	guint left = ins == INS_UNBLOCK ? pin->unblock_retries : pin->retries;

	if (ins == INS_UNBLOCK && !pin->has_unblock)
		return REMSIM_SW(0x6A, 0x88);
	if (left == 0)
		return REMSIM_SW(0x69, 0x83);
	if (ins == INS_VERIFY && remsim_simcard_pin_is_satisfied(pin))
		return REMSIM_SW_OK;
	return REMSIM_SW(0x63, 0xC0 | MIN(left, 15));
}

static RemsimSimcardPinResult
remsim_simcard_cmd_security_pin_run(RemsimSimcardPin *pin, const RemsimSimcardApdu *apdu)
{
	switch (apdu->ins) {
	case INS_VERIFY:
		return remsim_simcard_pin_verify(pin, apdu->data);
	case INS_CHANGE:
		return remsim_simcard_pin_change(pin, apdu->data, apdu->data + 8);
	case INS_DISABLE:
		return remsim_simcard_pin_set_enabled(pin, apdu->data, FALSE);
	case INS_ENABLE:
		return remsim_simcard_pin_set_enabled(pin, apdu->data, TRUE);
	case INS_UNBLOCK:
	default:
		return remsim_simcard_pin_unblock(pin, apdu->data, apdu->data + 8);
	}
}

guint16
remsim_simcard_cmd_security_pin(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardPin *pin = remsim_simcard_cmd_security_pin_ref(s, apdu);
	RemsimSimcardPinResult r;
	gboolean sets_code = apdu->ins == INS_CHANGE || apdu->ins == INS_UNBLOCK;

	if (apdu->p1 != 0x00)
		return REMSIM_SW(0x6B, 0x00);
	if (pin == NULL)
		return apdu->gsm ? REMSIM_SW(0x6B, 0x00) : REMSIM_SW(0x6A, 0x88);
	if (!apdu->gsm && apdu->lc == 0 && (apdu->ins == INS_VERIFY || apdu->ins == INS_UNBLOCK))
		return remsim_simcard_cmd_security_pin_query(pin, apdu->ins);
	if (apdu->lc != remsim_simcard_cmd_security_pin_lc(apdu->ins))
		return SW_WRONG_LENGTH;
	/* GSM 11.11 8.9: VERIFY on a disabled CHV contradicts its status */
	if (apdu->gsm && apdu->ins == INS_VERIFY && !pin->enabled)
		return REMSIM_SW(0x98, 0x08);
	if (sets_code && !remsim_simcard_pin_is_valid_format(apdu->data + 8))
		return apdu->gsm ? REMSIM_SW(0x6B, 0x00) : REMSIM_SW(0x6A, 0x80);
	r = remsim_simcard_cmd_security_pin_run(pin, apdu);
	if (apdu->gsm)
		return remsim_simcard_cmd_security_pin_sw_gsm(
		    r, apdu->ins == INS_UNBLOCK ? pin->unblock_retries : pin->retries);
	return remsim_simcard_cmd_security_pin_sw_uicc(
	    r, apdu->ins == INS_UNBLOCK ? pin->unblock_retries : pin->retries, apdu->ins);
}

static guint16
remsim_simcard_cmd_security_auth_umts(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardAuthVector v;
	const guint8 *d = apdu->data;

	if (apdu->lc != 34)
		return SW_WRONG_LENGTH;
	if (d[0] != 16 || d[17] != 16)
		return REMSIM_SW(0x6A, 0x80);
	switch (remsim_simcard_auth_umts(&s->auth, d + 1, d + 18, &v)) {
	case REMSIM_SIMCARD_AUTH_MAC_FAILURE:
		return REMSIM_SW(0x98, 0x62);
	case REMSIM_SIMCARD_AUTH_SYNC_FAILURE:
		g_byte_array_append(s->out, (const guint8[]){ 0xDC, REMSIM_SIMCARD_AUTH_AUTS_SIZE },
				    2);
		g_byte_array_append(s->out, v.auts, sizeof(v.auts));
		return REMSIM_SW_OK;
	case REMSIM_SIMCARD_AUTH_OK:
	default:
		/* TS 31.102 7.1.2.1: DB, RES, CK, IK and, with GSM access, Kc */
		g_byte_array_append(s->out, (const guint8[]){ 0xDB, 8 }, 2);
		g_byte_array_append(s->out, v.res, 8);
		g_byte_array_append(s->out, (const guint8[]){ 16 }, 1);
		g_byte_array_append(s->out, v.ck, 16);
		g_byte_array_append(s->out, (const guint8[]){ 16 }, 1);
		g_byte_array_append(s->out, v.ik, 16);
		g_byte_array_append(s->out, (const guint8[]){ 8 }, 1);
		g_byte_array_append(s->out, v.kc, 8);
		memset(&v, 0, sizeof(v));
		return REMSIM_SW_OK;
	}
}

static guint16
remsim_simcard_cmd_security_auth_gsm(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	guint8 sres[4], kc[8];

	if (apdu->lc != 17)
		return SW_WRONG_LENGTH;
	if (apdu->data[0] != 16)
		return REMSIM_SW(0x6A, 0x80);
	remsim_simcard_auth_gsm(&s->auth, apdu->data + 1, sres, kc);
	g_byte_array_append(s->out, (const guint8[]){ 4 }, 1);
	g_byte_array_append(s->out, sres, 4);
	g_byte_array_append(s->out, (const guint8[]){ 8 }, 1);
	g_byte_array_append(s->out, kc, 8);
	return REMSIM_SW_OK;
}

guint16
remsim_simcard_cmd_security_authenticate(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	if (apdu->p1 != 0x00 || (apdu->p2 != 0x80 && apdu->p2 != 0x81))
		return REMSIM_SW(0x6A, 0x86);
	/* TS 31.102 7.1.1: only for the selected USIM, under PIN1 */
	if (!s->usim_active)
		return REMSIM_SW(0x69, 0x85);
	if (!remsim_simcard_session_access_ok(s, REMSIM_SIMCARD_ACCESS_PIN1))
		return REMSIM_SW(0x69, 0x82);
	return apdu->p2 == 0x81 ? remsim_simcard_cmd_security_auth_umts(s, apdu)
				: remsim_simcard_cmd_security_auth_gsm(s, apdu);
}

/* GSM 11.11 9.2.16: SRES (4) || Kc (8), here the USIM's GSM context (c2/c3 of Milenage) */
guint16
remsim_simcard_cmd_security_run_gsm_algorithm(RemsimSimcardSession *s,
					      const RemsimSimcardApdu *apdu)
{
	guint8 sres[4], kc[8];

	if (apdu->p1 != 0 || apdu->p2 != 0)
		return REMSIM_SW(0x6B, 0x00);
	if (apdu->lc != 16)
		return SW_WRONG_LENGTH;
	if (!remsim_simcard_session_access_ok(s, REMSIM_SIMCARD_ACCESS_PIN1))
		return REMSIM_SW(0x98, 0x04);
	remsim_simcard_auth_gsm(&s->auth, apdu->data, sres, kc);
	g_byte_array_append(s->out, sres, 4);
	g_byte_array_append(s->out, kc, 8);
	return REMSIM_SW_OK;
}
