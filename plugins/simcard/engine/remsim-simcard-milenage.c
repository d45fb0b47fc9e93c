/* Milenage with the standard rotation and constant set (r1..r5 = 64, 0, 32, 64, 96 bits;
 * c1..c5 = 0, 1, 2, 4, 8 in the last byte). */
#include "remsim-simcard-milenage.h"

#include "remsim-simcard-aes.h"

#include <string.h>

static void
remsim_simcard_milenage_xor(guint8 *out, const guint8 *a, const guint8 *b, gsize len)
{
	for (gsize i = 0; i < len; i++)
		out[i] = a[i] ^ b[i];
}

void
remsim_simcard_milenage_opc(const guint8 k[16], const guint8 op[16], guint8 opc[16])
{
	RemsimSimcardAes aes;
	guint8 enc[16];

	remsim_simcard_aes_init(&aes, k);
	remsim_simcard_aes_encrypt(&aes, op, enc);
	remsim_simcard_milenage_xor(opc, enc, op, 16);
	remsim_simcard_aes_clear(&aes);
}

/* TEMP = E_K(RAND xor OPc), shared by every function */
static void
remsim_simcard_milenage_temp(const RemsimSimcardAes *aes, const guint8 opc[16],
			     const guint8 rand[16], guint8 temp[16])
{
	guint8 in[16];

	remsim_simcard_milenage_xor(in, rand, opc, 16);
	remsim_simcard_aes_encrypt(aes, in, temp);
}

/* OUT = E_K(rot(x xor OPc, r) xor c) xor OPc, with r in whole bytes and c in the last byte */
static void
remsim_simcard_milenage_out(const RemsimSimcardAes *aes, const guint8 opc[16], const guint8 x[16],
			    guint rot_bytes, guint8 c, guint8 out[16])
{
	guint8 in[16];
	guint8 enc[16];

	for (guint i = 0; i < 16; i++)
		in[i] = x[(i + rot_bytes) % 16] ^ opc[(i + rot_bytes) % 16];
	in[15] ^= c;
	remsim_simcard_aes_encrypt(aes, in, enc);
	remsim_simcard_milenage_xor(out, enc, opc, 16);
}

void
remsim_simcard_milenage_f1(const guint8 k[16], const guint8 opc[16], const guint8 rand[16],
			   const guint8 sqn[6], const guint8 amf[2], guint8 mac_a[8],
			   guint8 mac_s[8])
{
	RemsimSimcardAes aes;
	guint8 temp[16], in1[16], x[16], out[16];

	remsim_simcard_aes_init(&aes, k);
	remsim_simcard_milenage_temp(&aes, opc, rand, temp);
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, in1, 8);
	/* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc; fold TEMP in after rotating */
	for (guint i = 0; i < 16; i++)
		x[i] = in1[(i + 8) % 16] ^ opc[(i + 8) % 16] ^ temp[i];
	remsim_simcard_aes_encrypt(&aes, x, out);
	remsim_simcard_milenage_xor(out, out, opc, 16);
	if (mac_a != NULL)
		memcpy(mac_a, out, 8);
	if (mac_s != NULL)
		memcpy(mac_s, out + 8, 8);
	remsim_simcard_aes_clear(&aes);
}

void
remsim_simcard_milenage_f2345(const guint8 k[16], const guint8 opc[16], const guint8 rand[16],
			      guint8 res[8], guint8 ck[16], guint8 ik[16], guint8 ak[6],
			      guint8 ak_star[6])
{
	RemsimSimcardAes aes;
	guint8 temp[16], out[16];

	remsim_simcard_aes_init(&aes, k);
	remsim_simcard_milenage_temp(&aes, opc, rand, temp);
	/* rot(TEMP xor OPc) is what remsim_simcard_milenage_out computes, so hand it TEMP */
	remsim_simcard_milenage_out(&aes, opc, temp, 0, 0x01, out);
	if (ak != NULL)
		memcpy(ak, out, 6);
	if (res != NULL)
		memcpy(res, out + 8, 8);
	if (ck != NULL) {
		remsim_simcard_milenage_out(&aes, opc, temp, 4, 0x02, out);
		memcpy(ck, out, 16);
	}
	if (ik != NULL) {
		remsim_simcard_milenage_out(&aes, opc, temp, 8, 0x04, out);
		memcpy(ik, out, 16);
	}
	if (ak_star != NULL) {
		remsim_simcard_milenage_out(&aes, opc, temp, 12, 0x08, out);
		memcpy(ak_star, out, 6);
	}
	remsim_simcard_aes_clear(&aes);
}

void
remsim_simcard_milenage_gsm_c2(const guint8 res[8], guint8 sres[4])
{
	remsim_simcard_milenage_xor(sres, res, res + 4, 4);
}

void
remsim_simcard_milenage_gsm_c3(const guint8 ck[16], const guint8 ik[16], guint8 kc[8])
{
	for (guint i = 0; i < 8; i++)
		kc[i] = ck[i] ^ ck[i + 8] ^ ik[i] ^ ik[i + 8];
}
