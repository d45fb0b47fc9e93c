/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCardInfo: what a bank read from the card in one of its slots (the
 * inventory): ATR, ICCID, SPN, and IMSI and MSISDN where the card let it read
 * them. The bank makes it, sends it to a remsim server and shows it on D-Bus;
 * the server keeps it per bank slot, on disk and in REST. Its JSON form is the
 * one every place uses ("card" in doc/remsim-ctl.md and the REST API).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_CARD_INFO_EMPTY,	 /* no card in the slot */
	REMSIM_CARD_INFO_READ,	 /* read; fields the card keeps to itself are NULL */
	REMSIM_CARD_INFO_FAILED, /* a card is there, but it could not be read (see error) */
} RemsimCardInfoState;

typedef struct {
	RemsimCardInfoState state;
	gchar *type;   /* "usim" (a UICC with ADF.USIM), "sim" (GSM 11.11) or NULL */
	GBytes *atr;   /* or NULL */
	gchar *iccid;  /* digits, or NULL */
	gchar *imsi;   /* digits, or NULL when PIN1 keeps it */
	gchar *msisdn; /* "+digits" or digits, or NULL */
	gchar *spn;    /* the service provider name, or NULL */
	/*
	 * "disabled" (read without a PIN), "verified" (the configured PIN1 opened
	 * it), "rejected" (the configured PIN1 was wrong: not tried again for
	 * this insertion), "enabled" (PIN1 keeps IMSI and MSISDN, no PIN
	 * configured or already spent), or NULL (not known)
	 */
	gchar *pin1;
	gchar *error;	/* why the card could not be read, or NULL */
	gint64 read_at; /* when, in seconds since 1970 (0: never) */
} RemsimCardInfo;

GType remsim_card_info_get_type(void) G_GNUC_CONST;
#define REMSIM_TYPE_CARD_INFO (remsim_card_info_get_type())

RemsimCardInfo *remsim_card_info_new(RemsimCardInfoState state);
RemsimCardInfo *remsim_card_info_copy(const RemsimCardInfo *info);
void remsim_card_info_free(RemsimCardInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimCardInfo, remsim_card_info_free)

const gchar *remsim_card_info_state_to_string(RemsimCardInfoState state);
/* TRUE for two equal records (@read_at ignored); NULL equals NULL */
gboolean remsim_card_info_equal(const RemsimCardInfo *a, const RemsimCardInfo *b);

/*
 * {"state":"read","type":"usim","atr":"3B9F..","iccid":"89..","imsi":..,
 *  "msisdn":..,"spn":..,"pin1":..,"error":..,"read_at":1700000000}; absent
 * values are null
 */
JsonObject *remsim_card_info_to_json(const RemsimCardInfo *info);
/* the inverse; NULL with @error for a shape that is not one */
RemsimCardInfo *remsim_card_info_from_json(JsonObject *object, GError **error);

G_END_DECLS
