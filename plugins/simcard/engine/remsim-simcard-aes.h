/* AES-128 block encryption, the one primitive Milenage needs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_SIMCARD_AES_BLOCK_SIZE 16
#define REMSIM_SIMCARD_AES128_KEY_SIZE 16

typedef struct {
	guint8 round_keys[11][16];
} RemsimSimcardAes;

void remsim_simcard_aes_init(RemsimSimcardAes *ctx,
			     const guint8 key[REMSIM_SIMCARD_AES128_KEY_SIZE]);
void remsim_simcard_aes_encrypt(const RemsimSimcardAes *ctx,
				const guint8 in[REMSIM_SIMCARD_AES_BLOCK_SIZE],
				guint8 out[REMSIM_SIMCARD_AES_BLOCK_SIZE]);
void remsim_simcard_aes_clear(RemsimSimcardAes *ctx);

G_END_DECLS
