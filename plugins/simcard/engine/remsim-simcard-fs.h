/* The file system tree of the simulated UICC (ETSI TS 102 221 clause 8, GSM 11.11 clause 6):
 * MF, DFs, the USIM ADF and EFs with their structure, contents and access conditions, plus the
 * two select responses built from it (FCP template for UICC, GSM 11.11 response for class A0). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_SIMCARD_FILE_MF,
	REMSIM_SIMCARD_FILE_DF,
	REMSIM_SIMCARD_FILE_ADF,
	REMSIM_SIMCARD_FILE_TRANSPARENT,
	REMSIM_SIMCARD_FILE_LINEAR_FIXED,
	REMSIM_SIMCARD_FILE_CYCLIC,
} RemsimSimcardFileType;

/* Who may do an operation: the PIN that must be verified (or disabled), ADM, nobody. */
typedef enum {
	REMSIM_SIMCARD_ACCESS_ALWAYS,
	REMSIM_SIMCARD_ACCESS_PIN1,
	REMSIM_SIMCARD_ACCESS_PIN2,
	REMSIM_SIMCARD_ACCESS_ADM,
	REMSIM_SIMCARD_ACCESS_NEVER,
} RemsimSimcardAccess;

/* The FID of the ADF's own alias, and of EF.ARR in the MF and in the ADF. */
#define REMSIM_SIMCARD_FID_MF 0x3F00
#define REMSIM_SIMCARD_FID_CURRENT_ADF 0x7FFF
#define REMSIM_SIMCARD_FID_ARR_MF 0x2F06
#define REMSIM_SIMCARD_FID_ARR_ADF 0x6F06

typedef struct _RemsimSimcardFsFile RemsimSimcardFsFile;
typedef struct _RemsimSimcardFs RemsimSimcardFs;

RemsimSimcardFs *remsim_simcard_fs_new(void);
void remsim_simcard_fs_free(RemsimSimcardFs *fs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimSimcardFs, remsim_simcard_fs_free)

RemsimSimcardFsFile *remsim_simcard_fs_get_mf(RemsimSimcardFs *fs);
RemsimSimcardFsFile *remsim_simcard_fs_get_adf(RemsimSimcardFs *fs);

RemsimSimcardFsFile *remsim_simcard_fs_add_df(RemsimSimcardFs *fs, RemsimSimcardFsFile *parent,
					      guint16 fid, GBytes *aid);
RemsimSimcardFsFile *remsim_simcard_fs_add_ef(RemsimSimcardFsFile *parent, guint16 fid, guint8 sfi,
					      RemsimSimcardFileType type, guint16 record_len,
					      RemsimSimcardAccess read, RemsimSimcardAccess update,
					      const guint8 *data, gsize len);
/* An EF that shares its contents with another (DF.GSM's EF.IMSI is the USIM's EF.IMSI). */
RemsimSimcardFsFile *remsim_simcard_fs_add_link(RemsimSimcardFsFile *parent, guint16 fid,
						guint8 sfi, RemsimSimcardFsFile *target);

/* "3F00/7FFF/6F07" style paths, FIDs in hex; NULL when there is no such file. */
RemsimSimcardFsFile *remsim_simcard_fs_lookup_path(RemsimSimcardFs *fs, const gchar *path);
gchar *remsim_simcard_fs_file_get_path(RemsimSimcardFsFile *file);

typedef void (*RemsimSimcardFsForeachFunc)(RemsimSimcardFsFile *ef, const gchar *path,
					   gpointer user_data);
/* Visits each EF that owns its contents (links are skipped), in tree order. */
void remsim_simcard_fs_foreach_ef(RemsimSimcardFs *fs, RemsimSimcardFsForeachFunc func,
				  gpointer user_data);

RemsimSimcardFileType remsim_simcard_fs_file_get_file_type(RemsimSimcardFsFile *file);
gboolean remsim_simcard_fs_file_is_df(RemsimSimcardFsFile *file);
gboolean remsim_simcard_fs_file_is_record(RemsimSimcardFsFile *file);
guint16 remsim_simcard_fs_file_get_fid(RemsimSimcardFsFile *file);
RemsimSimcardFsFile *remsim_simcard_fs_file_get_parent(RemsimSimcardFsFile *file);
GBytes *remsim_simcard_fs_file_get_aid(RemsimSimcardFsFile *file);
RemsimSimcardAccess remsim_simcard_fs_file_get_read_access(RemsimSimcardFsFile *file);
RemsimSimcardAccess remsim_simcard_fs_file_get_update_access(RemsimSimcardFsFile *file);

RemsimSimcardFsFile *remsim_simcard_fs_file_find_child(RemsimSimcardFsFile *df, guint16 fid);
RemsimSimcardFsFile *remsim_simcard_fs_file_find_sfi(RemsimSimcardFsFile *df, guint8 sfi);
guint remsim_simcard_fs_file_count_children(RemsimSimcardFsFile *df, gboolean dfs);

/* EF contents; records are numbered from 1, record 1 of a cyclic EF is the newest. */
gsize remsim_simcard_fs_file_get_size(RemsimSimcardFsFile *ef);
const guint8 *remsim_simcard_fs_file_get_data(RemsimSimcardFsFile *ef);
guint16 remsim_simcard_fs_file_get_record_len(RemsimSimcardFsFile *ef);
guint remsim_simcard_fs_file_get_n_records(RemsimSimcardFsFile *ef);
const guint8 *remsim_simcard_fs_file_get_record(RemsimSimcardFsFile *ef, guint record);
void remsim_simcard_fs_file_write(RemsimSimcardFsFile *ef, gsize offset, const guint8 *data,
				  gsize len);
void remsim_simcard_fs_file_write_record(RemsimSimcardFsFile *ef, guint record, const guint8 *data);
/* Cyclic EFs: overwrite the oldest record, which becomes record 1. */
void remsim_simcard_fs_file_push_cyclic(RemsimSimcardFsFile *ef, const guint8 *data);
/* Replace the whole body (profile overrides and saved state); records must stay whole. */
gboolean remsim_simcard_fs_file_set_contents(RemsimSimcardFsFile *ef, const guint8 *data,
					     gsize len);
gboolean remsim_simcard_fs_file_is_updated(RemsimSimcardFsFile *ef);
void remsim_simcard_fs_file_set_updated(RemsimSimcardFsFile *ef, gboolean updated);

/* Record number in EF.ARR holding the rule for this read/update pair (0 if there is none),
 * and EF.ARR's contents built from the same table. */
guint remsim_simcard_fs_arr_record(RemsimSimcardAccess read, RemsimSimcardAccess update);
GBytes *remsim_simcard_fs_build_arr(guint16 record_len);

/* TS 102 221 11.1.1.3: the FCP template ('62'); pin_status_template ('C6' contents) for DFs. */
GByteArray *remsim_simcard_fs_file_build_fcp(RemsimSimcardFsFile *file,
					     GBytes *pin_status_template);

/* GSM 11.11 9.2.1: the SELECT response for class A0. chv_status holds the four status bytes
 * (CHV1, UNBLOCK CHV1, CHV2, UNBLOCK CHV2) for DFs. */
GByteArray *remsim_simcard_fs_file_build_gsm_response(RemsimSimcardFsFile *file,
						      const guint8 chv_status[4],
						      gboolean chv1_disabled);

G_END_DECLS
