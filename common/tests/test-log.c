/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log helper: the object's prefix, the journald fields, hidden subscriber data. */
#define G_LOG_DOMAIN "remsim-test"
#include "config.h"

#include "remsim-log.h"

/* the fields of the last line written */
static GHashTable *last_fields;
static guint n_written;

static GLogWriterOutput
test_log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
	g_hash_table_remove_all(last_fields);
	for (gsize i = 0; i < n_fields; i++) {
		g_autofree gchar *value = fields[i].length < 0
					      ? g_strdup(fields[i].value)
					      : g_strndup(fields[i].value, (gsize)fields[i].length);

		g_hash_table_replace(last_fields, g_strdup(fields[i].key), g_steal_pointer(&value));
	}
	n_written++;
	return G_LOG_WRITER_HANDLED;
}

static const gchar *
field(const gchar *key)
{
	return g_hash_table_lookup(last_fields, key);
}

static void
test_prefix_and_fields(void)
{
	RemsimLogTag tag;

	remsim_log_tag_set_bank_slot(&tag, 1, 7);
	remsim_log_message(&tag, "card %s", "removed");
	g_assert_cmpstr(field("MESSAGE"), ==, "[bank 1 slot 7] card removed");
	g_assert_cmpstr(field("PRIORITY"), ==, "5");
	g_assert_cmpstr(field("GLIB_DOMAIN"), ==, "remsim-test");
	g_assert_cmpstr(field("REMSIM_BANK"), ==, "1");
	g_assert_cmpstr(field("REMSIM_SLOT"), ==, "7");
	g_assert_null(field("REMSIM_CLIENT"));
	g_assert_nonnull(field("CODE_FILE"));
	g_assert_nonnull(field("CODE_LINE"));
	g_assert_cmpstr(field("CODE_FUNC"), ==, "test_prefix_and_fields");

	remsim_log_tag_set_client(&tag, 23, 0);
	remsim_log_message(&tag, "connected");
	g_assert_cmpstr(field("MESSAGE"), ==, "[client 23:0] connected");
	g_assert_cmpstr(field("REMSIM_CLIENT"), ==, "23:0");
	g_assert_null(field("REMSIM_BANK"));

	remsim_log_tag_set_bank(&tag, 5);
	remsim_log_message(&tag, "gone");
	g_assert_cmpstr(field("MESSAGE"), ==, "[bank 5] gone");
	g_assert_cmpstr(field("REMSIM_BANK"), ==, "5");
	g_assert_null(field("REMSIM_SLOT"));

	remsim_log_tag_set_name(&tag, "server");
	remsim_log_message(&tag, "up");
	g_assert_cmpstr(field("MESSAGE"), ==, "[server] up");
	g_assert_null(field("REMSIM_BANK"));

	remsim_log_message(NULL, "no object");
	g_assert_cmpstr(field("MESSAGE"), ==, "no object");
}

static void
test_levels(void)
{
	RemsimLogTag tag;
	guint before;

	remsim_log_tag_set_bank(&tag, 1);
	g_log_set_debug_enabled(FALSE);
	g_unsetenv("G_MESSAGES_DEBUG");
	before = n_written;
	/* dropped before they are built */
	remsim_log_debug(&tag, "not shown");
	remsim_log_info(&tag, "not shown");
	g_assert_cmpuint(n_written, ==, before);
	g_assert_false(remsim_log_debug_enabled(G_LOG_DOMAIN));

	g_log_set_debug_enabled(TRUE);
	g_assert_true(remsim_log_debug_enabled(G_LOG_DOMAIN));
	remsim_log_debug(&tag, "shown");
	g_assert_cmpstr(field("PRIORITY"), ==, "7");
	g_assert_cmpstr(field("MESSAGE"), ==, "[bank 1] shown");
	remsim_log_info(&tag, "shown");
	g_assert_cmpstr(field("PRIORITY"), ==, "6");
	g_log_set_debug_enabled(FALSE);
}

static void
test_redaction(void)
{
	g_autoptr(GBytes) command = g_bytes_new_static("\xa0\xa4\x00\x00\x02\x3f\x00", 7);
	g_autoptr(GBytes) header_only = g_bytes_new_static("\xa0\xc0\x00\x00\x16", 5);
	g_autoptr(GBytes) response = g_bytes_new_static("\x12\x34\x56\x90\x00", 5);
	g_autoptr(GBytes) sw = g_bytes_new_static("\x6a\x82", 2);
	g_autofree gchar *c = NULL, *h = NULL, *r = NULL, *s = NULL;
	g_autofree gchar *c2 = NULL, *r2 = NULL, *e = NULL;

	/* hidden by default */
	g_assert_false(remsim_log_get_personal_info());
	g_assert_cmpstr(remsim_log_personal("262019876543210"), ==, "[hidden]");
	c = remsim_log_apdu_command(command);
	g_assert_cmpstr(c, ==, "a0 a4 00 00 02 [2 bytes]");
	h = remsim_log_apdu_command(header_only);
	g_assert_cmpstr(h, ==, "a0 c0 00 00 16");
	r = remsim_log_apdu_response(response);
	g_assert_cmpstr(r, ==, "[3 bytes] 90 00");
	s = remsim_log_apdu_response(sw);
	g_assert_cmpstr(s, ==, "6a 82");
	e = remsim_log_apdu_command(NULL);
	g_assert_cmpstr(e, ==, "");

	/* shown with --log-personal-info */
	remsim_log_set_personal_info(TRUE);
	g_assert_cmpstr(remsim_log_personal("262019876543210"), ==, "262019876543210");
	c2 = remsim_log_apdu_command(command);
	g_assert_cmpstr(c2, ==, "a0 a4 00 00 02 3f 00");
	r2 = remsim_log_apdu_response(response);
	g_assert_cmpstr(r2, ==, "12 34 56 90 00");
	remsim_log_set_personal_info(FALSE);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	last_fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_log_set_writer_func(test_log_writer, NULL, NULL);
	g_test_add_func("/common/log/prefix-and-fields", test_prefix_and_fields);
	g_test_add_func("/common/log/levels", test_levels);
	g_test_add_func("/common/log/redaction", test_redaction);
	return g_test_run();
}
