/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The worker owns its SCARDCONTEXT and SCARDHANDLE: its thread runs the jobs,
 * and the one other caller, remsim-bankd's relay thread with
 * remsim_pcsc_worker_transmit_sync(), takes the card lock the worker holds
 * around each job, so one PC/SC call at a time uses them. A call that loses
 * the card (removed, reset by another program, reader gone) drops the handle;
 * the next connect job opens the card afresh, which is how a slot recovers.
 */
#include "config.h"

#include <PCSC/winscard.h>

#include "remsim-pcsc-error.h"
#include "remsim-pcsc-worker.h"

/* big enough for any short or extended response */
#define REMSIM_PCSC_WORKER_RX_MAX (65536 + 2)

typedef enum {
	JOB_CONNECT,
	JOB_TRANSMIT,
	JOB_RESET,
	JOB_DISCONNECT,
	JOB_QUIT,
} RemsimPcscJobKind;

typedef struct {
	RemsimPcscJobKind kind;
	GTask *task;
	GBytes *apdu;
	gchar *reader;
	gboolean shared;
	GBytes *result;
	GError *error;
} RemsimPcscJob;

struct _RemsimPcscWorker {
	GThread *thread;
	/*
	 * Not a GAsyncQueue: it signals with its lock held, so the woken worker
	 * blocks on that lock at once and needs a second wake-up (three futex
	 * calls and two thread switches per APDU instead of one).
	 */
	GMutex lock;
	GCond wake;
	GQueue jobs;
	GMutex card_lock; /* held around every use of the fields below */
	gchar *slot_name;
	DWORD protocols;
	/* below: the worker thread's own */
	SCARDCONTEXT context;
	gboolean have_context;
	SCARDHANDLE card;
	gboolean connected;
	DWORD protocol;
	DWORD share;
	gchar *reader;
	guint8 *rx;
};

static void
remsim_pcsc_worker_job_free(RemsimPcscJob *job)
{
	g_clear_object(&job->task);
	g_clear_pointer(&job->apdu, g_bytes_unref);
	g_free(job->reader);
	g_clear_pointer(&job->result, g_bytes_unref);
	g_clear_error(&job->error);
	g_free(job);
}

static void
remsim_pcsc_worker_drop_context(RemsimPcscWorker *self)
{
	if (!self->have_context)
		return;
	SCardReleaseContext(self->context);
	self->have_context = FALSE;
}

static void
remsim_pcsc_worker_drop_card(RemsimPcscWorker *self, DWORD disposition)
{
	if (!self->connected)
		return;
	SCardDisconnect(self->card, disposition);
	self->connected = FALSE;
}

/* after a failed call: forget what @rv made worthless */
static void
remsim_pcsc_worker_forget(RemsimPcscWorker *self, LONG rv)
{
	if (remsim_pcsc_error_loses_card(rv))
		remsim_pcsc_worker_drop_card(self, SCARD_LEAVE_CARD);
	if (remsim_pcsc_error_loses_context(rv)) {
		remsim_pcsc_worker_drop_card(self, SCARD_LEAVE_CARD);
		remsim_pcsc_worker_drop_context(self);
	}
}

static void
remsim_pcsc_worker_fail(RemsimPcscWorker *self, RemsimPcscJob *job, const gchar *reader,
			const gchar *what, LONG rv)
{
	remsim_pcsc_error_set(&job->error, reader, what, rv);
	remsim_pcsc_worker_forget(self, rv);
}

static gboolean
remsim_pcsc_worker_ensure_context(RemsimPcscWorker *self, RemsimPcscJob *job, const gchar *reader)
{
	LONG rv;

	if (self->have_context)
		return TRUE;
	rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &self->context);
	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_worker_fail(self, job, reader, "cannot reach pcscd", rv);
		return FALSE;
	}
	self->have_context = TRUE;
	return TRUE;
}

static void
remsim_pcsc_worker_return_atr(RemsimPcscWorker *self, RemsimPcscJob *job, const gchar *what)
{
	guint8 atr[MAX_ATR_SIZE];
	DWORD atr_len = sizeof(atr), state = 0, protocol = 0;
	LONG rv = SCardStatus(self->card, NULL, NULL, &state, &protocol, atr, &atr_len);

	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_worker_fail(self, job, self->reader, what, rv);
		return;
	}
	self->protocol = protocol;
	job->result = g_bytes_new(atr, atr_len);
}

static void
remsim_pcsc_worker_run_connect(RemsimPcscWorker *self, RemsimPcscJob *job)
{
	LONG rv;

	/* a handle left from a session that ended with the card gone */
	remsim_pcsc_worker_drop_card(self, SCARD_LEAVE_CARD);
	if (!remsim_pcsc_worker_ensure_context(self, job, job->reader))
		return;
	g_free(self->reader);
	self->reader = g_strdup(job->reader);
	self->share = job->shared ? SCARD_SHARE_SHARED : SCARD_SHARE_EXCLUSIVE;
	rv = SCardConnect(self->context, self->reader, self->share, self->protocols, &self->card,
			  &self->protocol);
	if (remsim_pcsc_error_loses_context(rv)) {
		/* a context from before a pcscd restart: one more try on a fresh one */
		remsim_pcsc_worker_drop_context(self);
		if (!remsim_pcsc_worker_ensure_context(self, job, job->reader))
			return;
		rv = SCardConnect(self->context, self->reader, self->share, self->protocols,
				  &self->card, &self->protocol);
	}
	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_worker_fail(self, job, self->reader, "cannot open the card", rv);
		return;
	}
	self->connected = TRUE;
	/* as upstream: open the card and read its ATR; only the modem or an operator resets it */
	remsim_pcsc_worker_return_atr(self, job, "cannot read the ATR");
}

static void
remsim_pcsc_worker_run_transmit(RemsimPcscWorker *self, RemsimPcscJob *job)
{
	const SCARD_IO_REQUEST *pci;
	gsize len = 0;
	const guint8 *data = g_bytes_get_data(job->apdu, &len);
	DWORD rx_len = REMSIM_PCSC_WORKER_RX_MAX;
	LONG rv;

	if (!self->connected) {
		g_set_error(&job->error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
			    "%s: the card is not open",
			    self->reader != NULL ? self->reader : self->slot_name);
		return;
	}
	pci = self->protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	rv = SCardTransmit(self->card, pci, data, len, NULL, self->rx, &rx_len);
	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_worker_fail(self, job, self->reader, "APDU exchange failed", rv);
		return;
	}
	job->result = g_bytes_new(self->rx, rx_len);
}

gsize
remsim_pcsc_worker_transmit_sync(RemsimPcscWorker *self, const guint8 *apdu, gsize apdu_len,
				 guint8 *response, gsize response_size, GError **error)
{
	RemsimPcscJob job = { .kind = JOB_TRANSMIT };
	DWORD rx_len = (DWORD)response_size;
	LONG rv;

	g_mutex_lock(&self->card_lock);
	if (!self->connected) {
		g_set_error(error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
			    "%s: the card is not open",
			    self->reader != NULL ? self->reader : self->slot_name);
		g_mutex_unlock(&self->card_lock);
		return 0;
	}
	rv = SCardTransmit(self->card,
			   self->protocol == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0, apdu,
			   apdu_len, NULL, response, &rx_len);
	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_worker_fail(self, &job, self->reader, "APDU exchange failed", rv);
		g_propagate_error(error, g_steal_pointer(&job.error));
		rx_len = 0;
	}
	g_mutex_unlock(&self->card_lock);
	return rx_len;
}

static void
remsim_pcsc_worker_run_reset(RemsimPcscWorker *self, RemsimPcscJob *job)
{
	LONG rv;

	if (!self->connected) {
		g_set_error(&job->error, REMSIM_CARD_ERROR, REMSIM_CARD_ERROR_NOT_POWERED,
			    "%s: the card is not open",
			    self->reader != NULL ? self->reader : self->slot_name);
		return;
	}
	rv = SCardReconnect(self->card, self->share, self->protocols, SCARD_RESET_CARD,
			    &self->protocol);
	if (rv != SCARD_S_SUCCESS) {
		remsim_pcsc_worker_fail(self, job, self->reader, "cannot reset the card", rv);
		return;
	}
	remsim_pcsc_worker_return_atr(self, job, "cannot read the ATR");
}

static void
remsim_pcsc_worker_run_disconnect(RemsimPcscWorker *self)
{
	/* a shared card may be in use by others: reset it rather than cut its power */
	remsim_pcsc_worker_drop_card(self, self->share == SCARD_SHARE_SHARED ? SCARD_RESET_CARD
									     : SCARD_UNPOWER_CARD);
}

/* on the task's context: the task, and so the slot it holds, is only ever released there */
static gboolean
remsim_pcsc_worker_job_complete_cb(gpointer data)
{
	RemsimPcscJob *job = data;

	if (job->error != NULL)
		g_task_return_error(job->task, g_steal_pointer(&job->error));
	else
		g_task_return_pointer(job->task, g_steal_pointer(&job->result),
				      (GDestroyNotify)g_bytes_unref);
	return G_SOURCE_REMOVE;
}

static void
remsim_pcsc_worker_job_finish(RemsimPcscJob *job)
{
	g_autoptr(GSource) source = NULL;

	if (job->task == NULL) {
		remsim_pcsc_worker_job_free(job);
		return;
	}
	source = g_idle_source_new();
	g_source_set_priority(source, G_PRIORITY_DEFAULT);
	g_source_set_callback(source, remsim_pcsc_worker_job_complete_cb, job,
			      (GDestroyNotify)remsim_pcsc_worker_job_free);
	g_source_set_static_name(source, "[remsim-pcsc] job done");
	g_source_attach(source, g_task_get_context(job->task));
}

static RemsimPcscJob *
remsim_pcsc_worker_pop(RemsimPcscWorker *self)
{
	RemsimPcscJob *job;

	g_mutex_lock(&self->lock);
	while (g_queue_is_empty(&self->jobs))
		g_cond_wait(&self->wake, &self->lock);
	job = g_queue_pop_head(&self->jobs);
	g_mutex_unlock(&self->lock);
	return job;
}

static gpointer
remsim_pcsc_worker_thread(gpointer data)
{
	RemsimPcscWorker *self = data;

	for (;;) {
		RemsimPcscJob *job = remsim_pcsc_worker_pop(self);
		RemsimPcscJobKind kind = job->kind;

		g_mutex_lock(&self->card_lock);
		switch (kind) {
		case JOB_CONNECT:
			remsim_pcsc_worker_run_connect(self, job);
			break;
		case JOB_TRANSMIT:
			remsim_pcsc_worker_run_transmit(self, job);
			break;
		case JOB_RESET:
			remsim_pcsc_worker_run_reset(self, job);
			break;
		case JOB_DISCONNECT:
		case JOB_QUIT:
			remsim_pcsc_worker_run_disconnect(self);
			break;
		}
		g_mutex_unlock(&self->card_lock);
		remsim_pcsc_worker_job_finish(job);
		if (kind == JOB_QUIT)
			break;
	}
	g_mutex_lock(&self->card_lock);
	remsim_pcsc_worker_drop_context(self);
	g_mutex_unlock(&self->card_lock);
	return NULL;
}

RemsimPcscWorker *
remsim_pcsc_worker_new(const gchar *slot_name, guint32 protocols)
{
	RemsimPcscWorker *self = g_new0(RemsimPcscWorker, 1);
	g_autofree gchar *thread_name = g_strdup_printf("pcsc %s", slot_name);

	self->slot_name = g_strdup(slot_name);
	self->protocols = protocols;
	self->share = SCARD_SHARE_EXCLUSIVE;
	self->rx = g_malloc(REMSIM_PCSC_WORKER_RX_MAX);
	g_mutex_init(&self->lock);
	g_mutex_init(&self->card_lock);
	g_cond_init(&self->wake);
	g_queue_init(&self->jobs);
	self->thread = g_thread_new(thread_name, remsim_pcsc_worker_thread, self);
	return self;
}

static void
remsim_pcsc_worker_push(RemsimPcscWorker *self, RemsimPcscJobKind kind, GTask *task, GBytes *apdu,
			const gchar *reader, gboolean shared)
{
	RemsimPcscJob *job = g_new0(RemsimPcscJob, 1);

	job->kind = kind;
	job->task = task != NULL ? g_object_ref(task) : NULL;
	job->apdu = apdu != NULL ? g_bytes_ref(apdu) : NULL;
	job->reader = g_strdup(reader);
	job->shared = shared;
	g_mutex_lock(&self->lock);
	g_queue_push_tail(&self->jobs, job);
	g_mutex_unlock(&self->lock);
	/* after the unlock: the worker wakes to a free lock */
	g_cond_signal(&self->wake);
}

void
remsim_pcsc_worker_free(RemsimPcscWorker *self)
{
	if (self == NULL)
		return;
	remsim_pcsc_worker_push(self, JOB_QUIT, NULL, NULL, NULL, FALSE);
	g_thread_join(self->thread);
	g_queue_clear_full(&self->jobs, (GDestroyNotify)remsim_pcsc_worker_job_free);
	g_cond_clear(&self->wake);
	g_mutex_clear(&self->lock);
	g_mutex_clear(&self->card_lock);
	g_free(self->reader);
	g_free(self->rx);
	g_free(self->slot_name);
	g_free(self);
}

void
remsim_pcsc_worker_connect(RemsimPcscWorker *self, const gchar *reader, gboolean shared,
			   GTask *task)
{
	remsim_pcsc_worker_push(self, JOB_CONNECT, task, NULL, reader, shared);
}

void
remsim_pcsc_worker_transmit(RemsimPcscWorker *self, GBytes *apdu, GTask *task)
{
	remsim_pcsc_worker_push(self, JOB_TRANSMIT, task, apdu, NULL, FALSE);
}

void
remsim_pcsc_worker_reset(RemsimPcscWorker *self, GTask *task)
{
	remsim_pcsc_worker_push(self, JOB_RESET, task, NULL, NULL, FALSE);
}

void
remsim_pcsc_worker_disconnect(RemsimPcscWorker *self)
{
	remsim_pcsc_worker_push(self, JOB_DISCONNECT, NULL, NULL, NULL, FALSE);
}
