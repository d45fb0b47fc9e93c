/* Which files exist, with which structure, access conditions and initial contents. */
#include "remsim-simcard-layout.h"

#include <glib/gi18n.h>
#include <string.h>

#define ALW REMSIM_SIMCARD_ACCESS_ALWAYS
#define PIN1 REMSIM_SIMCARD_ACCESS_PIN1
#define PIN2 REMSIM_SIMCARD_ACCESS_PIN2
#define ADM REMSIM_SIMCARD_ACCESS_ADM
#define NEV REMSIM_SIMCARD_ACCESS_NEVER
#define TRANSPARENT REMSIM_SIMCARD_FILE_TRANSPARENT
#define LINEAR REMSIM_SIMCARD_FILE_LINEAR_FIXED

#define ARR_RECORD_LEN 40
#define DIR_RECORD_LEN 32
#define MSISDN_ALPHA_LEN 14

static const guint8 usim_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x87, 0x10, 0x02, 0xFF,
				   0xFF, 0xFF, 0xFF, 0x89, 0x07, 0x09, 0x00, 0x00 };

/* TS 31.102 4.2.8: GSM access (27), GSM security context (38), SPN (19), PLMNwAcT (20),
 * MSISDN (21), the PS domain bit (33), EST (34), OPLMNwAcT (42), HPLMNwAcT (43),
 * EPS MMI (85) */
static const guint usim_services[] = { 19, 20, 21, 27, 33, 34, 38, 42, 43, 85 };
/* GSM 11.11 10.3.7: CHV1 disable (1), PLMN selector (7), MSISDN (9), SPN (17) */
static const guint gsm_services[] = { 1, 7, 9, 17 };

GBytes *
remsim_simcard_layout_usim_aid(void)
{
	return g_bytes_new_static(usim_aid, sizeof(usim_aid));
}

void
remsim_simcard_layout_encode_bcd(const gchar *digits, guint8 *out, gsize out_len)
{
	gsize n = strlen(digits);

	memset(out, 0xFF, out_len);
	for (gsize i = 0; i < n && i / 2 < out_len; i++) {
		guint8 d = (guint8)(digits[i] - '0');

		if (i % 2 == 0)
			out[i / 2] = (guint8)(0xF0 | d);
		else
			out[i / 2] = (guint8)((out[i / 2] & 0x0F) | d << 4);
	}
}

/* TS 24.008 10.5.1.3: MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1 */
void
remsim_simcard_layout_encode_plmn(const gchar *mcc, const gchar *mnc, guint8 out[3])
{
	guint8 mnc3 = strlen(mnc) == 3 ? (guint8)(mnc[2] - '0') : 0x0F;

	out[0] = (guint8)((mcc[1] - '0') << 4 | (mcc[0] - '0'));
	out[1] = (guint8)(mnc3 << 4 | (mcc[2] - '0'));
	out[2] = (guint8)((mnc[1] - '0') << 4 | (mnc[0] - '0'));
}

/* TS 31.102 4.2.2: length, then the parity/type nibble and the digits */
static void
remsim_simcard_layout_encode_imsi(const gchar *imsi, guint8 out[9])
{
	gsize n = strlen(imsi);
	g_autofree gchar *digits = g_strdup_printf("%c%s", n % 2 ? '9' : '1', imsi);

	remsim_simcard_layout_encode_bcd(digits, out + 1, 8);
	out[0] = (guint8)((n + 2) / 2);
}

static GByteArray *
remsim_simcard_layout_filled(gsize len, guint8 fill)
{
	GByteArray *a = g_byte_array_sized_new(len);

	g_byte_array_set_size(a, len);
	memset(a->data, fill, len);
	return a;
}

static void
remsim_simcard_layout_add_bytes(RemsimSimcardFsFile *df, guint16 fid, guint8 sfi,
				RemsimSimcardAccess read, RemsimSimcardAccess update,
				const gchar *hex)
{
	g_autoptr(GBytes) b = remsim_simcard_profile_parse_hex(hex);

	remsim_simcard_fs_add_ef(df, fid, sfi, TRANSPARENT, 0, read, update,
				 g_bytes_get_data(b, NULL), g_bytes_get_size(b));
}

static RemsimSimcardFsFile *
remsim_simcard_layout_add_filled(RemsimSimcardFsFile *df, guint16 fid, guint8 sfi,
				 RemsimSimcardAccess read, RemsimSimcardAccess update, gsize len)
{
	g_autoptr(GByteArray) a = remsim_simcard_layout_filled(len, 0xFF);

	return remsim_simcard_fs_add_ef(df, fid, sfi, TRANSPARENT, 0, read, update, a->data,
					a->len);
}

static void
remsim_simcard_layout_add_arr(RemsimSimcardFsFile *df, guint16 fid, guint8 sfi)
{
	g_autoptr(GBytes) arr = remsim_simcard_fs_build_arr(ARR_RECORD_LEN);

	remsim_simcard_fs_add_ef(df, fid, sfi, LINEAR, ARR_RECORD_LEN, ALW, ADM,
				 g_bytes_get_data(arr, NULL), g_bytes_get_size(arr));
}

static void
remsim_simcard_layout_build_mf(RemsimSimcardFsFile *mf, const RemsimSimcardProfile *p)
{
	guint8 iccid[10];
	g_autoptr(GByteArray) dir = remsim_simcard_layout_filled(2 * DIR_RECORD_LEN, 0xFF);
	guint8 app[] = { 0x61, 0x18, 0x4F, 0x10 };

	remsim_simcard_layout_encode_bcd(p->iccid, iccid, sizeof(iccid));
	remsim_simcard_fs_add_ef(mf, 0x2FE2, 0x02, TRANSPARENT, 0, ALW, NEV, iccid, sizeof(iccid));
	/* EF.DIR (TS 102 221 13.1): application template with AID and label "USIM" */
	memcpy(dir->data, app, sizeof(app));
	memcpy(dir->data + 4, usim_aid, sizeof(usim_aid));
	memcpy(dir->data + 20, "\x50\x04USIM", 6);
	remsim_simcard_fs_add_ef(mf, 0x2F00, 0x1E, LINEAR, DIR_RECORD_LEN, ALW, ADM, dir->data,
				 dir->len);
	remsim_simcard_layout_add_bytes(mf, 0x2F05, 0x05, ALW, PIN1, "656EFFFFFFFFFFFFFFFF");
	remsim_simcard_layout_add_arr(mf, REMSIM_SIMCARD_FID_ARR_MF, 0x06);
}

static void
remsim_simcard_layout_service_table(const guint *services, gsize n, guint per_byte, guint8 *out,
				    gsize len)
{
	memset(out, 0, len);
	for (gsize i = 0; i < n; i++) {
		guint s = services[i] - 1;

		/* UST: one bit per service; GSM SST: two bits (allocated, activated) */
		if (per_byte == 8)
			out[s / 8] |= (guint8)(1u << (s % 8));
		else
			out[s / 4] |= (guint8)(3u << (2 * (s % 4)));
	}
}

/* EF.ACC: the access class is the last digit of the IMSI (TS 22.011 4.2) */
static void
remsim_simcard_layout_acc(const gchar *imsi, guint8 acc[2])
{
	guint cls = (guint)(imsi[strlen(imsi) - 1] - '0');

	acc[0] = cls >= 8 ? (guint8)(1u << (cls - 8)) : 0;
	acc[1] = cls < 8 ? (guint8)(1u << cls) : 0;
}

static void
remsim_simcard_layout_msisdn(const RemsimSimcardProfile *p, guint8 *rec)
{
	const gchar *digits;
	gsize n;

	memset(rec, 0xFF, MSISDN_ALPHA_LEN + 14);
	if (p->msisdn == NULL)
		return;
	digits = p->msisdn[0] == '+' ? p->msisdn + 1 : p->msisdn;
	n = strlen(digits);
	/* TS 31.102 4.4.2.3: BCD length counts TON/NPI plus the digit bytes */
	rec[MSISDN_ALPHA_LEN] = (guint8)(1 + (n + 1) / 2);
	rec[MSISDN_ALPHA_LEN + 1] = p->msisdn[0] == '+' ? 0x91 : 0x81;
	remsim_simcard_layout_encode_bcd(digits, rec + MSISDN_ALPHA_LEN + 2, 10);
}

static void
remsim_simcard_layout_build_usim_ids(RemsimSimcardFsFile *adf, const RemsimSimcardProfile *p)
{
	guint8 imsi[9], ad[4] = { 0x00, 0x00, 0x00, (guint8)strlen(p->mnc) }, acc[2], spn[17];
	guint8 ust[11];
	g_autoptr(GByteArray) msisdn =
	    remsim_simcard_layout_filled(2 * (MSISDN_ALPHA_LEN + 14), 0xFF);

	remsim_simcard_layout_encode_imsi(p->imsi, imsi);
	remsim_simcard_fs_add_ef(adf, 0x6F07, 0x07, TRANSPARENT, 0, PIN1, ADM, imsi, sizeof(imsi));
	remsim_simcard_fs_add_ef(adf, 0x6FAD, 0x03, TRANSPARENT, 0, ALW, ADM, ad, sizeof(ad));
	remsim_simcard_layout_service_table(usim_services, G_N_ELEMENTS(usim_services), 8, ust,
					    sizeof(ust));
	remsim_simcard_fs_add_ef(adf, 0x6F38, 0x04, TRANSPARENT, 0, PIN1, ADM, ust, sizeof(ust));
	remsim_simcard_layout_add_bytes(adf, 0x6F56, 0x05, PIN1, PIN2, "00");
	memset(spn, 0xFF, sizeof(spn));
	spn[0] = 0x01; /* display the registered PLMN name as well */
	if (p->spn != NULL)
		memcpy(spn + 1, p->spn, strlen(p->spn));
	remsim_simcard_fs_add_ef(adf, 0x6F46, 0, TRANSPARENT, 0, ALW, ADM, spn, sizeof(spn));
	remsim_simcard_layout_acc(p->imsi, acc);
	remsim_simcard_fs_add_ef(adf, 0x6F78, 0x06, TRANSPARENT, 0, PIN1, ADM, acc, sizeof(acc));
	remsim_simcard_layout_msisdn(p, msisdn->data);
	remsim_simcard_fs_add_ef(adf, 0x6F40, 0, LINEAR, MSISDN_ALPHA_LEN + 14, PIN1, PIN1,
				 msisdn->data, msisdn->len);
}

/* Location EFs start "not updated" with the home PLMN and LAC/TAC 0000 (TS 31.102 4.2.17,
 * 4.2.23, 4.2.91). */
static void
remsim_simcard_layout_build_usim_locations(RemsimSimcardFsFile *adf, const guint8 plmn[3])
{
	guint8 loci[11], psloci[14], epsloci[18];

	memset(loci, 0xFF, sizeof(loci));
	memcpy(loci + 4, plmn, 3);
	loci[7] = loci[8] = 0x00;
	loci[10] = 0x01;
	remsim_simcard_fs_add_ef(adf, 0x6F7E, 0x0B, TRANSPARENT, 0, PIN1, PIN1, loci, sizeof(loci));
	memset(psloci, 0xFF, sizeof(psloci));
	memcpy(psloci + 7, plmn, 3);
	psloci[10] = psloci[11] = 0x00;
	psloci[13] = 0x01;
	remsim_simcard_fs_add_ef(adf, 0x6F73, 0x0C, TRANSPARENT, 0, PIN1, PIN1, psloci,
				 sizeof(psloci));
	memset(epsloci, 0xFF, sizeof(epsloci));
	memcpy(epsloci + 12, plmn, 3);
	epsloci[15] = epsloci[16] = 0x00;
	epsloci[17] = 0x01;
	remsim_simcard_fs_add_ef(adf, 0x6FE3, 0x1E, TRANSPARENT, 0, PIN1, PIN1, epsloci,
				 sizeof(epsloci));
}

static void
remsim_simcard_layout_build_usim_plmns(RemsimSimcardFsFile *adf, const guint8 plmn[3])
{
	g_autoptr(GByteArray) list = g_byte_array_new();
	guint8 hplmn[5] = { plmn[0], plmn[1], plmn[2], 0xC0, 0x80 }; /* UTRAN, E-UTRAN, GSM */

	/* eight empty entries: PLMN FFFFFF, no access technology */
	for (guint i = 0; i < 8; i++)
		g_byte_array_append(list, (const guint8 *)"\xFF\xFF\xFF\x00\x00", 5);
	remsim_simcard_fs_add_ef(adf, 0x6F60, 0x0A, TRANSPARENT, 0, PIN1, PIN1, list->data,
				 list->len);
	remsim_simcard_fs_add_ef(adf, 0x6F61, 0x11, TRANSPARENT, 0, PIN1, ADM, list->data,
				 list->len);
	remsim_simcard_fs_add_ef(adf, 0x6F62, 0x13, TRANSPARENT, 0, PIN1, ADM, hplmn,
				 sizeof(hplmn));
	remsim_simcard_layout_add_filled(adf, 0x6F7B, 0x0D, PIN1, PIN1, 12);
	/* HPPLMN search period: 5 units of 6 minutes */
	remsim_simcard_layout_add_bytes(adf, 0x6F31, 0x12, PIN1, ADM, "05");
}

static void
remsim_simcard_layout_build_usim_keys(RemsimSimcardFsFile *adf)
{
	g_autoptr(GByteArray) keys = remsim_simcard_layout_filled(33, 0xFF);

	keys->data[0] = 0x07; /* KSI: no key available */
	remsim_simcard_fs_add_ef(adf, 0x6F08, 0x08, TRANSPARENT, 0, PIN1, PIN1, keys->data,
				 keys->len);
	remsim_simcard_fs_add_ef(adf, 0x6F09, 0x09, TRANSPARENT, 0, PIN1, PIN1, keys->data,
				 keys->len);
	remsim_simcard_layout_add_bytes(adf, 0x6F5B, 0x0F, PIN1, PIN1, "F00000F00000");
	remsim_simcard_layout_add_bytes(adf, 0x6F5C, 0x10, PIN1, ADM, "FFFFFF");
}

static RemsimSimcardFsFile *
remsim_simcard_layout_build_usim(RemsimSimcardFs *fs, const RemsimSimcardProfile *p,
				 const guint8 plmn[3])
{
	g_autoptr(GBytes) aid = remsim_simcard_layout_usim_aid();
	RemsimSimcardFsFile *adf = remsim_simcard_fs_add_df(fs, remsim_simcard_fs_get_mf(fs),
							    REMSIM_SIMCARD_FID_CURRENT_ADF, aid);

	remsim_simcard_layout_add_bytes(adf, 0x6F05, 0x02, ALW, PIN1, "656EFFFFFFFFFFFFFFFF");
	remsim_simcard_layout_add_arr(adf, REMSIM_SIMCARD_FID_ARR_ADF, 0x17);
	remsim_simcard_layout_build_usim_ids(adf, p);
	remsim_simcard_layout_build_usim_locations(adf, plmn);
	remsim_simcard_layout_build_usim_plmns(adf, plmn);
	remsim_simcard_layout_build_usim_keys(adf);
	return adf;
}

/* DF.GSM shares every EF whose format did not change with the USIM (as dual-mode cards do). */
static void
remsim_simcard_layout_build_gsm(RemsimSimcardFs *fs, RemsimSimcardFsFile *adf)
{
	static const guint16 shared[] = { 0x6F07, 0x6F7E, 0x6FAD, 0x6F46, 0x6F78, 0x6F31, 0x6F7B };
	RemsimSimcardFsFile *gsm =
	    remsim_simcard_fs_add_df(fs, remsim_simcard_fs_get_mf(fs), 0x7F20, NULL);
	guint8 sst[5];

	for (guint i = 0; i < G_N_ELEMENTS(shared); i++)
		remsim_simcard_fs_add_link(gsm, shared[i], 0,
					   remsim_simcard_fs_file_find_child(adf, shared[i]));
	remsim_simcard_layout_add_bytes(gsm, 0x6F20, 0, PIN1, PIN1, "FFFFFFFFFFFFFFFF07");
	remsim_simcard_layout_add_filled(gsm, 0x6F30, 0, PIN1, PIN1, 24);
	remsim_simcard_layout_service_table(gsm_services, G_N_ELEMENTS(gsm_services), 4, sst,
					    sizeof(sst));
	remsim_simcard_fs_add_ef(gsm, 0x6F38, 0, TRANSPARENT, 0, PIN1, ADM, sst, sizeof(sst));
	remsim_simcard_layout_add_filled(gsm, 0x6F74, 0, PIN1, PIN1, 16);
}

static void
remsim_simcard_layout_build_telecom(RemsimSimcardFs *fs, RemsimSimcardFsFile *adf)
{
	RemsimSimcardFsFile *telecom =
	    remsim_simcard_fs_add_df(fs, remsim_simcard_fs_get_mf(fs), 0x7F10, NULL);

	g_autoptr(GByteArray) lnd = remsim_simcard_layout_filled(5 * (MSISDN_ALPHA_LEN + 14), 0xFF);

	remsim_simcard_fs_add_link(telecom, 0x6F40, 0,
				   remsim_simcard_fs_file_find_child(adf, 0x6F40));
	/* EF.LND (GSM 11.11 10.5.4): last numbers dialled, the card's cyclic EF */
	remsim_simcard_fs_add_ef(telecom, 0x6F44, 0, REMSIM_SIMCARD_FILE_CYCLIC,
				 MSISDN_ALPHA_LEN + 14, PIN1, PIN1, lnd->data, lnd->len);
}

static gboolean
remsim_simcard_layout_apply_overrides(RemsimSimcardFs *fs, const RemsimSimcardProfile *p,
				      GError **error)
{
	for (guint i = 0; i < p->file_paths->len; i++) {
		const gchar *path = g_ptr_array_index(p->file_paths, i);
		GBytes *content = g_ptr_array_index(p->file_contents, i);
		RemsimSimcardFsFile *ef = remsim_simcard_fs_lookup_path(fs, path);

		if (ef == NULL || remsim_simcard_fs_file_is_df(ef)) {
			g_set_error(
			    error, REMSIM_SIMCARD_PROFILE_ERROR,
			    REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
			    /* TRANSLATORS: the profile file, then a file path on the card */
			    _("%s: field “files.%s”: no such elementary file on the card"),
			    p->source, path);
			return FALSE;
		}
		if (!remsim_simcard_fs_file_set_contents(ef, g_bytes_get_data(content, NULL),
							 g_bytes_get_size(content))) {
			guint record_len = remsim_simcard_fs_file_get_record_len(ef);

			g_set_error(
			    error, REMSIM_SIMCARD_PROFILE_ERROR,
			    REMSIM_SIMCARD_PROFILE_ERROR_INVALID,
			    /* TRANSLATORS: profile file, card file path, its record length */
			    ngettext("%s: field “files.%s”: length does not fit the file "
				     "(records of %u byte)",
				     "%s: field “files.%s”: length does not fit the file "
				     "(records of %u bytes)",
				     record_len),
			    p->source, path, record_len);
			return FALSE;
		}
	}
	return TRUE;
}

RemsimSimcardFs *
remsim_simcard_layout_build(const RemsimSimcardProfile *p, GError **error)
{
	g_autoptr(RemsimSimcardFs) fs = remsim_simcard_fs_new();
	RemsimSimcardFsFile *adf;
	guint8 plmn[3];

	remsim_simcard_layout_encode_plmn(p->mcc, p->mnc, plmn);
	remsim_simcard_layout_build_mf(remsim_simcard_fs_get_mf(fs), p);
	adf = remsim_simcard_layout_build_usim(fs, p, plmn);
	remsim_simcard_layout_build_telecom(fs, adf);
	remsim_simcard_layout_build_gsm(fs, adf);
	if (!remsim_simcard_layout_apply_overrides(fs, p, error))
		return NULL;
	return g_steal_pointer(&fs);
}
