/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPA framing: wrapping, and de-framing a stream split and coalesced every way. */
#include <string.h>

#include "rspro-ipa.h"

typedef struct {
	GByteArray *stream;
	GPtrArray *kinds;    /* GINT_TO_POINTER(RsproIpaFrameKind) */
	GPtrArray *payloads; /* GBytes */
} Stream;

static void
stream_free(Stream *s)
{
	g_byte_array_unref(s->stream);
	g_ptr_array_unref(s->kinds);
	g_ptr_array_unref(s->payloads);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Stream, stream_free)

/* the hex column of the upstream vectors: real PDU bytes */
static GPtrArray *
load_vector_pdus(void)
{
	const gchar *srcdir = g_getenv("REMSIM_SRCDIR");
	g_autofree gchar *path = NULL;
	g_autofree gchar *text = NULL;
	g_autoptr(GError) error = NULL;
	GPtrArray *pdus = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);

	g_assert_nonnull(srcdir);
	path = g_build_filename(srcdir, "tests", "vectors", "rspro-vectors.tsv", NULL);
	g_file_get_contents(path, &text, NULL, &error);
	g_assert_no_error(error);

	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i]; i++) {
		if (lines[i][0] == '#' || lines[i][0] == '\0')
			continue;
		g_auto(GStrv) cols = g_strsplit(lines[i], "\t", -1);
		guint n = g_strv_length(cols);
		g_assert_cmpuint(n, >=, 4);

		const gchar *hex = cols[n - 1];
		gsize len = strlen(hex) / 2;
		guint8 *bytes = g_malloc(len);
		for (gsize j = 0; j < len; j++)
			bytes[j] = g_ascii_xdigit_value(hex[2 * j]) << 4 |
				   g_ascii_xdigit_value(hex[2 * j + 1]);
		g_ptr_array_add(pdus, g_bytes_new_take(bytes, len));
	}
	g_assert_cmpuint(pdus->len, >, 10);
	return pdus;
}

static void
stream_add(Stream *s, RsproIpaFrameKind kind, GBytes *payload, GBytes *frame)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(frame, &len);

	g_byte_array_append(s->stream, data, len);
	g_ptr_array_add(s->kinds, GINT_TO_POINTER(kind));
	g_ptr_array_add(s->payloads, g_bytes_ref(payload));
}

static void
add_rspro(Stream *s, GBytes *pdu)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) frame = rspro_ipa_wrap_rspro(pdu, &error);

	g_assert_no_error(error);
	stream_add(s, RSPRO_IPA_FRAME_RSPRO, pdu, frame);
}

static void
add_ccm(Stream *s, const guint8 *payload, gsize len)
{
	g_autoptr(GBytes) body = g_bytes_new(payload, len);
	g_autoptr(GByteArray) frame = g_byte_array_new();
	const guint8 header[3] = { len >> 8, len & 0xff, RSPRO_IPA_PROTO_CCM };

	g_byte_array_append(frame, header, 3);
	g_byte_array_append(frame, payload, len);
	g_autoptr(GBytes) bytes = g_bytes_new(frame->data, frame->len);
	stream_add(s, RSPRO_IPA_FRAME_CCM, body, bytes);
}

static GBytes *
random_payload(gsize len)
{
	guint8 *data = g_malloc(len);

	for (gsize i = 0; i < len; i++)
		data[i] = g_test_rand_int_range(0, 256);
	return g_bytes_new_take(data, len);
}

/* a mixed stream: vector PDUs, random payloads of every size class, CCM messages */
static Stream *
make_stream(guint n_frames)
{
	g_autoptr(GPtrArray) pdus = load_vector_pdus();
	Stream *s = g_new0(Stream, 1);

	s->stream = g_byte_array_new();
	s->kinds = g_ptr_array_new();
	s->payloads = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	for (guint i = 0; i < n_frames; i++) {
		switch (g_test_rand_int_range(0, 6)) {
		case 0:
		case 1:
			add_rspro(s, pdus->pdata[g_test_rand_int_range(0, pdus->len)]);
			break;
		case 2: {
			gsize len = g_test_rand_int_range(0, 8) == 0
					? g_test_rand_int_range(1, RSPRO_IPA_PDU_MAX + 1)
					: g_test_rand_int_range(1, 300);
			g_autoptr(GBytes) payload = random_payload(len);
			add_rspro(s, payload);
			break;
		}
		case 3: {
			const guint8 ping[] = { RSPRO_IPA_CCM_PING };
			add_ccm(s, ping, 1);
			break;
		}
		case 4: {
			const guint8 pong[] = { RSPRO_IPA_CCM_PONG };
			add_ccm(s, pong, 1);
			break;
		}
		default: {
			/* ID_RESP with a unit-ID TLV: CCM payloads longer than one byte */
			const guint8 id_resp[] = {
				RSPRO_IPA_CCM_ID_RESP, 0x00, 0x04, 0x08, '1', '/', '0'
			};
			add_ccm(s, id_resp, sizeof(id_resp));
			break;
		}
		}
	}
	return s;
}

/* takes every whole frame out of @d and checks it against @s from *@next on */
static void
drain(RsproIpaDeframer *d, Stream *s, guint *next)
{
	RsproIpaFrame frame = { 0 };
	g_autoptr(GError) error = NULL;

	while (rspro_ipa_deframer_next(d, &frame, &error)) {
		g_assert_cmpuint(*next, <, s->payloads->len);
		g_assert_cmpint(frame.kind, ==, GPOINTER_TO_INT(s->kinds->pdata[*next]));
		g_assert_true(g_bytes_equal(frame.payload, s->payloads->pdata[*next]));
		rspro_ipa_frame_clear(&frame);
		(*next)++;
	}
	g_assert_no_error(error);
	g_assert_null(frame.payload);
}

/* feeds @s in the chunk sizes @chunk_size picks and checks all frames come out in order */
static void
feed_in_chunks(Stream *s, gsize (*chunk_size)(gsize offset, gpointer data), gpointer data)
{
	g_autoptr(RsproIpaDeframer) d = rspro_ipa_deframer_new();
	guint next = 0;
	gsize off = 0;

	while (off < s->stream->len) {
		gsize want = chunk_size(off, data);
		gsize n = MIN(want, s->stream->len - off);

		rspro_ipa_deframer_feed(d, s->stream->data + off, n);
		off += n;
		drain(d, s, &next);
	}
	g_assert_cmpuint(next, ==, s->payloads->len);
	g_assert_cmpuint(rspro_ipa_deframer_get_pending(d), ==, 0);
}

static gsize
random_chunk(gsize offset, gpointer data)
{
	/* mostly small reads, sometimes large ones that coalesce many frames */
	if (g_test_rand_int_range(0, 4) == 0)
		return g_test_rand_int_range(1, 70000);
	return g_test_rand_int_range(1, 600);
}

static gsize
split_at(gsize offset, gpointer data)
{
	gsize at = GPOINTER_TO_SIZE(data);

	return offset < at ? at - offset : G_MAXSIZE;
}

static gsize
one_byte(gsize offset, gpointer data)
{
	return 1;
}

static void
test_random_chunks(void)
{
	g_autoptr(Stream) s = make_stream(5000);

	for (guint round = 0; round < 5; round++)
		feed_in_chunks(s, random_chunk, NULL);
}

static void
test_whole_stream(void)
{
	g_autoptr(Stream) s = make_stream(2000);

	feed_in_chunks(s, split_at, GSIZE_TO_POINTER(0));
}

static void
test_every_split(void)
{
	g_autoptr(Stream) s = NULL;

	/* short enough that every boundary can be tried, without huge payloads */
	do {
		g_clear_pointer(&s, stream_free);
		s = make_stream(40);
	} while (s->stream->len > 10000);

	for (gsize at = 1; at < s->stream->len; at++)
		feed_in_chunks(s, split_at, GSIZE_TO_POINTER(at));
	feed_in_chunks(s, one_byte, NULL);
}

static void
expect_error(const guint8 *bytes, gsize len, gsize good_frames, gint code)
{
	/* byte by byte as well as at once: the error must not depend on the split */
	for (guint byte_by_byte = 0; byte_by_byte < 2; byte_by_byte++) {
		g_autoptr(RsproIpaDeframer) d = rspro_ipa_deframer_new();
		g_autoptr(GError) error = NULL;
		RsproIpaFrame frame = { 0 };
		gsize frames = 0;

		for (gsize off = 0; off < len && !error;) {
			gsize n = byte_by_byte ? 1 : len;

			rspro_ipa_deframer_feed(d, bytes + off, n);
			off += n;
			while (rspro_ipa_deframer_next(d, &frame, &error)) {
				rspro_ipa_frame_clear(&frame);
				frames++;
			}
		}
		g_assert_error(error, RSPRO_IPA_ERROR, code);
		g_assert_cmpuint(frames, ==, good_frames);

		/* nothing more after an error, whatever is fed */
		g_clear_error(&error);
		rspro_ipa_deframer_feed(d, (const guint8 *)"\x00\x01\xfe\x00", 4);
		g_assert_false(rspro_ipa_deframer_next(d, &frame, &error));
		g_assert_no_error(error);
	}
}

static void
test_errors(void)
{
	/* a PING, then a frame of protocol 0x12 */
	const guint8 bad_proto[] = { 0x00, 0x01, 0xfe, 0x00, 0x00, 0x02, 0x12, 0x01, 0x02 };
	/* an RSPRO frame, then 0xEE with extension 0x08 */
	const guint8 bad_ext[] = { 0x00, 0x03, 0xee, 0x07, 0x30, 0x00,
				   0x00, 0x03, 0xee, 0x08, 0x30, 0x00 };
	const guint8 empty_ccm[] = { 0x00, 0x00, 0xfe };
	const guint8 empty_osmo[] = { 0x00, 0x01, 0xee, 0x07 };

	expect_error(bad_proto, sizeof(bad_proto), 1, RSPRO_IPA_ERROR_UNKNOWN_PROTOCOL);
	expect_error(bad_ext, sizeof(bad_ext), 1, RSPRO_IPA_ERROR_UNKNOWN_EXTENSION);
	expect_error(empty_ccm, sizeof(empty_ccm), 0, RSPRO_IPA_ERROR_BAD_FRAME);
	expect_error(empty_osmo, sizeof(empty_osmo), 0, RSPRO_IPA_ERROR_BAD_FRAME);
}

static void
test_wrap(void)
{
	g_autoptr(GError) error = NULL;
	const guint8 pdu[] = { 0x30, 0x03, 0x80, 0x01, 0x02 };
	g_autoptr(GBytes) in = g_bytes_new(pdu, sizeof(pdu));
	g_autoptr(GBytes) frame = rspro_ipa_wrap_rspro(in, &error);
	const guint8 expect[] = { 0x00, 0x06, 0xee, 0x07, 0x30, 0x03, 0x80, 0x01, 0x02 };
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(frame, &len);

	g_assert_no_error(error);
	g_assert_cmpmem(data, len, expect, sizeof(expect));

	g_autoptr(GBytes) ping = rspro_ipa_wrap_ccm(RSPRO_IPA_CCM_PING);
	data = g_bytes_get_data(ping, &len);
	g_assert_cmpmem(data, len, "\x00\x01\xfe\x00", 4);

	/* the largest PDU fits, one byte more does not */
	g_autofree guint8 *big = g_malloc0(RSPRO_IPA_PDU_MAX + 1);
	g_autoptr(GBytes) max = g_bytes_new_static(big, RSPRO_IPA_PDU_MAX);
	g_autoptr(GBytes) max_frame = rspro_ipa_wrap_rspro(max, &error);
	g_assert_no_error(error);
	data = g_bytes_get_data(max_frame, &len);
	g_assert_cmpuint(len, ==, RSPRO_IPA_PDU_MAX + 4);
	g_assert_cmpuint(data[0], ==, 0xff);
	g_assert_cmpuint(data[1], ==, 0xff);

	g_autoptr(GBytes) too_big = g_bytes_new_static(big, RSPRO_IPA_PDU_MAX + 1);
	g_autoptr(GBytes) none = rspro_ipa_wrap_rspro(too_big, &error);
	g_assert_error(error, RSPRO_IPA_ERROR, RSPRO_IPA_ERROR_TOO_LARGE);
	g_assert_null(none);
}

/* remsim's own messages: LL LL EE 52, a frame kind of their own, between RSPRO frames */
static void
test_remsim_frame(void)
{
	g_autoptr(GBytes) payload = g_bytes_new_static("{}", 2);
	g_autoptr(GBytes) frame = rspro_ipa_wrap_remsim(payload, NULL);
	static const guint8 want[] = { 0x00, 0x03, 0xee, 0x52, '{', '}' };
	static const guint8 rspro[] = { 0x00, 0x03, 0xee, 0x07, 0x30, 0x00 };
	g_autoptr(RsproIpaDeframer) d = rspro_ipa_deframer_new();
	RsproIpaFrame f = { 0 };
	g_autoptr(GError) error = NULL;

	g_assert_cmpmem(g_bytes_get_data(frame, NULL), g_bytes_get_size(frame), want, sizeof(want));
	rspro_ipa_deframer_feed(d, want, sizeof(want));
	rspro_ipa_deframer_feed(d, rspro, sizeof(rspro));
	g_assert_true(rspro_ipa_deframer_next(d, &f, &error));
	g_assert_cmpint(f.kind, ==, RSPRO_IPA_FRAME_REMSIM);
	g_assert_true(g_bytes_equal(f.payload, payload));
	rspro_ipa_frame_clear(&f);
	g_assert_true(rspro_ipa_deframer_next(d, &f, &error));
	g_assert_cmpint(f.kind, ==, RSPRO_IPA_FRAME_RSPRO);
	rspro_ipa_frame_clear(&f);
	g_assert_false(rspro_ipa_deframer_next(d, &f, &error));
	g_assert_no_error(error);
}

static void
test_pending(void)
{
	g_autoptr(RsproIpaDeframer) d = rspro_ipa_deframer_new();
	RsproIpaFrame frame = { 0 };
	g_autoptr(GError) error = NULL;

	rspro_ipa_deframer_feed(d, (const guint8 *)"\x00\x01\xfe\x00\x00\x03\xee", 7);
	g_assert_cmpuint(rspro_ipa_deframer_get_pending(d), ==, 7);
	g_assert_true(rspro_ipa_deframer_next(d, &frame, &error));
	g_assert_cmpint(frame.kind, ==, RSPRO_IPA_FRAME_CCM);
	g_assert_cmpuint(g_bytes_get_size(frame.payload), ==, 1);
	rspro_ipa_frame_clear(&frame);
	g_assert_cmpuint(rspro_ipa_deframer_get_pending(d), ==, 3);
	g_assert_false(rspro_ipa_deframer_next(d, &frame, &error));
	g_assert_no_error(error);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/rspro/ipa/wrap", test_wrap);
	g_test_add_func("/rspro/ipa/pending", test_pending);
	g_test_add_func("/rspro/ipa/remsim-frame", test_remsim_frame);
	g_test_add_func("/rspro/ipa/whole-stream", test_whole_stream);
	g_test_add_func("/rspro/ipa/random-chunks", test_random_chunks);
	g_test_add_func("/rspro/ipa/every-split", test_every_split);
	g_test_add_func("/rspro/ipa/errors", test_errors);
	return g_test_run();
}
