/* Internal: the state one simulated card works on, and the command handlers the dispatcher in
 * remsim-simcard-card.c calls. Not installed, not part of the engine's API. */
#pragma once

#include "remsim-simcard-auth.h"
#include "remsim-simcard-fs.h"
#include "remsim-simcard-pin.h"

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
} RemsimSimcardApdu;

typedef struct {
	RemsimSimcardFs *fs;
	RemsimSimcardPin pin1;
	RemsimSimcardPin pin2;
	RemsimSimcardPin adm;
	RemsimSimcardAuth auth;
	/* volatile: lost on reset */
	RemsimSimcardFsFile *cur_df;
	RemsimSimcardFsFile *cur_ef;
	guint record;	      /* record pointer, 0 while undefined */
	gboolean usim_active; /* the USIM was selected since the last reset */
	GByteArray *out;      /* response data of the command being processed */
} RemsimSimcardSession;

/* Status words that differ between the classes. */
typedef enum {
	REMSIM_SIMCARD_ERR_NO_EF,     /* UICC 69 86, GSM 94 00 */
	REMSIM_SIMCARD_ERR_NOT_FOUND, /* UICC 6A 82, GSM 94 04 */
	REMSIM_SIMCARD_ERR_STRUCTURE, /* UICC 69 81, GSM 94 08 */
	REMSIM_SIMCARD_ERR_SECURITY,  /* UICC 69 82, GSM 98 04 */
	REMSIM_SIMCARD_ERR_RECORD,    /* UICC 6A 83, GSM 94 02 */
	REMSIM_SIMCARD_ERR_P1P2,      /* UICC 6A 86, GSM 6B 00 */
	REMSIM_SIMCARD_ERR_OFFSET,    /* UICC 6B 00, GSM 6B 00 */
} RemsimSimcardErr;

guint16 remsim_simcard_session_sw(const RemsimSimcardApdu *apdu, RemsimSimcardErr err);
gboolean remsim_simcard_session_access_ok(RemsimSimcardSession *s, RemsimSimcardAccess access);
/* Outgoing data of an case 2 command: the data and 90 00 when Le fits, else 6C/67 xx. */
guint16 remsim_simcard_session_reply(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu,
				     const guint8 *data, gsize len, gboolean le_may_be_shorter);
GBytes *remsim_simcard_session_pin_status_template(RemsimSimcardSession *s,
						   RemsimSimcardFsFile *df);

/* remsim-simcard-cmd-file.c */
guint16 remsim_simcard_cmd_file_select(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_file_status(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_file_read_binary(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_file_update_binary(RemsimSimcardSession *s,
					      const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_file_read_record(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_file_update_record(RemsimSimcardSession *s,
					      const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_file_seek(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu);

/* remsim-simcard-cmd-security.c */
guint16 remsim_simcard_cmd_security_pin(RemsimSimcardSession *s, const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_security_authenticate(RemsimSimcardSession *s,
						 const RemsimSimcardApdu *apdu);
guint16 remsim_simcard_cmd_security_run_gsm_algorithm(RemsimSimcardSession *s,
						      const RemsimSimcardApdu *apdu);

G_END_DECLS
