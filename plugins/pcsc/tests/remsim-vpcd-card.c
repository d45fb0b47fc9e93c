/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-vpcd-card: the simulated SIM (RemsimSimcardCard) as a virtual card of
 * vsmartcard's vpcd driver, so that the real pcscd sees a fast card. It dials
 * vpcd's port, answers every vpcd message at once (TCP_NODELAY, quick ACKs)
 * and stays "inserted" for as long as it runs: stopping it removes the card.
 *
 * The process does nothing but serve this one socket, so it uses plain
 * blocking I/O; there is no main loop to stall.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib/gi18n.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "remsim-simcard-card.h"

/* vpcd control codes (a one-byte message) */
#define VPCD_POWER_OFF 0x00
#define VPCD_POWER_ON 0x01
#define VPCD_RESET 0x02
#define VPCD_GET_ATR 0x04

#define CONNECT_TIMEOUT_S 30
#define CONNECT_RETRY_US 20000

static void
quick_ack(int fd)
{
	int one = 1;

	/* Linux leaves quick-ACK mode on its own: set it again before every read */
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static gboolean
io_all(int fd, guint8 *buf, gsize len, gboolean write_it)
{
	gsize done = 0;

	while (done < len) {
		ssize_t n = write_it ? send(fd, buf + done, len - done, MSG_NOSIGNAL)
				     : recv(fd, buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		/* vpcd writes the length and the payload separately, with Nagle on: each
		 * piece waits for our ACK of the one before, so never delay an ACK */
		if (!write_it)
			quick_ack(fd);
		if (n <= 0)
			return FALSE;
		done += (gsize)n;
	}
	return TRUE;
}

static gboolean
send_message(int fd, GBytes *payload)
{
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(payload, &len);
	g_autofree guint8 *frame = g_malloc(len + 2);

	if (len > G_MAXUINT16)
		return FALSE;
	frame[0] = (guint8)(len >> 8);
	frame[1] = (guint8)len;
	memcpy(frame + 2, data, len);
	return io_all(fd, frame, len + 2, TRUE);
}

static int
dial(const gchar *host, guint16 port)
{
	struct sockaddr_in addr = { 0 };
	gint64 deadline = g_get_monotonic_time() + CONNECT_TIMEOUT_S * G_TIME_SPAN_SECOND;
	int one = 1;

	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		g_printerr(_("remsim-vpcd-card: “%s” is not an IPv4 address\n"), host);
		return -1;
	}
	while (g_get_monotonic_time() < deadline) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			return fd;
		}
		close(fd);
		g_usleep(CONNECT_RETRY_US);
	}
	g_printerr(_("remsim-vpcd-card: vpcd does not listen on %s:%u\n"), host, port);
	return -1;
}

/* answer vpcd until it closes the connection */
static void
serve(int fd, RemsimSimcardCard *card)
{
	g_autoptr(GBytes) atr = remsim_simcard_card_get_atr(card);
	guint8 buf[65536];
	guint8 head[2];

	for (;;) {
		gsize len;

		if (!io_all(fd, head, 2, FALSE))
			return;
		len = ((gsize)head[0] << 8) | head[1];
		if (!io_all(fd, buf, len, FALSE))
			return;
		if (len == 1) {
			if (buf[0] == VPCD_GET_ATR && !send_message(fd, atr))
				return;
			if (buf[0] == VPCD_POWER_ON || buf[0] == VPCD_RESET)
				remsim_simcard_card_reset(card);
		} else if (len > 1) {
			g_autoptr(GBytes) apdu = g_bytes_new(buf, len);
			g_autoptr(GBytes) response = remsim_simcard_card_transmit(card, apdu);
			static const guint8 sw_wrong_length[] = { 0x67, 0x00 };

			if (response == NULL)
				response = g_bytes_new_static(sw_wrong_length, 2);
			if (!send_message(fd, response))
				return;
		}
	}
}

int
main(int argc, char **argv)
{
	g_autofree gchar *profile = NULL;
	g_autofree gchar *host = g_strdup("127.0.0.1");
	gint port = 35963;
	GOptionEntry entries[] = {
		{ "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile, N_("Card profile (JSON)"),
		  N_("FILE") },
		{ "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("vpcd address (default 127.0.0.1)"),
		  N_("ADDR") },
		{ "port", 0, 0, G_OPTION_ARG_INT, &port, N_("vpcd port (default 35963)"),
		  N_("PORT") },
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GOptionContext) context = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(RemsimSimcardCard) card = NULL;
	int fd;

	g_option_context_add_main_entries(context, entries, NULL);
	g_option_context_set_summary(context, _("The simulated SIM as a vpcd virtual card."));
	if (!g_option_context_parse(context, &argc, &argv, &error) || profile == NULL || port < 1 ||
	    port > G_MAXUINT16) {
		g_printerr("remsim-vpcd-card: %s\n",
			   error != NULL ? error->message : _("give --profile and a valid --port"));
		return 2;
	}
	card = remsim_simcard_card_new_from_file(profile, &error);
	if (card == NULL) {
		g_printerr("remsim-vpcd-card: %s\n", error->message);
		return 1;
	}
	fd = dial(host, (guint16)port);
	if (fd < 0)
		return 1;
	g_print("CONNECTED\n");
	fflush(stdout);
	serve(fd, card);
	close(fd);
	return 0;
}
