/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The read is a list of files (jobs), each selected from the MF (or from the
 * USIM application) and then read whole: transparent files to the size the
 * SELECT response gives, linear fixed files their first record. Every command
 * goes through one exchange that follows the card's T=0 hints: 61xx / 9Fxx
 * (GET RESPONSE fetches the data) and 6Cxx (the same command with the length
 * the card wants). A file that is not there is left out; only EF.ICCID must
 * be read for the card to count as read.
 */
#include "config.h"

#include <string.h>

#include "remsim-bankd-inventory.h"

/* TS 102 221 / GSM 11.11 status words */
#define SW_OK 0x9000
#define SW1_MORE_DATA_UICC 0x61
#define SW1_MORE_DATA_GSM 0x9F
#define SW1_WRONG_LE 0x6C
#define SW_SECURITY_UICC 0x6982
#define SW_SECURITY_GSM 0x9804
#define SW1_WARNING_UICC 0x62 /* 6283: selected file invalidated, still readable */

#define FID_MF 0x3F00

/* ADF.USIM: the RID and application code (TS 101 220), enough to select by partial AID */
static const guint8 remsim_bankd_inventory_usim_aid[] = {
	0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02
};

typedef enum {
	REMSIM_BANKD_INVENTORY_ICCID,
	REMSIM_BANKD_INVENTORY_DIR,
	REMSIM_BANKD_INVENTORY_SPN,
	REMSIM_BANKD_INVENTORY_IMSI,
	REMSIM_BANKD_INVENTORY_MSISDN,
} RemsimBankdInventoryFile;

typedef struct {
	RemsimBankdInventoryFile file;
	gboolean in_adf; /* select ADF.USIM first, then path */
	gboolean record; /* linear fixed: read record 1 */
	guint16 path[3]; /* FIDs selected in turn (from the MF unless in_adf) */
	guint n_path;
} RemsimBankdInventoryJob;

static const RemsimBankdInventoryJob remsim_bankd_inventory_uicc_jobs[] = {
	{ REMSIM_BANKD_INVENTORY_ICCID, FALSE, FALSE, { FID_MF, 0x2FE2 }, 2 },
	{ REMSIM_BANKD_INVENTORY_DIR, FALSE, TRUE, { FID_MF, 0x2F00 }, 2 },
	{ REMSIM_BANKD_INVENTORY_SPN, TRUE, FALSE, { 0x6F46 }, 1 },
	{ REMSIM_BANKD_INVENTORY_IMSI, TRUE, FALSE, { 0x6F07 }, 1 },
	{ REMSIM_BANKD_INVENTORY_MSISDN, TRUE, TRUE, { 0x6F40 }, 1 },
};

static const RemsimBankdInventoryJob remsim_bankd_inventory_sim_jobs[] = {
	{ REMSIM_BANKD_INVENTORY_ICCID, FALSE, FALSE, { FID_MF, 0x2FE2 }, 2 },
	{ REMSIM_BANKD_INVENTORY_SPN, FALSE, FALSE, { FID_MF, 0x7F20, 0x6F46 }, 3 },
	{ REMSIM_BANKD_INVENTORY_IMSI, FALSE, FALSE, { FID_MF, 0x7F20, 0x6F07 }, 3 },
	{ REMSIM_BANKD_INVENTORY_MSISDN, FALSE, TRUE, { FID_MF, 0x7F10, 0x6F40 }, 3 },
};

typedef enum {
	REMSIM_BANKD_INVENTORY_PHASE_PROBE_UICC,
	REMSIM_BANKD_INVENTORY_PHASE_PROBE_SIM,
	REMSIM_BANKD_INVENTORY_PHASE_SELECT_ADF,
	REMSIM_BANKD_INVENTORY_PHASE_SELECT,
	REMSIM_BANKD_INVENTORY_PHASE_READ,
	REMSIM_BANKD_INVENTORY_PHASE_VERIFY,
} RemsimBankdInventoryPhase;

typedef struct {
	RemsimCardSlot *card; /* strong */
	RemsimPowerOnFlags flags;
	GHashTable *pins; /* strong, or NULL */
	guint slot_nr;
	gboolean pin_allowed;
	RemsimCardInfo *info;
	guint8 cla; /* 0x00 UICC, 0xA0 SIM */
	const RemsimBankdInventoryJob *jobs;
	guint n_jobs;
	guint job;
	guint path_step;
	RemsimBankdInventoryPhase phase;
	GBytes *aid;	     /* ADF.USIM's AID from EF.DIR, or NULL */
	gsize file_size;     /* of the selected transparent file */
	gsize record_len;    /* of the selected linear fixed file */
	GByteArray *sent;    /* the command in flight, for a 6Cxx retry */
	gboolean fetching;   /* the command in flight is a GET RESPONSE */
	gboolean retried;    /* 6Cxx was followed once */
	gboolean verified;   /* VERIFY went out for this read */
	gboolean pin_closed; /* PIN1 keeps the rest of the files: skip them */
} RemsimBankdInventoryRead;

static void
remsim_bankd_inventory_read_free(RemsimBankdInventoryRead *r)
{
	g_object_unref(r->card);
	g_clear_pointer(&r->pins, g_hash_table_unref);
	remsim_card_info_free(r->info);
	g_clear_pointer(&r->aid, g_bytes_unref);
	g_clear_pointer(&r->sent, g_byte_array_unref);
	g_free(r);
}

/* ---- the PIN table ---- */

static gboolean
remsim_bankd_inventory_all_digits(const gchar *text, gsize min, gsize max)
{
	gsize len = strlen(text);

	if (len < min || len > max)
		return FALSE;
	for (gsize i = 0; i < len; i++)
		if (!g_ascii_isdigit(text[i]))
			return FALSE;
	return TRUE;
}

static void
remsim_bankd_inventory_pin_free(gpointer pin)
{
	/* a PIN leaves no copy behind in freed memory */
	memset(pin, 0, strlen(pin));
	g_free(pin);
}

GHashTable *
remsim_bankd_inventory_parse_pins(const gchar *text, GError **error)
{
	g_autoptr(GHashTable) pins =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, remsim_bankd_inventory_pin_free);
	g_auto(GStrv) entries = g_strsplit(text != NULL ? text : "", ";", -1);

	for (guint i = 0; entries[i] != NULL; i++) {
		gchar *entry = g_strstrip(entries[i]);
		gchar *eq = strchr(entry, '=');
		gchar *who, *pin;

		if (*entry == '\0')
			continue;
		if (eq == NULL) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "entry %u is not SLOT=PIN or ICCID=PIN", i + 1);
			return NULL;
		}
		*eq = '\0';
		who = g_strstrip(entry);
		pin = g_strstrip(eq + 1);
		if (!remsim_bankd_inventory_all_digits(who, 1, 4) &&
		    !remsim_bankd_inventory_all_digits(who, 18, 20)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "entry %u: “%s” is neither a slot number nor an ICCID", i + 1,
				    who);
			return NULL;
		}
		if (strlen(who) <= 4 && g_ascii_strtoull(who, NULL, 10) > 1022) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "entry %u: slot %s is not in 0..1022", i + 1, who);
			return NULL;
		}
		if (!remsim_bankd_inventory_all_digits(pin, 4, 8)) {
			/* the value stays out of the message: it is meant to be a PIN */
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "entry %u (%s): the PIN must be 4 to 8 digits", i + 1, who);
			return NULL;
		}
		/* "0007" and "7" are one slot */
		if (strlen(who) <= 4)
			g_hash_table_replace(
			    pins, g_strdup_printf("%u", (guint)g_ascii_strtoull(who, NULL, 10)),
			    g_strdup(pin));
		else
			g_hash_table_replace(pins, g_strdup(who), g_strdup(pin));
		memset(pin, 0, strlen(pin));
	}
	return g_steal_pointer(&pins);
}

/* ---- decoders ---- */

/* swapped BCD digits, F ends them */
static gchar *
remsim_bankd_inventory_bcd(const guint8 *data, gsize len, gboolean skip_first_nibble)
{
	GString *digits = g_string_new(NULL);

	for (gsize i = 0; i < len * 2; i++) {
		guint8 nibble = i % 2 == 0 ? data[i / 2] & 0x0F : data[i / 2] >> 4;

		if (i == 0 && skip_first_nibble)
			continue;
		if (nibble == 0x0F)
			break;
		if (nibble > 9) {
			g_string_free(digits, TRUE);
			return NULL;
		}
		g_string_append_c(digits, (gchar)('0' + nibble));
	}
	if (digits->len == 0) {
		g_string_free(digits, TRUE);
		return NULL;
	}
	return g_string_free(digits, FALSE);
}

gchar *
remsim_bankd_inventory_decode_iccid(const guint8 *data, gsize len)
{
	return len >= 9 ? remsim_bankd_inventory_bcd(data, MIN(len, 10), FALSE) : NULL;
}

gchar *
remsim_bankd_inventory_decode_imsi(const guint8 *data, gsize len)
{
	guint n;

	/* TS 31.102 4.2.2: a length byte, then the parity nibble and the digits */
	if (len < 2 || data[0] == 0 || data[0] == 0xFF || data[0] > 8 || data[0] > len - 1)
		return NULL;
	n = data[0];
	return remsim_bankd_inventory_bcd(data + 1, n, TRUE);
}

/* the GSM default alphabet's characters that are not ASCII's (TS 23.038) */
static const gchar *
remsim_bankd_inventory_gsm_char(guint8 c)
{
	static gchar ascii[2];

	switch (c) {
	case 0x00:
		return "@";
	case 0x01:
		return "£";
	case 0x02:
		return "$";
	case 0x11:
		return "_";
	case 0x24:
		return "¤";
	case 0x40:
		return "¡";
	case 0x60:
		return "¿";
	default:
		break;
	}
	if (c < 0x20 || c > 0x7E || c == 0x5B || c == 0x5C || c == 0x5D || c == 0x5E || c == 0x5F ||
	    c >= 0x7B)
		return "?";
	ascii[0] = (gchar)c;
	ascii[1] = '\0';
	return ascii;
}

gchar *
remsim_bankd_inventory_decode_spn(const guint8 *data, gsize len)
{
	GString *text;

	/* TS 31.102 4.2.12: display condition, then the name as an SMS alphabet string */
	if (len < 2 || data[1] == 0xFF)
		return NULL;
	text = g_string_new(NULL);
	if (data[1] == 0x80) {
		/* UCS2, big endian, FFFF ends it (TS 102 221 annex A) */
		for (gsize i = 2; i + 1 < len; i += 2) {
			gunichar c = (gunichar)(data[i] << 8 | data[i + 1]);

			if (c == 0xFFFF)
				break;
			g_string_append_unichar(text, g_unichar_validate(c) ? c : '?');
		}
	} else {
		for (gsize i = 1; i < len && data[i] != 0xFF; i++)
			g_string_append(text, remsim_bankd_inventory_gsm_char(data[i] & 0x7F));
	}
	if (text->len == 0) {
		g_string_free(text, TRUE);
		return NULL;
	}
	return g_string_free(text, FALSE);
}

gchar *
remsim_bankd_inventory_decode_msisdn(const guint8 *data, gsize len)
{
	gsize alpha;
	guint n;
	g_autofree gchar *digits = NULL;

	/* TS 31.102 4.2.26: alpha identifier, then BCD length, TON/NPI, 10 digit bytes */
	if (len < 14)
		return NULL;
	alpha = len - 14;
	n = data[alpha];
	if (n < 2 || n > 11)
		return NULL;
	digits = remsim_bankd_inventory_bcd(data + alpha + 2, n - 1, FALSE);
	if (digits == NULL)
		return NULL;
	if ((data[alpha + 1] & 0x70) == 0x10)
		return g_strconcat("+", digits, NULL);
	return g_steal_pointer(&digits);
}

/* ---- SELECT responses ---- */

/* a TLV's value inside an FCP template (62 ...), or NULL */
static const guint8 *
remsim_bankd_inventory_fcp_find(const guint8 *fcp, gsize len, guint8 tag, gsize *value_len)
{
	gsize i = 2;

	if (len < 2 || fcp[0] != 0x62)
		return NULL;
	len = MIN(len, (gsize)fcp[1] + 2);
	while (i + 2 <= len) {
		guint8 t = fcp[i];
		gsize l = fcp[i + 1];

		if (i + 2 + l > len)
			return NULL;
		if (t == tag) {
			*value_len = l;
			return fcp + i + 2;
		}
		i += 2 + l;
	}
	return NULL;
}

/* the file size and record length a SELECT response gives */
static void
remsim_bankd_inventory_parse_select(RemsimBankdInventoryRead *r, const guint8 *data, gsize len)
{
	r->file_size = 0;
	r->record_len = 0;
	if (r->cla == 0x00) {
		const guint8 *v;
		gsize vlen = 0;

		if ((v = remsim_bankd_inventory_fcp_find(data, len, 0x80, &vlen)) != NULL &&
		    vlen >= 2)
			r->file_size = (gsize)v[0] << 8 | v[1];
		if ((v = remsim_bankd_inventory_fcp_find(data, len, 0x82, &vlen)) != NULL &&
		    vlen >= 4)
			r->record_len = (gsize)v[2] << 8 | v[3];
		return;
	}
	/* GSM 11.11 9.2.1: bytes 3-4 file size, byte 15 record length */
	if (len >= 4)
		r->file_size = (gsize)data[2] << 8 | data[3];
	if (len >= 15)
		r->record_len = data[14];
}

/* ---- the exchange ---- */

static void remsim_bankd_inventory_next_job(GTask *task);
static void remsim_bankd_inventory_response(GTask *task, const guint8 *data, gsize len, guint sw);

static void remsim_bankd_inventory_transmit_ready(GObject *source, GAsyncResult *result,
						  gpointer user_data);

static void
remsim_bankd_inventory_send_bytes(GTask *task, const guint8 *apdu, gsize len)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	g_autoptr(GBytes) bytes = g_bytes_new(apdu, len);

	remsim_card_slot_transmit_async(r->card, bytes, g_task_get_cancellable(task),
					remsim_bankd_inventory_transmit_ready, task);
}

/* a command of ours (not a GET RESPONSE): kept for a 6Cxx retry */
static void
remsim_bankd_inventory_send(GTask *task, const guint8 *apdu, gsize len)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);

	g_clear_pointer(&r->sent, g_byte_array_unref);
	r->sent = g_byte_array_sized_new(len);
	g_byte_array_append(r->sent, apdu, len);
	r->fetching = FALSE;
	r->retried = FALSE;
	remsim_bankd_inventory_send_bytes(task, apdu, len);
}

static void
remsim_bankd_inventory_finish(GTask *task)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);

	remsim_card_slot_power_off(r->card);
	r->info->read_at = g_get_real_time() / G_USEC_PER_SEC;
	g_task_return_pointer(task, g_steal_pointer(&r->info),
			      (GDestroyNotify)remsim_card_info_free);
	g_object_unref(task);
}

static void
remsim_bankd_inventory_fail(GTask *task, const gchar *what, const GError *error, guint sw)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);

	r->info->state = REMSIM_CARD_INFO_FAILED;
	g_free(r->info->error);
	r->info->error = error != NULL ? g_strdup_printf("%s: %s", what, error->message)
				       : g_strdup_printf("%s: status %04X", what, sw);
	remsim_bankd_inventory_finish(task);
}

static void
remsim_bankd_inventory_transmit_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) response =
	    remsim_card_slot_transmit_finish(REMSIM_CARD_SLOT(source), result, &error);
	gsize len = 0;
	const guint8 *data;
	guint sw;

	if (g_task_return_error_if_cancelled(task)) {
		remsim_card_slot_power_off(r->card);
		g_object_unref(task);
		return;
	}
	if (response == NULL) {
		remsim_bankd_inventory_fail(task, "the card does not answer", error, 0);
		return;
	}
	data = g_bytes_get_data(response, &len);
	if (len < 2) {
		remsim_bankd_inventory_fail(task, "the card gave no status word", NULL, 0);
		return;
	}
	sw = (guint)data[len - 2] << 8 | data[len - 1];
	if (!r->fetching &&
	    (data[len - 2] == SW1_MORE_DATA_UICC || data[len - 2] == SW1_MORE_DATA_GSM)) {
		guint8 get_response[5] = { r->cla, 0xC0, 0x00, 0x00, data[len - 1] };

		r->fetching = TRUE;
		remsim_bankd_inventory_send_bytes(task, get_response, sizeof(get_response));
		return;
	}
	if (data[len - 2] == SW1_WRONG_LE && !r->retried && r->sent != NULL && r->sent->len == 5) {
		guint8 again[5];

		memcpy(again, r->sent->data, 5);
		again[4] = data[len - 1];
		r->retried = TRUE;
		r->fetching = FALSE;
		remsim_bankd_inventory_send_bytes(task, again, sizeof(again));
		return;
	}
	/* the data a GET RESPONSE brought counts as the command's */
	r->fetching = FALSE;
	remsim_bankd_inventory_response(task, data, len - 2, sw);
}

/* ---- the steps ---- */

static gboolean
remsim_bankd_inventory_sw_ok(guint sw)
{
	return sw == SW_OK || (sw >> 8) == SW1_WARNING_UICC;
}

static gboolean
remsim_bankd_inventory_sw_security(guint sw)
{
	return sw == SW_SECURITY_UICC || sw == SW_SECURITY_GSM;
}

static void
remsim_bankd_inventory_select_fid(GTask *task, guint16 fid)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	/* UICC: select by FID, FCP wanted (P2 04); SIM: P2 00 */
	guint8 apdu[7] = { r->cla, 0xA4,     0x00,	r->cla == 0x00 ? 0x04 : 0x00,
			   0x02,   fid >> 8, fid & 0xFF };

	remsim_bankd_inventory_send(task, apdu, sizeof(apdu));
}

static void
remsim_bankd_inventory_select_adf(GTask *task)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	gsize aid_len = sizeof(remsim_bankd_inventory_usim_aid);
	const guint8 *aid = remsim_bankd_inventory_usim_aid;
	guint8 apdu[5 + 16];

	if (r->aid != NULL)
		aid = g_bytes_get_data(r->aid, &aid_len);
	apdu[0] = 0x00;
	apdu[1] = 0xA4;
	apdu[2] = 0x04; /* by DF name */
	apdu[3] = 0x04; /* first or only occurrence, FCP */
	apdu[4] = (guint8)aid_len;
	memcpy(apdu + 5, aid, aid_len);
	r->phase = REMSIM_BANKD_INVENTORY_PHASE_SELECT_ADF;
	remsim_bankd_inventory_send(task, apdu, 5 + aid_len);
}

static void
remsim_bankd_inventory_read_file(GTask *task)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	const RemsimBankdInventoryJob *job = &r->jobs[r->job];
	guint8 apdu[5];

	r->phase = REMSIM_BANKD_INVENTORY_PHASE_READ;
	if (job->record) {
		if (r->record_len == 0 || r->record_len > 255) {
			r->job++;
			remsim_bankd_inventory_next_job(task);
			return;
		}
		/* READ RECORD 1, absolute */
		apdu[0] = r->cla;
		apdu[1] = 0xB2;
		apdu[2] = 0x01;
		apdu[3] = 0x04;
		apdu[4] = (guint8)r->record_len;
	} else {
		gsize size = r->file_size != 0 ? MIN(r->file_size, 255) : 0;

		/* EF.ICCID is 10 bytes, EF.IMSI 9: a card that does not say is asked for those */
		if (size == 0)
			size = job->file == REMSIM_BANKD_INVENTORY_IMSI ? 9 : 10;
		apdu[0] = r->cla;
		apdu[1] = 0xB0;
		apdu[2] = 0x00;
		apdu[3] = 0x00;
		apdu[4] = (guint8)size;
	}
	remsim_bankd_inventory_send(task, apdu, sizeof(apdu));
}

static const gchar *
remsim_bankd_inventory_pin_for(RemsimBankdInventoryRead *r)
{
	g_autofree gchar *slot = g_strdup_printf("%u", r->slot_nr);
	const gchar *pin = NULL;

	if (r->pins == NULL || !r->pin_allowed || r->verified)
		return NULL;
	if (r->info->iccid != NULL)
		pin = g_hash_table_lookup(r->pins, r->info->iccid);
	if (pin == NULL)
		pin = g_hash_table_lookup(r->pins, slot);
	return pin;
}

static void
remsim_bankd_inventory_verify(GTask *task, const gchar *pin)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	guint8 apdu[13] = { r->cla, 0x20, 0x00, 0x01, 0x08 };
	gsize len = strlen(pin);

	memset(apdu + 5, 0xFF, 8);
	memcpy(apdu + 5, pin, MIN(len, 8));
	r->verified = TRUE;
	r->phase = REMSIM_BANKD_INVENTORY_PHASE_VERIFY;
	remsim_bankd_inventory_send(task, apdu, sizeof(apdu));
	memset(apdu, 0, sizeof(apdu));
	/* no retry of a VERIFY, ever: a second wrong try would spend another counter */
	if (r->sent != NULL)
		memset(r->sent->data, 0, r->sent->len);
	g_clear_pointer(&r->sent, g_byte_array_unref);
}

/* the EF.DIR record: the AID of the first USIM application */
static void
remsim_bankd_inventory_take_dir(RemsimBankdInventoryRead *r, const guint8 *data, gsize len)
{
	/* 61 L { 4F L AID ... } */
	if (len < 4 || data[0] != 0x61 || data[2] != 0x4F || data[3] > 16 ||
	    (gsize)data[3] + 4 > len)
		return;
	if (data[3] < sizeof(remsim_bankd_inventory_usim_aid) ||
	    memcmp(data + 4, remsim_bankd_inventory_usim_aid,
		   sizeof(remsim_bankd_inventory_usim_aid)) != 0)
		return;
	g_clear_pointer(&r->aid, g_bytes_unref);
	r->aid = g_bytes_new(data + 4, data[3]);
}

static void
remsim_bankd_inventory_take(RemsimBankdInventoryRead *r, const guint8 *data, gsize len)
{
	RemsimCardInfo *info = r->info;

	switch (r->jobs[r->job].file) {
	case REMSIM_BANKD_INVENTORY_ICCID:
		info->iccid = remsim_bankd_inventory_decode_iccid(data, len);
		break;
	case REMSIM_BANKD_INVENTORY_DIR:
		remsim_bankd_inventory_take_dir(r, data, len);
		break;
	case REMSIM_BANKD_INVENTORY_SPN:
		info->spn = remsim_bankd_inventory_decode_spn(data, len);
		break;
	case REMSIM_BANKD_INVENTORY_IMSI:
		info->imsi = remsim_bankd_inventory_decode_imsi(data, len);
		if (info->pin1 == NULL)
			info->pin1 = g_strdup("disabled");
		break;
	case REMSIM_BANKD_INVENTORY_MSISDN:
		info->msisdn = remsim_bankd_inventory_decode_msisdn(data, len);
		break;
	}
}

/* a file the card keeps behind PIN1: verify once if a PIN is configured, else give up on it */
static void
remsim_bankd_inventory_protected(GTask *task)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	const gchar *pin = remsim_bankd_inventory_pin_for(r);

	if (pin != NULL) {
		remsim_bankd_inventory_verify(task, pin);
		return;
	}
	if (r->info->pin1 == NULL)
		r->info->pin1 = g_strdup("enabled");
	r->pin_closed = TRUE;
	r->job++;
	remsim_bankd_inventory_next_job(task);
}

static void
remsim_bankd_inventory_response(GTask *task, const guint8 *data, gsize len, guint sw)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	const RemsimBankdInventoryJob *job = r->job < r->n_jobs ? &r->jobs[r->job] : NULL;

	switch (r->phase) {
	case REMSIM_BANKD_INVENTORY_PHASE_PROBE_UICC:
		if (remsim_bankd_inventory_sw_ok(sw)) {
			r->cla = 0x00;
			r->jobs = remsim_bankd_inventory_uicc_jobs;
			r->n_jobs = G_N_ELEMENTS(remsim_bankd_inventory_uicc_jobs);
			r->info->type = g_strdup("usim");
			remsim_bankd_inventory_next_job(task);
			return;
		}
		/* a GSM 11.11 card refuses class 00 (6E00, 6D00 ...): ask in class A0 */
		r->phase = REMSIM_BANKD_INVENTORY_PHASE_PROBE_SIM;
		r->cla = 0xA0;
		remsim_bankd_inventory_select_fid(task, FID_MF);
		return;
	case REMSIM_BANKD_INVENTORY_PHASE_PROBE_SIM:
		if (!remsim_bankd_inventory_sw_ok(sw)) {
			remsim_bankd_inventory_fail(
			    task, "the card answers as neither UICC nor SIM", NULL, sw);
			return;
		}
		r->jobs = remsim_bankd_inventory_sim_jobs;
		r->n_jobs = G_N_ELEMENTS(remsim_bankd_inventory_sim_jobs);
		r->info->type = g_strdup("sim");
		remsim_bankd_inventory_next_job(task);
		return;
	case REMSIM_BANKD_INVENTORY_PHASE_SELECT_ADF:
		if (!remsim_bankd_inventory_sw_ok(sw)) {
			/* no USIM application: a UICC without it has none of our files */
			g_clear_pointer(&r->info->type, g_free);
			r->info->type = g_strdup("uicc");
			r->job = r->n_jobs;
			remsim_bankd_inventory_next_job(task);
			return;
		}
		r->phase = REMSIM_BANKD_INVENTORY_PHASE_SELECT;
		r->path_step = 0;
		remsim_bankd_inventory_select_fid(task, job->path[0]);
		return;
	case REMSIM_BANKD_INVENTORY_PHASE_SELECT:
		if (!remsim_bankd_inventory_sw_ok(sw)) {
			if (job->file == REMSIM_BANKD_INVENTORY_ICCID) {
				remsim_bankd_inventory_fail(task, "cannot select EF.ICCID", NULL,
							    sw);
				return;
			}
			r->job++;
			remsim_bankd_inventory_next_job(task);
			return;
		}
		if (++r->path_step < job->n_path) {
			remsim_bankd_inventory_select_fid(task, job->path[r->path_step]);
			return;
		}
		remsim_bankd_inventory_parse_select(r, data, len);
		remsim_bankd_inventory_read_file(task);
		return;
	case REMSIM_BANKD_INVENTORY_PHASE_READ:
		if (remsim_bankd_inventory_sw_security(sw) &&
		    (job->file == REMSIM_BANKD_INVENTORY_IMSI ||
		     job->file == REMSIM_BANKD_INVENTORY_MSISDN)) {
			remsim_bankd_inventory_protected(task);
			return;
		}
		if (remsim_bankd_inventory_sw_ok(sw))
			remsim_bankd_inventory_take(r, data, len);
		else if (job->file == REMSIM_BANKD_INVENTORY_ICCID) {
			remsim_bankd_inventory_fail(task, "cannot read EF.ICCID", NULL, sw);
			return;
		}
		r->job++;
		remsim_bankd_inventory_next_job(task);
		return;
	case REMSIM_BANKD_INVENTORY_PHASE_VERIFY:
		g_free(r->info->pin1);
		if (sw == SW_OK) {
			r->info->pin1 = g_strdup("verified");
			/* the file is still selected: read it again */
			remsim_bankd_inventory_read_file(task);
			return;
		}
		r->info->pin1 = g_strdup("rejected");
		r->pin_closed = TRUE;
		r->job++;
		remsim_bankd_inventory_next_job(task);
		return;
	}
}

static void
remsim_bankd_inventory_next_job(GTask *task)
{
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	const RemsimBankdInventoryJob *job;

	/* the files behind PIN1 are left alone once PIN1 said no */
	while (r->job < r->n_jobs && r->pin_closed &&
	       (r->jobs[r->job].file == REMSIM_BANKD_INVENTORY_IMSI ||
		r->jobs[r->job].file == REMSIM_BANKD_INVENTORY_MSISDN))
		r->job++;
	if (r->job >= r->n_jobs) {
		r->info->state = REMSIM_CARD_INFO_READ;
		remsim_bankd_inventory_finish(task);
		return;
	}
	job = &r->jobs[r->job];
	if (job->in_adf) {
		remsim_bankd_inventory_select_adf(task);
		return;
	}
	r->phase = REMSIM_BANKD_INVENTORY_PHASE_SELECT;
	r->path_step = 0;
	remsim_bankd_inventory_select_fid(task, job->path[0]);
}

static void
remsim_bankd_inventory_power_on_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	GTask *task = user_data;
	RemsimBankdInventoryRead *r = g_task_get_task_data(task);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr =
	    remsim_card_slot_power_on_finish(REMSIM_CARD_SLOT(source), result, &error);

	if (g_task_return_error_if_cancelled(task)) {
		remsim_card_slot_power_off(r->card);
		g_object_unref(task);
		return;
	}
	if (atr == NULL) {
		remsim_bankd_inventory_fail(task, "cannot power the card", error, 0);
		return;
	}
	r->info->atr = g_steal_pointer(&atr);
	r->phase = REMSIM_BANKD_INVENTORY_PHASE_PROBE_UICC;
	r->cla = 0x00;
	remsim_bankd_inventory_select_fid(task, FID_MF);
}

void
remsim_bankd_inventory_read_async(RemsimCardSlot *card, RemsimPowerOnFlags flags, GHashTable *pins,
				  guint slot_nr, gboolean pin_allowed, GCancellable *cancellable,
				  GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(card, cancellable, callback, user_data);
	RemsimBankdInventoryRead *r = g_new0(RemsimBankdInventoryRead, 1);

	g_task_set_source_tag(task, remsim_bankd_inventory_read_async);
	r->card = g_object_ref(card);
	r->flags = flags;
	r->pins = pins != NULL ? g_hash_table_ref(pins) : NULL;
	r->slot_nr = slot_nr;
	r->pin_allowed = pin_allowed;
	r->info = remsim_card_info_new(REMSIM_CARD_INFO_FAILED);
	g_task_set_task_data(task, r, (GDestroyNotify)remsim_bankd_inventory_read_free);
	remsim_card_slot_power_on_async(card, flags, cancellable,
					remsim_bankd_inventory_power_on_ready, task);
}

RemsimCardInfo *
remsim_bankd_inventory_read_finish(RemsimCardSlot *card, GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, card), NULL);
	return g_task_propagate_pointer(G_TASK(result), error);
}
