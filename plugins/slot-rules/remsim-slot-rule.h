/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimSlotRule: bank id, bank slot number and what picks the reader slot
 * for that bank slot. Shared by the reader backends (pcsc, ccid) that assign
 * bank slots to readers, so that one slot file serves both.
 *
 * A pattern is a reader-name pattern (POSIX extended regular expression,
 * case-sensitive, not anchored, as upstream's regcomp(REG_EXTENDED)), or,
 * where the backend accepts them (@kinds), "serial:SERIAL[/SLOT]" (the USB
 * serial number of the reader and its slot, default 0) or "usb:PATH[/SLOT]"
 * (the USB port path, as in sysfs: "1-2.3").
 */
#pragma once

#include <glib.h>
#include <regex.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_SLOT_RULE_NAME,
	REMSIM_SLOT_RULE_SERIAL,
	REMSIM_SLOT_RULE_USB_PATH,
} RemsimSlotRuleKind;

/* which kinds of pattern a backend understands */
typedef enum {
	REMSIM_SLOT_RULE_KINDS_NAME = 1 << REMSIM_SLOT_RULE_NAME,
	REMSIM_SLOT_RULE_KINDS_SERIAL = 1 << REMSIM_SLOT_RULE_SERIAL,
	REMSIM_SLOT_RULE_KINDS_USB_PATH = 1 << REMSIM_SLOT_RULE_USB_PATH,
} RemsimSlotRuleKinds;

typedef struct {
	gint bank_id;
	gint slot_nr;
	gchar *pattern;
	guint line; /* where it was read from, 0 if from bankd.conf */
	RemsimSlotRuleKind kind;
	gchar *value;	   /* SERIAL, USB_PATH: the serial number or the path */
	guint reader_slot; /* SERIAL, USB_PATH: the slot of that reader */
	regex_t regex;	   /* NAME */
} RemsimSlotRule;

/*
 * NULL with @error (G_REGEX_ERROR_COMPILE) if @pattern does not compile or
 * names a kind outside @kinds; a pattern of a kind outside @kinds is taken as
 * a reader-name pattern, as upstream would.
 */
RemsimSlotRule *remsim_slot_rule_new(gint bank_id, gint slot_nr, const gchar *pattern,
				     RemsimSlotRuleKinds kinds, GError **error);
void remsim_slot_rule_free(RemsimSlotRule *rule);
/* a NAME rule against a reader name; FALSE for the other kinds */
gboolean remsim_slot_rule_matches(const RemsimSlotRule *rule, const gchar *reader_name);
/* any rule against a reader slot known by name, serial (may be NULL) and USB path */
gboolean remsim_slot_rule_matches_reader(const RemsimSlotRule *rule, const gchar *reader_name,
					 const gchar *serial, const gchar *usb_path,
					 guint reader_slot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimSlotRule, remsim_slot_rule_free)

G_END_DECLS
