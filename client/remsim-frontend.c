/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-frontend.h"
#include "remsim-frontend-shell.h"
#include "remsim-frontend-simtrace2.h"
#include "remsim-frontend-vpcd.h"

typedef struct {
	GBytes *atr;
	gboolean card_present;
	gboolean started;
	gboolean finished;
	RsproSlotPhysStatus status;
	GError *error;
} RemsimFrontendPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(RemsimFrontend, remsim_frontend, G_TYPE_OBJECT)
G_DEFINE_QUARK(remsim - frontend - error - quark, remsim_frontend_error)

enum {
	SIGNAL_COMMAND,
	SIGNAL_STATUS_CHANGED,
	SIGNAL_FINISHED,
	N_SIGNALS,
};
static guint signals[N_SIGNALS];

static const gchar *const frontend_names[] = { "shell", "vpcd", "simtrace2", NULL };

const gchar *const *
remsim_frontend_list_names(void)
{
	return frontend_names;
}

RemsimFrontend *
remsim_frontend_new(const gchar *name, RemsimClientConfig *config, const gchar *group,
		    GError **error)
{
	if (g_strcmp0(name, "shell") == 0)
		return remsim_frontend_shell_new();
	if (g_strcmp0(name, "vpcd") == 0)
		return remsim_frontend_vpcd_new(config, group, error);
	if (g_strcmp0(name, "simtrace2") == 0)
		return remsim_frontend_simtrace2_new(config, group, error);
	g_set_error(error, REMSIM_FRONTEND_ERROR, REMSIM_FRONTEND_ERROR_UNKNOWN,
		    _("Unknown front end “%s” (known: shell, vpcd, simtrace2)"), name);
	return NULL;
}

static void
remsim_frontend_finalize(GObject *object)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(REMSIM_FRONTEND(object));

	g_clear_pointer(&priv->atr, g_bytes_unref);
	g_clear_error(&priv->error);
	G_OBJECT_CLASS(remsim_frontend_parent_class)->finalize(object);
}

static void
remsim_frontend_class_init(RemsimFrontendClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->finalize = remsim_frontend_finalize;

	signals[SIGNAL_COMMAND] =
	    g_signal_new("command", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
	signals[SIGNAL_STATUS_CHANGED] =
	    g_signal_new("status-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
			 NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
	signals[SIGNAL_FINISHED] =
	    g_signal_new("finished", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
			 NULL, G_TYPE_NONE, 0);
}

static void
remsim_frontend_init(RemsimFrontend *self)
{
}

gboolean
remsim_frontend_start(RemsimFrontend *self, GError **error)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);
	RemsimFrontendClass *klass = REMSIM_FRONTEND_GET_CLASS(self);

	g_return_val_if_fail(REMSIM_IS_FRONTEND(self), FALSE);
	if (priv->started)
		return TRUE;
	if (klass->start != NULL && !klass->start(self, error))
		return FALSE;
	priv->started = TRUE;
	return TRUE;
}

void
remsim_frontend_stop(RemsimFrontend *self)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);
	RemsimFrontendClass *klass = REMSIM_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_FRONTEND(self));
	if (!priv->started)
		return;
	priv->started = FALSE;
	if (klass->stop != NULL)
		klass->stop(self);
}

void
remsim_frontend_set_atr(RemsimFrontend *self, GBytes *atr)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);
	RemsimFrontendClass *klass = REMSIM_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_FRONTEND(self));
	g_return_if_fail(atr != NULL);
	g_clear_pointer(&priv->atr, g_bytes_unref);
	priv->atr = g_bytes_ref(atr);
	if (klass->set_atr != NULL)
		klass->set_atr(self, atr);
}

void
remsim_frontend_receive_response(RemsimFrontend *self, GBytes *data)
{
	g_return_if_fail(REMSIM_IS_FRONTEND(self));
	g_return_if_fail(data != NULL);
	REMSIM_FRONTEND_GET_CLASS(self)->receive_response(self, data);
}

void
remsim_frontend_set_card_present(RemsimFrontend *self, gboolean present)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);
	RemsimFrontendClass *klass = REMSIM_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_FRONTEND(self));
	priv->card_present = present;
	if (klass->set_card_present != NULL)
		klass->set_card_present(self, present);
}

void
remsim_frontend_set_sim_remote(RemsimFrontend *self, gboolean remote)
{
	RemsimFrontendClass *klass = REMSIM_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_FRONTEND(self));
	if (klass->set_sim_remote != NULL)
		klass->set_sim_remote(self, remote);
}

void
remsim_frontend_reset_modem(RemsimFrontend *self)
{
	RemsimFrontendClass *klass = REMSIM_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_FRONTEND(self));
	if (klass->reset_modem != NULL)
		klass->reset_modem(self);
}

GBytes *
remsim_frontend_get_atr(RemsimFrontend *self)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_FRONTEND(self), NULL);
	return priv->atr;
}

gboolean
remsim_frontend_get_card_present(RemsimFrontend *self)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_FRONTEND(self), FALSE);
	return priv->card_present;
}

const RsproSlotPhysStatus *
remsim_frontend_get_status(RemsimFrontend *self)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_FRONTEND(self), NULL);
	return &priv->status;
}

gboolean
remsim_frontend_get_finished(RemsimFrontend *self)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_FRONTEND(self), FALSE);
	return priv->finished;
}

void
remsim_frontend_emit_command(RemsimFrontend *self, GBytes *tpdu)
{
	g_signal_emit(self, signals[SIGNAL_COMMAND], 0, tpdu);
}

void
remsim_frontend_emit_status(RemsimFrontend *self, const RsproSlotPhysStatus *status)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	priv->status = *status;
	g_signal_emit(self, signals[SIGNAL_STATUS_CHANGED], 0, &priv->status);
}

void
remsim_frontend_emit_finished(RemsimFrontend *self)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	if (priv->finished)
		return;
	priv->finished = TRUE;
	g_signal_emit(self, signals[SIGNAL_FINISHED], 0);
}

void
remsim_frontend_emit_failed(RemsimFrontend *self, const GError *error)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	if (priv->error == NULL && error != NULL) {
		priv->error = g_error_copy(error);
		g_warning(_("%s front end failed: %s"), G_OBJECT_TYPE_NAME(self), error->message);
	}
	remsim_frontend_emit_finished(self);
}

const GError *
remsim_frontend_get_error(RemsimFrontend *self)
{
	RemsimFrontendPrivate *priv = remsim_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_FRONTEND(self), NULL);
	return priv->error;
}

gchar **
remsim_frontend_get_script_vars(RemsimFrontend *self)
{
	RemsimFrontendClass *klass = REMSIM_FRONTEND_GET_CLASS(self);
	gchar **vars = NULL;

	g_return_val_if_fail(REMSIM_IS_FRONTEND(self), NULL);
	if (klass->get_script_vars != NULL)
		vars = klass->get_script_vars(self);
	return vars != NULL ? vars : g_new0(gchar *, 1);
}
