/* AES-128 block encryption, the one primitive Milenage needs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define REMSIM_AES_BLOCK_SIZE 16
#define REMSIM_AES128_KEY_SIZE 16

typedef struct {
	guint8 round_keys[11][16];
} RemsimAes128;

void remsim_aes128_init(RemsimAes128 *ctx, const guint8 key[REMSIM_AES128_KEY_SIZE]);
void remsim_aes128_encrypt(const RemsimAes128 *ctx, const guint8 in[REMSIM_AES_BLOCK_SIZE],
			   guint8 out[REMSIM_AES_BLOCK_SIZE]);
void remsim_aes128_clear(RemsimAes128 *ctx);

G_END_DECLS
