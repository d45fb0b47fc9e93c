/* Internal: the state one simulated card works on, and the command handlers the dispatcher in
 * remsim-sim-card.c calls. Not installed, not part of the engine's API. */
#pragma once

#include "remsim-sim-auth.h"
#include "remsim-sim-fs.h"
#include "remsim-sim-pin.h"

G_BEGIN_DECLS

#define REMSIM_SW(sw1, sw2) ((guint16)((sw1) << 8 | (sw2)))
#define REMSIM_SW_OK REMSIM_SW(0x90, 0x00)

/* One decoded command TPDU. gsm: class A0 (GSM 11.11), else UICC (TS 102 221). */
typedef struct {
	guint8 cla;
	guint8 ins;
	guint8 p1;
	guint8 p2;
	guint8 p3;
	const guint8 *data;
	gsize lc;
	gboolean gsm;
} RemsimSimApdu;

typedef struct {
	RemsimSimFs *fs;
	RemsimSimPin pin1;
	RemsimSimPin pin2;
	RemsimSimPin adm;
	RemsimSimAuth auth;
	/* volatile: lost on reset */
	RemsimSimFile *cur_df;
	RemsimSimFile *cur_ef;
	guint record;	      /* record pointer, 0 while undefined */
	gboolean usim_active; /* the USIM was selected since the last reset */
	GByteArray *out;      /* response data of the command being processed */
} RemsimSimSession;

/* Status words that differ between the classes. */
typedef enum {
	REMSIM_SIM_ERR_NO_EF,	  /* UICC 69 86, GSM 94 00 */
	REMSIM_SIM_ERR_NOT_FOUND, /* UICC 6A 82, GSM 94 04 */
	REMSIM_SIM_ERR_STRUCTURE, /* UICC 69 81, GSM 94 08 */
	REMSIM_SIM_ERR_SECURITY,  /* UICC 69 82, GSM 98 04 */
	REMSIM_SIM_ERR_RECORD,	  /* UICC 6A 83, GSM 94 02 */
	REMSIM_SIM_ERR_P1P2,	  /* UICC 6A 86, GSM 6B 00 */
	REMSIM_SIM_ERR_OFFSET,	  /* UICC 6B 00, GSM 6B 00 */
} RemsimSimErr;

guint16 remsim_sim_session_sw(const RemsimSimApdu *apdu, RemsimSimErr err);
gboolean remsim_sim_session_access_ok(RemsimSimSession *s, RemsimSimAccess access);
/* Outgoing data of an case 2 command: the data and 90 00 when Le fits, else 6C/67 xx. */
guint16 remsim_sim_session_reply(RemsimSimSession *s, const RemsimSimApdu *apdu, const guint8 *data,
				 gsize len, gboolean le_may_be_shorter);
GBytes *remsim_sim_session_pin_status_template(RemsimSimSession *s, RemsimSimFile *df);

/* remsim-sim-cmd-file.c */
guint16 remsim_sim_cmd_select(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_status(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_read_binary(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_update_binary(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_read_record(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_update_record(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_seek(RemsimSimSession *s, const RemsimSimApdu *apdu);

/* remsim-sim-cmd-security.c */
guint16 remsim_sim_cmd_pin(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_authenticate(RemsimSimSession *s, const RemsimSimApdu *apdu);
guint16 remsim_sim_cmd_run_gsm_algorithm(RemsimSimSession *s, const RemsimSimApdu *apdu);

G_END_DECLS
