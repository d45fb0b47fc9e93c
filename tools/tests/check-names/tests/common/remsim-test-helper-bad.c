/* SPDX-License-Identifier: GPL-2.0-or-later */
/* a test helper is product code: its functions carry its file's prefix */
#include <glib.h>

gboolean
helper_wait(void)
{
	return TRUE;
}
