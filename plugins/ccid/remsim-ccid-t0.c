/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-error.h"
#include "remsim-ccid-t0.h"

/* GET RESPONSE rounds before a card that keeps saying 61xx counts as broken */
#define REMSIM_CCID_T0_MAX_ROUNDS 64

struct _RemsimCcidT0 {
	GBytes *first;	  /* the first TPDU */
	gboolean collect; /* case 4: GET RESPONSE until done */
	guint8 cla;
	guint le;	  /* case 4: 1..256 */
	GByteArray *data; /* collected answer data */
	guint rounds;
};

RemsimCcidT0 *
remsim_ccid_t0_new(const guint8 *command, gsize len, GError **error)
{
	g_autoptr(RemsimCcidT0) t0 = g_new0(RemsimCcidT0, 1);

	t0->data = g_byte_array_new();
	if (len == 4) {
		guint8 tpdu[5] = { command[0], command[1], command[2], command[3], 0 };

		t0->first = g_bytes_new(tpdu, sizeof(tpdu));
	} else if (len == 5 || (len > 5 && command[4] != 0 && len == 5 + (gsize)command[4])) {
		t0->first = g_bytes_new(command, len);
	} else if (len > 6 && command[4] != 0 && len == 6 + (gsize)command[4]) {
		t0->first = g_bytes_new(command, len - 1);
		t0->collect = TRUE;
		t0->cla = command[0];
		t0->le = command[len - 1] == 0 ? 256 : command[len - 1];
	} else {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
			    "a command of %" G_GSIZE_FORMAT " bytes is neither a T=0 TPDU nor a "
			    "short APDU",
			    len);
		return NULL;
	}
	return g_steal_pointer(&t0);
}

void
remsim_ccid_t0_free(RemsimCcidT0 *t0)
{
	if (t0 == NULL)
		return;
	g_clear_pointer(&t0->first, g_bytes_unref);
	g_byte_array_unref(t0->data);
	g_free(t0);
}

GBytes *
remsim_ccid_t0_start(RemsimCcidT0 *t0)
{
	return g_bytes_ref(t0->first);
}

static GBytes *
remsim_ccid_t0_get_response(RemsimCcidT0 *t0, guint8 p3)
{
	guint8 tpdu[5] = { t0->cla, 0xc0, 0x00, 0x00, p3 };

	return g_bytes_new(tpdu, sizeof(tpdu));
}

RemsimCcidT0Step
remsim_ccid_t0_feed(RemsimCcidT0 *t0, const guint8 *answer, gsize len, GBytes **out, GError **error)
{
	guint8 sw1, sw2;
	guint want;

	if (len < 2) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "answer of %" G_GSIZE_FORMAT " bytes has no status word", len);
		return REMSIM_CCID_T0_ERROR;
	}
	if (!t0->collect) {
		*out = g_bytes_new(answer, len);
		return REMSIM_CCID_T0_DONE;
	}
	sw1 = answer[len - 2];
	sw2 = answer[len - 1];
	g_byte_array_append(t0->data, answer, (guint)(len - 2));
	want = t0->le > t0->data->len ? t0->le - t0->data->len : 0;
	if (++t0->rounds > REMSIM_CCID_T0_MAX_ROUNDS) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
			    "card asks for GET RESPONSE without end");
		return REMSIM_CCID_T0_ERROR;
	}
	if ((sw1 == 0x61 || (sw1 == 0x9f && t0->cla == 0xa0)) && want > 0) {
		guint n = sw2 == 0 ? 256 : sw2;

		*out = remsim_ccid_t0_get_response(t0, (guint8)MIN(n, want));
		return REMSIM_CCID_T0_SEND;
	}
	if (sw1 == 0x6c && t0->rounds > 1) {
		*out = remsim_ccid_t0_get_response(t0, sw2);
		return REMSIM_CCID_T0_SEND;
	}
	g_byte_array_set_size(t0->data, MIN(t0->data->len, t0->le));
	g_byte_array_append(t0->data, answer + len - 2, 2);
	*out = g_bytes_new(t0->data->data, t0->data->len);
	return REMSIM_CCID_T0_DONE;
}
