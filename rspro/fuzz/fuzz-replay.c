/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replays a fuzz corpus without libFuzzer: every file in the folders (or the
 * files) named on the command line goes once through LLVMFuzzerTestOneInput.
 * Built in every build so that the corpus stays a regression test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static void
replay_file(const gchar *path, guint *count)
{
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &contents, &len, &error))
		g_error("%s", error->message);
	LLVMFuzzerTestOneInput((const guint8 *)contents, len);
	(*count)++;
}

static void
replay_path(const gchar *path, guint *count)
{
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GPtrArray) names = NULL;
	const gchar *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		replay_file(path, count);
		return;
	}
	dir = g_dir_open(path, 0, NULL);
	if (!dir)
		g_error("cannot open %s", path);
	names = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(dir)))
		g_ptr_array_add(names, g_build_filename(path, name, NULL));
	for (guint i = 0; i < names->len; i++)
		replay_file(names->pdata[i], count);
}

int
main(int argc, char **argv)
{
	guint count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		replay_path(argv[i], &count);
	if (count == 0) {
		fprintf(stderr, "no corpus files found\n");
		return 1;
	}
	printf("replayed %u inputs\n", count);
	return 0;
}
