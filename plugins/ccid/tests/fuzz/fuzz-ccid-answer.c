/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: whatever a device sends, as the ccid backend reads it.
 * The input is one bulk IN transfer: parsed as the answer to every command
 * type, its status checked, its data taken as an ATR, a T=1 block (after a
 * command sent) and a class descriptor; and as an interrupt message for every
 * slot. Each must end in a result or a GError, never a crash, a hang or a leak.
 */
#include "config.h"

#include "remsim-ccid-atr.h"
#include "remsim-ccid-descriptor.h"
#include "remsim-ccid-message.h"
#include "remsim-ccid-t1.h"

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
fuzz_data(const guint8 *data, gsize len)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimCcidT1) t1 = remsim_ccid_t1_new(32, len > 0 && (data[0] & 1));
	g_autoptr(GBytes) first = NULL;
	g_autoptr(GBytes) out = NULL;
	RemsimCcidDescriptor desc;
	RemsimCcidAtr atr;
	guint8 wtx = 0;

	if (!remsim_ccid_atr_parse(data, len, &atr, &error) && error == NULL)
		g_error("ATR parse failed without an error");
	g_clear_error(&error);
	if (!remsim_ccid_descriptor_parse(data, len, &desc, &error) && error == NULL)
		g_error("descriptor parse failed without an error");
	g_clear_error(&error);
	first = remsim_ccid_t1_start(t1, (const guint8 *)"\x00\xa4\x00\x00", 4, NULL);
	if (remsim_ccid_t1_feed(t1, data, len, &out, &wtx, &error) == REMSIM_CCID_T1_ERROR &&
	    error == NULL)
		g_error("T=1 failed without an error");
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
	static const guint8 commands[] = { 0x61, 0x62, 0x63, 0x65, 0x6b, 0x6c, 0x6d, 0x6f, 0x72 };
	RemsimCcidMessage msg;

	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		g_autoptr(GError) error = NULL;
		guint8 slot = size > 5 ? data[5] : 0, seq = size > 6 ? data[6] : 0;

		if (!remsim_ccid_message_parse_answer(data, size, commands[i], slot, seq, &msg,
						      &error)) {
			if (error == NULL)
				g_error("answer parse failed without an error");
			continue;
		}
		g_assert_cmpuint(msg.len + REMSIM_CCID_HEADER_SIZE, ==, size);
		if (!remsim_ccid_message_check(&msg, &error) && error == NULL)
			g_error("status check failed without an error");
		fuzz_data(msg.data, msg.len);
	}
	for (guint slot = 0; slot < 256; slot++) {
		gboolean present, changed;

		if (!remsim_ccid_message_parse_notify(data, size, slot, &present, &changed, NULL))
			break;
	}
	return 0;
}
