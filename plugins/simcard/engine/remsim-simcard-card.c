/* RemsimSimcardCard: T=0 command dispatch and response handling around the session state. */
#include "remsim-simcard-card.h"

#include "remsim-simcard-layout.h"
#include "remsim-simcard-session.h"
#include "remsim-simcard-state.h"

#include <string.h>

#define SW_WRONG_LENGTH REMSIM_SW(0x67, 0x00)

struct _RemsimSimcardCard {
	GObject parent_instance;
	RemsimSimcardSession session;
	gchar *iccid;
	gchar *imsi;
	GBytes *atr;
	GByteArray *pending; /* response data waiting for GET RESPONSE */
	gboolean pending_gsm;
};

G_DEFINE_FINAL_TYPE(RemsimSimcardCard, remsim_simcard_card, G_TYPE_OBJECT)

/* A UICC ATR: T=0 and T=15 (TA3 C7: classes A, B, C, clock stop), 15 historical bytes. The
 * TCK is computed so that the XOR of T0..TCK is zero (ISO 7816-3 8.2.5). */
static const guint8 default_atr[] = { 0x3B, 0x9F, 0x96, 0x80, 0x1F, 0xC7, 0x80,
				      0x31, 0xA0, 0x73, 0xBE, 0x21, 0x13, 0x67,
				      0x43, 0x20, 0x07, 0x18, 0x00, 0x00, 0x01 };

typedef enum {
	CLS_GSM,  /* A0 */
	CLS_ISO,  /* 00..0F */
	CLS_PROP, /* 80..8F */
} RemsimSimcardClass;

typedef guint16 (*RemsimSimcardHandler)(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu);

typedef struct {
	RemsimSimcardClass cls;
	guint8 ins;
	gboolean incoming; /* P3 is Lc (data to the card), else Le */
	RemsimSimcardHandler handler;
} RemsimSimcardCommand;

#define INS_GET_RESPONSE 0xC0

static guint16
remsim_simcard_card_cmd_nop(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	/* TERMINAL PROFILE and SLEEP: accepted, nothing to do without a proactive UICC */
	return REMSIM_SW_OK;
}

static const RemsimSimcardCommand commands[] = {
	{ CLS_GSM, 0xA4, TRUE, remsim_simcard_cmd_file_select },
	{ CLS_GSM, 0xF2, FALSE, remsim_simcard_cmd_file_status },
	{ CLS_GSM, 0xB0, FALSE, remsim_simcard_cmd_file_read_binary },
	{ CLS_GSM, 0xD6, TRUE, remsim_simcard_cmd_file_update_binary },
	{ CLS_GSM, 0xB2, FALSE, remsim_simcard_cmd_file_read_record },
	{ CLS_GSM, 0xDC, TRUE, remsim_simcard_cmd_file_update_record },
	{ CLS_GSM, 0xA2, TRUE, remsim_simcard_cmd_file_seek },
	{ CLS_GSM, 0x20, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_GSM, 0x24, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_GSM, 0x26, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_GSM, 0x28, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_GSM, 0x2C, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_GSM, 0x88, TRUE, remsim_simcard_cmd_security_run_gsm_algorithm },
	{ CLS_GSM, 0xC0, FALSE, NULL },
	{ CLS_GSM, 0xFA, TRUE, remsim_simcard_card_cmd_nop },
	{ CLS_GSM, 0x10, TRUE, remsim_simcard_card_cmd_nop },
	{ CLS_ISO, 0xA4, TRUE, remsim_simcard_cmd_file_select },
	{ CLS_ISO, 0xB0, FALSE, remsim_simcard_cmd_file_read_binary },
	{ CLS_ISO, 0xD6, TRUE, remsim_simcard_cmd_file_update_binary },
	{ CLS_ISO, 0xB2, FALSE, remsim_simcard_cmd_file_read_record },
	{ CLS_ISO, 0xDC, TRUE, remsim_simcard_cmd_file_update_record },
	{ CLS_ISO, 0x20, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_ISO, 0x24, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_ISO, 0x26, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_ISO, 0x28, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_ISO, 0x2C, TRUE, remsim_simcard_cmd_security_pin },
	{ CLS_ISO, 0x88, TRUE, remsim_simcard_cmd_security_authenticate },
	{ CLS_ISO, 0xC0, FALSE, NULL },
	{ CLS_PROP, 0xF2, FALSE, remsim_simcard_cmd_file_status },
	{ CLS_PROP, 0x10, TRUE, remsim_simcard_card_cmd_nop },
};

static void
remsim_simcard_card_finalize(GObject *object)
{
	RemsimSimcardCard *self = REMSIM_SIMCARD_CARD(object);

	remsim_simcard_fs_free(self->session.fs);
	g_clear_pointer(&self->session.out, g_byte_array_unref);
	g_clear_pointer(&self->pending, g_byte_array_unref);
	g_clear_pointer(&self->atr, g_bytes_unref);
	g_free(self->iccid);
	g_free(self->imsi);
	/* keys and PINs do not linger in freed memory */
	memset(&self->session.auth, 0, sizeof(self->session.auth));
	memset(&self->session.pin1, 0, sizeof(self->session.pin1));
	memset(&self->session.pin2, 0, sizeof(self->session.pin2));
	memset(&self->session.adm, 0, sizeof(self->session.adm));
	G_OBJECT_CLASS(remsim_simcard_card_parent_class)->finalize(object);
}

static void
remsim_simcard_card_class_init(RemsimSimcardCardClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = remsim_simcard_card_finalize;
}

static void
remsim_simcard_card_init(RemsimSimcardCard *self)
{
	self->session.out = g_byte_array_new();
	self->pending = g_byte_array_new();
}

static GBytes *
remsim_simcard_card_default_atr(void)
{
	guint8 atr[sizeof(default_atr) + 1];
	guint8 tck = 0;

	memcpy(atr, default_atr, sizeof(default_atr));
	for (gsize i = 1; i < sizeof(default_atr); i++)
		tck ^= default_atr[i];
	atr[sizeof(default_atr)] = tck;
	return g_bytes_new(atr, sizeof(atr));
}

static void
remsim_simcard_card_setup(RemsimSimcardCard *self, RemsimSimcardProfile *p, RemsimSimcardFs *fs)
{
	RemsimSimcardSession *s = &self->session;

	s->fs = fs;
	self->iccid = g_strdup(p->iccid);
	self->imsi = g_strdup(p->imsi);
	self->atr = p->atr != NULL ? g_bytes_ref(p->atr) : remsim_simcard_card_default_atr();
	/* TS 102 221 9.5: 3 tries for a PIN, 10 for its unblock key */
	remsim_simcard_pin_init(&s->pin1, p->pin1, p->puk1, 3, 10, TRUE);
	s->pin1.enabled = p->pin1_enabled;
	remsim_simcard_pin_init(&s->pin2, p->pin2, p->puk2, 3, 10, FALSE);
	remsim_simcard_pin_init(&s->adm, p->adm, NULL, 10, 0, FALSE);
	memcpy(s->auth.k, p->ki, sizeof(s->auth.k));
	memcpy(s->auth.opc, p->opc, sizeof(s->auth.opc));
	remsim_simcard_card_reset(self);
}

RemsimSimcardCard *
remsim_simcard_card_new_from_json(JsonNode *profile, GError **error)
{
	g_autoptr(RemsimSimcardProfile) p =
	    remsim_simcard_profile_new_from_json(profile, "profile", error);
	RemsimSimcardFs *fs;
	RemsimSimcardCard *self;

	if (p == NULL)
		return NULL;
	fs = remsim_simcard_layout_build(p, error);
	if (fs == NULL)
		return NULL;
	self = g_object_new(REMSIM_TYPE_SIMCARD_CARD, NULL);
	remsim_simcard_card_setup(self, p, fs);
	return self;
}

RemsimSimcardCard *
remsim_simcard_card_new_from_file(const gchar *profile_json_path, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(RemsimSimcardProfile) p = NULL;
	RemsimSimcardFs *fs;
	RemsimSimcardCard *self;

	if (!json_parser_load_from_file(parser, profile_json_path, error)) {
		g_prefix_error(error, "%s: ", profile_json_path);
		return NULL;
	}
	p = remsim_simcard_profile_new_from_json(json_parser_get_root(parser), profile_json_path,
						 error);
	if (p == NULL)
		return NULL;
	fs = remsim_simcard_layout_build(p, error);
	if (fs == NULL)
		return NULL;
	self = g_object_new(REMSIM_TYPE_SIMCARD_CARD, NULL);
	remsim_simcard_card_setup(self, p, fs);
	return self;
}

GBytes *
remsim_simcard_card_get_atr(RemsimSimcardCard *self)
{
	g_return_val_if_fail(REMSIM_IS_SIMCARD_CARD(self), NULL);
	return g_bytes_ref(self->atr);
}

const gchar *
remsim_simcard_card_get_iccid(RemsimSimcardCard *self)
{
	g_return_val_if_fail(REMSIM_IS_SIMCARD_CARD(self), NULL);
	return self->iccid;
}

const gchar *
remsim_simcard_card_get_imsi(RemsimSimcardCard *self)
{
	g_return_val_if_fail(REMSIM_IS_SIMCARD_CARD(self), NULL);
	return self->imsi;
}

void
remsim_simcard_card_reset(RemsimSimcardCard *self)
{
	RemsimSimcardSession *s;

	g_return_if_fail(REMSIM_IS_SIMCARD_CARD(self));
	s = &self->session;
	s->cur_df = remsim_simcard_fs_get_mf(s->fs);
	s->cur_ef = NULL;
	s->record = 0;
	s->usim_active = FALSE;
	s->pin1.verified = FALSE;
	s->pin2.verified = FALSE;
	s->adm.verified = FALSE;
	g_byte_array_set_size(self->pending, 0);
}

static GBytes *
remsim_simcard_card_sw(guint16 sw)
{
	guint8 b[2] = { (guint8)(sw >> 8), (guint8)sw };

	return g_bytes_new(b, 2);
}

static GBytes *
remsim_simcard_card_data_sw(const guint8 *data, gsize len, guint16 sw)
{
	GByteArray *r = g_byte_array_sized_new((guint)len + 2);

	g_byte_array_append(r, data, (guint)len);
	g_byte_array_append(r, (const guint8[]){ (guint8)(sw >> 8), (guint8)sw }, 2);
	return g_byte_array_free_to_bytes(r);
}

/* ISO 7816-4 5.1.1 / TS 102 221 10.1.1: class byte → class, or the status word refusing it */
static guint16
remsim_simcard_card_classify(guint8 cla, RemsimSimcardClass *cls)
{
	if (cla == 0xA0) {
		*cls = CLS_GSM;
		return REMSIM_SW_OK;
	}
	if ((cla & 0xF0) == 0x00 || (cla & 0xF0) == 0x80) {
		*cls = (cla & 0xF0) == 0x00 ? CLS_ISO : CLS_PROP;
		if (cla & 0x0C)
			return REMSIM_SW(0x68, 0x82); /* secure messaging */
		if (cla & 0x03)
			return REMSIM_SW(0x68, 0x81); /* logical channels */
		return REMSIM_SW_OK;
	}
	if ((cla & 0x40) != 0 && cla != 0xFF)
		return REMSIM_SW(0x68, 0x81); /* further logical channels */
	return REMSIM_SW(0x6E, 0x00);
}

/* An instruction the UICC knows in its other class (00 vs 80) is a wrong class; anything
 * else it does not know is an unknown instruction. */
static const RemsimSimcardCommand *
remsim_simcard_card_find_command(RemsimSimcardClass cls, guint8 ins, guint16 *sw)
{
	gboolean other_class = FALSE;

	for (gsize i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (commands[i].ins != ins)
			continue;
		if (commands[i].cls == cls)
			return &commands[i];
		if (cls != CLS_GSM && commands[i].cls != CLS_GSM)
			other_class = TRUE;
	}
	*sw = other_class ? REMSIM_SW(0x6E, 0x00) : REMSIM_SW(0x6D, 0x00);
	return NULL;
}

/* GET RESPONSE: GSM 11.11 9.2.18 (P3 up to the length, no remainder kept) and ISO 7816-3
 * 10.3.3 for the UICC (61xx tells what is left) */
static GBytes *
remsim_simcard_card_get_response(RemsimSimcardCard *self, const RemsimSimcardApdu *apdu)
{
	gsize avail = self->pending->len;
	gsize le = apdu->p3 != 0 ? apdu->p3 : 256;
	GBytes *r;

	if (apdu->p1 != 0 || apdu->p2 != 0)
		return remsim_simcard_card_sw(REMSIM_SW(0x6B, 0x00));
	if (avail == 0 || self->pending_gsm != apdu->gsm) {
		g_byte_array_set_size(self->pending, 0);
		return remsim_simcard_card_sw(apdu->gsm ? REMSIM_SW(0x6F, 0x00)
							: REMSIM_SW(0x69, 0x85));
	}
	if (le > avail)
		return remsim_simcard_card_sw(apdu->gsm ? REMSIM_SW(0x67, avail & 0xFF)
							: REMSIM_SW(0x6C, avail & 0xFF));
	if (le == avail || apdu->gsm) {
		r = remsim_simcard_card_data_sw(self->pending->data, le, REMSIM_SW_OK);
		g_byte_array_set_size(self->pending, 0);
		return r;
	}
	r = remsim_simcard_card_data_sw(self->pending->data, le,
					REMSIM_SW(0x61, (avail - le) & 0xFF));
	g_byte_array_remove_range(self->pending, 0, (guint)le);
	return r;
}

static gboolean
remsim_simcard_card_parse(GBytes *command, RemsimSimcardApdu *apdu)
{
	gsize len = 0;
	const guint8 *b = g_bytes_get_data(command, &len);

	memset(apdu, 0, sizeof(*apdu));
	if (b == NULL || len < 4)
		return FALSE;
	apdu->cla = b[0];
	apdu->ins = b[1];
	apdu->p1 = b[2];
	apdu->p2 = b[3];
	apdu->p3 = len > 4 ? b[4] : 0;
	apdu->data = len > 5 ? b + 5 : NULL;
	apdu->lc = len > 5 ? len - 5 : 0;
	apdu->gsm = b[0] == 0xA0;
	return TRUE;
}

static GBytes *
remsim_simcard_card_run(RemsimSimcardCard *self, const RemsimSimcardCommand *cmd,
			const RemsimSimcardApdu *apdu)
{
	RemsimSimcardSession *s = &self->session;
	guint16 sw;

	g_byte_array_set_size(s->out, 0);
	sw = cmd->handler(s, apdu);
	if (sw != REMSIM_SW_OK || s->out->len == 0)
		return remsim_simcard_card_sw(sw);
	if (!cmd->incoming)
		return remsim_simcard_card_data_sw(s->out->data, s->out->len, sw);
	/* T=0 case 4: announce the data, the terminal fetches it with GET RESPONSE */
	g_byte_array_append(self->pending, s->out->data, s->out->len);
	self->pending_gsm = apdu->gsm;
	return remsim_simcard_card_sw(apdu->gsm ? REMSIM_SW(0x9F, s->out->len & 0xFF)
						: REMSIM_SW(0x61, s->out->len & 0xFF));
}

GBytes *
remsim_simcard_card_transmit(RemsimSimcardCard *self, GBytes *command_apdu)
{
	RemsimSimcardApdu apdu;
	RemsimSimcardClass cls = CLS_ISO;
	const RemsimSimcardCommand *cmd;
	guint16 sw;

	g_return_val_if_fail(REMSIM_IS_SIMCARD_CARD(self), NULL);
	g_return_val_if_fail(command_apdu != NULL, NULL);
	if (!remsim_simcard_card_parse(command_apdu, &apdu))
		return remsim_simcard_card_sw(SW_WRONG_LENGTH);
	sw = remsim_simcard_card_classify(apdu.cla, &cls);
	if (sw != REMSIM_SW_OK)
		return remsim_simcard_card_sw(sw);
	cmd = remsim_simcard_card_find_command(cls, apdu.ins, &sw);
	if (cmd == NULL)
		return remsim_simcard_card_sw(sw);
	/* incoming: exactly P3 data bytes; outgoing: none */
	if (apdu.lc != (cmd->incoming ? apdu.p3 : 0))
		return remsim_simcard_card_sw(SW_WRONG_LENGTH);
	if (apdu.ins == INS_GET_RESPONSE)
		return remsim_simcard_card_get_response(self, &apdu);
	g_byte_array_set_size(self->pending, 0);
	return remsim_simcard_card_run(self, cmd, &apdu);
}

gboolean
remsim_simcard_card_save_state(RemsimSimcardCard *self, const gchar *path, GError **error)
{
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree gchar *text = NULL;

	g_return_val_if_fail(REMSIM_IS_SIMCARD_CARD(self), FALSE);
	node = remsim_simcard_state_to_json(&self->session, self->iccid);
	json_generator_set_root(gen, node);
	json_generator_set_pretty(gen, TRUE);
	text = json_generator_to_data(gen, NULL);
	if (!g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
				      error)) {
		g_prefix_error(error, "Cannot save the card state: ");
		return FALSE;
	}
	return TRUE;
}

gboolean
remsim_simcard_card_load_state(RemsimSimcardCard *self, const gchar *path, GError **error)
{
	g_autoptr(JsonParser) parser = json_parser_new();

	g_return_val_if_fail(REMSIM_IS_SIMCARD_CARD(self), FALSE);
	if (!json_parser_load_from_file(parser, path, error)) {
		g_prefix_error(error, "%s: ", path);
		return FALSE;
	}
	return remsim_simcard_state_apply_json(&self->session, self->iccid,
					       json_parser_get_root(parser), path, error);
}
