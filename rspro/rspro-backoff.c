/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "rspro-backoff.h"

void
rspro_backoff_init(RsproBackoff *self, gdouble scale)
{
	self->scale = scale;
	rspro_backoff_reset(self);
}

void
rspro_backoff_reset(RsproBackoff *self)
{
	self->index = 0;
	self->last_attempt_us = 0;
}

void
rspro_backoff_attempt(RsproBackoff *self, gint64 now_us)
{
	self->last_attempt_us = now_us;
}

guint
rspro_backoff_table_ms(guint index)
{
	/* where upstream retries at once: a restarting peer is back after these */
	static const guint first_ms[] = { 50, 100, 250 };

	if (index < G_N_ELEMENTS(first_ms))
		return first_ms[index];
	if (index < 33)
		return 1000;
	if (index < 63)
		return 2000;
	if (index < 93)
		return 4000;
	if (index < RSPRO_BACKOFF_LAST_INDEX)
		return 8000;
	return 16000;
}

guint
rspro_backoff_next_delay_ms(RsproBackoff *self, gint64 now_us, gdouble jitter)
{
	gint64 since_us = 0;
	gdouble delay_us;

	if (self->last_attempt_us != 0) {
		since_us = now_us - self->last_attempt_us;
		if (since_us > RSPRO_BACKOFF_RESET_S * G_USEC_PER_SEC * self->scale)
			self->index = 0;
	}
	delay_us = rspro_backoff_table_ms(self->index) * 1000.0 * self->scale;
	if (delay_us > 0)
		delay_us *= 1.0 + CLAMP(jitter, -1.0, 1.0) * RSPRO_BACKOFF_JITTER;
	/* the delay counts from the start of the last attempt, as upstream's */
	delay_us -= since_us;
	self->index = MIN(self->index + 1, RSPRO_BACKOFF_LAST_INDEX);
	return delay_us < 1000 ? 1 : (guint)(delay_us / 1000);
}
