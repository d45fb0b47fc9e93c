/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ccid backend, loaded from its module and driven through the plugin API
 * as remsim-bankd drives it, against the CCID device simulator over a real
 * Unix socket: power-on and ATR, APDUs at every exchange level and both
 * protocols (answers equal the simulated card's asked directly), time
 * extensions, a card removed during an APDU, a reader unplugged and plugged
 * back, malformed device answers, voltage selection, slot rules, quirks and
 * commands to several slots at once.
 */
#include "config.h"

#include <string.h>

#include "ccid-sim.h"
#include "remsim-plugin.h"
#include "remsim-test-common.h"

#define WAIT_MS 10000

/* GSM and UICC commands a modem sends while booting, as TPDUs */
static const gchar *const session[] = {
	"A0A40000023F00", "A0C0000016",	    "A0A40000022FE2", "A0B000000A",
	"A0A40000027F20", "A0A40000026F07", "A0B0000009",     "A02000010831323334FFFFFFFF",
	"A0B0000009",	  "00A40004023F00", "00F2000000",     "00FF000000",
};

typedef struct {
	gchar *dir;
	gchar *socket;
	CcidSim *sim;
	RemsimBackend *backend;
	GPtrArray *slots; /* RemsimCardSlot by bank slot */
	gchar *profile;
} CcidFixture;

static GType
backend_type(void)
{
	static GType type;
	const gchar *path = g_getenv("REMSIM_CCID_PLUGIN");
	const RemsimPluginInfo *info = NULL;
	GModule *module;

	if (type != 0)
		return type;
	g_assert_nonnull(path);
	module = g_module_open(path, G_MODULE_BIND_LOCAL);
	g_assert_nonnull(module);
	g_assert_true(g_module_symbol(module, REMSIM_PLUGIN_INFO_SYMBOL, (gpointer *)&info));
	g_assert_cmpuint(info->abi_version, ==, REMSIM_PLUGIN_ABI_VERSION);
	g_module_make_resident(module);
	type = info->get_type();
	return type;
}

static GBytes *
hex(const gchar *text)
{
	gsize n = strlen(text) / 2;
	guint8 *buf = g_malloc(n);

	for (gsize i = 0; i < n; i++)
		buf[i] = (guint8)(g_ascii_xdigit_value(text[2 * i]) << 4 |
				  g_ascii_xdigit_value(text[2 * i + 1]));
	return g_bytes_new_take(buf, n);
}

static gchar *
to_hex(GBytes *bytes)
{
	gsize len = 0;
	const guint8 *p = g_bytes_get_data(bytes, &len);
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02X", p[i]);
	return g_string_free(s, FALSE);
}

static RemsimSimcardCard *
new_card(CcidFixture *f)
{
	g_autoptr(GError) error = NULL;
	RemsimSimcardCard *card = remsim_simcard_card_new_from_file(f->profile, &error);

	g_assert_no_error(error);
	return card;
}

static void
fixture_setup(CcidFixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("remsim-ccid-XXXXXX", &error);
	g_assert_no_error(error);
	f->socket = g_build_filename(f->dir, "sim.sock", NULL);
	f->sim = ccid_sim_new(f->socket, &error);
	g_assert_no_error(error);
	f->profile =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "cards", "sample-001.json", NULL);
}

/* the backend with @conf in [ccid] (the simulator and a short timeout are added) */
static void
start_backend(CcidFixture *f, guint n_slots, const gchar *conf)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree gchar *text = g_strdup_printf(
	    "[bankd]\nbank-id=1\nnum-slots=%u\n[ccid]\nsimulator=%s\ntimeout=%s\n%s", n_slots,
	    f->socket, strstr(conf, "timeout=") ? "5000" : "400", conf);

	/* a timeout in @conf wins: later keys of a group override earlier ones */
	g_assert_true(g_key_file_load_from_data(kf, text, -1, G_KEY_FILE_NONE, &error));
	g_assert_no_error(error);
	f->backend = g_object_new(backend_type(), NULL);
	g_assert_true(remsim_backend_configure(f->backend, kf, "ccid", &error));
	g_assert_no_error(error);
	f->slots = remsim_backend_enumerate(f->backend);
}

static void
fixture_teardown(CcidFixture *f, gconstpointer data)
{
	g_clear_pointer(&f->slots, g_ptr_array_unref);
	g_clear_object(&f->backend);
	remsim_test_common_spin_for(20);
	ccid_sim_free(f->sim);
	remsim_test_common_remove_tree(f->dir);
	g_free(f->dir);
	g_free(f->socket);
	g_free(f->profile);
}

static RemsimCardSlot *
slot(CcidFixture *f, guint n)
{
	g_assert_cmpuint(n, <, f->slots->len);
	return f->slots->pdata[n];
}

typedef struct {
	RemsimCardSlot *slot;
	gboolean want;
} PresentWait;

static gboolean
present_is(gpointer data)
{
	PresentWait *w = data;

	return remsim_card_slot_get_card_present(w->slot) == w->want;
}

static void
wait_present(RemsimCardSlot *s, gboolean want)
{
	PresentWait w = { s, want };

	g_assert_true(remsim_test_common_spin_until(present_is, &w, WAIT_MS));
}

typedef struct {
	GAsyncResult *result;
} Call;

static void
call_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	((Call *)user_data)->result = g_object_ref(result);
}

static gboolean
call_done(gpointer data)
{
	return ((Call *)data)->result != NULL;
}

static GBytes *
power_on(RemsimCardSlot *s, GError **error)
{
	Call c = { NULL };
	GBytes *atr;

	remsim_card_slot_power_on_async(s, REMSIM_POWER_ON_NONE, NULL, call_ready, &c);
	g_assert_true(remsim_test_common_spin_until(call_done, &c, WAIT_MS));
	atr = remsim_card_slot_power_on_finish(s, c.result, error);
	g_object_unref(c.result);
	return atr;
}

static GBytes *
transmit(RemsimCardSlot *s, GBytes *apdu, GError **error)
{
	Call c = { NULL };
	GBytes *answer;

	remsim_card_slot_transmit_async(s, apdu, NULL, call_ready, &c);
	g_assert_true(remsim_test_common_spin_until(call_done, &c, WAIT_MS));
	answer = remsim_card_slot_transmit_finish(s, c.result, error);
	g_object_unref(c.result);
	return answer;
}

/* the session through @s equals the same card asked directly */
static void
check_session(CcidFixture *f, RemsimCardSlot *s)
{
	g_autoptr(RemsimSimcardCard) direct = new_card(f);

	remsim_simcard_card_reset(direct);
	for (guint i = 0; i < G_N_ELEMENTS(session); i++) {
		g_autoptr(GBytes) apdu = hex(session[i]);
		g_autoptr(GBytes) want = remsim_simcard_card_transmit(direct, apdu);
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) got = transmit(s, apdu, &error);
		g_autofree gchar *want_hex = to_hex(want);
		g_autofree gchar *got_hex = NULL;

		g_assert_no_error(error);
		got_hex = to_hex(got);
		g_assert_cmpstr(got_hex, ==, want_hex);
	}
}

static const CcidSimDeviceSpec default_spec = {
	.vendor = 0x1d50,
	.product = 0x0001,
	.manufacturer = "Remsim",
	.product_name = "Sim Reader",
	.serial = "0001",
	.n_slots = 1,
	.level = REMSIM_CCID_LEVEL_TPDU,
	.voltages = REMSIM_CCID_VOLTAGE_5V | REMSIM_CCID_VOLTAGE_3V | REMSIM_CCID_VOLTAGE_1V8,
};

/* a device with a card in slot 0, the backend, the slot powered */
static RemsimCardSlot *
start_powered(CcidFixture *f, const CcidSimDeviceSpec *spec, guint protocol, const gchar *conf)
{
	g_autoptr(RemsimSimcardCard) card = new_card(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr = NULL;
	guint dev = ccid_sim_add_device(f->sim, spec);

	ccid_sim_insert(f->sim, dev, 0, card, protocol, 0);
	start_backend(f, 1, conf);
	wait_present(slot(f, 0), TRUE);
	atr = power_on(slot(f, 0), &error);
	g_assert_no_error(error);
	g_assert_nonnull(atr);
	return slot(f, 0);
}

static void
test_power_on(CcidFixture *f, gconstpointer data)
{
	g_autoptr(RemsimSimcardCard) card = new_card(f);
	g_autoptr(GBytes) want = remsim_simcard_card_get_atr(card);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr = NULL;
	guint dev = ccid_sim_add_device(f->sim, &default_spec);

	ccid_sim_insert(f->sim, dev, 0, card, 0, 0);
	start_backend(f, 1, "");
	g_assert_cmpuint(f->slots->len, ==, 1);
	wait_present(slot(f, 0), TRUE);
	atr = power_on(slot(f, 0), &error);
	g_assert_no_error(error);
	g_assert_true(g_bytes_equal(atr, want));
	/* the reader lacks automatic parameters: the host set them */
	g_assert_cmpuint(ccid_sim_count(f->sim, dev, 0x61), ==, 1);
	/* a slot without a card */
	ccid_sim_remove(f->sim, dev, 0);
	wait_present(slot(f, 0), FALSE);
	g_clear_pointer(&atr, g_bytes_unref);
	atr = power_on(slot(f, 0), &error);
	g_assert_null(atr);
	g_assert_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD);
}

typedef struct {
	RemsimCcidLevel level;
	guint protocol;
	guint32 max_message_length;
} LevelCase;

static void
test_levels(CcidFixture *f, gconstpointer data)
{
	const LevelCase *c = data;
	CcidSimDeviceSpec spec = default_spec;
	RemsimCardSlot *s;

	spec.level = c->level;
	spec.max_message_length = c->max_message_length;
	s = start_powered(f, &spec, c->protocol, "");
	check_session(f, s);
	if (c->level == REMSIM_CCID_LEVEL_EXTENDED_APDU) {
		/* messages of 36 bytes: a long command and a long answer go in parts */
		g_autoptr(GBytes) select = hex("00A40004023F0000");
		g_autoptr(GBytes) update = hex(
		    "A0D6000020000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) fcp = transmit(s, select, &error);
		g_autoptr(GBytes) sw = NULL;
		g_autofree gchar *fcp_hex = NULL;

		g_assert_no_error(error);
		fcp_hex = to_hex(fcp);
		g_assert_cmpuint(g_bytes_get_size(fcp), >, 36);
		g_assert_true(g_str_has_suffix(fcp_hex, "9000"));
		sw = transmit(s, update, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(g_bytes_get_size(sw), ==, 2);
		g_assert_cmpuint(ccid_sim_count(f->sim, 0, 0x6f), >, G_N_ELEMENTS(session) + 3);
	}
}

static void
test_time_extension(CcidFixture *f, gconstpointer data)
{
	CcidSimDeviceSpec spec = default_spec;
	RemsimCardSlot *s = start_powered(f, &spec, 0, "");
	g_autoptr(GBytes) apdu = hex("A0A40000023F00");
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) got = NULL;

	ccid_sim_set_time_extensions(f->sim, 0, 5);
	check_session(f, s);
	/* a reader that asks for time without end is cut off */
	ccid_sim_set_time_extensions(f->sim, 0, 100);
	got = transmit(s, apdu, &error);
	g_assert_null(got);
	g_assert_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_UNRESPONSIVE);
	g_clear_error(&error);
	/* and works again once it stops */
	ccid_sim_set_time_extensions(f->sim, 0, 0);
	got = transmit(s, apdu, &error);
	g_assert_no_error(error);
}

static void
test_wtx(CcidFixture *f, gconstpointer data)
{
	RemsimCardSlot *s = start_powered(f, &default_spec, 1, "");

	/* T=1 at TPDU level: the card asks for S(WTX) before every answer */
	ccid_sim_set_wtx(f->sim, 0, 2);
	check_session(f, s);
}

static gboolean
holding(gpointer data)
{
	CcidFixture *f = data;

	return ccid_sim_is_holding(f->sim, 0);
}

static void
test_removal_during_apdu(CcidFixture *f, gconstpointer data)
{
	RemsimCardSlot *s = start_powered(f, &default_spec, 0, "");
	g_autoptr(GBytes) apdu = hex("A0A40000023F00");
	g_autoptr(RemsimSimcardCard) card = new_card(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) atr = NULL;
	g_autoptr(GBytes) got = NULL;
	Call c = { NULL };

	ccid_sim_hold(f->sim, 0, TRUE);
	remsim_card_slot_transmit_async(s, apdu, NULL, call_ready, &c);
	g_assert_true(remsim_test_common_spin_until(holding, f, WAIT_MS));
	ccid_sim_remove(f->sim, 0, 0);
	g_assert_true(remsim_test_common_spin_until(call_done, &c, WAIT_MS));
	got = remsim_card_slot_transmit_finish(s, c.result, &error);
	g_object_unref(c.result);
	g_assert_null(got);
	g_assert_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD);
	g_clear_error(&error);
	wait_present(s, FALSE);
	/* a card back in the slot works */
	ccid_sim_hold(f->sim, 0, FALSE);
	ccid_sim_insert(f->sim, 0, 0, card, 0, 0);
	wait_present(s, TRUE);
	atr = power_on(s, &error);
	g_assert_no_error(error);
	check_session(f, s);
}

static void
test_unplug_replug(CcidFixture *f, gconstpointer data)
{
	RemsimCardSlot *s = start_powered(f, &default_spec, 0, "");
	g_autoptr(GBytes) apdu = hex("A0A40000023F00");
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) got = NULL;
	g_autoptr(GBytes) atr = NULL;

	ccid_sim_unplug(f->sim, 0);
	wait_present(s, FALSE);
	got = transmit(s, apdu, &error);
	g_assert_null(got);
	g_assert_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NO_CARD);
	g_clear_error(&error);
	/* back: the same bank slot, the card powered anew */
	ccid_sim_plug(f->sim, 0);
	wait_present(s, TRUE);
	atr = power_on(s, &error);
	g_assert_no_error(error);
	check_session(f, s);
}

typedef struct {
	CcidSimFault fault;
	guint8 b_error;
	gint code; /* RemsimCardError */
} FaultCase;

static void
test_malformed(CcidFixture *f, gconstpointer data)
{
	static const FaultCase cases[] = {
		{ CCID_SIM_FAULT_WRONG_LENGTH, 0, REMSIM_CARD_ERROR_TRANSMISSION },
		{ CCID_SIM_FAULT_WRONG_SEQ, 0, REMSIM_CARD_ERROR_TRANSMISSION },
		{ CCID_SIM_FAULT_UNKNOWN_TYPE, 0, REMSIM_CARD_ERROR_TRANSMISSION },
		{ CCID_SIM_FAULT_SHORT_READ, 0, REMSIM_CARD_ERROR_TRANSMISSION },
		{ CCID_SIM_FAULT_BAD_SLOT, 0, REMSIM_CARD_ERROR_TRANSMISSION },
		{ CCID_SIM_FAULT_SILENT, 0, REMSIM_CARD_ERROR_UNRESPONSIVE },
		{ CCID_SIM_FAULT_ERROR, 0xfb, REMSIM_CARD_ERROR_FAILED },
		{ CCID_SIM_FAULT_ERROR, 0xfd, REMSIM_CARD_ERROR_TRANSMISSION },
		{ CCID_SIM_FAULT_ERROR, 0xfe, REMSIM_CARD_ERROR_UNRESPONSIVE },
	};
	RemsimCardSlot *s = start_powered(f, &default_spec, 0, "");
	g_autoptr(GBytes) apdu = hex("A0A40000023F00");

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) bad = NULL;
		g_autoptr(GBytes) good = NULL;

		g_test_message("fault %u", cases[i].fault);
		ccid_sim_set_fault(f->sim, 0, cases[i].fault, cases[i].b_error);
		bad = transmit(s, apdu, &error);
		g_assert_null(bad);
		g_assert_error(error, REMSIM_CARD_ERROR, cases[i].code);
		g_clear_error(&error);
		/* the reader is usable again with the next command */
		good = transmit(s, apdu, &error);
		g_assert_no_error(error);
		g_assert_nonnull(good);
	}
}

static void
test_voltage(CcidFixture *f, gconstpointer data)
{
	static const struct {
		guint8 card_classes;
		const gchar *selects;
	} rows[] = {
		{ 0x01, "1" },	 /* a 5 V card */
		{ 0x06, "12" },	 /* 3 V and 1.8 V: mute at 5 V */
		{ 0x04, "123" }, /* 1.8 V only */
	};
	g_autoptr(RemsimSimcardCard) card = new_card(f);
	guint dev = ccid_sim_add_device(f->sim, &default_spec);
	gsize before = 0;

	start_backend(f, 1, "");
	for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) atr = NULL;

		ccid_sim_remove(f->sim, dev, 0);
		wait_present(slot(f, 0), FALSE);
		ccid_sim_insert(f->sim, dev, 0, card, 0, rows[i].card_classes);
		wait_present(slot(f, 0), TRUE);
		before = strlen(ccid_sim_power_selects(f->sim, dev));
		atr = power_on(slot(f, 0), &error);
		g_assert_no_error(error);
		g_assert_cmpstr(ccid_sim_power_selects(f->sim, dev) + before, ==, rows[i].selects);
	}
}

static void
test_rules(CcidFixture *f, gconstpointer data)
{
	CcidSimDeviceSpec a = default_spec, b = default_spec;
	g_autoptr(RemsimSimcardCard) card = new_card(f);
	guint da, db;

	a.n_slots = 2;
	a.serial = "AAAA";
	a.usb_path = "1-7";
	b.serial = NULL;
	b.usb_path = "2-1.4";
	b.product_name = "Other Reader";
	da = ccid_sim_add_device(f->sim, &a);
	db = ccid_sim_add_device(f->sim, &b);
	ccid_sim_insert(f->sim, da, 1, card, 0, 0);
	ccid_sim_insert(f->sim, db, 0, card, 0, 0);
	/* by serial number, by USB path, and by a pcscd-style reader name */
	start_backend(f, 4,
		      "slot-0=serial:AAAA/1\nslot-1=usb:2-1.4/0\n"
		      "slot-2=^Remsim Sim Reader [(]AAAA[)] 00 00$\n");
	g_assert_cmpuint(f->slots->len, ==, 3);
	wait_present(slot(f, 0), TRUE);
	wait_present(slot(f, 1), TRUE);
	/* slot 2 is bound to the empty reader slot 0 of the first reader */
	ccid_sim_insert(f->sim, da, 0, card, 0, 0);
	wait_present(slot(f, 2), TRUE);
}

static void
test_vendor_class(CcidFixture *f, gconstpointer data)
{
	g_autofree gchar *quirks = g_build_filename(f->dir, "quirks.conf", NULL);
	g_autofree gchar *conf = g_strdup_printf("quirks-file=%s\n", quirks);
	CcidSimDeviceSpec spec = default_spec;
	g_autoptr(RemsimSimcardCard) card = new_card(f);
	guint dev;

	spec.interface_class = 0xff;
	spec.product = 0x0002;
	dev = ccid_sim_add_device(f->sim, &spec);
	ccid_sim_insert(f->sim, dev, 0, card, 0, 0);
	g_assert_true(g_file_set_contents(
	    quirks, "[1d50:0002]\nname=Quirky Reader\nflags=vendor-class\n", -1, NULL));
	start_backend(f, 1, conf);
	wait_present(slot(f, 0), TRUE);
}

static void
test_no_quirk_no_vendor_class(CcidFixture *f, gconstpointer data)
{
	CcidSimDeviceSpec spec = default_spec;
	g_autoptr(RemsimSimcardCard) card = new_card(f);
	guint dev;

	spec.interface_class = 0xff;
	dev = ccid_sim_add_device(f->sim, &spec);
	ccid_sim_insert(f->sim, dev, 0, card, 0, 0);
	start_backend(f, 1, "");
	remsim_test_common_spin_for(300);
	g_assert_false(remsim_card_slot_get_card_present(slot(f, 0)));
}

typedef struct {
	guint left;
	gboolean failed;
} CcidMany;

static void
many_ready(GObject *source, GAsyncResult *result, gpointer user_data)
{
	CcidMany *m = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) got =
	    remsim_card_slot_transmit_finish(REMSIM_CARD_SLOT(source), result, &error);
	g_autofree gchar *text = got != NULL ? to_hex(got) : NULL;

	m->failed |= got == NULL || !g_str_has_prefix(text, "9F");
	m->left--;
}

static gboolean
many_done(gpointer data)
{
	return ((CcidMany *)data)->left == 0;
}

static void
test_busy_slots(CcidFixture *f, gconstpointer data)
{
	CcidSimDeviceSpec spec = default_spec;
	g_autoptr(GBytes) apdu = hex("A0A40000023F00");
	CcidMany m = { 0 };
	guint dev;

	spec.n_slots = 4;
	spec.max_busy_slots = 4;
	spec.level = REMSIM_CCID_LEVEL_SHORT_APDU;
	dev = ccid_sim_add_device(f->sim, &spec);
	for (guint i = 0; i < 4; i++) {
		g_autoptr(RemsimSimcardCard) card = new_card(f);

		ccid_sim_insert(f->sim, dev, i, card, 0, 0);
	}
	start_backend(f, 4, "");
	for (guint i = 0; i < 4; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) atr = NULL;

		wait_present(slot(f, i), TRUE);
		atr = power_on(slot(f, i), &error);
		g_assert_no_error(error);
	}
	for (guint round = 0; round < 20; round++) {
		m.left = 4;
		for (guint i = 0; i < 4; i++)
			remsim_card_slot_transmit_async(slot(f, i), apdu, NULL, many_ready, &m);
		g_assert_true(remsim_test_common_spin_until(many_done, &m, WAIT_MS));
		g_assert_false(m.failed);
	}
}

static void
test_bad_config(void)
{
	static const gchar *const confs[] = {
		"[ccid]\nprotocols=t2\n",   "[ccid]\nvoltage=12\n",
		"[ccid]\ntimeout=0\n",	    "[ccid]\nquirks-file=/nonexistent/quirks.conf\n",
		"[ccid]\nslot-0=serial:\n",
	};

	for (guint i = 0; i < G_N_ELEMENTS(confs); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autoptr(GError) error = NULL;
		g_autoptr(RemsimBackend) backend = g_object_new(backend_type(), NULL);

		g_assert_true(g_key_file_load_from_data(kf, confs[i], -1, 0, NULL));
		g_assert_false(remsim_backend_configure(backend, kf, "ccid", &error));
		g_assert_nonnull(error);
		g_test_message("%s → %s", confs[i], error->message);
		g_assert_true(g_str_has_prefix(error->message, "[ccid] "));
	}
}

/* data/bankd.conf shows every key the backend declares, and no other in [ccid] */
static void
test_shipped_config(void)
{
	g_autofree gchar *path =
	    g_build_filename(g_getenv("REMSIM_SRCDIR"), "data", "bankd.conf", NULL);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;
	g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func(g_free);
	RemsimBackendClass *klass = g_type_class_ref(backend_type());
	gboolean in_group = FALSE;

	g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		const gchar *line = lines[i][0] == '#' ? lines[i] + 1 : lines[i];
		const gchar *eq = strchr(line, '=');

		if (line[0] == '[') {
			in_group = g_str_has_prefix(line, "[ccid]");
			continue;
		}
		/* a key is lowercase text without blanks before '=' (comments have blanks) */
		if (in_group && eq != NULL && g_ascii_islower(line[0])) {
			g_autofree gchar *key = g_strndup(line, (gsize)(eq - line));

			if (strchr(key, ' ') == NULL)
				g_ptr_array_add(shown, g_steal_pointer(&key));
		}
	}
	for (guint k = 0; klass->config_keys[k] != NULL; k++) {
		gboolean found = FALSE;

		for (guint i = 0; i < shown->len; i++)
			found |= g_pattern_match_simple(klass->config_keys[k], shown->pdata[i]);
		g_test_message("key %s", klass->config_keys[k]);
		g_assert_true(found);
	}
	for (guint i = 0; i < shown->len; i++) {
		gboolean known = FALSE;

		for (guint k = 0; klass->config_keys[k] != NULL; k++)
			known |= g_pattern_match_simple(klass->config_keys[k], shown->pdata[i]);
		g_test_message("shown %s", (gchar *)shown->pdata[i]);
		g_assert_true(known);
	}
	g_type_class_unref(klass);
}

int
main(int argc, char **argv)
{
	static const LevelCase levels[] = {
		{ REMSIM_CCID_LEVEL_TPDU, 0, 271 },
		{ REMSIM_CCID_LEVEL_TPDU, 1, 271 },
		{ REMSIM_CCID_LEVEL_SHORT_APDU, 0, 271 },
		{ REMSIM_CCID_LEVEL_SHORT_APDU, 1, 271 },
		{ REMSIM_CCID_LEVEL_EXTENDED_APDU, 0, 36 },
		{ REMSIM_CCID_LEVEL_EXTENDED_APDU, 1, 36 },
	};
	static const gchar *const level_names[] = { "tpdu-t0",	     "tpdu-t1",	    "short-apdu-t0",
						    "short-apdu-t1", "extended-t0", "extended-t1" };

	g_test_init(&argc, &argv, NULL);
	g_log_set_always_fatal(G_LOG_LEVEL_CRITICAL);
#define ADD(path, func) g_test_add(path, CcidFixture, NULL, fixture_setup, func, fixture_teardown)
	ADD("/ccid/backend/power-on", test_power_on);
	for (guint i = 0; i < G_N_ELEMENTS(levels); i++) {
		g_autofree gchar *path = g_strdup_printf("/ccid/backend/level/%s", level_names[i]);

		g_test_add(path, CcidFixture, &levels[i], fixture_setup, test_levels,
			   fixture_teardown);
	}
	ADD("/ccid/backend/time-extension", test_time_extension);
	ADD("/ccid/backend/t1-wtx", test_wtx);
	ADD("/ccid/backend/removal-during-apdu", test_removal_during_apdu);
	ADD("/ccid/backend/unplug-replug", test_unplug_replug);
	ADD("/ccid/backend/malformed", test_malformed);
	ADD("/ccid/backend/voltage", test_voltage);
	ADD("/ccid/backend/rules", test_rules);
	ADD("/ccid/backend/vendor-class-quirk", test_vendor_class);
	ADD("/ccid/backend/vendor-class-without-quirk", test_no_quirk_no_vendor_class);
	ADD("/ccid/backend/busy-slots", test_busy_slots);
#undef ADD
	g_test_add_func("/ccid/backend/bad-config", test_bad_config);
	g_test_add_func("/ccid/backend/shipped-config", test_shipped_config);
	return g_test_run();
}
