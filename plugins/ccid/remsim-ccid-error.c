/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-error.h"

G_DEFINE_QUARK(remsim_ccid_error, remsim_ccid_error)

static const struct {
	guint8 code;
	const gchar *text;
} remsim_ccid_error_texts[] = {
	{ 0xff, "command aborted" },
	{ 0xfe, "card mute" },
	{ 0xfd, "parity error" },
	{ 0xfc, "overrun" },
	{ 0xfb, "hardware error" },
	{ 0xf8, "bad ATR TS" },
	{ 0xf7, "bad ATR TCK" },
	{ 0xf6, "protocol not supported" },
	{ 0xf5, "class not supported" },
	{ 0xf4, "procedure byte conflict" },
	{ 0xf3, "deactivated protocol" },
	{ 0xf2, "busy with automatic sequence" },
	{ 0xf0, "PIN timeout" },
	{ 0xef, "PIN cancelled" },
	{ 0xe0, "slot busy" },
	{ 0x00, "command not supported" },
	{ 0x05, "bad slot" },
	{ 0x07, "bad parameter" },
};

const gchar *
remsim_ccid_error_describe(guint8 b_error)
{
	for (guint i = 0; i < G_N_ELEMENTS(remsim_ccid_error_texts); i++) {
		if (remsim_ccid_error_texts[i].code == b_error)
			return remsim_ccid_error_texts[i].text;
	}
	if (b_error >= 0x80 && b_error <= 0xc0)
		return "vendor-specific error";
	if (b_error >= 0x01 && b_error <= 0x7f)
		return "bad command field";
	return "unknown error";
}

RemsimCardError
remsim_ccid_error_to_card(const GError *error)
{
	static const RemsimCardError codes[] = {
		[REMSIM_CCID_ERROR_FAILED] = REMSIM_CARD_ERROR_FAILED,
		[REMSIM_CCID_ERROR_MALFORMED] = REMSIM_CARD_ERROR_TRANSMISSION,
		[REMSIM_CCID_ERROR_SEQUENCE] = REMSIM_CARD_ERROR_TRANSMISSION,
		[REMSIM_CCID_ERROR_TIMEOUT] = REMSIM_CARD_ERROR_UNRESPONSIVE,
		[REMSIM_CCID_ERROR_NO_DEVICE] = REMSIM_CARD_ERROR_NO_CARD,
		[REMSIM_CCID_ERROR_IO] = REMSIM_CARD_ERROR_TRANSMISSION,
		[REMSIM_CCID_ERROR_UNSUPPORTED] = REMSIM_CARD_ERROR_INVALID,
	};

	if (error == NULL)
		return REMSIM_CARD_ERROR_FAILED;
	if (error->domain == REMSIM_CARD_ERROR)
		return (RemsimCardError)error->code;
	if (error->domain == REMSIM_CCID_ERROR && error->code >= 0 &&
	    (gsize)error->code < G_N_ELEMENTS(codes))
		return codes[error->code];
	return REMSIM_CARD_ERROR_FAILED;
}
