/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <unistd.h>

#include "remsim-ctl-output.h"

#define REMSIM_CTL_OUTPUT_GREEN "\033[32m"
#define REMSIM_CTL_OUTPUT_YELLOW "\033[33m"
#define REMSIM_CTL_OUTPUT_RED "\033[31m"
#define REMSIM_CTL_OUTPUT_BOLD "\033[1m"
#define REMSIM_CTL_OUTPUT_RESET "\033[0m"

gboolean
remsim_ctl_output_colour_wanted(void)
{
	const gchar *no_colour = g_getenv("NO_COLOR");

	if (no_colour != NULL && *no_colour != '\0')
		return FALSE;
	if (g_strcmp0(g_getenv("TERM"), "dumb") == 0)
		return FALSE;
	return isatty(STDOUT_FILENO);
}

typedef struct {
	const gchar *word;
	const gchar *label; /* N_() */
	const gchar *colour;
} RemsimCtlOutputState;

/* every state word of the daemons (remsim-dbus-enums.h, RsproLinkState) and remsim-ctl's own */
static const RemsimCtlOutputState remsim_ctl_output_states[] = {
	/* TRANSLATORS: a slot, a link or a daemon with nothing going on */
	{ "idle", NC_("state", "idle"), NULL },
	/* TRANSLATORS: a bank slot or client slot with a slot map */
	{ "mapped", NC_("state", "mapped"), REMSIM_CTL_OUTPUT_YELLOW },
	/* TRANSLATORS: a bank slot whose client is connected, the card not powered yet */
	{ "client-connected", NC_("state", "client-connected"), REMSIM_CTL_OUTPUT_YELLOW },
	/* TRANSLATORS: the card is powered and APDUs are relayed */
	{ "card-powered", NC_("state", "card-powered"), REMSIM_CTL_OUTPUT_GREEN },
	/* TRANSLATORS: a slot map not sent to its bank yet */
	{ "new", NC_("state", "new"), REMSIM_CTL_OUTPUT_YELLOW },
	/* TRANSLATORS: a slot map sent to its bank, no answer yet */
	{ "unacknowledged", NC_("state", "unacknowledged"), REMSIM_CTL_OUTPUT_YELLOW },
	/* TRANSLATORS: a slot map the bank accepted */
	{ "active", NC_("state", "active"), REMSIM_CTL_OUTPUT_GREEN },
	/* TRANSLATORS: a slot map the bank refused */
	{ "error", NC_("state", "error"), REMSIM_CTL_OUTPUT_RED },
	/* TRANSLATORS: a link waiting before its next attempt */
	{ "waiting", NC_("state", "waiting"), REMSIM_CTL_OUTPUT_YELLOW },
	/* TRANSLATORS: a link whose TCP connect is under way */
	{ "connecting", NC_("state", "connecting"), REMSIM_CTL_OUTPUT_YELLOW },
	/* TRANSLATORS: a link that is up, the peer's answer to the hello not yet in */
	{ "established", NC_("state", "established"), REMSIM_CTL_OUTPUT_YELLOW },
	/* TRANSLATORS: a link that is up */
	{ "connected", NC_("state", "connected"), REMSIM_CTL_OUTPUT_GREEN },
	/* TRANSLATORS: a daemon that answers */
	{ "running", NC_("state", "running"), REMSIM_CTL_OUTPUT_GREEN },
	/* TRANSLATORS: a daemon that does not answer */
	{ "unreachable", NC_("state", "unreachable"), REMSIM_CTL_OUTPUT_RED },
	/* TRANSLATORS: a card in the slot */
	{ "yes", NC_("state", "yes"), NULL },
	/* TRANSLATORS: no card in the slot */
	{ "no", NC_("state", "no"), REMSIM_CTL_OUTPUT_YELLOW },
};

static const RemsimCtlOutputState *
remsim_ctl_output_find_state(const gchar *word)
{
	for (guint i = 0; word != NULL && i < G_N_ELEMENTS(remsim_ctl_output_states); i++)
		if (g_str_equal(remsim_ctl_output_states[i].word, word))
			return &remsim_ctl_output_states[i];
	return NULL;
}

const gchar *
remsim_ctl_output_state_label(const gchar *word)
{
	const RemsimCtlOutputState *state = remsim_ctl_output_find_state(word);

	return state != NULL ? g_dpgettext2(GETTEXT_PACKAGE, "state", state->label) : word;
}

gchar *
remsim_ctl_output_paint(const gchar *word, const gchar *text, gboolean colour)
{
	const RemsimCtlOutputState *state = remsim_ctl_output_find_state(word);

	if (!colour || state == NULL || state->colour == NULL)
		return g_strdup(text);
	return g_strconcat(state->colour, text, REMSIM_CTL_OUTPUT_RESET, NULL);
}

gchar *
remsim_ctl_output_bold(const gchar *text, gboolean colour)
{
	if (!colour)
		return g_strdup(text);
	return g_strconcat(REMSIM_CTL_OUTPUT_BOLD, text, REMSIM_CTL_OUTPUT_RESET, NULL);
}

void
remsim_ctl_output_json(JsonObject *object, gboolean one_line)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
	g_autofree gchar *text = NULL;

	json_node_set_object(root, object);
	json_generator_set_root(gen, root);
	json_generator_set_pretty(gen, !one_line);
	json_generator_set_indent(gen, 2);
	text = json_generator_to_data(gen, NULL);
	fputs(text, stdout);
	fputc('\n', stdout);
	fflush(stdout);
}
