/* File commands: SELECT, STATUS, READ/UPDATE BINARY, READ/UPDATE RECORD, in both classes. */
#include "remsim-simcard-session.h"

#include <string.h>

#define SW_WRONG_LENGTH REMSIM_SW(0x67, 0x00)

static gboolean
remsim_simcard_cmd_file_visible(RemsimSimcardFsFile *file)
{
	/* an ADF is not part of the MF's tree: it is reached by AID, by 7FFF or by path */
	return file != NULL &&
	       remsim_simcard_fs_file_get_file_type(file) != REMSIM_SIMCARD_FILE_ADF;
}

/* TS 102 221 8.4.1 / GSM 11.11 6.5: which files a FID may select from the current DF */
static RemsimSimcardFsFile *
remsim_simcard_cmd_file_find_fid(RemsimSimcardSession *s, guint16 fid, gboolean gsm)
{
	RemsimSimcardFsFile *df = s->cur_df;
	RemsimSimcardFsFile *parent = remsim_simcard_fs_file_get_parent(df);
	RemsimSimcardFsFile *f;

	if (fid == REMSIM_SIMCARD_FID_MF)
		return remsim_simcard_fs_get_mf(s->fs);
	if (fid == REMSIM_SIMCARD_FID_CURRENT_ADF && !gsm)
		return s->usim_active ? remsim_simcard_fs_get_adf(s->fs) : NULL;
	f = remsim_simcard_fs_file_find_child(df, fid);
	if (remsim_simcard_cmd_file_visible(f))
		return f;
	if (remsim_simcard_fs_file_get_fid(df) == fid)
		return df;
	if (parent == NULL)
		return NULL;
	if (remsim_simcard_fs_file_get_fid(parent) == fid)
		return parent;
	f = remsim_simcard_fs_file_find_child(parent, fid);
	return remsim_simcard_cmd_file_visible(f) && remsim_simcard_fs_file_is_df(f) ? f : NULL;
}

static RemsimSimcardFsFile *
remsim_simcard_cmd_file_find_path(RemsimSimcardSession *s, const guint8 *path, gsize len,
				  gboolean from_mf)
{
	RemsimSimcardFsFile *cur = from_mf ? remsim_simcard_fs_get_mf(s->fs) : s->cur_df;

	for (gsize i = 0; i < len; i += 2) {
		guint16 fid = (guint16)(path[i] << 8 | path[i + 1]);
		RemsimSimcardFsFile *next;

		if (!remsim_simcard_fs_file_is_df(cur))
			return NULL;
		if (fid == REMSIM_SIMCARD_FID_CURRENT_ADF && i == 0)
			next = s->usim_active ? remsim_simcard_fs_get_adf(s->fs) : NULL;
		else if (fid == REMSIM_SIMCARD_FID_MF && i == 0 && from_mf)
			next = cur; /* tolerate a path that names the MF it starts from */
		else
			next = remsim_simcard_fs_file_find_child(cur, fid);
		if (!remsim_simcard_cmd_file_visible(next) &&
		    !(next != NULL && next == remsim_simcard_fs_get_adf(s->fs)))
			return NULL;
		cur = next;
	}
	return cur;
}

static RemsimSimcardFsFile *
remsim_simcard_cmd_file_find_aid(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardFsFile *adf = remsim_simcard_fs_get_adf(s->fs);
	gsize aid_len = 0;
	const guint8 *aid;

	/* only one application: a "next occurrence" search never finds another one */
	if (adf == NULL || (apdu->p2 & 0x03) != 0)
		return NULL;
	aid = g_bytes_get_data(remsim_simcard_fs_file_get_aid(adf), &aid_len);
	/* a right-truncated AID selects the application it is a prefix of (ISO 7816-4 8.2.2.2) */
	if (apdu->lc > aid_len || memcmp(aid, apdu->data, apdu->lc) != 0)
		return NULL;
	s->usim_active = TRUE;
	return adf;
}

static void
remsim_simcard_cmd_file_set_current(RemsimSimcardSession *s, RemsimSimcardFsFile *f)
{
	if (remsim_simcard_fs_file_is_df(f)) {
		s->cur_df = f;
		s->cur_ef = NULL;
	} else {
		s->cur_df = remsim_simcard_fs_file_get_parent(f);
		s->cur_ef = f;
	}
	s->record = 0;
}

static guint16
remsim_simcard_cmd_file_select_gsm(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardFsFile *f;
	g_autoptr(GByteArray) resp = NULL;
	guint8 chv[4] = {
		(guint8)(0x80 | s->pin1.retries),
		(guint8)(0x80 | s->pin1.unblock_retries),
		(guint8)(0x80 | s->pin2.retries),
		(guint8)(0x80 | s->pin2.unblock_retries),
	};

	if (apdu->p1 != 0 || apdu->p2 != 0)
		return REMSIM_SW(0x6B, 0x00);
	if (apdu->lc != 2)
		return SW_WRONG_LENGTH;
	f = remsim_simcard_cmd_file_find_fid(s, (guint16)(apdu->data[0] << 8 | apdu->data[1]),
					     TRUE);
	if (f == NULL)
		return REMSIM_SW(0x94, 0x04);
	remsim_simcard_cmd_file_set_current(s, f);
	resp = remsim_simcard_fs_file_build_gsm_response(f, chv, !s->pin1.enabled);
	g_byte_array_append(s->out, resp->data, resp->len);
	return REMSIM_SW_OK;
}

static gboolean
remsim_simcard_cmd_file_select_lc_ok(const RemsimSimcardApdu *apdu)
{
	switch (apdu->p1) {
	case 0x00:
	case 0x01:
		return apdu->lc == 2;
	case 0x03:
		return apdu->lc == 0;
	case 0x04:
		return apdu->lc >= 1 && apdu->lc <= 16;
	default: /* 08, 09: a path of 1 to 8 FIDs */
		return apdu->lc >= 2 && apdu->lc <= 16 && apdu->lc % 2 == 0;
	}
}

static gboolean
remsim_simcard_cmd_file_select_p1p2_ok(const RemsimSimcardApdu *apdu)
{
	guint8 ret = apdu->p2 & 0x0C;

	if (apdu->p1 != 0x00 && apdu->p1 != 0x01 && apdu->p1 != 0x03 && apdu->p1 != 0x04 &&
	    apdu->p1 != 0x08 && apdu->p1 != 0x09)
		return FALSE;
	/* FCP ('04') or no data ('0C'); session control and occurrences only for AIDs */
	if ((apdu->p2 & 0xF0) != 0 || (ret != 0x04 && ret != 0x0C))
		return FALSE;
	return apdu->p1 == 0x04 ? (apdu->p2 & 0x03) != 0x01 && (apdu->p2 & 0x03) != 0x03
				: (apdu->p2 & 0x03) == 0;
}

guint16
remsim_simcard_cmd_file_select(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardFsFile *f = NULL;
	guint16 fid = apdu->lc >= 2 ? (guint16)(apdu->data[0] << 8 | apdu->data[1]) : 0;

	if (apdu->gsm)
		return remsim_simcard_cmd_file_select_gsm(s, apdu);
	if (!remsim_simcard_cmd_file_select_p1p2_ok(apdu))
		return REMSIM_SW(0x6A, 0x86);
	if (!remsim_simcard_cmd_file_select_lc_ok(apdu))
		return SW_WRONG_LENGTH;
	switch (apdu->p1) {
	case 0x00:
		f = remsim_simcard_cmd_file_find_fid(s, fid, FALSE);
		break;
	case 0x01:
		f = remsim_simcard_fs_file_find_child(s->cur_df, fid);
		f = remsim_simcard_cmd_file_visible(f) && remsim_simcard_fs_file_is_df(f) ? f
											  : NULL;
		break;
	case 0x03:
		f = remsim_simcard_fs_file_get_parent(s->cur_df);
		break;
	case 0x04:
		f = remsim_simcard_cmd_file_find_aid(s, apdu);
		break;
	default:
		f = remsim_simcard_cmd_file_find_path(s, apdu->data, apdu->lc, apdu->p1 == 0x08);
		break;
	}
	if (f == NULL)
		return REMSIM_SW(0x6A, 0x82);
	remsim_simcard_cmd_file_set_current(s, f);
	if ((apdu->p2 & 0x0C) == 0x04) {
		g_autoptr(GBytes) pst = remsim_simcard_fs_file_is_df(f)
					    ? remsim_simcard_session_pin_status_template(s, f)
					    : NULL;
		g_autoptr(GByteArray) fcp = remsim_simcard_fs_file_build_fcp(f, pst);

		g_byte_array_append(s->out, fcp->data, fcp->len);
	}
	return REMSIM_SW_OK;
}

guint16
remsim_simcard_cmd_file_status(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	g_autoptr(GByteArray) resp = NULL;

	if (apdu->gsm) {
		guint8 chv[4] = {
			(guint8)(0x80 | s->pin1.retries),
			(guint8)(0x80 | s->pin1.unblock_retries),
			(guint8)(0x80 | s->pin2.retries),
			(guint8)(0x80 | s->pin2.unblock_retries),
		};

		if (apdu->p1 != 0 || apdu->p2 != 0)
			return REMSIM_SW(0x6B, 0x00);
		resp = remsim_simcard_fs_file_build_gsm_response(s->cur_df, chv, !s->pin1.enabled);
		return remsim_simcard_session_reply(s, apdu, resp->data, resp->len, TRUE);
	}
	if (apdu->p1 > 0x02 || (apdu->p2 != 0x00 && apdu->p2 != 0x01 && apdu->p2 != 0x0C))
		return REMSIM_SW(0x6A, 0x86);
	if (apdu->p2 == 0x0C)
		return REMSIM_SW_OK;
	if (apdu->p2 == 0x00) {
		g_autoptr(GBytes) pst = remsim_simcard_session_pin_status_template(s, s->cur_df);

		resp = remsim_simcard_fs_file_build_fcp(s->cur_df, pst);
	} else {
		GBytes *aid = s->usim_active
				  ? remsim_simcard_fs_file_get_aid(remsim_simcard_fs_get_adf(s->fs))
				  : NULL;

		resp = g_byte_array_new();
		if (aid != NULL) {
			g_byte_array_append(
			    resp, (const guint8[]){ 0x84, (guint8)g_bytes_get_size(aid) }, 2);
			g_byte_array_append(resp, g_bytes_get_data(aid, NULL),
					    (guint)g_bytes_get_size(aid));
		}
	}
	return remsim_simcard_session_reply(s, apdu, resp->data, resp->len, TRUE);
}

/* The EF a binary or record command works on: the current one, or one named by SFI
 * (which then becomes current, TS 102 221 8.4.2). */
static guint16
remsim_simcard_cmd_file_target(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu, guint8 sfi,
			       gboolean records, RemsimSimcardFsFile **out)
{
	RemsimSimcardFsFile *ef = s->cur_ef;

	if (sfi != 0) {
		ef = remsim_simcard_fs_file_find_sfi(s->cur_df, sfi);
		if (ef == NULL || remsim_simcard_fs_file_is_df(ef))
			return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_NOT_FOUND);
		if (ef != s->cur_ef)
			remsim_simcard_cmd_file_set_current(s, ef);
	}
	if (ef == NULL)
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_NO_EF);
	if (remsim_simcard_fs_file_is_record(ef) != records)
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_STRUCTURE);
	*out = ef;
	return REMSIM_SW_OK;
}

/* P1 b8 set: SFI in P1 b5..b1 and an offset of one byte in P2 (UICC only). */
static guint16
remsim_simcard_cmd_file_binary_target(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu,
				      RemsimSimcardFsFile **ef, gsize *offset)
{
	guint8 sfi = 0;

	if (apdu->p1 & 0x80) {
		if (apdu->gsm)
			return REMSIM_SW(0x6B, 0x00);
		if (apdu->p1 & 0x60)
			return REMSIM_SW(0x6A, 0x86);
		sfi = apdu->p1 & 0x1F;
		if (sfi == 0)
			return REMSIM_SW(0x6A, 0x86);
		*offset = apdu->p2;
	} else {
		*offset = (gsize)apdu->p1 << 8 | apdu->p2;
	}
	return remsim_simcard_cmd_file_target(s, apdu, sfi, FALSE, ef);
}

guint16
remsim_simcard_cmd_file_read_binary(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardFsFile *ef = NULL;
	gsize offset = 0, size;
	guint16 sw = remsim_simcard_cmd_file_binary_target(s, apdu, &ef, &offset);

	if (sw != REMSIM_SW_OK)
		return sw;
	if (!remsim_simcard_session_access_ok(s, remsim_simcard_fs_file_get_read_access(ef)))
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_SECURITY);
	size = remsim_simcard_fs_file_get_size(ef);
	if (offset >= size)
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_OFFSET);
	return remsim_simcard_session_reply(s, apdu, remsim_simcard_fs_file_get_data(ef) + offset,
					    size - offset, TRUE);
}

guint16
remsim_simcard_cmd_file_update_binary(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardFsFile *ef = NULL;
	gsize offset = 0, size;
	guint16 sw = remsim_simcard_cmd_file_binary_target(s, apdu, &ef, &offset);

	if (sw != REMSIM_SW_OK)
		return sw;
	if (!remsim_simcard_session_access_ok(s, remsim_simcard_fs_file_get_update_access(ef)))
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_SECURITY);
	size = remsim_simcard_fs_file_get_size(ef);
	if (offset >= size)
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_OFFSET);
	if (apdu->lc == 0 || offset + apdu->lc > size)
		return SW_WRONG_LENGTH;
	remsim_simcard_fs_file_write(ef, offset, apdu->data, apdu->lc);
	return REMSIM_SW_OK;
}

/* Record addressing (TS 102 221 11.1.5, GSM 11.11 8.5): P2 b3..b1 = 2 next, 3 previous,
 * 4 absolute/current; next and previous move the record pointer, absolute does not. */
static guint16
remsim_simcard_cmd_file_record_number(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu,
				      RemsimSimcardFsFile *ef, guint *out)
{
	guint n = remsim_simcard_fs_file_get_n_records(ef);
	gboolean cyclic = remsim_simcard_fs_file_get_file_type(ef) == REMSIM_SIMCARD_FILE_CYCLIC;
	guint rec;

	switch (apdu->p2 & 0x07) {
	case 0x02:
		rec = s->record == 0 ? 1 : s->record + 1;
		if (rec > n)
			rec = cyclic ? 1 : 0;
		break;
	case 0x03:
		rec = s->record == 0 ? n : s->record - 1;
		if (rec == 0 && cyclic)
			rec = n;
		break;
	case 0x04:
		rec = apdu->p1 == 0 ? s->record : apdu->p1;
		if (rec > n)
			rec = 0;
		break;
	default:
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_P1P2);
	}
	if (rec == 0 || rec == 0xFF)
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_RECORD);
	*out = rec;
	return REMSIM_SW_OK;
}

static guint16
remsim_simcard_cmd_file_record_target(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu,
				      RemsimSimcardFsFile **ef)
{
	guint8 sfi = apdu->p2 >> 3;

	if (apdu->gsm && sfi != 0)
		return REMSIM_SW(0x6B, 0x00);
	if (sfi == 0x1F)
		return REMSIM_SW(0x6A, 0x86);
	if ((apdu->p2 & 0x07) != 0x04 && apdu->p1 != 0)
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_P1P2);
	return remsim_simcard_cmd_file_target(s, apdu, sfi, TRUE, ef);
}

guint16
remsim_simcard_cmd_file_read_record(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardFsFile *ef = NULL;
	guint rec = 0;
	guint16 sw = remsim_simcard_cmd_file_record_target(s, apdu, &ef);

	if (sw != REMSIM_SW_OK)
		return sw;
	if (!remsim_simcard_session_access_ok(s, remsim_simcard_fs_file_get_read_access(ef)))
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_SECURITY);
	sw = remsim_simcard_cmd_file_record_number(s, apdu, ef, &rec);
	if (sw != REMSIM_SW_OK)
		return sw;
	sw = remsim_simcard_session_reply(s, apdu, remsim_simcard_fs_file_get_record(ef, rec),
					  remsim_simcard_fs_file_get_record_len(ef), FALSE);
	if (sw == REMSIM_SW_OK && (apdu->p2 & 0x07) != 0x04)
		s->record = rec;
	return sw;
}

guint16
remsim_simcard_cmd_file_update_record(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	RemsimSimcardFsFile *ef = NULL;
	guint rec = 0;
	guint16 sw = remsim_simcard_cmd_file_record_target(s, apdu, &ef);

	if (sw != REMSIM_SW_OK)
		return sw;
	if (!remsim_simcard_session_access_ok(s, remsim_simcard_fs_file_get_update_access(ef)))
		return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_SECURITY);
	if (apdu->lc != remsim_simcard_fs_file_get_record_len(ef))
		return SW_WRONG_LENGTH;
	if (remsim_simcard_fs_file_get_file_type(ef) == REMSIM_SIMCARD_FILE_CYCLIC) {
		/* a cyclic EF is only written in PREVIOUS mode: the oldest record becomes #1 */
		if ((apdu->p2 & 0x07) != 0x03)
			return remsim_simcard_session_sw(apdu, REMSIM_SIMCARD_ERR_P1P2);
		remsim_simcard_fs_file_push_cyclic(ef, apdu->data);
		s->record = 1;
		return REMSIM_SW_OK;
	}
	sw = remsim_simcard_cmd_file_record_number(s, apdu, ef, &rec);
	if (sw != REMSIM_SW_OK)
		return sw;
	remsim_simcard_fs_file_write_record(ef, rec, apdu->data);
	if ((apdu->p2 & 0x07) != 0x04)
		s->record = rec;
	return REMSIM_SW_OK;
}

/* GSM 11.11 8.6 and 9.2.6: the first record, in the order the mode gives, that starts with
 * the pattern (0 when none does). */
static guint
remsim_simcard_cmd_file_seek_find(RemsimSimcardSession *s, RemsimSimcardFsFile *ef, guint8 mode,
				  const guint8 *pat, gsize len)
{
	guint n = remsim_simcard_fs_file_get_n_records(ef);
	gboolean forward = mode == 0 || mode == 2;
	guint first;

	if (mode == 0)
		first = 1;
	else if (mode == 1)
		first = n;
	else if (mode == 2)
		first = s->record + 1;
	else
		first = s->record == 0 ? n : s->record - 1;
	for (guint rec = first; rec >= 1 && rec <= n; rec = forward ? rec + 1 : rec - 1)
		if (memcmp(remsim_simcard_fs_file_get_record(ef, rec), pat, len) == 0)
			return rec;
	return 0;
}

guint16
remsim_simcard_cmd_file_seek(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu)
{
	guint8 type = apdu->p2 >> 4;
	guint8 mode = apdu->p2 & 0x0F;
	RemsimSimcardFsFile *ef = s->cur_ef;
	guint rec;

	if (apdu->p1 != 0 || type > 1 || mode > 3)
		return REMSIM_SW(0x6B, 0x00);
	if (ef == NULL)
		return REMSIM_SW(0x94, 0x00);
	if (remsim_simcard_fs_file_get_file_type(ef) != REMSIM_SIMCARD_FILE_LINEAR_FIXED)
		return REMSIM_SW(0x94, 0x08);
	if (apdu->lc == 0 || apdu->lc > remsim_simcard_fs_file_get_record_len(ef))
		return SW_WRONG_LENGTH;
	if (!remsim_simcard_session_access_ok(s, remsim_simcard_fs_file_get_read_access(ef)))
		return REMSIM_SW(0x98, 0x04);
	rec = remsim_simcard_cmd_file_seek_find(s, ef, mode, apdu->data, apdu->lc);
	if (rec == 0)
		return REMSIM_SW(0x94, 0x04);
	s->record = rec;
	/* type 2 answers with the record number */
	if (type == 1)
		g_byte_array_append(s->out, (const guint8[]){ (guint8)rec }, 1);
	return REMSIM_SW_OK;
}
