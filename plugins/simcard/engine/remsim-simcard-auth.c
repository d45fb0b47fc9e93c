/* UMTS AKA on the card: recover SQN, check MAC-A, check freshness, derive the keys. */
#include "remsim-simcard-auth.h"

#include "remsim-simcard-milenage.h"

#include <string.h>

guint64
remsim_simcard_auth_sqn_from_bytes(const guint8 sqn[6])
{
	guint64 v = 0;

	for (guint i = 0; i < 6; i++)
		v = v << 8 | sqn[i];
	return v;
}

void
remsim_simcard_auth_sqn_to_bytes(guint64 sqn, guint8 out[6])
{
	for (guint i = 0; i < 6; i++)
		out[5 - i] = (guint8)(sqn >> (8 * i));
}

static gboolean
remsim_simcard_auth_mac_equal(const guint8 *a, const guint8 *b)
{
	guint8 diff = 0;

	for (guint i = 0; i < REMSIM_SIMCARD_MILENAGE_MAC_SIZE; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

/* Annex C.3.2 with the wrap-around protection of C.2.1 */
static gboolean
remsim_simcard_auth_sqn_is_fresh(const RemsimSimcardAuth *auth, guint64 sqn)
{
	guint64 seq = sqn >> REMSIM_SIMCARD_AUTH_IND_BITS;
	guint ind = (guint)(sqn & (REMSIM_SIMCARD_AUTH_IND_COUNT - 1));
	guint64 seq_highest = auth->sqn_ms >> REMSIM_SIMCARD_AUTH_IND_BITS;

	if (seq <= auth->seq_ms[ind])
		return FALSE;
	return seq <= seq_highest || seq - seq_highest <= REMSIM_SIMCARD_AUTH_DELTA;
}

static void
remsim_simcard_auth_accept(RemsimSimcardAuth *auth, guint64 sqn)
{
	auth->seq_ms[sqn & (REMSIM_SIMCARD_AUTH_IND_COUNT - 1)] =
	    sqn >> REMSIM_SIMCARD_AUTH_IND_BITS;
	if (sqn > auth->sqn_ms)
		auth->sqn_ms = sqn;
}

/* AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S computed with the dummy AMF 0000 (6.3.3) */
static void
remsim_simcard_auth_build_auts(const RemsimSimcardAuth *auth, const guint8 rand[16],
			       guint8 auts[14])
{
	static const guint8 amf_dummy[2] = { 0, 0 };
	guint8 sqn_ms[6], ak_star[6];

	remsim_simcard_auth_sqn_to_bytes(auth->sqn_ms, sqn_ms);
	remsim_simcard_milenage_f2345(auth->k, auth->opc, rand, NULL, NULL, NULL, NULL, ak_star);
	remsim_simcard_milenage_f1(auth->k, auth->opc, rand, sqn_ms, amf_dummy, NULL, auts + 6);
	for (guint i = 0; i < 6; i++)
		auts[i] = sqn_ms[i] ^ ak_star[i];
}

RemsimSimcardAuthResult
remsim_simcard_auth_umts(RemsimSimcardAuth *auth, const guint8 rand[16], const guint8 autn[16],
			 RemsimSimcardAuthVector *out)
{
	guint8 ak[6], sqn[6], xmac[8];
	guint64 sqn_value;

	memset(out, 0, sizeof(*out));
	remsim_simcard_milenage_f2345(auth->k, auth->opc, rand, out->res, out->ck, out->ik, ak,
				      NULL);
	for (guint i = 0; i < 6; i++)
		sqn[i] = autn[i] ^ ak[i];
	remsim_simcard_milenage_f1(auth->k, auth->opc, rand, sqn, autn + 6, xmac, NULL);
	if (!remsim_simcard_auth_mac_equal(xmac, autn + 8)) {
		memset(out, 0, sizeof(*out));
		return REMSIM_SIMCARD_AUTH_MAC_FAILURE;
	}
	sqn_value = remsim_simcard_auth_sqn_from_bytes(sqn);
	if (!remsim_simcard_auth_sqn_is_fresh(auth, sqn_value)) {
		memset(out, 0, sizeof(*out));
		remsim_simcard_auth_build_auts(auth, rand, out->auts);
		return REMSIM_SIMCARD_AUTH_SYNC_FAILURE;
	}
	remsim_simcard_auth_accept(auth, sqn_value);
	remsim_simcard_milenage_gsm_c3(out->ck, out->ik, out->kc);
	return REMSIM_SIMCARD_AUTH_OK;
}

/* GSM security context on a USIM (TS 33.102 6.8.1.2): SRES and Kc via c2/c3 */
void
remsim_simcard_auth_gsm(const RemsimSimcardAuth *auth, const guint8 rand[16], guint8 sres[4],
			guint8 kc[8])
{
	guint8 res[8], ck[16], ik[16];

	remsim_simcard_milenage_f2345(auth->k, auth->opc, rand, res, ck, ik, NULL, NULL);
	remsim_simcard_milenage_gsm_c2(res, sres);
	remsim_simcard_milenage_gsm_c3(ck, ik, kc);
}
