/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "remsim-client-frontend.h"
#include "remsim-client-frontend-shell.h"
#include "remsim-client-frontend-simtrace2.h"
#include "remsim-client-frontend-vpcd.h"

typedef struct {
	GBytes *atr;
	gboolean card_present;
	gboolean started;
	gboolean finished;
	RsproSlotPhysStatus status;
	GError *error;
} RemsimClientFrontendPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE(RemsimClientFrontend, remsim_client_frontend, G_TYPE_OBJECT)
G_DEFINE_QUARK(remsim_client_frontend_error_quark, remsim_client_frontend_error)

enum {
	SIGNAL_COMMAND,
	SIGNAL_STATUS_CHANGED,
	SIGNAL_FINISHED,
	N_SIGNALS,
};
static guint signals[N_SIGNALS];

static const gchar *const frontend_names[] = { "shell", "vpcd", "simtrace2", NULL };

const gchar *const *
remsim_client_frontend_list_names(void)
{
	return frontend_names;
}

RemsimClientFrontend *
remsim_client_frontend_new(const gchar *name, RemsimConfig *config, const gchar *group,
			   GError **error)
{
	if (g_strcmp0(name, "shell") == 0)
		return remsim_client_frontend_shell_new();
	if (g_strcmp0(name, "vpcd") == 0)
		return remsim_client_frontend_vpcd_new(config, group, error);
	if (g_strcmp0(name, "simtrace2") == 0)
		return remsim_client_frontend_simtrace2_new(config, group, error);
	g_set_error(error, REMSIM_CLIENT_FRONTEND_ERROR, REMSIM_CLIENT_FRONTEND_ERROR_UNKNOWN,
		    _("Unknown front end “%s” (known: shell, vpcd, simtrace2)"), name);
	return NULL;
}

static void
remsim_client_frontend_finalize(GObject *object)
{
	RemsimClientFrontendPrivate *priv =
	    remsim_client_frontend_get_instance_private(REMSIM_CLIENT_FRONTEND(object));

	g_clear_pointer(&priv->atr, g_bytes_unref);
	g_clear_error(&priv->error);
	G_OBJECT_CLASS(remsim_client_frontend_parent_class)->finalize(object);
}

static void
remsim_client_frontend_class_init(RemsimClientFrontendClass *klass)
{
	GObjectClass *object_class = G_OBJECT_CLASS(klass);

	object_class->finalize = remsim_client_frontend_finalize;

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
remsim_client_frontend_init(RemsimClientFrontend *self)
{
}

gboolean
remsim_client_frontend_start(RemsimClientFrontend *self, GError **error)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);

	g_return_val_if_fail(REMSIM_IS_CLIENT_FRONTEND(self), FALSE);
	if (priv->started)
		return TRUE;
	if (klass->start != NULL && !klass->start(self, error))
		return FALSE;
	priv->started = TRUE;
	return TRUE;
}

void
remsim_client_frontend_stop(RemsimClientFrontend *self)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_CLIENT_FRONTEND(self));
	if (!priv->started)
		return;
	priv->started = FALSE;
	if (klass->stop != NULL)
		klass->stop(self);
}

void
remsim_client_frontend_set_atr(RemsimClientFrontend *self, GBytes *atr)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_CLIENT_FRONTEND(self));
	g_return_if_fail(atr != NULL);
	g_clear_pointer(&priv->atr, g_bytes_unref);
	priv->atr = g_bytes_ref(atr);
	if (klass->set_atr != NULL)
		klass->set_atr(self, atr);
}

void
remsim_client_frontend_set_default_atr(RemsimClientFrontend *self, GBytes *atr)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_CLIENT_FRONTEND(self));
	g_return_if_fail(atr != NULL);
	if (klass->set_default_atr == NULL) {
		remsim_client_frontend_set_atr(self, atr);
		return;
	}
	g_clear_pointer(&priv->atr, g_bytes_unref);
	priv->atr = g_bytes_ref(atr);
	klass->set_default_atr(self, atr);
}

void
remsim_client_frontend_receive_response(RemsimClientFrontend *self, GBytes *data)
{
	g_return_if_fail(REMSIM_IS_CLIENT_FRONTEND(self));
	g_return_if_fail(data != NULL);
	REMSIM_CLIENT_FRONTEND_GET_CLASS(self)->receive_response(self, data);
}

void
remsim_client_frontend_set_card_present(RemsimClientFrontend *self, gboolean present)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_CLIENT_FRONTEND(self));
	priv->card_present = present;
	if (klass->set_card_present != NULL)
		klass->set_card_present(self, present);
}

void
remsim_client_frontend_set_sim_remote(RemsimClientFrontend *self, gboolean remote)
{
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_CLIENT_FRONTEND(self));
	if (klass->set_sim_remote != NULL)
		klass->set_sim_remote(self, remote);
}

void
remsim_client_frontend_reset_modem(RemsimClientFrontend *self)
{
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);

	g_return_if_fail(REMSIM_IS_CLIENT_FRONTEND(self));
	if (klass->reset_modem != NULL)
		klass->reset_modem(self);
}

GBytes *
remsim_client_frontend_get_atr(RemsimClientFrontend *self)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CLIENT_FRONTEND(self), NULL);
	return priv->atr;
}

gboolean
remsim_client_frontend_get_card_present(RemsimClientFrontend *self)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CLIENT_FRONTEND(self), FALSE);
	return priv->card_present;
}

const RsproSlotPhysStatus *
remsim_client_frontend_get_status(RemsimClientFrontend *self)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CLIENT_FRONTEND(self), NULL);
	return &priv->status;
}

gboolean
remsim_client_frontend_get_finished(RemsimClientFrontend *self)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CLIENT_FRONTEND(self), FALSE);
	return priv->finished;
}

void
remsim_client_frontend_emit_command(RemsimClientFrontend *self, GBytes *tpdu)
{
	g_signal_emit(self, signals[SIGNAL_COMMAND], 0, tpdu);
}

void
remsim_client_frontend_emit_status(RemsimClientFrontend *self, const RsproSlotPhysStatus *status)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	priv->status = *status;
	g_signal_emit(self, signals[SIGNAL_STATUS_CHANGED], 0, &priv->status);
}

void
remsim_client_frontend_emit_finished(RemsimClientFrontend *self)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	if (priv->finished)
		return;
	priv->finished = TRUE;
	g_signal_emit(self, signals[SIGNAL_FINISHED], 0);
}

void
remsim_client_frontend_emit_failed(RemsimClientFrontend *self, const GError *error)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	if (priv->error == NULL && error != NULL) {
		priv->error = g_error_copy(error);
		g_warning("%s front end failed: %s", G_OBJECT_TYPE_NAME(self), error->message);
	}
	remsim_client_frontend_emit_finished(self);
}

const GError *
remsim_client_frontend_get_error(RemsimClientFrontend *self)
{
	RemsimClientFrontendPrivate *priv = remsim_client_frontend_get_instance_private(self);

	g_return_val_if_fail(REMSIM_IS_CLIENT_FRONTEND(self), NULL);
	return priv->error;
}

gchar **
remsim_client_frontend_get_script_vars(RemsimClientFrontend *self)
{
	RemsimClientFrontendClass *klass = REMSIM_CLIENT_FRONTEND_GET_CLASS(self);
	gchar **vars = NULL;

	g_return_val_if_fail(REMSIM_IS_CLIENT_FRONTEND(self), NULL);
	if (klass->get_script_vars != NULL)
		vars = klass->get_script_vars(self);
	return vars != NULL ? vars : g_new0(gchar *, 1);
}
