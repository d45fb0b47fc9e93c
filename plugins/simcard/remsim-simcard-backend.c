/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simcard backend: N slots of simulated SIM/USIM cards. Config group [simcard]:
 *   profiles = a;b;c   card profile files (JSON); relative names are looked up in
 *                      the card folder (the installed one, or $REMSIM_SIMCARD_PROFILE_DIR:
 *                      meson devenv points it at data/cards); default: every *.json there
 *   slots = N          number of slots (default: one per profile); slot i holds a
 *                      card made from profile i modulo the number of profiles
 *   state-dir = DIR    keep each card's state (PIN counters, SQN, updated files) in
 *                      DIR/slot<i>-<ICCID>.json: loaded at start, saved at power-off
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "remsim-simcard-backend.h"
#include "remsim-simcard-slot.h"

#define REMSIM_SIMCARD_MAX_SLOTS 1024

static const gchar *const remsim_simcard_backend_keys[] = { "profiles", "slots", "state-dir",
							    NULL };

struct _RemsimSimcardBackend {
	RemsimBackend parent_instance;
	GPtrArray *slots;
};

G_DEFINE_TYPE(RemsimSimcardBackend, remsim_simcard_backend, REMSIM_TYPE_BACKEND)

static gchar *
remsim_simcard_backend_cards_dir(void)
{
	const gchar *dir = g_getenv("REMSIM_SIMCARD_PROFILE_DIR");

	if (dir != NULL && dir[0] != '\0')
		return g_strdup(dir);
	return g_build_filename(REMSIM_DATADIR, "cards", NULL);
}

static GStrv
remsim_simcard_backend_default_profiles(GError **error)
{
	g_autofree gchar *dir = remsim_simcard_backend_cards_dir();
	g_autoptr(GDir) gdir = g_dir_open(dir, 0, error);
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();
	const gchar *name;

	if (gdir == NULL)
		return NULL;
	while ((name = g_dir_read_name(gdir)) != NULL) {
		g_autofree gchar *path = NULL;

		if (!g_str_has_suffix(name, ".json"))
			continue;
		path = g_build_filename(dir, name, NULL);
		g_strv_builder_add(builder, path);
	}
	return g_strv_builder_end(builder);
}

static gint
remsim_simcard_backend_compare_paths(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const gchar *const *)a, *(const gchar *const *)b);
}

static GStrv
remsim_simcard_backend_profile_paths(GKeyFile *config, const gchar *group, GError **error)
{
	g_auto(GStrv) names = g_key_file_get_string_list(config, group, "profiles", NULL, NULL);
	g_autofree gchar *dir = remsim_simcard_backend_cards_dir();
	GStrv paths;

	if (names == NULL || names[0] == NULL) {
		paths = remsim_simcard_backend_default_profiles(error);
		if (paths != NULL)
			qsort(paths, g_strv_length(paths), sizeof(gchar *),
			      remsim_simcard_backend_compare_paths);
		return paths;
	}
	paths = g_new0(gchar *, g_strv_length(names) + 1);
	for (guint i = 0; names[i] != NULL; i++) {
		const gchar *name = g_strstrip(names[i]);

		paths[i] =
		    g_path_is_absolute(name) ? g_strdup(name) : g_build_filename(dir, name, NULL);
	}
	return paths;
}

/*
 * A profile holds the card's Ki, OPc and PINs: one line names every profile
 * that any user of the host may read (installed ones are 0640 root:remsim).
 */
static void
remsim_simcard_backend_check_modes(GStrv paths)
{
	g_autoptr(GString) readable = g_string_new(NULL);
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

	for (guint i = 0; paths[i] != NULL; i++) {
		GStatBuf st;

		/* a profile given for several slots is named once */
		if (!g_hash_table_add(seen, paths[i]) || g_stat(paths[i], &st) != 0 ||
		    !(st.st_mode & S_IROTH))
			continue;
		g_string_append_printf(readable, "%s%s", readable->len ? ", " : "", paths[i]);
	}
	if (readable->len > 0)
		g_warning("card profiles that every user of this host may read, with their Ki, "
			  "OPc and PINs: %s (make them 0640, group remsim)",
			  readable->str);
}

static GPtrArray *
remsim_simcard_backend_parse_profiles(GStrv paths, GError **error)
{
	g_autoptr(GPtrArray) nodes =
	    g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);

	remsim_simcard_backend_check_modes(paths);
	for (guint i = 0; paths[i] != NULL; i++) {
		g_autoptr(JsonParser) parser = json_parser_new();

		if (!json_parser_load_from_file(parser, paths[i], error)) {
			g_prefix_error(error, "%s: ", paths[i]);
			return NULL;
		}
		g_ptr_array_add(nodes, json_node_ref(json_parser_get_root(parser)));
	}
	return g_steal_pointer(&nodes);
}

static gboolean
remsim_simcard_backend_get_n_slots(GKeyFile *config, const gchar *group, guint n_profiles,
				   guint *n_slots, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	gint n;

	*n_slots = n_profiles;
	if (!g_key_file_has_key(config, group, "slots", NULL))
		return TRUE;
	n = g_key_file_get_integer(config, group, "slots", &local_error);
	if (local_error == NULL && (n < 1 || n > REMSIM_SIMCARD_MAX_SLOTS))
		g_set_error(&local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    _("%d is not in 1..%d"), n, REMSIM_SIMCARD_MAX_SLOTS);
	if (local_error != NULL) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local_error),
					   "[%s] slots: ", group);
		return FALSE;
	}
	*n_slots = n;
	return TRUE;
}

static RemsimSimcardSlot *
remsim_simcard_backend_make_slot(guint index, JsonNode *profile, const gchar *path,
				 const gchar *state_dir, gboolean log_personal, GError **error)
{
	g_autoptr(RemsimSimcardCard) card = remsim_simcard_card_new_from_json(profile, error);
	g_autofree gchar *state_path = NULL;

	if (card == NULL) {
		g_prefix_error(error, "%s: ", path);
		return NULL;
	}
	if (state_dir != NULL) {
		g_autofree gchar *base =
		    g_strdup_printf("slot%u-%s.json", index, remsim_simcard_card_get_iccid(card));

		state_path = g_build_filename(state_dir, base, NULL);
		if (g_file_test(state_path, G_FILE_TEST_EXISTS) &&
		    !remsim_simcard_card_load_state(card, state_path, error))
			return NULL;
	}
	return remsim_simcard_slot_new(index, card, state_path, log_personal);
}

static gboolean
remsim_simcard_backend_configure(RemsimBackend *backend, GKeyFile *config, const gchar *group,
				 GError **error)
{
	RemsimSimcardBackend *self = REMSIM_SIMCARD_BACKEND(backend);
	g_auto(GStrv) paths = remsim_simcard_backend_profile_paths(config, group, error);
	g_autofree gchar *state_dir = g_key_file_get_string(config, group, "state-dir", NULL);
	/* the bankd's --log-personal-info */
	gboolean log_personal = g_key_file_get_boolean(config, "bankd", "log-personal-info", NULL);
	g_autoptr(GPtrArray) profiles = NULL;
	guint n_profiles, n_slots;

	if (paths == NULL)
		return FALSE;
	n_profiles = g_strv_length(paths);
	if (n_profiles == 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
			    /* TRANSLATORS: keep "[%s] profiles:" at the start */
			    _("[%s] profiles: no card profiles"), group);
		return FALSE;
	}
	profiles = remsim_simcard_backend_parse_profiles(paths, error);
	if (profiles == NULL ||
	    !remsim_simcard_backend_get_n_slots(config, group, n_profiles, &n_slots, error))
		return FALSE;
	if (state_dir != NULL && g_mkdir_with_parents(state_dir, 0700) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
			    /* TRANSLATORS: keep "[%s] state-dir:" at the start */
			    _("[%s] state-dir: cannot create %s"), group, state_dir);
		return FALSE;
	}
	g_clear_pointer(&self->slots, g_ptr_array_unref);
	self->slots = g_ptr_array_new_with_free_func(g_object_unref);
	for (guint i = 0; i < n_slots; i++) {
		RemsimSimcardSlot *slot = remsim_simcard_backend_make_slot(
		    i, profiles->pdata[i % n_profiles], paths[i % n_profiles], state_dir,
		    log_personal, error);

		if (slot == NULL)
			return FALSE;
		g_ptr_array_add(self->slots, slot);
	}
	return TRUE;
}

static gpointer
remsim_simcard_backend_ref_slot(gconstpointer slot, gpointer user_data)
{
	return g_object_ref((gpointer)slot);
}

static GPtrArray *
remsim_simcard_backend_enumerate(RemsimBackend *backend)
{
	RemsimSimcardBackend *self = REMSIM_SIMCARD_BACKEND(backend);

	if (self->slots == NULL)
		return g_ptr_array_new_with_free_func(g_object_unref);
	return g_ptr_array_copy(self->slots, remsim_simcard_backend_ref_slot, NULL);
}

static void
remsim_simcard_backend_finalize(GObject *object)
{
	RemsimSimcardBackend *self = REMSIM_SIMCARD_BACKEND(object);

	g_clear_pointer(&self->slots, g_ptr_array_unref);
	G_OBJECT_CLASS(remsim_simcard_backend_parent_class)->finalize(object);
}

static void
remsim_simcard_backend_class_init(RemsimSimcardBackendClass *klass)
{
	RemsimBackendClass *backend_class = REMSIM_BACKEND_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = remsim_simcard_backend_finalize;
	backend_class->configure = remsim_simcard_backend_configure;
	backend_class->enumerate = remsim_simcard_backend_enumerate;
	backend_class->config_keys = remsim_simcard_backend_keys;
}

static void
remsim_simcard_backend_init(RemsimSimcardBackend *self)
{
}

REMSIM_DEFINE_PLUGIN(simcard, remsim_simcard_backend_get_type);
