/* File system tree of the simulated card. EF bodies are reference-counted so that a GSM-side
 * EF can be the same storage as its USIM twin, as on real dual-mode cards. */
#include "remsim-simcard-fs.h"

#include <string.h>

typedef struct {
	GByteArray *bytes;
	gboolean updated;
} RemsimSimcardFsFileBody;

struct _RemsimSimcardFsFile {
	RemsimSimcardFileType type;
	guint16 fid;
	guint8 sfi;
	gboolean is_link;
	RemsimSimcardAccess read_access;
	RemsimSimcardAccess update_access;
	GBytes *aid;
	RemsimSimcardFsFileBody *body;
	guint16 record_len;
	RemsimSimcardFsFile *parent;
	GPtrArray *children;
};

struct _RemsimSimcardFs {
	RemsimSimcardFsFile *mf;
	RemsimSimcardFsFile *adf;
};

/* EF.ARR rules, one record each; the record number is the index plus one. */
typedef struct {
	RemsimSimcardAccess read;
	RemsimSimcardAccess update;
} RemsimSimcardArrRule;

static const RemsimSimcardArrRule arr_rules[] = {
	{ REMSIM_SIMCARD_ACCESS_ALWAYS, REMSIM_SIMCARD_ACCESS_ADM },
	{ REMSIM_SIMCARD_ACCESS_PIN1, REMSIM_SIMCARD_ACCESS_ADM },
	{ REMSIM_SIMCARD_ACCESS_PIN1, REMSIM_SIMCARD_ACCESS_PIN1 },
	{ REMSIM_SIMCARD_ACCESS_ALWAYS, REMSIM_SIMCARD_ACCESS_NEVER },
	{ REMSIM_SIMCARD_ACCESS_ALWAYS, REMSIM_SIMCARD_ACCESS_PIN1 },
	{ REMSIM_SIMCARD_ACCESS_PIN1, REMSIM_SIMCARD_ACCESS_PIN2 },
	{ REMSIM_SIMCARD_ACCESS_ADM, REMSIM_SIMCARD_ACCESS_ADM },
};

static void
remsim_simcard_fs_file_body_clear(gpointer data)
{
	RemsimSimcardFsFileBody *body = data;

	g_byte_array_unref(body->bytes);
}

static void
remsim_simcard_fs_file_free(gpointer data)
{
	RemsimSimcardFsFile *file = data;

	if (file->children != NULL)
		g_ptr_array_unref(file->children);
	if (file->body != NULL)
		g_rc_box_release_full(file->body, remsim_simcard_fs_file_body_clear);
	g_clear_pointer(&file->aid, g_bytes_unref);
	g_free(file);
}

static RemsimSimcardFsFile *
remsim_simcard_fs_file_new(RemsimSimcardFsFile *parent, RemsimSimcardFileType type, guint16 fid)
{
	RemsimSimcardFsFile *file = g_new0(RemsimSimcardFsFile, 1);

	file->type = type;
	file->fid = fid;
	file->parent = parent;
	if (type == REMSIM_SIMCARD_FILE_MF || type == REMSIM_SIMCARD_FILE_DF ||
	    type == REMSIM_SIMCARD_FILE_ADF)
		file->children = g_ptr_array_new_with_free_func(remsim_simcard_fs_file_free);
	if (parent != NULL)
		g_ptr_array_add(parent->children, file);
	return file;
}

RemsimSimcardFs *
remsim_simcard_fs_new(void)
{
	RemsimSimcardFs *fs = g_new0(RemsimSimcardFs, 1);

	fs->mf = remsim_simcard_fs_file_new(NULL, REMSIM_SIMCARD_FILE_MF, REMSIM_SIMCARD_FID_MF);
	return fs;
}

void
remsim_simcard_fs_free(RemsimSimcardFs *fs)
{
	if (fs == NULL)
		return;
	remsim_simcard_fs_file_free(fs->mf);
	g_free(fs);
}

RemsimSimcardFsFile *
remsim_simcard_fs_get_mf(RemsimSimcardFs *fs)
{
	return fs->mf;
}

RemsimSimcardFsFile *
remsim_simcard_fs_get_adf(RemsimSimcardFs *fs)
{
	return fs->adf;
}

RemsimSimcardFsFile *
remsim_simcard_fs_add_df(RemsimSimcardFs *fs, RemsimSimcardFsFile *parent, guint16 fid, GBytes *aid)
{
	RemsimSimcardFsFile *df;

	g_return_val_if_fail(remsim_simcard_fs_file_is_df(parent), NULL);
	df = remsim_simcard_fs_file_new(
	    parent, aid != NULL ? REMSIM_SIMCARD_FILE_ADF : REMSIM_SIMCARD_FILE_DF, fid);
	if (aid != NULL) {
		df->aid = g_bytes_ref(aid);
		fs->adf = df;
	}
	return df;
}

RemsimSimcardFsFile *
remsim_simcard_fs_add_ef(RemsimSimcardFsFile *parent, guint16 fid, guint8 sfi,
			 RemsimSimcardFileType type, guint16 record_len, RemsimSimcardAccess read,
			 RemsimSimcardAccess update, const guint8 *data, gsize len)
{
	RemsimSimcardFsFile *ef;

	g_return_val_if_fail(remsim_simcard_fs_file_is_df(parent), NULL);
	g_return_val_if_fail(type == REMSIM_SIMCARD_FILE_TRANSPARENT || record_len > 0, NULL);
	ef = remsim_simcard_fs_file_new(parent, type, fid);
	ef->sfi = sfi;
	ef->record_len = type == REMSIM_SIMCARD_FILE_TRANSPARENT ? 0 : record_len;
	ef->read_access = read;
	ef->update_access = update;
	ef->body = g_rc_box_new0(RemsimSimcardFsFileBody);
	ef->body->bytes = g_byte_array_sized_new(len);
	g_byte_array_append(ef->body->bytes, data, len);
	return ef;
}

RemsimSimcardFsFile *
remsim_simcard_fs_add_link(RemsimSimcardFsFile *parent, guint16 fid, guint8 sfi,
			   RemsimSimcardFsFile *target)
{
	RemsimSimcardFsFile *ef;

	g_return_val_if_fail(target->body != NULL, NULL);
	ef = remsim_simcard_fs_file_new(parent, target->type, fid);
	ef->sfi = sfi;
	ef->is_link = TRUE;
	ef->record_len = target->record_len;
	ef->read_access = target->read_access;
	ef->update_access = target->update_access;
	ef->body = g_rc_box_acquire(target->body);
	return ef;
}

RemsimSimcardFsFile *
remsim_simcard_fs_lookup_path(RemsimSimcardFs *fs, const gchar *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);
	RemsimSimcardFsFile *cur = NULL;

	for (guint i = 0; parts[i] != NULL; i++) {
		gchar *end = NULL;
		guint64 fid;

		if (strlen(parts[i]) != 4)
			return NULL;
		fid = g_ascii_strtoull(parts[i], &end, 16);
		if (end == NULL || *end != '\0')
			return NULL;
		if (i == 0) {
			if (fid != REMSIM_SIMCARD_FID_MF)
				return NULL;
			cur = fs->mf;
			continue;
		}
		if (!remsim_simcard_fs_file_is_df(cur))
			return NULL;
		cur = remsim_simcard_fs_file_find_child(cur, (guint16)fid);
		if (cur == NULL)
			return NULL;
	}
	return cur;
}

gchar *
remsim_simcard_fs_file_get_path(RemsimSimcardFsFile *file)
{
	g_autofree gchar *head = NULL;

	if (file->parent == NULL)
		return g_strdup_printf("%04X", file->fid);
	head = remsim_simcard_fs_file_get_path(file->parent);
	return g_strdup_printf("%s/%04X", head, file->fid);
}

static void
remsim_simcard_fs_walk(RemsimSimcardFsFile *df, RemsimSimcardFsForeachFunc func, gpointer user_data)
{
	for (guint i = 0; i < df->children->len; i++) {
		RemsimSimcardFsFile *child = g_ptr_array_index(df->children, i);

		if (remsim_simcard_fs_file_is_df(child)) {
			remsim_simcard_fs_walk(child, func, user_data);
		} else if (!child->is_link) {
			g_autofree gchar *path = remsim_simcard_fs_file_get_path(child);

			func(child, path, user_data);
		}
	}
}

void
remsim_simcard_fs_foreach_ef(RemsimSimcardFs *fs, RemsimSimcardFsForeachFunc func,
			     gpointer user_data)
{
	remsim_simcard_fs_walk(fs->mf, func, user_data);
}

RemsimSimcardFileType
remsim_simcard_fs_file_get_file_type(RemsimSimcardFsFile *file)
{
	return file->type;
}

gboolean
remsim_simcard_fs_file_is_df(RemsimSimcardFsFile *file)
{
	return file->children != NULL;
}

gboolean
remsim_simcard_fs_file_is_record(RemsimSimcardFsFile *file)
{
	return file->type == REMSIM_SIMCARD_FILE_LINEAR_FIXED ||
	       file->type == REMSIM_SIMCARD_FILE_CYCLIC;
}

guint16
remsim_simcard_fs_file_get_fid(RemsimSimcardFsFile *file)
{
	return file->fid;
}

RemsimSimcardFsFile *
remsim_simcard_fs_file_get_parent(RemsimSimcardFsFile *file)
{
	return file->parent;
}

GBytes *
remsim_simcard_fs_file_get_aid(RemsimSimcardFsFile *file)
{
	return file->aid;
}

RemsimSimcardAccess
remsim_simcard_fs_file_get_read_access(RemsimSimcardFsFile *file)
{
	return file->read_access;
}

RemsimSimcardAccess
remsim_simcard_fs_file_get_update_access(RemsimSimcardFsFile *file)
{
	return file->update_access;
}

RemsimSimcardFsFile *
remsim_simcard_fs_file_find_child(RemsimSimcardFsFile *df, guint16 fid)
{
	for (guint i = 0; i < df->children->len; i++) {
		RemsimSimcardFsFile *child = g_ptr_array_index(df->children, i);

		if (child->fid == fid)
			return child;
	}
	return NULL;
}

RemsimSimcardFsFile *
remsim_simcard_fs_file_find_sfi(RemsimSimcardFsFile *df, guint8 sfi)
{
	for (guint i = 0; i < df->children->len; i++) {
		RemsimSimcardFsFile *child = g_ptr_array_index(df->children, i);

		if (child->sfi != 0 && child->sfi == sfi)
			return child;
	}
	return NULL;
}

guint
remsim_simcard_fs_file_count_children(RemsimSimcardFsFile *df, gboolean dfs)
{
	guint n = 0;

	for (guint i = 0; i < df->children->len; i++) {
		RemsimSimcardFsFile *child = g_ptr_array_index(df->children, i);

		/* the ADF is not in the MF's tree as GSM 11.11 sees it */
		if (remsim_simcard_fs_file_is_df(child) == dfs &&
		    child->type != REMSIM_SIMCARD_FILE_ADF)
			n++;
	}
	return n;
}

gsize
remsim_simcard_fs_file_get_size(RemsimSimcardFsFile *ef)
{
	return ef->body != NULL ? ef->body->bytes->len : 0;
}

const guint8 *
remsim_simcard_fs_file_get_data(RemsimSimcardFsFile *ef)
{
	return ef->body->bytes->data;
}

guint16
remsim_simcard_fs_file_get_record_len(RemsimSimcardFsFile *ef)
{
	return ef->record_len;
}

guint
remsim_simcard_fs_file_get_n_records(RemsimSimcardFsFile *ef)
{
	if (!remsim_simcard_fs_file_is_record(ef))
		return 0;
	return ef->body->bytes->len / ef->record_len;
}

const guint8 *
remsim_simcard_fs_file_get_record(RemsimSimcardFsFile *ef, guint record)
{
	g_return_val_if_fail(record >= 1 && record <= remsim_simcard_fs_file_get_n_records(ef),
			     NULL);
	return ef->body->bytes->data + (gsize)(record - 1) * ef->record_len;
}

void
remsim_simcard_fs_file_write(RemsimSimcardFsFile *ef, gsize offset, const guint8 *data, gsize len)
{
	g_return_if_fail(offset + len <= ef->body->bytes->len);
	memcpy(ef->body->bytes->data + offset, data, len);
	ef->body->updated = TRUE;
}

void
remsim_simcard_fs_file_write_record(RemsimSimcardFsFile *ef, guint record, const guint8 *data)
{
	g_return_if_fail(record >= 1 && record <= remsim_simcard_fs_file_get_n_records(ef));
	remsim_simcard_fs_file_write(ef, (gsize)(record - 1) * ef->record_len, data,
				     ef->record_len);
}

void
remsim_simcard_fs_file_push_cyclic(RemsimSimcardFsFile *ef, const guint8 *data)
{
	guint8 *bytes = ef->body->bytes->data;
	gsize len = ef->body->bytes->len;

	/* records are kept newest first, so the oldest falls off the end */
	memmove(bytes + ef->record_len, bytes, len - ef->record_len);
	memcpy(bytes, data, ef->record_len);
	ef->body->updated = TRUE;
}

gboolean
remsim_simcard_fs_file_set_contents(RemsimSimcardFsFile *ef, const guint8 *data, gsize len)
{
	if (ef->body == NULL)
		return FALSE;
	if (remsim_simcard_fs_file_is_record(ef) &&
	    (len == 0 || len % ef->record_len != 0 || len / ef->record_len > 254))
		return FALSE;
	if (len > 0xFFFF)
		return FALSE;
	g_byte_array_set_size(ef->body->bytes, 0);
	g_byte_array_append(ef->body->bytes, data, len);
	return TRUE;
}

gboolean
remsim_simcard_fs_file_is_updated(RemsimSimcardFsFile *ef)
{
	return ef->body != NULL && ef->body->updated;
}

void
remsim_simcard_fs_file_set_updated(RemsimSimcardFsFile *ef, gboolean updated)
{
	if (ef->body != NULL)
		ef->body->updated = updated;
}

guint
remsim_simcard_fs_arr_record(RemsimSimcardAccess read, RemsimSimcardAccess update)
{
	for (guint i = 0; i < G_N_ELEMENTS(arr_rules); i++)
		if (arr_rules[i].read == read && arr_rules[i].update == update)
			return i + 1;
	return 0;
}

/* One access rule in compact form (TS 102 221 9.5.1, ISO 7816-4 AM_DO/SC_DO). */
static void
remsim_simcard_fs_append_sc(GByteArray *rec, guint8 am, RemsimSimcardAccess access)
{
	static const guint8 key_ref[] = { 0x00, 0x01, 0x81, 0x0A, 0x00 };
	guint8 am_do[] = { 0x80, 0x01, am };

	g_byte_array_append(rec, am_do, sizeof(am_do));
	if (access == REMSIM_SIMCARD_ACCESS_ALWAYS) {
		g_byte_array_append(rec, (const guint8 *)"\x90\x00", 2);
	} else if (access == REMSIM_SIMCARD_ACCESS_NEVER) {
		g_byte_array_append(rec, (const guint8 *)"\x97\x00", 2);
	} else {
		guint8 user_auth[] = { 0xA4, 0x06, 0x83, 0x01, key_ref[access], 0x95, 0x01, 0x08 };

		g_byte_array_append(rec, user_auth, sizeof(user_auth));
	}
}

GBytes *
remsim_simcard_fs_build_arr(guint16 record_len)
{
	g_autoptr(GByteArray) out = g_byte_array_new();

	for (guint i = 0; i < G_N_ELEMENTS(arr_rules); i++) {
		g_autoptr(GByteArray) rec = g_byte_array_new();

		/* AM bit b1 is READ, b2 UPDATE; DEACTIVATE (b4) and ACTIVATE (b5) are ADM's */
		remsim_simcard_fs_append_sc(rec, 0x01, arr_rules[i].read);
		remsim_simcard_fs_append_sc(rec, 0x02, arr_rules[i].update);
		remsim_simcard_fs_append_sc(rec, 0x18, REMSIM_SIMCARD_ACCESS_ADM);
		g_assert(rec->len <= record_len);
		while (rec->len < record_len)
			g_byte_array_append(rec, (const guint8 *)"\xFF", 1);
		g_byte_array_append(out, rec->data, rec->len);
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static void
remsim_simcard_fs_fcp_tlv(GByteArray *fcp, guint8 tag, const guint8 *value, gsize len)
{
	guint8 hdr[2] = { tag, (guint8)len };

	g_byte_array_append(fcp, hdr, 2);
	if (len > 0)
		g_byte_array_append(fcp, value, len);
}

static void
remsim_simcard_fs_fcp_u16(GByteArray *fcp, guint8 tag, gsize v)
{
	guint8 b[2] = { (guint8)(v >> 8), (guint8)v };

	remsim_simcard_fs_fcp_tlv(fcp, tag, b, 2);
}

static guint16
remsim_simcard_fs_file_arr_fid(RemsimSimcardFsFile *file)
{
	for (RemsimSimcardFsFile *p = file; p != NULL; p = p->parent)
		if (p->type == REMSIM_SIMCARD_FILE_ADF)
			return REMSIM_SIMCARD_FID_ARR_ADF;
	return REMSIM_SIMCARD_FID_ARR_MF;
}

static void
remsim_simcard_fs_fcp_security(GByteArray *fcp, RemsimSimcardFsFile *file)
{
	guint16 arr = remsim_simcard_fs_file_arr_fid(file);
	guint rec = remsim_simcard_fs_file_is_df(file)
			? remsim_simcard_fs_arr_record(REMSIM_SIMCARD_ACCESS_ALWAYS,
						       REMSIM_SIMCARD_ACCESS_ADM)
			: remsim_simcard_fs_arr_record(file->read_access, file->update_access);
	guint8 ref[3] = { (guint8)(arr >> 8), (guint8)arr, (guint8)rec };

	remsim_simcard_fs_fcp_tlv(fcp, 0x8A, (const guint8 *)"\x05", 1);
	remsim_simcard_fs_fcp_tlv(fcp, 0x8B, ref, sizeof(ref));
}

static gsize
remsim_simcard_fs_file_total_size(RemsimSimcardFsFile *df)
{
	gsize total = 0;

	for (guint i = 0; i < df->children->len; i++) {
		RemsimSimcardFsFile *child = g_ptr_array_index(df->children, i);

		total += remsim_simcard_fs_file_is_df(child)
			     ? remsim_simcard_fs_file_total_size(child)
			     : remsim_simcard_fs_file_get_size(child);
	}
	return total;
}

static void
remsim_simcard_fs_fcp_descriptor(GByteArray *fcp, RemsimSimcardFsFile *file)
{
	guint8 fid[2] = { (guint8)(file->fid >> 8), (guint8)file->fid };

	if (remsim_simcard_fs_file_is_df(file)) {
		remsim_simcard_fs_fcp_tlv(fcp, 0x82, (const guint8 *)"\x78\x21", 2);
	} else if (file->type == REMSIM_SIMCARD_FILE_TRANSPARENT) {
		remsim_simcard_fs_fcp_tlv(fcp, 0x82, (const guint8 *)"\x41\x21", 2);
	} else {
		guint8 d[5] = { file->type == REMSIM_SIMCARD_FILE_CYCLIC ? 0x46 : 0x42, 0x21,
				(guint8)(file->record_len >> 8), (guint8)file->record_len,
				(guint8)remsim_simcard_fs_file_get_n_records(file) };

		remsim_simcard_fs_fcp_tlv(fcp, 0x82, d, sizeof(d));
	}
	remsim_simcard_fs_fcp_tlv(fcp, 0x83, fid, 2);
}

GByteArray *
remsim_simcard_fs_file_build_fcp(RemsimSimcardFsFile *file, GBytes *pin_status_template)
{
	g_autoptr(GByteArray) fcp = g_byte_array_new();
	GByteArray *out;

	remsim_simcard_fs_fcp_descriptor(fcp, file);
	if (file->aid != NULL)
		remsim_simcard_fs_fcp_tlv(fcp, 0x84, g_bytes_get_data(file->aid, NULL),
					  g_bytes_get_size(file->aid));
	/* UICC characteristics: clock stop allowed, supply voltage classes A, B and C */
	if (file->type == REMSIM_SIMCARD_FILE_MF)
		remsim_simcard_fs_fcp_tlv(fcp, 0xA5, (const guint8 *)"\x80\x01\x71", 3);
	remsim_simcard_fs_fcp_security(fcp, file);
	if (remsim_simcard_fs_file_is_df(file)) {
		if (pin_status_template != NULL)
			remsim_simcard_fs_fcp_tlv(fcp, 0xC6,
						  g_bytes_get_data(pin_status_template, NULL),
						  g_bytes_get_size(pin_status_template));
		remsim_simcard_fs_fcp_u16(fcp, 0x81, remsim_simcard_fs_file_total_size(file));
	} else {
		guint8 sfi = (guint8)(file->sfi << 3);

		remsim_simcard_fs_fcp_u16(fcp, 0x80, remsim_simcard_fs_file_get_size(file));
		remsim_simcard_fs_fcp_tlv(fcp, 0x88, &sfi, file->sfi != 0 ? 1 : 0);
	}
	out = g_byte_array_sized_new(fcp->len + 2);
	g_byte_array_append(out, (const guint8[]){ 0x62, (guint8)fcp->len }, 2);
	g_byte_array_append(out, fcp->data, fcp->len);
	return out;
}

static guint8
remsim_simcard_fs_gsm_access(RemsimSimcardAccess access)
{
	static const guint8 nibble[] = { 0x0, 0x1, 0x2, 0x4, 0xF };

	return nibble[access];
}

static GByteArray *
remsim_simcard_fs_gsm_ef_response(RemsimSimcardFsFile *ef)
{
	gsize size = remsim_simcard_fs_file_get_size(ef);
	guint8 r[15] = { 0 };

	r[2] = (guint8)(size >> 8);
	r[3] = (guint8)size;
	r[4] = (guint8)(ef->fid >> 8);
	r[5] = (guint8)ef->fid;
	r[6] = 0x04;
	r[8] = (guint8)(remsim_simcard_fs_gsm_access(ef->read_access) << 4 |
			remsim_simcard_fs_gsm_access(ef->update_access));
	r[9] = 0xFF;  /* INCREASE never; RFU */
	r[10] = 0x44; /* REHABILITATE and INVALIDATE: ADM */
	r[11] = 0x01; /* not invalidated */
	r[12] = 0x02;
	r[13] = ef->type == REMSIM_SIMCARD_FILE_TRANSPARENT    ? 0x00
		: ef->type == REMSIM_SIMCARD_FILE_LINEAR_FIXED ? 0x01
							       : 0x03;
	r[14] = (guint8)ef->record_len;
	return g_byte_array_append(g_byte_array_new(), r, sizeof(r));
}

GByteArray *
remsim_simcard_fs_file_build_gsm_response(RemsimSimcardFsFile *file, const guint8 chv_status[4],
					  gboolean chv1_disabled)
{
	guint8 r[22] = { 0 };

	if (!remsim_simcard_fs_file_is_df(file))
		return remsim_simcard_fs_gsm_ef_response(file);
	r[4] = (guint8)(file->fid >> 8);
	r[5] = (guint8)file->fid;
	r[6] = file->type == REMSIM_SIMCARD_FILE_MF ? 0x01 : 0x02;
	r[12] = 9; /* GSM specific data: bytes 14 to 22 */
	/* clock stop allowed, 3 V and 1.8 V technology; b8 says CHV1 is disabled */
	r[13] = (guint8)(0x31 | (chv1_disabled ? 0x80 : 0x00));
	r[14] = (guint8)remsim_simcard_fs_file_count_children(file, TRUE);
	r[15] = (guint8)remsim_simcard_fs_file_count_children(file, FALSE);
	r[16] = 0x04; /* CHV1, CHV2, their unblock codes */
	memcpy(r + 18, chv_status, 4);
	return g_byte_array_append(g_byte_array_new(), r, sizeof(r));
}
