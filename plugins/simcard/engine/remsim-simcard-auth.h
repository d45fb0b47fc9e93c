/* The USIM side of UMTS AKA (TS 33.102 6.3.3) with Milenage, including the sequence number
 * freshness check of Annex C.3 (SEQ/IND array) and the AUTS of resynchronisation. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_SIMCARD_AUTH_IND_BITS 5
#define REMSIM_SIMCARD_AUTH_IND_COUNT (1u << REMSIM_SIMCARD_AUTH_IND_BITS)
/* Annex C.2.1: the largest step forward of SEQ that is still believed */
#define REMSIM_SIMCARD_AUTH_DELTA (G_GUINT64_CONSTANT(1) << 28)
#define REMSIM_SIMCARD_AUTH_AUTS_SIZE 14

typedef struct {
	guint8 k[16];
	guint8 opc[16];
	guint64 seq_ms[REMSIM_SIMCARD_AUTH_IND_COUNT];
	guint64 sqn_ms; /* highest accepted SQN, 48 bits */
} RemsimSimcardAuth;

typedef enum {
	REMSIM_SIMCARD_AUTH_OK,
	REMSIM_SIMCARD_AUTH_SYNC_FAILURE,
	REMSIM_SIMCARD_AUTH_MAC_FAILURE,
} RemsimSimcardAuthResult;

typedef struct {
	guint8 res[8];
	guint8 ck[16];
	guint8 ik[16];
	guint8 kc[8];
	guint8 auts[REMSIM_SIMCARD_AUTH_AUTS_SIZE];
} RemsimSimcardAuthVector;

RemsimSimcardAuthResult remsim_simcard_auth_umts(RemsimSimcardAuth *auth, const guint8 rand[16],
						 const guint8 autn[16],
						 RemsimSimcardAuthVector *out);
void remsim_simcard_auth_gsm(const RemsimSimcardAuth *auth, const guint8 rand[16], guint8 sres[4],
			     guint8 kc[8]);

guint64 remsim_simcard_auth_sqn_from_bytes(const guint8 sqn[6]);
void remsim_simcard_auth_sqn_to_bytes(guint64 sqn, guint8 out[6]);

G_END_DECLS
