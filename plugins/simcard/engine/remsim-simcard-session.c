/* Helpers shared by the command handlers: class-specific status words, access checks,
 * Le handling and the PIN status template. */
#include "remsim-simcard-session.h"

guint16
remsim_simcard_session_sw(const RemsimSimcardApdu *apdu, RemsimSimcardErr err)
{
	static const guint16 uicc[] = {
		[REMSIM_SIMCARD_ERR_NO_EF] = REMSIM_SW(0x69, 0x86),
		[REMSIM_SIMCARD_ERR_NOT_FOUND] = REMSIM_SW(0x6A, 0x82),
		[REMSIM_SIMCARD_ERR_STRUCTURE] = REMSIM_SW(0x69, 0x81),
		[REMSIM_SIMCARD_ERR_SECURITY] = REMSIM_SW(0x69, 0x82),
		[REMSIM_SIMCARD_ERR_RECORD] = REMSIM_SW(0x6A, 0x83),
		[REMSIM_SIMCARD_ERR_P1P2] = REMSIM_SW(0x6A, 0x86),
		[REMSIM_SIMCARD_ERR_OFFSET] = REMSIM_SW(0x6B, 0x00),
	};
	static const guint16 gsm[] = {
		[REMSIM_SIMCARD_ERR_NO_EF] = REMSIM_SW(0x94, 0x00),
		[REMSIM_SIMCARD_ERR_NOT_FOUND] = REMSIM_SW(0x94, 0x04),
		[REMSIM_SIMCARD_ERR_STRUCTURE] = REMSIM_SW(0x94, 0x08),
		[REMSIM_SIMCARD_ERR_SECURITY] = REMSIM_SW(0x98, 0x04),
		[REMSIM_SIMCARD_ERR_RECORD] = REMSIM_SW(0x94, 0x02),
		[REMSIM_SIMCARD_ERR_P1P2] = REMSIM_SW(0x6B, 0x00),
		[REMSIM_SIMCARD_ERR_OFFSET] = REMSIM_SW(0x6B, 0x00),
	};

	return apdu->gsm ? gsm[err] : uicc[err];
}

gboolean
remsim_simcard_session_access_ok(RemsimSimcardSession *s, RemsimSimcardAccess access)
{
	switch (access) {
	case REMSIM_SIMCARD_ACCESS_ALWAYS:
		return TRUE;
	case REMSIM_SIMCARD_ACCESS_PIN1:
		return remsim_simcard_pin_is_satisfied(&s->pin1);
	case REMSIM_SIMCARD_ACCESS_PIN2:
		return remsim_simcard_pin_is_satisfied(&s->pin2);
	case REMSIM_SIMCARD_ACCESS_ADM:
		return s->adm.verified;
	case REMSIM_SIMCARD_ACCESS_NEVER:
	default:
		return FALSE;
	}
}

guint16
remsim_simcard_session_reply(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu,
			     const guint8 *data, gsize len, gboolean le_may_be_shorter)
{
	gsize le = apdu->p3 != 0 ? apdu->p3 : 256;

	/* TS 102 221 10.2.1.3 gives the exact length with 6C; GSM 11.11 9.4.6 with 67 */
	if (le > len || (le < len && !le_may_be_shorter))
		return apdu->gsm ? REMSIM_SW(0x67, len & 0xFF) : REMSIM_SW(0x6C, len & 0xFF);
	g_byte_array_append(s->out, data, (guint)le);
	return REMSIM_SW_OK;
}

/* TS 102 221 9.5.2: PS_DO says which of the listed key references are enabled. */
GBytes *
remsim_simcard_session_pin_status_template(RemsimSimcardSession *s, RemsimSimcardFsFile *df)
{
	gboolean adf = remsim_simcard_fs_file_get_file_type(df) == REMSIM_SIMCARD_FILE_ADF;
	guint8 ps = 0;
	GByteArray *t = g_byte_array_new();

	if (s->pin1.enabled)
		ps |= 0x80;
	if (adf && s->pin2.enabled)
		ps |= 0x40;
	g_byte_array_append(t, (const guint8[]){ 0x90, 0x01, ps, 0x83, 0x01, 0x01 }, 6);
	if (adf)
		g_byte_array_append(t, (const guint8[]){ 0x83, 0x01, 0x81 }, 3);
	return g_byte_array_free_to_bytes(t);
}
