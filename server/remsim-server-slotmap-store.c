/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <sqlite3.h>

#include "remsim-server-slotmap-store.h"

G_DEFINE_QUARK(remsim_server_store_error_quark, remsim_server_store_error)

/* how many queued writes one transaction may take */
#define BATCH_MAX 256

struct _RemsimServerSlotmapStore {
	GObject parent_instance;
	gchar *path;
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *delete;
	sqlite3_stmt *put_card;
	sqlite3_stmt *delete_card;
	guint64 restart_counter;
	GAsyncQueue *queue; /* GTask*, or the store itself to stop the writer */
	GThread *writer;
	GMainContext *context; /* where tasks are made, completed and released */
	gint pending;	       /* tasks not yet released on @context (atomic) */
};

G_DEFINE_FINAL_TYPE(RemsimServerSlotmapStore, remsim_server_slotmap_store, G_TYPE_OBJECT)

typedef struct {
	gboolean has_add;
	RemsimServerStoredMap add;
	GArray *remove;
	gboolean has_card; /* a card row instead of maps */
	RsproBankSlot card_slot;
	gchar *card; /* its JSON, or NULL to delete the row */
} RemsimServerStoreWriteOp;

static void
remsim_server_slotmap_store_write_op_free(RemsimServerStoreWriteOp *op)
{
	g_clear_pointer(&op->remove, g_array_unref);
	g_free(op->card);
	g_free(op);
}

static void
remsim_server_slotmap_store_finalize(GObject *object)
{
	RemsimServerSlotmapStore *self = REMSIM_SERVER_SLOTMAP_STORE(object);

	/* every task holds the store, so none is left to drain: this only stops the writer */
	remsim_server_slotmap_store_close(self);
	g_clear_pointer(&self->queue, g_async_queue_unref);
	g_clear_pointer(&self->context, g_main_context_unref);
	sqlite3_finalize(self->insert);
	sqlite3_finalize(self->delete);
	sqlite3_finalize(self->put_card);
	sqlite3_finalize(self->delete_card);
	sqlite3_close(self->db);
	g_free(self->path);
	G_OBJECT_CLASS(remsim_server_slotmap_store_parent_class)->finalize(object);
}

static void
remsim_server_slotmap_store_class_init(RemsimServerSlotmapStoreClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = remsim_server_slotmap_store_finalize;
}

static void
remsim_server_slotmap_store_init(RemsimServerSlotmapStore *self)
{
	self->queue = g_async_queue_new();
}

static gboolean
remsim_server_slotmap_store_set_sqlite_error(RemsimServerSlotmapStore *self, int rc, GError **error)
{
	int code = rc & 0xff;
	RemsimServerStoreError kind = REMSIM_SERVER_STORE_ERROR_OPEN;

	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		kind = REMSIM_SERVER_STORE_ERROR_CORRUPT;
	g_set_error(error, REMSIM_SERVER_STORE_ERROR, kind, "State database %s: %s", self->path,
		    self->db ? sqlite3_errmsg(self->db) : sqlite3_errstr(rc));
	return FALSE;
}

static gboolean
remsim_server_slotmap_store_exec_sql(RemsimServerSlotmapStore *self, const gchar *sql,
				     GError **error)
{
	int rc = sqlite3_exec(self->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? TRUE
			       : remsim_server_slotmap_store_set_sqlite_error(self, rc, error);
}

/* runs a statement that yields one text row; returns it (or NULL with @error) */
static gchar *
remsim_server_slotmap_store_query_text(RemsimServerSlotmapStore *self, const gchar *sql,
				       GError **error)
{
	sqlite3_stmt *stmt = NULL;
	gchar *text = NULL;
	int rc = sqlite3_prepare_v2(self->db, sql, -1, &stmt, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		text = g_strdup((const gchar *)sqlite3_column_text(stmt, 0));
	else
		remsim_server_slotmap_store_set_sqlite_error(self, rc, error);
	sqlite3_finalize(stmt);
	return text ? text : (error && *error ? NULL : g_strdup(""));
}

static gboolean
remsim_server_slotmap_store_configure(RemsimServerSlotmapStore *self, GError **error)
{
	g_autofree gchar *mode = NULL;
	g_autofree gchar *check = NULL;

	sqlite3_busy_timeout(self->db, 500);
	/* exclusive locking: a second server on the same file fails at start */
	if (!remsim_server_slotmap_store_exec_sql(self, "PRAGMA locking_mode=EXCLUSIVE", error))
		return FALSE;
	mode = remsim_server_slotmap_store_query_text(self, "PRAGMA journal_mode=WAL", error);
	if (!mode)
		return FALSE;
	if (g_ascii_strcasecmp(mode, "wal") != 0) {
		g_set_error(error, REMSIM_SERVER_STORE_ERROR, REMSIM_SERVER_STORE_ERROR_OPEN,
			    "State database %s: cannot switch to WAL mode (got %s)", self->path,
			    mode);
		return FALSE;
	}
	if (!remsim_server_slotmap_store_exec_sql(self, "PRAGMA synchronous=FULL", error))
		return FALSE;
	check = remsim_server_slotmap_store_query_text(self, "PRAGMA quick_check", error);
	if (!check)
		return FALSE;
	if (g_strcmp0(check, "ok") != 0) {
		g_set_error(error, REMSIM_SERVER_STORE_ERROR, REMSIM_SERVER_STORE_ERROR_CORRUPT,
			    "State database %s is damaged: %s", self->path, check);
		return FALSE;
	}
	return TRUE;
}

static gboolean
remsim_server_slotmap_store_create_schema(RemsimServerSlotmapStore *self, GError **error)
{
	g_autofree gchar *counter = NULL;

	if (!remsim_server_slotmap_store_exec_sql(
		self,
		"BEGIN IMMEDIATE;"
		"CREATE TABLE IF NOT EXISTS slotmaps ("
		" seq INTEGER PRIMARY KEY AUTOINCREMENT,"
		" bank_id INTEGER NOT NULL, bank_slot INTEGER NOT NULL,"
		" client_id INTEGER NOT NULL, client_slot INTEGER NOT NULL,"
		" UNIQUE (bank_id, bank_slot), UNIQUE (client_id, client_slot));"
		"CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
		"CREATE TABLE IF NOT EXISTS cards ("
		" bank_id INTEGER NOT NULL, bank_slot INTEGER NOT NULL, card TEXT NOT NULL,"
		" PRIMARY KEY (bank_id, bank_slot));"
		"INSERT OR IGNORE INTO meta VALUES ('restart_counter', 0);"
		"UPDATE meta SET value = value + 1 WHERE key = 'restart_counter';"
		"COMMIT;",
		error)) {
		sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
		return FALSE;
	}
	counter = remsim_server_slotmap_store_query_text(
	    self, "SELECT value FROM meta WHERE key = 'restart_counter'", error);
	if (!counter)
		return FALSE;
	self->restart_counter = g_ascii_strtoull(counter, NULL, 10);
	return TRUE;
}

static gboolean
remsim_server_slotmap_store_prepare_statements(RemsimServerSlotmapStore *self, GError **error)
{
	int rc =
	    sqlite3_prepare_v2(self->db,
			       "INSERT INTO slotmaps (bank_id, bank_slot, client_id, client_slot)"
			       " VALUES (?, ?, ?, ?)",
			       -1, &self->insert, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(self->db,
					"DELETE FROM slotmaps WHERE bank_id = ? AND bank_slot = ?"
					" AND client_id = ? AND client_slot = ?",
					-1, &self->delete, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(self->db,
					"INSERT OR REPLACE INTO cards (bank_id, bank_slot, card)"
					" VALUES (?, ?, ?)",
					-1, &self->put_card, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(self->db,
					"DELETE FROM cards WHERE bank_id = ? AND bank_slot = ?", -1,
					&self->delete_card, NULL);
	return rc == SQLITE_OK ? TRUE
			       : remsim_server_slotmap_store_set_sqlite_error(self, rc, error);
}

static gpointer remsim_server_slotmap_store_writer_thread(gpointer data);

RemsimServerSlotmapStore *
remsim_server_slotmap_store_open(const gchar *path, GError **error)
{
	g_autoptr(RemsimServerSlotmapStore) self =
	    g_object_new(REMSIM_TYPE_SERVER_SLOTMAP_STORE, NULL);
	int rc;

	self->path = g_strdup(path);
	rc = sqlite3_open_v2(path, &self->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		remsim_server_slotmap_store_set_sqlite_error(self, rc, error);
		return NULL;
	}
	if (!remsim_server_slotmap_store_configure(self, error) ||
	    !remsim_server_slotmap_store_create_schema(self, error) ||
	    !remsim_server_slotmap_store_prepare_statements(self, error))
		return NULL;
	self->context = g_main_context_ref_thread_default();
	self->writer =
	    g_thread_new("remsim-store", remsim_server_slotmap_store_writer_thread, self);
	return g_steal_pointer(&self);
}

const gchar *
remsim_server_slotmap_store_get_path(RemsimServerSlotmapStore *self)
{
	return self->path;
}

guint64
remsim_server_slotmap_store_get_restart_counter(RemsimServerSlotmapStore *self)
{
	return self->restart_counter;
}

GArray *
remsim_server_slotmap_store_load(RemsimServerSlotmapStore *self, GError **error)
{
	g_autoptr(GArray) maps = g_array_new(FALSE, TRUE, sizeof(RemsimServerStoredMap));
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(self->db,
				    "SELECT bank_id, bank_slot, client_id, client_slot"
				    " FROM slotmaps ORDER BY seq",
				    -1, &stmt, NULL);

	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		RemsimServerStoredMap m = {
			.bank = { sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1) },
			.client = { sqlite3_column_int(stmt, 2), sqlite3_column_int(stmt, 3) },
		};

		if (m.bank.bank_id > RSPRO_ID_MAX || m.bank.slot_nr > RSPRO_ID_MAX ||
		    m.client.client_id > RSPRO_ID_MAX || m.client.slot_nr > RSPRO_ID_MAX) {
			g_set_error(error, REMSIM_SERVER_STORE_ERROR,
				    REMSIM_SERVER_STORE_ERROR_CORRUPT,
				    "State database %s holds an id out of range", self->path);
			sqlite3_finalize(stmt);
			return NULL;
		}
		rc = SQLITE_OK;
		g_array_append_val(maps, m);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		remsim_server_slotmap_store_set_sqlite_error(self, rc, error);
		return NULL;
	}
	return g_steal_pointer(&maps);
}

static int
remsim_server_slotmap_store_run_row(sqlite3_stmt *stmt, const RemsimServerStoredMap *m)
{
	int rc;

	sqlite3_reset(stmt);
	sqlite3_bind_int(stmt, 1, m->bank.bank_id);
	sqlite3_bind_int(stmt, 2, m->bank.slot_nr);
	sqlite3_bind_int(stmt, 3, m->client.client_id);
	sqlite3_bind_int(stmt, 4, m->client.slot_nr);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int
remsim_server_slotmap_store_run_card(RemsimServerSlotmapStore *self,
				     const RemsimServerStoreWriteOp *op)
{
	sqlite3_stmt *stmt = op->card != NULL ? self->put_card : self->delete_card;
	int rc;

	sqlite3_reset(stmt);
	sqlite3_bind_int(stmt, 1, op->card_slot.bank_id);
	sqlite3_bind_int(stmt, 2, op->card_slot.slot_nr);
	if (op->card != NULL)
		sqlite3_bind_text(stmt, 3, op->card, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* one op inside a savepoint, so that its failure spares the others in the batch */
static int
remsim_server_slotmap_store_apply_op(RemsimServerSlotmapStore *self,
				     const RemsimServerStoreWriteOp *op)
{
	int rc = sqlite3_exec(self->db, "SAVEPOINT op", NULL, NULL, NULL);

	if (rc == SQLITE_OK && op->has_card)
		rc = remsim_server_slotmap_store_run_card(self, op);
	for (guint i = 0; rc == SQLITE_OK && op->remove != NULL && i < op->remove->len; i++)
		rc = remsim_server_slotmap_store_run_row(
		    self->delete, &g_array_index(op->remove, RemsimServerStoredMap, i));
	if (rc == SQLITE_OK && op->has_add)
		rc = remsim_server_slotmap_store_run_row(self->insert, &op->add);
	if (rc != SQLITE_OK)
		sqlite3_exec(self->db, "ROLLBACK TO op", NULL, NULL, NULL);
	sqlite3_exec(self->db, "RELEASE op", NULL, NULL, NULL);
	return rc;
}

/* a committed batch, handed back to the store's context whole */
typedef struct {
	GPtrArray *tasks; /* GTask*, the writer's references */
	int *results;	  /* per task */
	int rc;		  /* the transaction's */
} RemsimServerStoreDone;

/*
 * On the store's context: one dispatch completes a whole batch. Completing
 * each task from the writer thread cost the main loop a source, a wake-up
 * and a dispatch per task, twice (the result, then the release).
 */
static gboolean
remsim_server_slotmap_store_done_cb(gpointer data)
{
	RemsimServerStoreDone *done = data;

	for (guint i = 0; i < done->tasks->len; i++) {
		GTask *task = done->tasks->pdata[i];
		RemsimServerSlotmapStore *self = g_task_get_source_object(task);
		int r = done->rc != SQLITE_OK ? done->rc : done->results[i];

		if (r == SQLITE_OK)
			g_task_return_boolean(task, TRUE);
		else
			g_task_return_new_error(
			    task, REMSIM_SERVER_STORE_ERROR, REMSIM_SERVER_STORE_ERROR_WRITE,
			    "State database %s: %s", self->path, sqlite3_errstr(r));
		g_atomic_int_add(&self->pending, -1);
		g_object_unref(task);
	}
	g_ptr_array_unref(done->tasks);
	g_free(done->results);
	g_free(done);
	return G_SOURCE_REMOVE;
}

static void
remsim_server_slotmap_store_run_batch(RemsimServerSlotmapStore *self, GPtrArray *batch)
{
	RemsimServerStoreDone *done = g_new0(RemsimServerStoreDone, 1);
	GSource *source;
	gint64 start = g_get_monotonic_time();
	int rc = sqlite3_exec(self->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

	done->results = g_new0(int, batch->len);
	for (guint i = 0; rc == SQLITE_OK && i < batch->len; i++)
		done->results[i] = remsim_server_slotmap_store_apply_op(
		    self, g_task_get_task_data(batch->pdata[i]));
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(self->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sqlite3_exec(self->db, "ROLLBACK", NULL, NULL, NULL);
	g_debug("store: %u writes in one transaction, %.1f ms", batch->len,
		(g_get_monotonic_time() - start) / 1000.0);
	done->rc = rc;
	/* the tasks hold the store: they are completed and released on its context,
	 * as their last reference could be the store's, which joins this thread */
	done->tasks = g_ptr_array_ref(batch);
	/* a source rather than g_main_context_invoke(), which would run it right
	 * here when the context happens to be free (this thread's default is it) */
	source = g_idle_source_new();
	g_source_set_priority(source, G_PRIORITY_DEFAULT);
	g_source_set_callback(source, remsim_server_slotmap_store_done_cb, done, NULL);
	g_source_set_static_name(source, "[store] done");
	g_source_attach(source, self->context);
	g_source_unref(source);
}

static gpointer
remsim_server_slotmap_store_writer_thread(gpointer data)
{
	RemsimServerSlotmapStore *self = data;
	gboolean stop = FALSE;

	while (!stop) {
		g_autoptr(GPtrArray) batch = g_ptr_array_new();
		gpointer item = g_async_queue_pop(self->queue);

		while (item) {
			if (item == (gpointer)self) {
				stop = TRUE;
				break;
			}
			g_ptr_array_add(batch, item);
			item = batch->len < BATCH_MAX ? g_async_queue_try_pop(self->queue) : NULL;
		}
		if (batch->len)
			remsim_server_slotmap_store_run_batch(self, batch);
	}
	return NULL;
}

void
remsim_server_slotmap_store_write_async(RemsimServerSlotmapStore *self,
					const RemsimServerStoredMap *add,
					const RemsimServerStoredMap *remove, guint n_remove,
					GCancellable *cancellable, GAsyncReadyCallback callback,
					gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimServerStoreWriteOp *op;

	if (self->writer == NULL) {
		g_task_return_new_error(task, REMSIM_SERVER_STORE_ERROR,
					REMSIM_SERVER_STORE_ERROR_WRITE,
					"State database %s is closed", self->path);
		g_object_unref(task);
		return;
	}
	op = g_new0(RemsimServerStoreWriteOp, 1);

	g_task_set_source_tag(task, remsim_server_slotmap_store_write_async);
	op->has_add = add != NULL;
	if (add)
		op->add = *add;
	op->remove = g_array_sized_new(FALSE, FALSE, sizeof(RemsimServerStoredMap), n_remove);
	g_array_append_vals(op->remove, remove, n_remove);
	g_task_set_task_data(task, op, (GDestroyNotify)remsim_server_slotmap_store_write_op_free);
	/* the writer thread owns the task reference from here on */
	g_atomic_int_inc(&self->pending);
	g_async_queue_push(self->queue, task);
}

void
remsim_server_slotmap_store_write_card_async(RemsimServerSlotmapStore *self,
					     const RsproBankSlot *slot, const gchar *card,
					     GCancellable *cancellable,
					     GAsyncReadyCallback callback, gpointer user_data)
{
	GTask *task = g_task_new(self, cancellable, callback, user_data);
	RemsimServerStoreWriteOp *op;

	g_task_set_source_tag(task, remsim_server_slotmap_store_write_card_async);
	if (self->writer == NULL) {
		g_task_return_new_error(task, REMSIM_SERVER_STORE_ERROR,
					REMSIM_SERVER_STORE_ERROR_WRITE,
					"State database %s is closed", self->path);
		g_object_unref(task);
		return;
	}
	op = g_new0(RemsimServerStoreWriteOp, 1);
	op->has_card = TRUE;
	op->card_slot = *slot;
	op->card = g_strdup(card);
	g_task_set_task_data(task, op, (GDestroyNotify)remsim_server_slotmap_store_write_op_free);
	g_atomic_int_inc(&self->pending);
	g_async_queue_push(self->queue, task);
}

gboolean
remsim_server_slotmap_store_write_card_finish(RemsimServerSlotmapStore *self, GAsyncResult *result,
					      GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

GArray *
remsim_server_slotmap_store_load_cards(RemsimServerSlotmapStore *self, GError **error)
{
	g_autoptr(GArray) cards = g_array_new(FALSE, TRUE, sizeof(RemsimServerStoredCard));
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v2(self->db,
				    "SELECT bank_id, bank_slot, card FROM cards"
				    " ORDER BY bank_id, bank_slot",
				    -1, &stmt, NULL);

	g_array_set_clear_func(cards, (GDestroyNotify)remsim_server_slotmap_store_clear_card);
	while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		RemsimServerStoredCard c = {
			.slot = { sqlite3_column_int(stmt, 0), sqlite3_column_int(stmt, 1) },
			.card = g_strdup((const gchar *)sqlite3_column_text(stmt, 2)),
		};

		rc = SQLITE_OK;
		g_array_append_val(cards, c);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		remsim_server_slotmap_store_set_sqlite_error(self, rc, error);
		return NULL;
	}
	return g_steal_pointer(&cards);
}

void
remsim_server_slotmap_store_clear_card(RemsimServerStoredCard *card)
{
	g_clear_pointer(&card->card, g_free);
}

void
remsim_server_slotmap_store_close(RemsimServerSlotmapStore *self)
{
	g_return_if_fail(REMSIM_IS_SERVER_SLOTMAP_STORE(self));

	if (self->writer == NULL)
		return;
	/* the writer finishes what is queued, then every task is completed and
	 * released here, on the store's own context */
	g_async_queue_push(self->queue, self);
	g_thread_join(self->writer);
	self->writer = NULL;
	while (g_atomic_int_get(&self->pending) > 0)
		g_main_context_iteration(self->context, TRUE);
}

gboolean
remsim_server_slotmap_store_write_finish(RemsimServerSlotmapStore *self, GAsyncResult *result,
					 GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}
