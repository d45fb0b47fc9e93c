/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-card-error.h"
#include "remsim-ccid-t0.h"
#include "remsim-ccid-xfr.h"

/* the largest answer collected from chained DataBlocks */
#define REMSIM_CCID_XFR_MAX_ANSWER (65536 + 2)
/* short APDU: header, Lc, 255 bytes, Le */
#define REMSIM_CCID_XFR_MAX_SHORT 261

typedef struct {
	RemsimCcidReader *reader;
	guint8 slot;
	RemsimCcidXfrMode mode;
	RemsimCcidT1 *t1;
	RemsimCcidT0 *t0;
	GBytes *command;
	gsize offset;	    /* extended: bytes of the command sent so far */
	GByteArray *answer; /* APDU levels: chained answer data */
	guint16 level;	    /* wLevelParameter of the block in flight */
} RemsimCcidXfr;

static void
remsim_ccid_xfr_free(gpointer data)
{
	RemsimCcidXfr *x = data;

	g_object_unref(x->reader);
	g_clear_pointer(&x->t1, remsim_ccid_t1_unref);
	g_clear_pointer(&x->t0, remsim_ccid_t0_free);
	g_clear_pointer(&x->command, g_bytes_unref);
	g_byte_array_unref(x->answer);
	g_free(x);
}

static void remsim_ccid_xfr_answer_ready(GObject *source, GAsyncResult *result, gpointer user_data);

/* one XfrBlock; @task is taken */
static void
remsim_ccid_xfr_send(GTask *task, GBytes *block, guint16 level, guint8 bwi)
{
	RemsimCcidXfr *x = g_task_get_task_data(task);
	gsize max = remsim_ccid_reader_get_descriptor(x->reader)->max_message_length;

	if (block != NULL && g_bytes_get_size(block) + REMSIM_CCID_HEADER_SIZE > max) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
					"a block of %" G_GSIZE_FORMAT
					" bytes does not fit the reader's messages",
					g_bytes_get_size(block));
		g_object_unref(task);
		return;
	}
	x->level = level;
	remsim_ccid_reader_command_async(x->reader, x->slot, REMSIM_CCID_PC_TO_RDR_XFR_BLOCK, bwi,
					 (guint8)(level & 0xff), (guint8)(level >> 8), block,
					 MAX(bwi, 1), g_task_get_cancellable(task),
					 remsim_ccid_xfr_answer_ready, task);
}

/* the next block of an extended APDU, or the empty one that asks for more answer */
static void
remsim_ccid_xfr_send_extended(GTask *task)
{
	RemsimCcidXfr *x = g_task_get_task_data(task);
	gsize len = g_bytes_get_size(x->command);
	gsize room = remsim_ccid_reader_get_descriptor(x->reader)->max_message_length -
		     REMSIM_CCID_HEADER_SIZE;
	gsize n = MIN(len - x->offset, room);
	g_autoptr(GBytes) block = g_bytes_new_from_bytes(x->command, x->offset, n);
	guint16 level;

	if (x->offset == 0)
		level = n == len ? REMSIM_CCID_CHAIN_WHOLE : REMSIM_CCID_CHAIN_BEGIN;
	else
		level = x->offset + n == len ? REMSIM_CCID_CHAIN_END : REMSIM_CCID_CHAIN_MIDDLE;
	x->offset += n;
	remsim_ccid_xfr_send(task, block, level, 0);
}

/* APDU levels: collect the answer, ask for its next part if the reader chains it */
static void
remsim_ccid_xfr_on_apdu_answer(GTask *task, const RemsimCcidAnswer *answer)
{
	RemsimCcidXfr *x = g_task_get_task_data(task);
	gsize len = g_bytes_get_size(answer->data);

	/* a block of a chained command acknowledged: the next one */
	if (x->mode == REMSIM_CCID_XFR_EXTENDED_APDU &&
	    (x->level == REMSIM_CCID_CHAIN_BEGIN || x->level == REMSIM_CCID_CHAIN_MIDDLE)) {
		remsim_ccid_xfr_send_extended(task);
		return;
	}
	if (x->answer->len + len > REMSIM_CCID_XFR_MAX_ANSWER) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
					"answer longer than %u bytes", REMSIM_CCID_XFR_MAX_ANSWER);
		g_object_unref(task);
		return;
	}
	g_byte_array_append(x->answer, g_bytes_get_data(answer->data, NULL), (guint)len);
	if (answer->param == REMSIM_CCID_CHAIN_BEGIN || answer->param == REMSIM_CCID_CHAIN_MIDDLE) {
		remsim_ccid_xfr_send(task, NULL, REMSIM_CCID_CHAIN_CONTINUE, 0);
		return;
	}
	if (x->answer->len < 2) {
		g_task_return_new_error(task, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_TRANSMISSION,
					"answer of %u bytes has no status word", x->answer->len);
		g_object_unref(task);
		return;
	}
	g_task_return_pointer(task, g_bytes_new(x->answer->data, x->answer->len),
			      (GDestroyNotify)g_bytes_unref);
	g_object_unref(task);
}

static void
remsim_ccid_xfr_on_t0_answer(GTask *task, const RemsimCcidAnswer *answer)
{
	RemsimCcidXfr *x = g_task_get_task_data(task);
	GBytes *out = NULL;
	GError *error = NULL;
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data(answer->data, &len);

	switch (remsim_ccid_t0_feed(x->t0, buf, len, &out, &error)) {
	case REMSIM_CCID_T0_SEND:
		remsim_ccid_xfr_send(task, out, 0, 0);
		g_bytes_unref(out);
		return;
	case REMSIM_CCID_T0_DONE:
		g_task_return_pointer(task, out, (GDestroyNotify)g_bytes_unref);
		break;
	default:
		g_task_return_error(task, error);
	}
	g_object_unref(task);
}

static void
remsim_ccid_xfr_on_t1_answer(GTask *task, const RemsimCcidAnswer *answer)
{
	RemsimCcidXfr *x = g_task_get_task_data(task);
	GBytes *out = NULL;
	GError *error = NULL;
	gsize len = 0;
	const guint8 *buf = g_bytes_get_data(answer->data, &len);
	guint8 wtx = 0;

	switch (remsim_ccid_t1_feed(x->t1, buf, len, &out, &wtx, &error)) {
	case REMSIM_CCID_T1_SEND:
		/* after S(WTX) the card and the reader get wtx times the waiting time */
		remsim_ccid_xfr_send(task, out, 0, wtx);
		g_bytes_unref(out);
		return;
	case REMSIM_CCID_T1_DONE:
		g_task_return_pointer(task, out, (GDestroyNotify)g_bytes_unref);
		break;
	default:
		g_task_return_error(task, error);
	}
	g_object_unref(task);
}

static void
remsim_ccid_xfr_answer_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	RemsimCcidXfr *x = g_task_get_task_data(task);
	GError *error = NULL;
	g_autoptr(RemsimCcidAnswer) answer =
	    remsim_ccid_reader_command_finish(REMSIM_CCID_READER(source), result, &error);

	if (answer == NULL || !remsim_ccid_reader_answer_check(answer, &error)) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	switch (x->mode) {
	case REMSIM_CCID_XFR_TPDU_T0:
		remsim_ccid_xfr_on_t0_answer(task, answer);
		break;
	case REMSIM_CCID_XFR_TPDU_T1:
		remsim_ccid_xfr_on_t1_answer(task, answer);
		break;
	default:
		remsim_ccid_xfr_on_apdu_answer(task, answer);
	}
}

void
remsim_ccid_xfr_async(RemsimCcidReader *reader, guint8 slot, RemsimCcidXfrMode mode,
		      RemsimCcidT1 *t1, GBytes *command, GCancellable *cancellable,
		      GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(reader, cancellable, callback, user_data);
	RemsimCcidXfr *x = g_new0(RemsimCcidXfr, 1);
	g_autoptr(GBytes) first = NULL;
	GError *error = NULL;
	gsize len = command != NULL ? g_bytes_get_size(command) : 0;
	const guint8 *data = command != NULL ? g_bytes_get_data(command, NULL) : NULL;

	g_task_set_source_tag(task, remsim_ccid_xfr_async);
	x->reader = g_object_ref(reader);
	x->slot = slot;
	x->mode = mode;
	x->t1 = t1 != NULL ? remsim_ccid_t1_ref(t1) : NULL;
	x->command = command != NULL ? g_bytes_ref(command) : NULL;
	x->answer = g_byte_array_new();
	g_task_set_task_data(task, x, remsim_ccid_xfr_free);
	switch (mode) {
	case REMSIM_CCID_XFR_SHORT_APDU:
		if (len == 0 || len > REMSIM_CCID_XFR_MAX_SHORT)
			g_set_error(&error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
				    "a short-APDU reader cannot take %" G_GSIZE_FORMAT " bytes",
				    len);
		else
			first = g_bytes_ref(command);
		break;
	case REMSIM_CCID_XFR_EXTENDED_APDU:
		if (len == 0) {
			g_set_error(&error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_INVALID,
				    "empty command");
			break;
		}
		remsim_ccid_xfr_send_extended(task);
		return;
	case REMSIM_CCID_XFR_TPDU_T0:
		x->t0 = remsim_ccid_t0_new(data, len, &error);
		if (x->t0 != NULL)
			first = remsim_ccid_t0_start(x->t0);
		break;
	default:
		if (x->t1 == NULL)
			g_set_error(&error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
				    "no T=1 state");
		else if (command == NULL)
			first = remsim_ccid_t1_start_ifs(x->t1, REMSIM_CCID_T1_IFSD);
		else
			first = remsim_ccid_t1_start(x->t1, data, len, &error);
	}
	if (first == NULL) {
		g_task_return_error(task, error);
		g_object_unref(task);
		return;
	}
	remsim_ccid_xfr_send(task, first, 0, 0);
}

GBytes *
remsim_ccid_xfr_finish(RemsimCcidReader *reader, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, reader), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
