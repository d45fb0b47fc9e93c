/* A PIN (CHV) with its retry counter and its unblock key (PUK), as ETSI TS 102 221 clause 9.5
 * and GSM 11.11 clause 11.4 describe; the card maps the results onto each class's status words. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_SIMCARD_PIN_SIZE 8

typedef enum {
	REMSIM_SIMCARD_PIN_OK,
	REMSIM_SIMCARD_PIN_WRONG,	/* retries is now the number of attempts left */
	REMSIM_SIMCARD_PIN_BLOCKED,	/* no attempt left before this command */
	REMSIM_SIMCARD_PIN_NOT_ALLOWED, /* not possible in the current enabled/disabled state */
} RemsimSimcardPinResult;

typedef struct {
	guint8 code[REMSIM_SIMCARD_PIN_SIZE];
	guint8 unblock_code[REMSIM_SIMCARD_PIN_SIZE];
	guint retries;
	guint max_retries;
	guint unblock_retries;
	guint unblock_max_retries;
	gboolean has_unblock;
	gboolean can_disable;
	gboolean enabled;
	gboolean verified;
} RemsimSimcardPin;

/* ASCII digits padded with 'FF' to 8 bytes; FALSE unless 4 to 8 digits (ADM: exactly 8
 * characters of any kind are accepted too, as on cards where ADM is not numeric). */
gboolean remsim_simcard_pin_encode(const gchar *text, gboolean any_8_chars,
				   guint8 out[REMSIM_SIMCARD_PIN_SIZE]);
gboolean remsim_simcard_pin_is_valid_format(const guint8 code[REMSIM_SIMCARD_PIN_SIZE]);

void remsim_simcard_pin_init(RemsimSimcardPin *pin, const guint8 code[REMSIM_SIMCARD_PIN_SIZE],
			     const guint8 *unblock_code, guint max_retries,
			     guint unblock_max_retries, gboolean can_disable);
gboolean remsim_simcard_pin_is_satisfied(const RemsimSimcardPin *pin);
RemsimSimcardPinResult remsim_simcard_pin_verify(RemsimSimcardPin *pin, const guint8 *code);
RemsimSimcardPinResult remsim_simcard_pin_change(RemsimSimcardPin *pin, const guint8 *old_code,
						 const guint8 *new_code);
RemsimSimcardPinResult remsim_simcard_pin_set_enabled(RemsimSimcardPin *pin, const guint8 *code,
						      gboolean enable);
RemsimSimcardPinResult remsim_simcard_pin_unblock(RemsimSimcardPin *pin, const guint8 *unblock_code,
						  const guint8 *new_code);

G_END_DECLS
