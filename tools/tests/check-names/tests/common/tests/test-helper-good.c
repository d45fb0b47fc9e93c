/* SPDX-License-Identifier: GPL-2.0-or-later */
/* a helper's own test is a test program: its functions need no prefix */
#include <glib.h>

static void
test_wait(void)
{
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/helper/wait", test_wait);
	return g_test_run();
}
