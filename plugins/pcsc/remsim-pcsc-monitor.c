/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reports coalesce: the thread replaces a pending snapshot rather than
 * queueing one per change, so a burst of events costs one main-loop wakeup.
 */
#include "config.h"

#include <PCSC/winscard.h>
#include <string.h>

#include "remsim-pcsc-error.h"
#include "remsim-pcsc-monitor.h"

#define PNP_READER "\\\\?PnP?\\Notification"
/* how often to look for pcscd again while it is not running */
#define RETRY_MS 250

struct _RemsimPcscMonitor {
	GThread *thread;
	GMainContext *context;
	RemsimPcscMonitorFunc func;
	gpointer user_data;
	GMutex lock;
	GCond cond;
	/* under lock */
	gboolean stopping;
	gboolean exited;
	SCARDCONTEXT pcsc;
	gboolean have_pcsc;
	GPtrArray *pending;
	GSource *source;
	/* the thread's own */
	SCARD_READERSTATE *states; /* [0] is the PnP reader */
	guint n_states;
	gboolean service_down_reported;
};

static void
remsim_pcsc_monitor_reader_free(RemsimPcscReader *reader)
{
	g_free(reader->name);
	g_free(reader);
}

static gboolean
remsim_pcsc_monitor_deliver_cb(gpointer data)
{
	RemsimPcscMonitor *self = data;
	g_autoptr(GPtrArray) readers = NULL;

	g_mutex_lock(&self->lock);
	readers = g_steal_pointer(&self->pending);
	g_clear_pointer(&self->source, g_source_unref);
	g_mutex_unlock(&self->lock);
	if (readers != NULL)
		self->func(readers, self->user_data);
	return G_SOURCE_REMOVE;
}

static void
remsim_pcsc_monitor_post(RemsimPcscMonitor *self, GPtrArray *readers)
{
	g_mutex_lock(&self->lock);
	g_clear_pointer(&self->pending, g_ptr_array_unref);
	self->pending = readers;
	if (self->source == NULL && !self->stopping) {
		self->source = g_idle_source_new();
		g_source_set_priority(self->source, G_PRIORITY_DEFAULT);
		g_source_set_callback(self->source, remsim_pcsc_monitor_deliver_cb, self, NULL);
		g_source_set_static_name(self->source, "[remsim-pcsc] readers");
		g_source_attach(self->source, self->context);
	}
	g_mutex_unlock(&self->lock);
}

static void
remsim_pcsc_monitor_post_states(RemsimPcscMonitor *self)
{
	GPtrArray *readers =
	    g_ptr_array_new_with_free_func((GDestroyNotify)remsim_pcsc_monitor_reader_free);

	for (guint i = 1; i < self->n_states; i++) {
		const SCARD_READERSTATE *s = &self->states[i];
		RemsimPcscReader *reader;

		if (s->dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE))
			continue;
		reader = g_new0(RemsimPcscReader, 1);
		reader->name = g_strdup(s->szReader);
		reader->present = (s->dwEventState & SCARD_STATE_PRESENT) &&
				  !(s->dwEventState & SCARD_STATE_MUTE);
		reader->events = (s->dwEventState >> 16) & 0xffff;
		g_ptr_array_add(readers, reader);
	}
	remsim_pcsc_monitor_post(self, readers);
}

static void
remsim_pcsc_monitor_free_states(RemsimPcscMonitor *self)
{
	for (guint i = 0; i < self->n_states; i++)
		g_free((gchar *)self->states[i].szReader);
	g_clear_pointer(&self->states, g_free);
	self->n_states = 0;
}

/* the state array for the readers there are now, keeping what is known of each */
static LONG
remsim_pcsc_monitor_list_readers(RemsimPcscMonitor *self)
{
	g_autofree gchar *names = NULL;
	DWORD len = 0;
	g_autoptr(GArray) states = g_array_new(FALSE, TRUE, sizeof(SCARD_READERSTATE));
	SCARD_READERSTATE pnp = { 0 };
	LONG rv = SCardListReaders(self->pcsc, NULL, NULL, &len);

	if (rv == SCARD_S_SUCCESS) {
		names = g_malloc0(len + 1);
		rv = SCardListReaders(self->pcsc, NULL, names, &len);
	}
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_NO_READERS_AVAILABLE)
		return rv;
	pnp.szReader = g_strdup(PNP_READER);
	pnp.dwCurrentState = self->n_states > 0 ? self->states[0].dwCurrentState : 0;
	g_array_append_val(states, pnp);
	for (const gchar *n = names; rv == SCARD_S_SUCCESS && *n != '\0'; n += strlen(n) + 1) {
		SCARD_READERSTATE s = { 0 };

		s.szReader = g_strdup(n);
		for (guint i = 1; i < self->n_states; i++) {
			if (strcmp(self->states[i].szReader, n) == 0)
				s.dwCurrentState = self->states[i].dwCurrentState;
		}
		g_array_append_val(states, s);
	}
	remsim_pcsc_monitor_free_states(self);
	self->n_states = states->len;
	self->states = (SCARD_READERSTATE *)(void *)g_array_free(g_steal_pointer(&states), FALSE);
	return SCARD_S_SUCCESS;
}

static gboolean
remsim_pcsc_monitor_wait_stop(RemsimPcscMonitor *self, guint ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * G_TIME_SPAN_MILLISECOND;
	gboolean stopping;

	g_mutex_lock(&self->lock);
	while (!self->stopping && g_cond_wait_until(&self->cond, &self->lock, until))
		;
	stopping = self->stopping;
	g_mutex_unlock(&self->lock);
	return stopping;
}

static void
remsim_pcsc_monitor_drop_pcsc(RemsimPcscMonitor *self)
{
	g_mutex_lock(&self->lock);
	if (self->have_pcsc)
		SCardReleaseContext(self->pcsc);
	self->have_pcsc = FALSE;
	g_mutex_unlock(&self->lock);
	remsim_pcsc_monitor_free_states(self);
}

static gboolean
remsim_pcsc_monitor_connect(RemsimPcscMonitor *self)
{
	SCARDCONTEXT pcsc;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &pcsc);

	if (rv != SCARD_S_SUCCESS) {
		if (!self->service_down_reported) {
			g_message("PC/SC: cannot reach pcscd (%s 0x%08lX); waiting for it",
				  remsim_pcsc_error_name(rv), (unsigned long)rv);
			remsim_pcsc_monitor_post(
			    self, g_ptr_array_new_with_free_func(
				      (GDestroyNotify)remsim_pcsc_monitor_reader_free));
		}
		self->service_down_reported = TRUE;
		return FALSE;
	}
	g_mutex_lock(&self->lock);
	self->pcsc = pcsc;
	self->have_pcsc = TRUE;
	g_mutex_unlock(&self->lock);
	self->service_down_reported = FALSE;
	return TRUE;
}

/* one wait for a change; FALSE when the context is lost */
static gboolean
remsim_pcsc_monitor_wait_change(RemsimPcscMonitor *self)
{
	gboolean relist = FALSE;
	LONG rv = SCardGetStatusChange(self->pcsc, INFINITE, self->states, self->n_states);

	if (rv == SCARD_E_CANCELLED || rv == SCARD_E_TIMEOUT)
		return TRUE;
	if (rv != SCARD_S_SUCCESS) {
		g_message("PC/SC: lost pcscd (%s)", remsim_pcsc_error_name(rv));
		return FALSE;
	}
	for (guint i = 0; i < self->n_states; i++) {
		SCARD_READERSTATE *s = &self->states[i];

		if (i == 0 && (s->dwEventState & SCARD_STATE_CHANGED))
			relist = TRUE;
		if (s->dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE))
			relist = TRUE;
		s->dwCurrentState = s->dwEventState & ~SCARD_STATE_CHANGED;
	}
	if (relist && remsim_pcsc_monitor_list_readers(self) != SCARD_S_SUCCESS)
		return FALSE;
	remsim_pcsc_monitor_post_states(self);
	return TRUE;
}

static gpointer
remsim_pcsc_monitor_thread(gpointer data)
{
	RemsimPcscMonitor *self = data;

	while (!remsim_pcsc_monitor_wait_stop(self, 0)) {
		if (!remsim_pcsc_monitor_connect(self)) {
			remsim_pcsc_monitor_wait_stop(self, RETRY_MS);
			continue;
		}
		if (remsim_pcsc_monitor_list_readers(self) != SCARD_S_SUCCESS) {
			remsim_pcsc_monitor_drop_pcsc(self);
			continue;
		}
		remsim_pcsc_monitor_post_states(self);
		while (!remsim_pcsc_monitor_wait_stop(self, 0) &&
		       remsim_pcsc_monitor_wait_change(self))
			;
		remsim_pcsc_monitor_drop_pcsc(self);
		remsim_pcsc_monitor_post(self, g_ptr_array_new_with_free_func((
						   GDestroyNotify)remsim_pcsc_monitor_reader_free));
	}
	g_mutex_lock(&self->lock);
	self->exited = TRUE;
	g_cond_broadcast(&self->cond);
	g_mutex_unlock(&self->lock);
	return NULL;
}

RemsimPcscMonitor *
remsim_pcsc_monitor_new(GMainContext *context, RemsimPcscMonitorFunc func, gpointer user_data)
{
	RemsimPcscMonitor *self = g_new0(RemsimPcscMonitor, 1);

	self->context =
	    context != NULL ? g_main_context_ref(context) : g_main_context_ref_thread_default();
	self->func = func;
	self->user_data = user_data;
	g_mutex_init(&self->lock);
	g_cond_init(&self->cond);
	self->thread = g_thread_new("pcsc monitor", remsim_pcsc_monitor_thread, self);
	return self;
}

void
remsim_pcsc_monitor_free(RemsimPcscMonitor *self)
{
	if (self == NULL)
		return;
	g_mutex_lock(&self->lock);
	self->stopping = TRUE;
	g_cond_broadcast(&self->cond);
	/* a cancel can land just before the thread blocks again: repeat until it is out */
	while (!self->exited) {
		gint64 until = g_get_monotonic_time() + 20 * G_TIME_SPAN_MILLISECOND;

		if (self->have_pcsc)
			SCardCancel(self->pcsc);
		g_cond_wait_until(&self->cond, &self->lock, until);
	}
	if (self->source != NULL) {
		g_source_destroy(self->source);
		g_clear_pointer(&self->source, g_source_unref);
	}
	g_clear_pointer(&self->pending, g_ptr_array_unref);
	g_mutex_unlock(&self->lock);
	g_thread_join(self->thread);
	g_main_context_unref(self->context);
	g_mutex_clear(&self->lock);
	g_cond_clear(&self->cond);
	g_free(self);
}
