/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Upstream's bankd_pcsc_slots.csv parsing rules, without pcscd. */
#include "config.h"

#include <string.h>

#include "remsim-slot-file.h"

static GPtrArray *
parse(const gchar *text, GError **error)
{
	return remsim_slot_file_parse(text, strlen(text), "slots.csv", REMSIM_SLOT_RULE_KINDS_NAME,
				      error);
}

static const RemsimSlotRule *
rule(GPtrArray *rules, guint i)
{
	g_assert_cmpuint(i, <, rules->len);
	return rules->pdata[i];
}

static void
test_upstream_example(void)
{
	const gchar *text =
	    "\"1\",\"0\",\"ACS ACR33 ICC Reader 00 00\"\n"
	    "\"1\",\"1\",\"ACS ACR33 ICC Reader 00 01\"\n"
	    "\"1\",\"23\",\"Alcor Micro AU9560 00 00\"\n"
	    "\"1\",\"0\",\"sysmocom sysmoOCTSIM \\[CCID\\] \\(ab19180f3335355320202034463a15ff\\) "
	    "[0-9]{2} 00\"\n"
	    "\"1\",\"0\",\"HID Global OMNIKEY 3x21 Smart Card Reader \\[OMNIKEY 3x21 Smart Card "
	    "Reader\\] 00 00\"\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules = parse(text, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(rules->len, ==, 5);
	g_assert_cmpint(rule(rules, 2)->bank_id, ==, 1);
	g_assert_cmpint(rule(rules, 2)->slot_nr, ==, 23);
	g_assert_cmpstr(rule(rules, 2)->pattern, ==, "Alcor Micro AU9560 00 00");
	g_assert_cmpuint(rule(rules, 3)->line, ==, 4);
	g_assert_true(remsim_slot_rule_matches(
	    rule(rules, 3),
	    "sysmocom sysmoOCTSIM [CCID] (ab19180f3335355320202034463a15ff) 03 00"));
	g_assert_false(remsim_slot_rule_matches(
	    rule(rules, 3),
	    "sysmocom sysmoOCTSIM [CCID] (ab19180f3335355320202034463a15ff) 03 01"));
	g_assert_true(remsim_slot_rule_matches(
	    rule(rules, 4),
	    "HID Global OMNIKEY 3x21 Smart Card Reader [OMNIKEY 3x21 Smart Card Reader] 00 00"));
}

static void
test_pattern_not_anchored(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules = parse("1,0,Reader 00 0\n1,1,^Reader 00 01$\n", &error);

	g_assert_no_error(error);
	g_assert_true(remsim_slot_rule_matches(rule(rules, 0), "ACS Reader 00 00"));
	g_assert_true(remsim_slot_rule_matches(rule(rules, 0), "ACS Reader 00 01"));
	g_assert_false(remsim_slot_rule_matches(rule(rules, 1), "ACS Reader 00 01"));
	g_assert_true(remsim_slot_rule_matches(rule(rules, 1), "Reader 00 01"));
	/* case-sensitive */
	g_assert_false(remsim_slot_rule_matches(rule(rules, 1), "reader 00 01"));
}

static void
test_csv_details(void)
{
	const gchar *text = "\r\n"
			    "  2 ,\t7\t, Virtual PCD 00 00  \r\n"
			    "\n"
			    "1,1,\"a,b\"\"c\"\n"
			    "1x,abc,first,last\n"
			    "\"3\",\"4\",\"two\nlines\"\n"
			    "\"5\" , \"6\" , \" spaced \" ";
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules = parse(text, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(rules->len, ==, 5);
	/* blanks around unquoted fields are trimmed, inner ones kept */
	g_assert_cmpint(rule(rules, 0)->bank_id, ==, 2);
	g_assert_cmpint(rule(rules, 0)->slot_nr, ==, 7);
	g_assert_cmpstr(rule(rules, 0)->pattern, ==, "Virtual PCD 00 00");
	g_assert_cmpuint(rule(rules, 0)->line, ==, 2);
	/* a quoted comma and a doubled quote */
	g_assert_cmpstr(rule(rules, 1)->pattern, ==, "a,b\"c");
	g_assert_cmpuint(rule(rules, 1)->line, ==, 4);
	/* atoi: leading digits, else 0; the last of extra columns is the pattern */
	g_assert_cmpint(rule(rules, 2)->bank_id, ==, 1);
	g_assert_cmpint(rule(rules, 2)->slot_nr, ==, 0);
	g_assert_cmpstr(rule(rules, 2)->pattern, ==, "last");
	/* a quoted line break stays in the field; the row keeps its first line */
	g_assert_cmpstr(rule(rules, 3)->pattern, ==, "two\nlines");
	g_assert_cmpuint(rule(rules, 3)->line, ==, 6);
	/* quoted text is literal; no final line break needed */
	g_assert_cmpstr(rule(rules, 4)->pattern, ==, " spaced ");
	g_assert_cmpuint(rule(rules, 4)->line, ==, 8);
}

static void
test_missing_column(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules = parse("1,0,A 00 00\n\n\"1\",\"1\"\n1,2,B\n", &error);

	g_assert_null(rules);
	g_assert_nonnull(error);
	g_assert_true(g_str_has_prefix(error->message, "slots.csv:3: "));
}

static void
test_bad_pattern(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules = parse("1,0,A 00 00\n1,1,Reader [00\n", &error);

	g_assert_null(rules);
	g_assert_nonnull(error);
	g_assert_true(g_str_has_prefix(error->message, "slots.csv:2: "));
	g_assert_nonnull(strstr(error->message, "Reader [00"));
}

static void
test_empty_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules = parse("\n\n  \n", &error);

	g_assert_no_error(error);
	g_assert_cmpuint(rules->len, ==, 0);
}

static void
test_missing_file(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules = remsim_slot_file_load("/nonexistent/bankd_pcsc_slots.csv",
							   REMSIM_SLOT_RULE_KINDS_NAME, &error);

	g_assert_null(rules);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* serial: and usb: rules, for backends that know a reader's serial number and USB path */
static void
test_device_rules(void)
{
	const gchar *text = "1,0,serial:ab19180f\n"
			    "1,1,usb:1-2.3/5\n"
			    "1,2,serial:x/256\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) rules =
	    remsim_slot_file_parse(text, 36, "slots.csv",
				   REMSIM_SLOT_RULE_KINDS_NAME | REMSIM_SLOT_RULE_KINDS_SERIAL |
				       REMSIM_SLOT_RULE_KINDS_USB_PATH,
				   &error);
	g_autoptr(GPtrArray) names = NULL;

	g_assert_no_error(error);
	g_assert_cmpuint(rules->len, ==, 2);
	g_assert_cmpint(rule(rules, 0)->kind, ==, REMSIM_SLOT_RULE_SERIAL);
	g_assert_true(
	    remsim_slot_rule_matches_reader(rule(rules, 0), "X 00 00", "ab19180f", "1-1", 0));
	g_assert_false(
	    remsim_slot_rule_matches_reader(rule(rules, 0), "X 00 01", "ab19180f", "1-1", 1));
	g_assert_cmpint(rule(rules, 1)->kind, ==, REMSIM_SLOT_RULE_USB_PATH);
	g_assert_cmpstr(rule(rules, 1)->value, ==, "1-2.3");
	g_assert_true(remsim_slot_rule_matches_reader(rule(rules, 1), "X 00 05", NULL, "1-2.3", 5));
	g_assert_false(remsim_slot_rule_matches(rule(rules, 1), "usb:1-2.3/5"));

	/* a reader slot above 255 is refused */
	g_clear_pointer(&rules, g_ptr_array_unref);
	rules = remsim_slot_file_parse(text, strlen(text), "slots.csv",
				       REMSIM_SLOT_RULE_KINDS_SERIAL, &error);
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
	g_assert_null(rules);
	g_clear_error(&error);

	/* a backend that knows only names takes them as reader-name patterns, as upstream */
	names = remsim_slot_file_parse(text, 36, "slots.csv", REMSIM_SLOT_RULE_KINDS_NAME, &error);
	g_assert_no_error(error);
	g_assert_cmpint(rule(names, 0)->kind, ==, REMSIM_SLOT_RULE_NAME);
	g_assert_true(remsim_slot_rule_matches(rule(names, 1), "usb:1-2.3/5"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/slot-rules/slot-file/upstream-example", test_upstream_example);
	g_test_add_func("/slot-rules/slot-file/not-anchored", test_pattern_not_anchored);
	g_test_add_func("/slot-rules/slot-file/csv-details", test_csv_details);
	g_test_add_func("/slot-rules/slot-file/missing-column", test_missing_column);
	g_test_add_func("/slot-rules/slot-file/bad-pattern", test_bad_pattern);
	g_test_add_func("/slot-rules/slot-file/empty", test_empty_file);
	g_test_add_func("/slot-rules/slot-file/missing-file", test_missing_file);
	g_test_add_func("/slot-rules/slot-file/device-rules", test_device_rules);
	return g_test_run();
}
