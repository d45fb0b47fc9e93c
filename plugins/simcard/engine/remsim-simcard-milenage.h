/* Milenage (3GPP TS 35.206) and the GSM conversion functions c2/c3 (TS 33.102 6.8.1.2). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_SIMCARD_MILENAGE_K_SIZE 16
#define REMSIM_SIMCARD_MILENAGE_RAND_SIZE 16
#define REMSIM_SIMCARD_MILENAGE_SQN_SIZE 6
#define REMSIM_SIMCARD_MILENAGE_AMF_SIZE 2
#define REMSIM_SIMCARD_MILENAGE_MAC_SIZE 8
#define REMSIM_SIMCARD_MILENAGE_RES_SIZE 8
#define REMSIM_SIMCARD_MILENAGE_CK_SIZE 16
#define REMSIM_SIMCARD_MILENAGE_IK_SIZE 16
#define REMSIM_SIMCARD_MILENAGE_AK_SIZE 6
#define REMSIM_GSM_SRES_SIZE 4
#define REMSIM_GSM_KC_SIZE 8

void remsim_simcard_milenage_opc(const guint8 k[16], const guint8 op[16], guint8 opc[16]);

/* f1 and f1*: MAC-A (network authentication) and MAC-S (resynchronisation). */
void remsim_simcard_milenage_f1(const guint8 k[16], const guint8 opc[16], const guint8 rand[16],
				const guint8 sqn[6], const guint8 amf[2], guint8 mac_a[8],
				guint8 mac_s[8]);

/* f2..f5 and f5*: RES, CK, IK, AK, AK*; any output may be NULL. */
void remsim_simcard_milenage_f2345(const guint8 k[16], const guint8 opc[16], const guint8 rand[16],
				   guint8 res[8], guint8 ck[16], guint8 ik[16], guint8 ak[6],
				   guint8 ak_star[6]);

/* c2: SRES from an 8-byte RES; c3: Kc from CK and IK. */
void remsim_simcard_milenage_gsm_c2(const guint8 res[8], guint8 sres[4]);
void remsim_simcard_milenage_gsm_c3(const guint8 ck[16], const guint8 ik[16], guint8 kc[8]);

G_END_DECLS
