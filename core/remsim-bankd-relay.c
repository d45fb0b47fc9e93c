/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Threads: the fields under "session" belong to the main context while the
 * relay is idle and to the relay thread while it runs; the state changes
 * under the lock, and the thread reports the end of a session with an idle
 * source on the main context, the only main loop hop, once per session.
 * Buffers are the relay's own and reused: a relayed APDU allocates nothing.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "remsim-bankd-relay.h"
#include "rspro-ipa.h"

/* upstream HEAD's accepted TPDU sizes, as the slot checks them */
#define REMSIM_BANKD_RELAY_TPDU_MIN 5
#define REMSIM_BANKD_RELAY_TPDU_MAX 260
/* any short or extended response */
#define REMSIM_BANKD_RELAY_RESPONSE_MAX (65536 + 2)
#define REMSIM_BANKD_RELAY_READ_CHUNK 16384

typedef enum {
	REMSIM_BANKD_RELAY_IDLE,
	REMSIM_BANKD_RELAY_RUNNING,
	REMSIM_BANKD_RELAY_RETURNED, /* the session ended; its report waits on the main context */
	REMSIM_BANKD_RELAY_QUIT,
} RemsimBankdRelayState;

struct _RemsimBankdRelay {
	RemsimCardSlot *card;
	GThread *thread;
	GMutex lock;
	GCond cond;
	RemsimBankdRelayState state;
	int wake_fd;   /* eventfd: the main context wants the socket back */
	int epoll_fd;  /* wake_fd always, the session's socket while it runs */
	gint stop;     /* atomic */
	guint64 apdus; /* atomic */
	/* what the metrics want of each APDU, under stats_lock (taken by the main context) */
	GMutex stats_lock;
	guint64 bytes_to_card;
	guint64 bytes_from_card;
	RemsimMetricsHistogram latency;
	GMainContext *context;
	GSource *returned; /* the report of a session, on the main context */

	/* the session */
	RsproConnection *conn; /* strong while lent; the main context's alone */
	RemsimBankdRelayBackFunc back;
	gpointer back_data;
	int fd;
	RsproBankSlot bank;
	RsproClientSlot client;
	GByteArray *in; /* read, from in_off on not yet relayed */
	gsize in_off;
	GByteArray *out; /* a frame being written, from out_off on */
	gsize out_off;
	guint8 *response;
	guint64 received, sent;
	RemsimBankdRelayBack why;
	GError *error;
};

/* --- the thread --- */

/* writes what is left of the frame in out; FALSE if the socket failed */
static gboolean
remsim_bankd_relay_flush(RemsimBankdRelay *self)
{
	while (self->out_off < self->out->len) {
		ssize_t n = send(self->fd, self->out->data + self->out_off,
				 self->out->len - self->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE; /* the poll waits for room */
		if (n < 0)
			return FALSE;
		self->out_off += (gsize)n;
	}
	g_byte_array_set_size(self->out, 0);
	self->out_off = 0;
	return TRUE;
}

/* an RSPRO PDU or CCM message into out, behind its IPA header */
static void
remsim_bankd_relay_put_response(RemsimBankdRelay *self, gsize response_len)
{
	RsproTpduView view = { .type = RSPRO_MSG_TPDU_CARD_TO_MODEM,
			       .version = 2,
			       .client_slot = self->client,
			       .bank_slot = self->bank,
			       .data = self->response,
			       .data_len = response_len };
	gsize cap = response_len + 64, len;

	g_byte_array_set_size(self->out, cap + 4);
	len = rspro_pdu_der_write_tpdu(&view, self->out->data + 4, cap);
	rspro_ipa_put_rspro_header(self->out->data, len);
	g_byte_array_set_size(self->out, len + 4);
}

/* a frame of this session's APDUs, as the slot would take it: its command, or NULL */
static gboolean
remsim_bankd_relay_is_apdu(RemsimBankdRelay *self, const RsproIpaFrameView *frame,
			   RsproTpduView *tpdu)
{
	return frame->kind == RSPRO_IPA_FRAME_RSPRO &&
	       rspro_pdu_der_read_tpdu(tpdu, frame->payload, frame->len) &&
	       tpdu->type == RSPRO_MSG_TPDU_MODEM_TO_CARD &&
	       tpdu->bank_slot.bank_id == self->bank.bank_id &&
	       tpdu->bank_slot.slot_nr == self->bank.slot_nr &&
	       tpdu->client_slot.client_id == self->client.client_id &&
	       tpdu->client_slot.slot_nr == self->client.slot_nr &&
	       tpdu->data_len >= REMSIM_BANKD_RELAY_TPDU_MIN &&
	       tpdu->data_len <= REMSIM_BANKD_RELAY_TPDU_MAX;
}

/* relays the whole frames read; FALSE with self->why set when the socket goes back */
static gboolean
remsim_bankd_relay_frames(RemsimBankdRelay *self)
{
	/* one answer on its way at a time: the next command waits for the socket's room */
	while (self->out->len == 0) {
		RsproIpaFrameView frame;
		RsproTpduView tpdu;
		gint64 started;
		gssize n = rspro_ipa_peek(self->in->data + self->in_off,
					  self->in->len - self->in_off, &frame, NULL);
		gsize len;

		if (n == 0)
			break;
		if (n > 0 && frame.kind == RSPRO_IPA_FRAME_CCM && frame.len >= 1 &&
		    frame.payload[0] == RSPRO_IPA_CCM_PING) {
			static const guint8 pong[] = { 0x00, 0x01, RSPRO_IPA_PROTO_CCM,
						       RSPRO_IPA_CCM_PONG };

			self->in_off += (gsize)n;
			g_byte_array_append(self->out, pong, sizeof(pong));
			if (!remsim_bankd_relay_flush(self)) {
				self->why = REMSIM_BANKD_RELAY_BACK_SOCKET;
				return FALSE;
			}
			continue;
		}
		/* the main context frames it again, and says what is wrong with it */
		if (n < 0 || !remsim_bankd_relay_is_apdu(self, &frame, &tpdu)) {
			self->why = REMSIM_BANKD_RELAY_BACK_MESSAGE;
			return FALSE;
		}
		self->received++;
		started = g_get_monotonic_time();
		len = remsim_card_slot_transmit_sync(self->card, tpdu.data, tpdu.data_len,
						     self->response,
						     REMSIM_BANKD_RELAY_RESPONSE_MAX, &self->error);
		self->in_off += (gsize)n;
		if (len == 0) {
			self->why = REMSIM_BANKD_RELAY_BACK_CARD;
			return FALSE;
		}
		g_atomic_pointer_add(&self->apdus, 1);
		g_mutex_lock(&self->stats_lock);
		self->bytes_to_card += tpdu.data_len;
		self->bytes_from_card += len;
		remsim_metrics_histogram_observe(&self->latency, g_get_monotonic_time() - started);
		g_mutex_unlock(&self->stats_lock);
		remsim_bankd_relay_put_response(self, len);
		self->sent++;
		if (!remsim_bankd_relay_flush(self)) {
			self->why = REMSIM_BANKD_RELAY_BACK_SOCKET;
			return FALSE;
		}
	}
	/* what is relayed goes: the buffer keeps only what waits */
	if (self->in_off == self->in->len) {
		g_byte_array_set_size(self->in, 0);
		self->in_off = 0;
	}
	return TRUE;
}

/* reads what the socket has; FALSE with self->why set at its end or failure */
static gboolean
remsim_bankd_relay_read(RemsimBankdRelay *self)
{
	for (;;) {
		guint old = self->in->len;
		ssize_t n;

		g_byte_array_set_size(self->in, old + REMSIM_BANKD_RELAY_READ_CHUNK);
		n = recv(self->fd, self->in->data + old, REMSIM_BANKD_RELAY_READ_CHUNK,
			 MSG_DONTWAIT);
		g_byte_array_set_size(self->in, old + (n > 0 ? (guint)n : 0));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE;
		/* the end of the stream, or a failed socket: the main context reads it again */
		if (n <= 0) {
			self->why = REMSIM_BANKD_RELAY_BACK_SOCKET;
			return FALSE;
		}
		return TRUE;
	}
}

/*
 * What the socket is watched for: room while an answer waits, else input.
 * epoll rather than poll(): a sleeping poll() hooks itself onto both
 * descriptors' wait queues and off again on every call, once per APDU.
 */
static gboolean
remsim_bankd_relay_watch(RemsimBankdRelay *self, int op, guint32 *watched)
{
	struct epoll_event ev = { .events = self->out->len > 0 ? EPOLLOUT : EPOLLIN,
				  .data.fd = self->fd };

	if (op == EPOLL_CTL_MOD && ev.events == *watched)
		return TRUE;
	*watched = ev.events;
	return epoll_ctl(self->epoll_fd, op, self->fd, &ev) == 0;
}

static void
remsim_bankd_relay_poll(RemsimBankdRelay *self, guint32 *watched)
{
	for (;;) {
		struct epoll_event ev[2];
		gboolean woken = FALSE, ready = FALSE;
		int n;

		if (!remsim_bankd_relay_frames(self))
			return;
		if (g_atomic_int_get(&self->stop)) {
			self->why = REMSIM_BANKD_RELAY_BACK_ASKED;
			return;
		}
		if (!remsim_bankd_relay_watch(self, EPOLL_CTL_MOD, watched)) {
			self->why = REMSIM_BANKD_RELAY_BACK_SOCKET;
			return;
		}
		n = epoll_wait(self->epoll_fd, ev, G_N_ELEMENTS(ev), -1);
		if (n < 0 && errno != EINTR) {
			self->why = REMSIM_BANKD_RELAY_BACK_SOCKET;
			return;
		}
		for (int i = 0; i < n; i++) {
			woken |= ev[i].data.fd == self->wake_fd;
			ready |= ev[i].data.fd == self->fd;
		}
		if (woken) {
			guint64 count;

			if (read(self->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				g_debug("relay wake-up: %s", g_strerror(errno));
			continue; /* the stop is seen at the top */
		}
		if (self->out->len > 0 && ready && !remsim_bankd_relay_flush(self)) {
			self->why = REMSIM_BANKD_RELAY_BACK_SOCKET;
			return;
		}
		if (self->out->len == 0 && ready && !remsim_bankd_relay_read(self))
			return;
	}
}

static void
remsim_bankd_relay_session(RemsimBankdRelay *self)
{
	guint32 watched = 0;

	if (!remsim_bankd_relay_watch(self, EPOLL_CTL_ADD, &watched)) {
		self->why = REMSIM_BANKD_RELAY_BACK_SOCKET;
		return;
	}
	remsim_bankd_relay_poll(self, &watched);
	/* the socket goes back: the main context watches it from here on */
	epoll_ctl(self->epoll_fd, EPOLL_CTL_DEL, self->fd, NULL);
}

static gboolean remsim_bankd_relay_returned_cb(gpointer user_data);

static gpointer
remsim_bankd_relay_thread(gpointer data)
{
	RemsimBankdRelay *self = data;

	for (;;) {
		g_mutex_lock(&self->lock);
		while (self->state == REMSIM_BANKD_RELAY_IDLE ||
		       self->state == REMSIM_BANKD_RELAY_RETURNED)
			g_cond_wait(&self->cond, &self->lock);
		if (self->state == REMSIM_BANKD_RELAY_QUIT) {
			g_mutex_unlock(&self->lock);
			return NULL;
		}
		g_mutex_unlock(&self->lock);

		remsim_bankd_relay_session(self);

		g_mutex_lock(&self->lock);
		self->state = REMSIM_BANKD_RELAY_RETURNED;
		self->returned = g_idle_source_new();
		g_source_set_priority(self->returned, G_PRIORITY_DEFAULT);
		g_source_set_callback(self->returned, remsim_bankd_relay_returned_cb, self, NULL);
		g_source_set_static_name(self->returned, "[remsim-bankd] relay returned");
		g_source_attach(self->returned, self->context);
		g_cond_broadcast(&self->cond);
		g_mutex_unlock(&self->lock);
	}
}

/* --- the main context --- */

/* the socket back to the connection, unread and unsent bytes with it */
static void
remsim_bankd_relay_give_back(RemsimBankdRelay *self)
{
	g_autoptr(RsproConnection) conn = g_steal_pointer(&self->conn);

	rspro_connection_give_back(conn, self->in->data + self->in_off,
				   self->in->len - self->in_off, self->out->data + self->out_off,
				   self->out->len - self->out_off, self->received, self->sent);
	g_byte_array_set_size(self->in, 0);
	g_byte_array_set_size(self->out, 0);
	self->in_off = self->out_off = 0;
	g_clear_error(&self->error);
}

static gboolean
remsim_bankd_relay_returned_cb(gpointer user_data)
{
	RemsimBankdRelay *self = user_data;
	RemsimBankdRelayBackFunc back;

	g_mutex_lock(&self->lock);
	g_clear_pointer(&self->returned, g_source_unref);
	self->state = REMSIM_BANKD_RELAY_IDLE;
	g_mutex_unlock(&self->lock);
	back = self->back;
	self->back = NULL;
	if (back != NULL)
		back(self, self->why, self->error, self->back_data);
	remsim_bankd_relay_give_back(self);
	return G_SOURCE_REMOVE;
}

static void
remsim_bankd_relay_wanted_cb(gpointer user_data)
{
	remsim_bankd_relay_stop(user_data);
}

RemsimBankdRelay *
remsim_bankd_relay_new(RemsimCardSlot *card, const gchar *name)
{
	RemsimBankdRelay *self = g_new0(RemsimBankdRelay, 1);
	g_autofree gchar *thread_name = g_strdup_printf("relay %s", name);

	self->card = g_object_ref(card);
	g_mutex_init(&self->lock);
	g_mutex_init(&self->stats_lock);
	g_cond_init(&self->cond);
	self->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	self->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	/* without one (out of descriptors) the slot's APDUs go through the main context */
	if (self->epoll_fd < 0)
		g_warning("relay %s: no epoll descriptor: %s", name, g_strerror(errno));
	else
		epoll_ctl(self->epoll_fd, EPOLL_CTL_ADD, self->wake_fd,
			  &(struct epoll_event){ .events = EPOLLIN, .data.fd = self->wake_fd });
	self->context = g_main_context_ref_thread_default();
	self->in = g_byte_array_sized_new(REMSIM_BANKD_RELAY_READ_CHUNK);
	self->out = g_byte_array_sized_new(512);
	self->response = g_malloc(REMSIM_BANKD_RELAY_RESPONSE_MAX);
	self->thread = g_thread_new(thread_name, remsim_bankd_relay_thread, self);
	return self;
}

void
remsim_bankd_relay_free(RemsimBankdRelay *self)
{
	if (self == NULL)
		return;
	g_mutex_lock(&self->lock);
	if (self->state == REMSIM_BANKD_RELAY_RUNNING) {
		g_atomic_int_set(&self->stop, 1);
		if (eventfd_write(self->wake_fd, 1) < 0)
			g_debug("relay wake-up: %s", g_strerror(errno));
		while (self->state == REMSIM_BANKD_RELAY_RUNNING)
			g_cond_wait(&self->cond, &self->lock);
	}
	/* a report not yet taken: the socket goes back here, without telling the owner */
	if (self->state == REMSIM_BANKD_RELAY_RETURNED) {
		g_source_destroy(self->returned);
		g_clear_pointer(&self->returned, g_source_unref);
		g_mutex_unlock(&self->lock);
		remsim_bankd_relay_give_back(self);
		g_mutex_lock(&self->lock);
	}
	self->state = REMSIM_BANKD_RELAY_QUIT;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->lock);
	g_thread_join(self->thread);
	close(self->wake_fd);
	if (self->epoll_fd >= 0)
		close(self->epoll_fd);
	g_mutex_clear(&self->lock);
	g_mutex_clear(&self->stats_lock);
	g_cond_clear(&self->cond);
	g_main_context_unref(self->context);
	g_byte_array_unref(self->in);
	g_byte_array_unref(self->out);
	g_free(self->response);
	g_object_unref(self->card);
	g_free(self);
}

gboolean
remsim_bankd_relay_start(RemsimBankdRelay *self, RsproConnection *conn, const RsproBankSlot *bank,
			 const RsproClientSlot *client, RemsimBankdRelayBackFunc back,
			 gpointer user_data)
{
	g_mutex_lock(&self->lock);
	if (self->state != REMSIM_BANKD_RELAY_IDLE || self->epoll_fd < 0 ||
	    !rspro_connection_lend(conn, remsim_bankd_relay_wanted_cb, self, &self->fd, self->in)) {
		g_mutex_unlock(&self->lock);
		return FALSE;
	}
	self->conn = g_object_ref(conn);
	self->bank = *bank;
	self->client = *client;
	self->back = back;
	self->back_data = user_data;
	self->received = self->sent = 0;
	g_atomic_int_set(&self->stop, 0);
	self->state = REMSIM_BANKD_RELAY_RUNNING;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->lock);
	return TRUE;
}

void
remsim_bankd_relay_stop(RemsimBankdRelay *self)
{
	g_mutex_lock(&self->lock);
	if (self->state == REMSIM_BANKD_RELAY_RUNNING && !g_atomic_int_get(&self->stop)) {
		g_atomic_int_set(&self->stop, 1);
		if (eventfd_write(self->wake_fd, 1) < 0)
			g_debug("relay wake-up: %s", g_strerror(errno));
	}
	g_mutex_unlock(&self->lock);
}

gboolean
remsim_bankd_relay_is_running(RemsimBankdRelay *self)
{
	return self->back != NULL;
}

guint64
remsim_bankd_relay_get_apdus(RemsimBankdRelay *self)
{
	return (guint64)g_atomic_pointer_get(&self->apdus);
}

void
remsim_bankd_relay_take_stats(RemsimBankdRelay *self, guint64 *to_card, guint64 *from_card,
			      RemsimMetricsHistogram *latency)
{
	g_mutex_lock(&self->stats_lock);
	*to_card += self->bytes_to_card;
	*from_card += self->bytes_from_card;
	remsim_metrics_histogram_add(latency, &self->latency);
	self->bytes_to_card = self->bytes_from_card = 0;
	memset(&self->latency, 0, sizeof(self->latency));
	g_mutex_unlock(&self->stats_lock);
}
