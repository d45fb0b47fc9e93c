/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replays a fuzz corpus without libFuzzer: every file in the folders (or the
 * files) named on the command line goes once through LLVMFuzzerTestOneInput.
 * Built in every build so that the corpus stays a regression test.
 *
 * With --runs=N it then fuzzes, for builds without libFuzzer (gcc with the
 * sanitizers, as CI's): N inputs, each a corpus file changed by a few random
 * mutations (bits, bytes, "interesting" values, insertions, deletions,
 * repeated pieces, and BER long-form lengths, which is where the codec's
 * trouble was), drawn from --seed=S so that a failure repeats. Not coverage
 * guided as libFuzzer is, but it runs where the tests run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

/* inputs grow no larger than this */
#define REPLAY_MAX_INPUT 4096

static void
replay_file(const gchar *path, GPtrArray *inputs)
{
	g_autofree gchar *contents = NULL;
	g_autoptr(GError) error = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &contents, &len, &error))
		g_error("%s", error->message);
	LLVMFuzzerTestOneInput((const guint8 *)contents, len);
	g_ptr_array_add(inputs, g_bytes_new(contents, len));
}

static void
replay_path(const gchar *path, GPtrArray *inputs)
{
	g_autoptr(GDir) dir = NULL;
	g_autoptr(GPtrArray) names = NULL;
	const gchar *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
		replay_file(path, inputs);
		return;
	}
	dir = g_dir_open(path, 0, NULL);
	if (!dir)
		g_error("cannot open %s", path);
	names = g_ptr_array_new_with_free_func(g_free);
	while ((name = g_dir_read_name(dir)))
		g_ptr_array_add(names, g_build_filename(path, name, NULL));
	/* the same order on every file system, for --seed */
	g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
	for (guint i = 0; i < names->len; i++)
		replay_file(names->pdata[i], inputs);
}

/* one mutation of @buf in place */
static void
replay_mutate_once(GArray *buf, GRand *rand)
{
	static const guint8 interesting[] = { 0x00, 0x01, 0x7f, 0x80, 0x81, 0x82,
					      0x84, 0x88, 0xfe, 0xff, 0x30, 0xa0 };
	guint pos = buf->len ? g_rand_int_range(rand, 0, buf->len) : 0;
	guint8 byte = (guint8)g_rand_int_range(rand, 0, 256);
	/* drawn before MIN(), which would draw twice */
	guint piece_len = g_rand_int_range(rand, 1, 33);

	switch (g_rand_int_range(rand, 0, 8)) {
	case 0: /* flip a bit */
		if (buf->len)
			((guint8 *)buf->data)[pos] ^= 1u << g_rand_int_range(rand, 0, 8);
		break;
	case 1: /* a random byte */
		if (buf->len)
			((guint8 *)buf->data)[pos] = byte;
		break;
	case 2: /* an interesting byte */
		if (buf->len)
			((guint8 *)buf->data)[pos] =
			    interesting[g_rand_int_range(rand, 0, sizeof(interesting))];
		break;
	case 3: /* insert a byte */
		g_array_insert_val(buf, pos, byte);
		break;
	case 4: /* delete a piece */
		if (buf->len)
			g_array_remove_range(buf, pos, MIN(buf->len - pos, piece_len % 8 + 1));
		break;
	case 5: { /* repeat a piece */
		guint len = MIN(buf->len - pos, piece_len);
		g_autofree guint8 *piece = g_memdup2(buf->data + pos, len);

		if (len)
			g_array_insert_vals(buf, g_rand_int_range(rand, 0, buf->len + 1), piece,
					    len);
		break;
	}
	case 6: { /* a BER long-form length: 0x80 | n, then n bytes */
		guint8 length[9];
		guint n = g_rand_int_range(rand, 1, 9);

		length[0] = 0x80 | n;
		for (guint i = 1; i <= n; i++)
			length[i] =
			    g_rand_boolean(rand) ? 0xff : (guint8)g_rand_int_range(rand, 0, 256);
		if (g_rand_boolean(rand))
			length[1] |= 0x80;
		g_array_insert_vals(buf, pos, length, n + 1);
		break;
	}
	default: /* cut the end */
		if (buf->len)
			g_array_set_size(buf, pos);
		break;
	}
	if (buf->len > REPLAY_MAX_INPUT)
		g_array_set_size(buf, REPLAY_MAX_INPUT);
}

static void
replay_mutated(GPtrArray *inputs, guint runs, guint32 seed)
{
	g_autoptr(GRand) rand = g_rand_new_with_seed(seed);

	for (guint run = 0; run < runs; run++) {
		GBytes *from = inputs->pdata[g_rand_int_range(rand, 0, inputs->len)];
		gsize len = 0;
		const guint8 *data = g_bytes_get_data(from, &len);
		g_autoptr(GArray) buf = g_array_new(FALSE, FALSE, 1);
		guint n = g_rand_int_range(rand, 1, 5);

		g_array_append_vals(buf, data, len);
		for (guint i = 0; i < n; i++)
			replay_mutate_once(buf, rand);
		/* a copy of its own size, so that ASan sees a read past the end */
		g_autofree guint8 *exact = g_memdup2(buf->data, buf->len);
		LLVMFuzzerTestOneInput(exact, buf->len);
	}
}

int
main(int argc, char **argv)
{
	g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	guint runs = 0;
	guint32 seed = 1;
	guint files = 0;

	for (int i = 1; i < argc; i++) {
		if (g_str_has_prefix(argv[i], "--runs="))
			runs = (guint)g_ascii_strtoull(argv[i] + 7, NULL, 10);
		else if (g_str_has_prefix(argv[i], "--seed="))
			seed = (guint32)g_ascii_strtoull(argv[i] + 7, NULL, 10);
		else {
			replay_path(argv[i], inputs);
			files++;
		}
	}
	if (files == 0) {
		fprintf(stderr, "usage: %s [--runs=N] [--seed=S] CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	if (inputs->len == 0) {
		fprintf(stderr, "no corpus files found\n");
		return 1;
	}
	printf("replayed %u inputs\n", inputs->len);
	if (runs > 0) {
		replay_mutated(inputs, runs, seed);
		printf("ran %u mutated inputs (seed %u)\n", runs, seed);
	}
	return 0;
}
