/* PIN state machine. Comparisons run over all eight bytes so that timing does not tell how
 * many leading digits were right. */
#include "remsim-simcard-pin.h"

#include <string.h>

gboolean
remsim_simcard_pin_encode(const gchar *text, gboolean any_8_chars,
			  guint8 out[REMSIM_SIMCARD_PIN_SIZE])
{
	gsize len = strlen(text);

	if (len < 4 || len > REMSIM_SIMCARD_PIN_SIZE)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isdigit(text[i]) && !(any_8_chars && len == REMSIM_SIMCARD_PIN_SIZE))
			return FALSE;
	memset(out, 0xFF, REMSIM_SIMCARD_PIN_SIZE);
	memcpy(out, text, len);
	return TRUE;
}

gboolean
remsim_simcard_pin_is_valid_format(const guint8 code[REMSIM_SIMCARD_PIN_SIZE])
{
	guint digits = 0;

	while (digits < REMSIM_SIMCARD_PIN_SIZE && g_ascii_isdigit(code[digits]))
		digits++;
	for (guint i = digits; i < REMSIM_SIMCARD_PIN_SIZE; i++)
		if (code[i] != 0xFF)
			return FALSE;
	return digits >= 4;
}

void
remsim_simcard_pin_init(RemsimSimcardPin *pin, const guint8 code[REMSIM_SIMCARD_PIN_SIZE],
			const guint8 *unblock_code, guint max_retries, guint unblock_max_retries,
			gboolean can_disable)
{
	memset(pin, 0, sizeof(*pin));
	memcpy(pin->code, code, REMSIM_SIMCARD_PIN_SIZE);
	pin->has_unblock = unblock_code != NULL;
	if (unblock_code != NULL)
		memcpy(pin->unblock_code, unblock_code, REMSIM_SIMCARD_PIN_SIZE);
	pin->retries = pin->max_retries = max_retries;
	pin->unblock_retries = pin->unblock_max_retries = unblock_max_retries;
	pin->can_disable = can_disable;
	pin->enabled = TRUE;
}

static gboolean
remsim_simcard_pin_equal(const guint8 *a, const guint8 *b)
{
	guint8 diff = 0;

	for (guint i = 0; i < REMSIM_SIMCARD_PIN_SIZE; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

gboolean
remsim_simcard_pin_is_satisfied(const RemsimSimcardPin *pin)
{
	return pin->verified || !pin->enabled;
}

/* Counts one presentation of the code: a right one restores the counter. */
static RemsimSimcardPinResult
remsim_simcard_pin_check(RemsimSimcardPin *pin, const guint8 *code)
{
	if (pin->retries == 0)
		return REMSIM_SIMCARD_PIN_BLOCKED;
	if (!remsim_simcard_pin_equal(pin->code, code)) {
		pin->retries--;
		pin->verified = FALSE;
		return REMSIM_SIMCARD_PIN_WRONG;
	}
	pin->retries = pin->max_retries;
	return REMSIM_SIMCARD_PIN_OK;
}

RemsimSimcardPinResult
remsim_simcard_pin_verify(RemsimSimcardPin *pin, const guint8 *code)
{
	RemsimSimcardPinResult r = remsim_simcard_pin_check(pin, code);

	if (r == REMSIM_SIMCARD_PIN_OK)
		pin->verified = TRUE;
	return r;
}

RemsimSimcardPinResult
remsim_simcard_pin_change(RemsimSimcardPin *pin, const guint8 *old_code, const guint8 *new_code)
{
	RemsimSimcardPinResult r;

	if (pin->retries == 0)
		return REMSIM_SIMCARD_PIN_BLOCKED;
	if (!pin->enabled)
		return REMSIM_SIMCARD_PIN_NOT_ALLOWED;
	r = remsim_simcard_pin_check(pin, old_code);
	if (r != REMSIM_SIMCARD_PIN_OK)
		return r;
	memcpy(pin->code, new_code, REMSIM_SIMCARD_PIN_SIZE);
	pin->verified = TRUE;
	return REMSIM_SIMCARD_PIN_OK;
}

RemsimSimcardPinResult
remsim_simcard_pin_set_enabled(RemsimSimcardPin *pin, const guint8 *code, gboolean enable)
{
	RemsimSimcardPinResult r;

	if (pin->retries == 0)
		return REMSIM_SIMCARD_PIN_BLOCKED;
	if (!pin->can_disable || pin->enabled == enable)
		return REMSIM_SIMCARD_PIN_NOT_ALLOWED;
	r = remsim_simcard_pin_check(pin, code);
	if (r != REMSIM_SIMCARD_PIN_OK)
		return r;
	pin->enabled = enable;
	pin->verified = enable;
	return REMSIM_SIMCARD_PIN_OK;
}

RemsimSimcardPinResult
remsim_simcard_pin_unblock(RemsimSimcardPin *pin, const guint8 *unblock_code,
			   const guint8 *new_code)
{
	if (!pin->has_unblock)
		return REMSIM_SIMCARD_PIN_NOT_ALLOWED;
	if (pin->unblock_retries == 0)
		return REMSIM_SIMCARD_PIN_BLOCKED;
	if (!remsim_simcard_pin_equal(pin->unblock_code, unblock_code)) {
		pin->unblock_retries--;
		return REMSIM_SIMCARD_PIN_WRONG;
	}
	pin->unblock_retries = pin->unblock_max_retries;
	memcpy(pin->code, new_code, REMSIM_SIMCARD_PIN_SIZE);
	pin->retries = pin->max_retries;
	pin->enabled = TRUE;
	pin->verified = TRUE;
	return REMSIM_SIMCARD_PIN_OK;
}
