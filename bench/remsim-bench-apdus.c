/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-bench-apdus.h"
#include "remsim-simcard-card.h"

static const gchar *const remsim_bench_apdus_cycle_hex[] = {
	"a0a40000023f00", /* SELECT MF */
	"a0a40000022fe2", /* SELECT EF.ICCID */
	"a0b000000a",	  /* READ BINARY, 10 bytes */
	"a0f2000016",	  /* STATUS, 22 bytes */
	NULL,
};

gchar *
remsim_bench_apdus_to_hex(const guint8 *data, gsize len)
{
	static const gchar digits[] = "0123456789abcdef";
	gchar *out = g_malloc(len * 3 + 1);

	for (gsize i = 0; i < len; i++) {
		out[3 * i] = digits[data[i] >> 4];
		out[3 * i + 1] = digits[data[i] & 0xf];
		out[3 * i + 2] = ' ';
	}
	out[len * 3] = '\0';
	return out;
}

static GBytes *
remsim_bench_apdus_parse(const gchar *hex)
{
	gsize n = strlen(hex) / 2;
	guint8 *buf = g_malloc(n);

	for (gsize i = 0; i < n; i++)
		buf[i] = (guint8)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
				  g_ascii_xdigit_value(hex[2 * i + 1]));
	return g_bytes_new_take(buf, n);
}

static gchar *
remsim_bench_apdus_answer(GBytes *response)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(response, &len);
	g_autofree gchar *hex = remsim_bench_apdus_to_hex(data, len);

	return g_strdup_printf("R-APDU: %s", hex);
}

gchar *
remsim_bench_apdus_default_profile(void)
{
	const gchar *dir = g_getenv("REMSIM_SIMCARD_PROFILE_DIR");

	if (dir == NULL || *dir == '\0')
		dir = REMSIM_DATADIR "/cards";
	return g_build_filename(dir, "sample-001.json", NULL);
}

static void
remsim_bench_apdus_fill(RemsimBenchApdus *self, RemsimSimcardCard *card)
{
	guint n = self->commands->len;

	self->answers = g_new0(gchar *, 2 * n + 1);
	for (guint i = 0; i < 2 * n; i++) {
		GBytes *response = remsim_simcard_card_transmit(card, self->commands->pdata[i % n]);

		g_ptr_array_add(self->responses, response);
		self->answers[i] = remsim_bench_apdus_answer(response);
	}
}

RemsimBenchApdus *
remsim_bench_apdus_new(const gchar *profile, GError **error)
{
	g_autoptr(RemsimBenchApdus) self = g_new0(RemsimBenchApdus, 1);
	guint n = g_strv_length((gchar **)remsim_bench_apdus_cycle_hex);

	self->commands = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	self->responses = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	self->lines = g_new0(gchar *, n + 1);
	for (guint i = 0; i < n; i++) {
		GBytes *command = remsim_bench_apdus_parse(remsim_bench_apdus_cycle_hex[i]);
		g_autofree gchar *hex = remsim_bench_apdus_to_hex(g_bytes_get_data(command, NULL),
								  g_bytes_get_size(command));

		g_ptr_array_add(self->commands, command);
		self->lines[i] = g_strdup_printf("%s\n", g_strchomp(hex));
	}
	if (profile == NULL) {
		self->learned = TRUE;
		self->answers = g_new0(gchar *, 2 * n + 1);
	} else {
		g_autoptr(RemsimSimcardCard) card =
		    remsim_simcard_card_new_from_file(profile, error);

		if (card == NULL)
			return NULL;
		self->profile = g_strdup(profile);
		self->atr = remsim_simcard_card_get_atr(card);
		remsim_bench_apdus_fill(self, card);
	}
	return g_steal_pointer(&self);
}

void
remsim_bench_apdus_free(RemsimBenchApdus *self)
{
	if (self == NULL)
		return;
	g_ptr_array_unref(self->commands);
	g_ptr_array_unref(self->responses);
	g_strfreev(self->lines);
	g_strfreev(self->answers);
	g_clear_pointer(&self->atr, g_bytes_unref);
	g_free(self->profile);
	g_free(self);
}

guint
remsim_bench_apdus_cycle(const RemsimBenchApdus *self)
{
	return self->commands->len;
}

/* the cycle repeats from the second round on: the card is in the same state each time */
static guint
remsim_bench_apdus_index(const RemsimBenchApdus *self, guint64 i)
{
	guint n = self->commands->len;

	return i < n ? (guint)i : n + (guint)(i % n);
}

GBytes *
remsim_bench_apdus_expected(const RemsimBenchApdus *self, guint64 i)
{
	guint k = remsim_bench_apdus_index(self, i);

	return k < self->responses->len ? self->responses->pdata[k] : NULL;
}

const gchar *
remsim_bench_apdus_expected_line(const RemsimBenchApdus *self, guint64 i)
{
	return self->answers[remsim_bench_apdus_index(self, i)];
}

gboolean
remsim_bench_apdus_check(RemsimBenchApdus *self, guint64 i, const guint8 *data, gsize len)
{
	guint k = remsim_bench_apdus_index(self, i);
	GBytes *want;

	if (k == self->responses->len && self->learned) {
		GBytes *got = g_bytes_new(data, len);

		g_ptr_array_add(self->responses, got);
		self->answers[k] = remsim_bench_apdus_answer(got);
		return TRUE;
	}
	if (k > self->responses->len)
		return TRUE; /* another slot learns it first */
	want = self->responses->pdata[k];
	return g_bytes_get_size(want) == len &&
	       memcmp(g_bytes_get_data(want, NULL), data, len) == 0;
}

gchar *
remsim_bench_apdus_atr_line(const RemsimBenchApdus *self)
{
	g_autofree gchar *hex = NULL;

	if (self->atr == NULL)
		return NULL;
	hex = remsim_bench_apdus_to_hex(g_bytes_get_data(self->atr, NULL),
					g_bytes_get_size(self->atr));
	return g_strdup_printf("SET_ATR: %s", hex);
}

gboolean
remsim_bench_apdus_run_card(const RemsimBenchApdus *self, gdouble seconds, RemsimBenchStats *stats,
			    GError **error)
{
	g_autoptr(RemsimSimcardCard) card = NULL;
	gint64 start, end;
	guint n = self->commands->len;

	if (self->profile == NULL)
		return TRUE;
	card = remsim_simcard_card_new_from_file(self->profile, error);
	if (card == NULL)
		return FALSE;
	start = g_get_monotonic_time();
	end = start + (gint64)(seconds * G_USEC_PER_SEC);
	for (guint64 i = 0;; i++) {
		gdouble t0 = remsim_bench_stats_now();
		g_autoptr(GBytes) response = NULL;

		if (t0 >= end)
			break;
		response = remsim_simcard_card_transmit(card, self->commands->pdata[i % n]);
		remsim_bench_stats_add(stats, remsim_bench_stats_now() - t0);
		if (!g_bytes_equal(response, remsim_bench_apdus_expected(self, i))) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED,
				    "the simulated card answered command %" G_GUINT64_FORMAT
				    " otherwise than before",
				    i);
			return FALSE;
		}
	}
	stats->seconds += (g_get_monotonic_time() - start) / 1e6;
	return TRUE;
}
