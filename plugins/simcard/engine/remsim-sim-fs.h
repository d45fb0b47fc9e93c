/* The file system tree of the simulated UICC (ETSI TS 102 221 clause 8, GSM 11.11 clause 6):
 * MF, DFs, the USIM ADF and EFs with their structure, contents and access conditions, plus the
 * two select responses built from it (FCP template for UICC, GSM 11.11 response for class A0). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_SIM_FILE_MF,
	REMSIM_SIM_FILE_DF,
	REMSIM_SIM_FILE_ADF,
	REMSIM_SIM_FILE_TRANSPARENT,
	REMSIM_SIM_FILE_LINEAR_FIXED,
	REMSIM_SIM_FILE_CYCLIC,
} RemsimSimFileType;

/* Who may do an operation: the PIN that must be verified (or disabled), ADM, nobody. */
typedef enum {
	REMSIM_SIM_ACCESS_ALWAYS,
	REMSIM_SIM_ACCESS_PIN1,
	REMSIM_SIM_ACCESS_PIN2,
	REMSIM_SIM_ACCESS_ADM,
	REMSIM_SIM_ACCESS_NEVER,
} RemsimSimAccess;

/* The FID of the ADF's own alias, and of EF.ARR in the MF and in the ADF. */
#define REMSIM_SIM_FID_MF 0x3F00
#define REMSIM_SIM_FID_CURRENT_ADF 0x7FFF
#define REMSIM_SIM_FID_ARR_MF 0x2F06
#define REMSIM_SIM_FID_ARR_ADF 0x6F06

typedef struct _RemsimSimFile RemsimSimFile;
typedef struct _RemsimSimFs RemsimSimFs;

RemsimSimFs *remsim_sim_fs_new(void);
void remsim_sim_fs_free(RemsimSimFs *fs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimSimFs, remsim_sim_fs_free)

RemsimSimFile *remsim_sim_fs_get_mf(RemsimSimFs *fs);
RemsimSimFile *remsim_sim_fs_get_adf(RemsimSimFs *fs);

RemsimSimFile *remsim_sim_fs_add_df(RemsimSimFs *fs, RemsimSimFile *parent, guint16 fid,
				    GBytes *aid);
RemsimSimFile *remsim_sim_fs_add_ef(RemsimSimFile *parent, guint16 fid, guint8 sfi,
				    RemsimSimFileType type, guint16 record_len,
				    RemsimSimAccess read, RemsimSimAccess update,
				    const guint8 *data, gsize len);
/* An EF that shares its contents with another (DF.GSM's EF.IMSI is the USIM's EF.IMSI). */
RemsimSimFile *remsim_sim_fs_add_link(RemsimSimFile *parent, guint16 fid, guint8 sfi,
				      RemsimSimFile *target);

/* "3F00/7FFF/6F07" style paths, FIDs in hex; NULL when there is no such file. */
RemsimSimFile *remsim_sim_fs_lookup_path(RemsimSimFs *fs, const gchar *path);
gchar *remsim_sim_file_get_path(RemsimSimFile *file);

typedef void (*RemsimSimFsForeachFunc)(RemsimSimFile *ef, const gchar *path, gpointer user_data);
/* Visits each EF that owns its contents (links are skipped), in tree order. */
void remsim_sim_fs_foreach_ef(RemsimSimFs *fs, RemsimSimFsForeachFunc func, gpointer user_data);

RemsimSimFileType remsim_sim_file_get_file_type(RemsimSimFile *file);
gboolean remsim_sim_file_is_df(RemsimSimFile *file);
gboolean remsim_sim_file_is_record(RemsimSimFile *file);
guint16 remsim_sim_file_get_fid(RemsimSimFile *file);
RemsimSimFile *remsim_sim_file_get_parent(RemsimSimFile *file);
GBytes *remsim_sim_file_get_aid(RemsimSimFile *file);
RemsimSimAccess remsim_sim_file_get_read_access(RemsimSimFile *file);
RemsimSimAccess remsim_sim_file_get_update_access(RemsimSimFile *file);

RemsimSimFile *remsim_sim_file_find_child(RemsimSimFile *df, guint16 fid);
RemsimSimFile *remsim_sim_file_find_sfi(RemsimSimFile *df, guint8 sfi);
guint remsim_sim_file_count_children(RemsimSimFile *df, gboolean dfs);

/* EF contents; records are numbered from 1, record 1 of a cyclic EF is the newest. */
gsize remsim_sim_file_get_size(RemsimSimFile *ef);
const guint8 *remsim_sim_file_get_data(RemsimSimFile *ef);
guint16 remsim_sim_file_get_record_len(RemsimSimFile *ef);
guint remsim_sim_file_get_n_records(RemsimSimFile *ef);
const guint8 *remsim_sim_file_get_record(RemsimSimFile *ef, guint record);
void remsim_sim_file_write(RemsimSimFile *ef, gsize offset, const guint8 *data, gsize len);
void remsim_sim_file_write_record(RemsimSimFile *ef, guint record, const guint8 *data);
/* Cyclic EFs: overwrite the oldest record, which becomes record 1. */
void remsim_sim_file_push_cyclic(RemsimSimFile *ef, const guint8 *data);
/* Replace the whole body (profile overrides and saved state); records must stay whole. */
gboolean remsim_sim_file_set_contents(RemsimSimFile *ef, const guint8 *data, gsize len);
gboolean remsim_sim_file_is_updated(RemsimSimFile *ef);
void remsim_sim_file_set_updated(RemsimSimFile *ef, gboolean updated);

/* Record number in EF.ARR holding the rule for this read/update pair (0 if there is none),
 * and EF.ARR's contents built from the same table. */
guint remsim_sim_fs_arr_record(RemsimSimAccess read, RemsimSimAccess update);
GBytes *remsim_sim_fs_build_arr(guint16 record_len);

/* TS 102 221 11.1.1.3: the FCP template ('62'); pin_status_template ('C6' contents) for DFs. */
GByteArray *remsim_sim_file_build_fcp(RemsimSimFile *file, GBytes *pin_status_template);

/* GSM 11.11 9.2.1: the SELECT response for class A0. chv_status holds the four status bytes
 * (CHV1, UNBLOCK CHV1, CHV2, UNBLOCK CHV2) for DFs. */
GByteArray *remsim_sim_file_build_gsm_response(RemsimSimFile *file, const guint8 chv_status[4],
					       gboolean chv1_disabled);

G_END_DECLS
