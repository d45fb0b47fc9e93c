/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

#include "remsim-config.h"
#include "remsim-dbus-guard.h"
#include "remsim-log.h"
#include "remsim-log-writer.h"

#define REMSIM_CONFIG_SLOT_PREFIX "slot "
#define REMSIM_CONFIG_MAX_SLOT 1023

/* one option name on the command line and the key it sets */
typedef struct {
	const RemsimConfigKey *key;
	gchar *name;	    /* "--server-port": how a message names it */
	const gchar *value; /* a flag's fixed value, or NULL */
} RemsimConfigOption;

struct _RemsimConfig {
	const RemsimConfigSchema *schema;
	GArray *keys;	     /* RemsimConfigKey: the schema's, then the common ones */
	GHashTable *options; /* "-p", "--server-port" → RemsimConfigOption */
	GHashTable *args;    /* key → value from the command line */
	GHashTable *values;  /* "group\nkey" → value from the file (checked) */
	GKeyFile *keyfile;   /* the file's keys, empty without a file */
	gchar *path;	     /* the file read, or NULL */
	gchar *text;	     /* its text, to tell the line of a key */
	gchar *default_path; /* GROUP.conf in the configuration folder */
	GPtrArray *strings;  /* texts made for --help */
};

/* the keys every daemon has; -c and -V/-v come from the schema */
static const RemsimConfigKey remsim_config_common_keys[] = {
	{ .key = "config",
	  .type = REMSIM_CONFIG_TYPE_FILENAME,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .arg = N_("FILE"),
	  .help = N_("Configuration file") },
	{ .key = "debug",
	  .short_name = 'd',
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CONFIG_KEY_LOG_MASK,
	  .default_value = "false",
	  .arg = N_("MASK"),
	  .help = N_("Log debug messages (upstream's log mask is accepted and not used)") },
	{ .key = "log-personal-info",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .default_value = "false",
	  .help = N_("Log IMSI, ICCID, keys, PINs and APDU data instead of hiding them") },
	{ .key = "dbus",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CONFIG_KEY_NO_OPTION,
	  .default_value = "true",
	  .help = N_("Publish the daemon's state on D-Bus"),
	  .aliases = { { "no-dbus", 0, "false", N_("Do not use D-Bus at all") } } },
	{ .key = "dbus-bus",
	  .type = REMSIM_CONFIG_TYPE_CHOICE,
	  .flags = REMSIM_CONFIG_KEY_NO_OPTION,
	  .default_value = "system",
	  .choices = "system|session",
	  .help = N_("The bus to publish on"),
	  .aliases = { { "session", 0, "session",
			 N_("Use the session bus instead of the system bus") } } },
	{ .key = "dbus-group",
	  .type = REMSIM_CONFIG_TYPE_STRING,
	  .arg = N_("GROUP"),
	  .help = N_("Members of GROUP may call the D-Bus methods that change state, besides "
		     "root and the daemon's user (default: none)") },
	/* upstream's logging options; the journal keeps its own time and has no colours */
	{ .key = "log-level",
	  .type = REMSIM_CONFIG_TYPE_INT,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .min = 0,
	  .max = REMSIM_LOG_WRITER_LEVEL_FATAL,
	  .arg = N_("N"),
	  .help = N_("Log lines of level N and up: 1 debug, 3 info, 5 notice, 7 error, 8 fatal "
		     "(default: notice, and debug with -d)") },
	{ .key = "timestamp",
	  .short_name = 'T',
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .help = N_("Start every log line with the date (the time of day is always there)") },
	{ .key = "disable-color",
	  .short_name = 'L',
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .help = N_("Do not colour log lines on a terminal") },
	{ .key = "version",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE,
	  .help = N_("Print the version and exit") },
	{ .key = "dump-keys",
	  .type = REMSIM_CONFIG_TYPE_BOOLEAN,
	  .flags = REMSIM_CONFIG_KEY_NO_FILE | REMSIM_CONFIG_KEY_HIDDEN,
	  .help = N_("Print every configuration key, one a line, for the manual, and exit") },
	{ NULL },
};

static void
remsim_config_option_free(gpointer data)
{
	RemsimConfigOption *option = data;

	g_free(option->name);
	g_free(option);
}

/* the keys of @schema, then the common ones with the schema's short options */
static GArray *
remsim_config_make_keys(const RemsimConfigSchema *schema, const gchar *default_path)
{
	GArray *keys = g_array_new(TRUE, TRUE, sizeof(RemsimConfigKey));

	for (const RemsimConfigKey *k = schema->keys; k->key != NULL; k++)
		g_array_append_val(keys, *k);
	for (const RemsimConfigKey *k = remsim_config_common_keys; k->key != NULL; k++) {
		RemsimConfigKey key = *k;

		if (g_str_equal(key.key, "config")) {
			key.short_name = schema->config_short;
			key.default_value = default_path;
		} else if (g_str_equal(key.key, "version")) {
			key.short_name = schema->version_short;
		} else if (g_str_equal(key.key, "log-level")) {
			key.short_name = schema->log_level_short;
		}
		g_array_append_val(keys, key);
	}
	return keys;
}

RemsimConfig *
remsim_config_new(const RemsimConfigSchema *schema)
{
	RemsimConfig *self = g_new0(RemsimConfig, 1);
	g_autofree gchar *base = g_strconcat(schema->group, ".conf", NULL);

	self->schema = schema;
	self->default_path = g_build_filename(REMSIM_SYSCONFDIR, base, NULL);
	self->keys = remsim_config_make_keys(schema, self->default_path);
	self->options =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, remsim_config_option_free);
	self->args = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	self->keyfile = g_key_file_new();
	self->strings = g_ptr_array_new_with_free_func(g_free);
	return self;
}

void
remsim_config_free(RemsimConfig *self)
{
	if (self == NULL)
		return;
	g_array_unref(self->keys);
	g_hash_table_unref(self->options);
	g_hash_table_unref(self->args);
	g_hash_table_unref(self->values);
	g_key_file_unref(self->keyfile);
	g_free(self->path);
	g_free(self->text);
	g_free(self->default_path);
	g_ptr_array_unref(self->strings);
	g_free(self);
}

static const RemsimConfigKey *
remsim_config_lookup_key(RemsimConfig *self, const gchar *name)
{
	for (guint i = 0; i < self->keys->len; i++) {
		const RemsimConfigKey *key = &g_array_index(self->keys, RemsimConfigKey, i);

		if (g_str_equal(key->key, name))
			return key;
	}
	return NULL;
}

/* --- values --- */

static gboolean
remsim_config_text_to_int(const RemsimConfigKey *key, const gchar *text, gint64 *value)
{
	if (key->flags & REMSIM_CONFIG_KEY_HEX_NUMBER) {
		guint64 v;

		if (g_str_has_prefix(text, "0x") || g_str_has_prefix(text, "0X"))
			text += 2;
		if (!g_ascii_string_to_unsigned(text, 16, 0, G_MAXINT, &v, NULL))
			return FALSE;
		*value = (gint64)v;
		return TRUE;
	}
	if (g_ascii_string_to_signed(text, 10, G_MININT, G_MAXINT, value, NULL))
		return TRUE;
	/* upstream's numbers may be given in hex */
	if (g_str_has_prefix(text, "0x")) {
		guint64 v;

		if (!g_ascii_string_to_unsigned(text + 2, 16, 0, G_MAXINT, &v, NULL))
			return FALSE;
		*value = (gint64)v;
		return TRUE;
	}
	return FALSE;
}

static gboolean
remsim_config_text_to_boolean(const gchar *text, gboolean *value)
{
	if (g_ascii_strcasecmp(text, "true") == 0 || g_str_equal(text, "1")) {
		*value = TRUE;
		return TRUE;
	}
	if (g_ascii_strcasecmp(text, "false") == 0 || g_str_equal(text, "0")) {
		*value = FALSE;
		return TRUE;
	}
	return FALSE;
}

static gboolean
remsim_config_text_to_double(const gchar *text, gdouble *value)
{
	gchar *end = NULL;

	if (text[0] == '\0')
		return FALSE;
	*value = g_ascii_strtod(text, &end);
	return *end == '\0';
}

/* bytes in hex, white space and colons between them allowed; NULL if not that */
static GBytes *
remsim_config_text_to_bytes(const gchar *text)
{
	g_autoptr(GByteArray) out = g_byte_array_new();
	gint high = -1;

	for (const gchar *p = text; *p != '\0'; p++) {
		gint d;

		if (g_ascii_isspace(*p) || *p == ':')
			continue;
		d = g_ascii_xdigit_value(*p);
		if (d < 0)
			return NULL;
		if (high < 0) {
			high = d;
		} else {
			guint8 b = (guint8)((high << 4) | d);

			g_byte_array_append(out, &b, 1);
			high = -1;
		}
	}
	if (high >= 0)
		return NULL;
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static gboolean
remsim_config_is_choice(const RemsimConfigKey *key, const gchar *text)
{
	g_auto(GStrv) words = g_strsplit(key->choices, "|", -1);

	return g_strv_contains((const gchar *const *)words, text);
}

static gchar *
remsim_config_check_int(const RemsimConfigKey *key, const gchar *text)
{
	gint64 v;

	if (!remsim_config_text_to_int(key, text, &v)) {
		if (key->flags & REMSIM_CONFIG_KEY_HEX_NUMBER)
			return g_strdup_printf(_("“%s” is not a hex number"), text);
		return g_strdup_printf(_("“%s” is not a number"), text);
	}
	/* v is within G_MININT..G_MAXINT (remsim_config_text_to_int()) */
	if (key->min < key->max && (v < key->min || v > key->max))
		/* TRANSLATORS: the value given, the smallest and the largest allowed */
		return g_strdup_printf(_("%d is not in %d..%d"), (gint)v, key->min, key->max);
	return NULL;
}

/* what is wrong with @text as a value of @key (translated), or NULL */
static gchar *
remsim_config_check_value(const RemsimConfigKey *key, const gchar *text)
{
	g_autoptr(GBytes) bytes = NULL;
	g_auto(GStrv) words = NULL;
	g_autofree gchar *choices = NULL;
	gboolean b;
	gdouble d;

	switch (key->type) {
	case REMSIM_CONFIG_TYPE_INT:
		return remsim_config_check_int(key, text);
	case REMSIM_CONFIG_TYPE_BOOLEAN:
		if (!remsim_config_text_to_boolean(text, &b))
			return g_strdup_printf(_("“%s” is not true or false"), text);
		return NULL;
	case REMSIM_CONFIG_TYPE_DOUBLE:
		if (!remsim_config_text_to_double(text, &d))
			return g_strdup_printf(_("“%s” is not a number"), text);
		if (key->min < key->max && (d < key->min || d > key->max))
			/* TRANSLATORS: the value given, the smallest and the largest allowed */
			return g_strdup_printf(_("%g is not in %d..%d"), d, key->min, key->max);
		return NULL;
	case REMSIM_CONFIG_TYPE_HEX:
		bytes = remsim_config_text_to_bytes(text);
		if (bytes == NULL || g_bytes_get_size(bytes) < (gsize)key->min ||
		    g_bytes_get_size(bytes) > (gsize)key->max)
			/* TRANSLATORS: the value given, the fewest and the most bytes */
			return g_strdup_printf(ngettext("“%s” is not %d to %d byte of hex",
							"“%s” is not %d to %d bytes of hex",
							key->max),
					       text, key->min, key->max);
		return NULL;
	case REMSIM_CONFIG_TYPE_CHOICE:
		if (remsim_config_is_choice(key, text))
			return NULL;
		words = g_strsplit(key->choices, "|", -1);
		choices = g_strjoinv(", ", words);
		/* TRANSLATORS: the value given, then the allowed values, "a, b, c" */
		return g_strdup_printf(_("“%s” is not one of %s"), text, choices);
	case REMSIM_CONFIG_TYPE_STRING:
	case REMSIM_CONFIG_TYPE_FILENAME:
	default:
		return NULL;
	}
}

/* --- where a value stands in the file --- */

/* the group a line opens ("[name]"), or NULL */
static gchar *
remsim_config_line_group(const gchar *line)
{
	const gchar *end;

	while (g_ascii_isspace(*line))
		line++;
	if (*line != '[' || (end = strchr(line, ']')) == NULL)
		return NULL;
	return g_strndup(line + 1, end - line - 1);
}

/* TRUE if @line sets @key */
static gboolean
remsim_config_line_is_key(const gchar *line, const gchar *key)
{
	gsize len = strlen(key);

	while (g_ascii_isspace(*line))
		line++;
	if (strncmp(line, key, len) != 0)
		return FALSE;
	line += len;
	while (*line == ' ' || *line == '\t')
		line++;
	return *line == '=';
}

/*
 * The 1-based line of @key in @group of @text, or of the header of @group with
 * @key NULL; the last one, as GKeyFile keeps the last of repeated keys. 0 if
 * not found.
 */
static guint
remsim_config_find_line(const gchar *text, const gchar *group, const gchar *key)
{
	g_auto(GStrv) lines = NULL;
	g_autofree gchar *current = NULL;
	guint found = 0;

	if (text == NULL)
		return 0;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		gchar *opened = remsim_config_line_group(lines[i]);

		if (opened != NULL) {
			g_free(current);
			current = opened;
			if (key == NULL && g_strcmp0(current, group) == 0)
				found = i + 1;
		} else if (key != NULL && g_strcmp0(current, group) == 0 &&
			   remsim_config_line_is_key(lines[i], key)) {
			found = i + 1;
		}
	}
	return found;
}

/* the text between the first quotes of @message, in English or translated; NULL if none */
static gchar *
remsim_config_quoted(const gchar *message)
{
	/* English, German („“ and GLib's »«) and other languages' (« ») quotes */
	static const gchar *const quotes[][2] = {
		{ "“", "”" },
		{ "„", "“" },
		{ "»", "«" },
		{ "«", "»" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(quotes); i++) {
		const gchar *open = strstr(message, quotes[i][0]);
		const gchar *close;

		if (open == NULL)
			continue;
		open += strlen(quotes[i][0]);
		close = strstr(open, quotes[i][1]);
		if (close != NULL)
			return g_strndup(open, close - open);
	}
	return NULL;
}

/* the line holding the text a GKeyFile parse error quotes; 0 if none */
static guint
remsim_config_find_quoted_line(const gchar *text, const gchar *message)
{
	g_autofree gchar *quoted = remsim_config_quoted(message);
	g_auto(GStrv) lines = NULL;

	if (text == NULL || quoted == NULL)
		return 0;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (strstr(lines[i], quoted) != NULL)
			return i + 1;
	}
	return 0;
}

static void
remsim_config_prefix_location(GError **error, const gchar *path, guint line)
{
	if (path == NULL)
		return;
	if (line > 0)
		g_prefix_error(error, "%s:%u: ", path, line);
	else
		g_prefix_error(error, "%s: ", path);
}

/* "FILE:LINE: [group] key: problem", or "FILE:LINE: [group]: problem" without @key */
static gboolean
remsim_config_set_file_error(GError **error, GKeyFileError code, const gchar *path,
			     const gchar *text, const gchar *group, const gchar *key,
			     const gchar *problem)
{
	if (key != NULL)
		g_set_error(error, G_KEY_FILE_ERROR, code, "[%s] %s: %s", group, key, problem);
	else
		g_set_error(error, G_KEY_FILE_ERROR, code, "[%s]: %s", group, problem);
	remsim_config_prefix_location(error, path, remsim_config_find_line(text, group, key));
	return FALSE;
}

void
remsim_config_prefix_error(RemsimConfig *self, GError **error, const gchar *group, const gchar *key)
{
	guint line;

	if (error == NULL || *error == NULL || self->path == NULL)
		return;
	if (group != NULL) {
		line = remsim_config_find_line(self->text, group, key);
	} else {
		gchar g[64] = "", k[64] = "";

		/* backends word their errors "[group] key: ..." */
		if (sscanf((*error)->message, "[%63[^]]] %63[^:]:", g, k) == 2)
			line = remsim_config_find_line(self->text, g, k);
		else
			line = remsim_config_find_quoted_line(self->text, (*error)->message);
	}
	remsim_config_prefix_location(error, self->path, line);
}

void
remsim_config_set_unknown_group_error(RemsimConfig *self, const gchar *group, const gchar *expected,
				      GError **error)
{
	/* TRANSLATORS: %s: the groups that may stand there, e.g. "[bankd] or a backend" */
	g_autofree gchar *problem = g_strdup_printf(_("unknown group (expected %s)"), expected);

	remsim_config_set_file_error(error, G_KEY_FILE_ERROR_GROUP_NOT_FOUND, self->path,
				     self->text, group, NULL, problem);
}

/* --- reading a file --- */

static gboolean
remsim_config_is_slot_group(const gchar *group, guint *slot_nr)
{
	guint64 nr;

	if (!g_str_has_prefix(group, REMSIM_CONFIG_SLOT_PREFIX) ||
	    !g_ascii_string_to_unsigned(group + strlen(REMSIM_CONFIG_SLOT_PREFIX), 10, 0,
					REMSIM_CONFIG_MAX_SLOT, &nr, NULL))
		return FALSE;
	if (slot_nr != NULL)
		*slot_nr = (guint)nr;
	return TRUE;
}

/* a key of the file may stand in @group (@own: the daemon's group) */
static gchar *
remsim_config_check_placement(RemsimConfig *self, const RemsimConfigKey *key, gboolean own)
{
	if (key == NULL)
		return g_strdup(_("unknown key"));
	if (key->flags & REMSIM_CONFIG_KEY_NO_FILE)
		/* TRANSLATORS: a key that is only a command-line option, --KEY */
		return g_strdup_printf(_("only an option (--%s), not a key of the file"), key->key);
	if (!own && !(key->flags & REMSIM_CONFIG_KEY_GROUPS))
		/* TRANSLATORS: a key that stands only in the daemon's own group, [%s] */
		return g_strdup_printf(_("only valid in [%s]"), self->schema->group);
	return NULL;
}

/* checks every key of @group and keeps its values in @values */
static gboolean
remsim_config_read_group(RemsimConfig *self, GKeyFile *keyfile, const gchar *path,
			 const gchar *text, const gchar *group, gboolean own, GHashTable *values,
			 GError **error)
{
	g_auto(GStrv) names = g_key_file_get_keys(keyfile, group, NULL, NULL);

	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		const RemsimConfigKey *key = remsim_config_lookup_key(self, names[i]);
		g_autofree gchar *problem = remsim_config_check_placement(self, key, own);
		g_autoptr(GError) local_error = NULL;
		g_autofree gchar *value = NULL;

		if (problem == NULL) {
			value = g_key_file_get_string(keyfile, group, names[i], &local_error);
			if (value == NULL)
				problem = g_strdup(local_error->message);
			else
				problem = remsim_config_check_value(key, g_strstrip(value));
		}
		if (problem != NULL)
			return remsim_config_set_file_error(error,
							    key == NULL
								? G_KEY_FILE_ERROR_KEY_NOT_FOUND
								: G_KEY_FILE_ERROR_INVALID_VALUE,
							    path, text, group, names[i], problem);
		g_hash_table_replace(values, g_strconcat(group, "\n", names[i], NULL),
				     g_steal_pointer(&value));
	}
	return TRUE;
}

static gboolean
remsim_config_read_groups(RemsimConfig *self, GKeyFile *keyfile, const gchar *path,
			  const gchar *text, GHashTable *values, GError **error)
{
	const RemsimConfigSchema *schema = self->schema;
	g_auto(GStrv) groups = g_key_file_get_groups(keyfile, NULL);

	for (guint i = 0; groups[i] != NULL; i++) {
		const gchar *group = groups[i];
		g_autofree gchar *expected = NULL;
		g_autofree gchar *problem = NULL;

		if (g_str_equal(group, schema->group)) {
			if (!remsim_config_read_group(self, keyfile, path, text, group, TRUE,
						      values, error))
				return FALSE;
		} else if (schema->groups == REMSIM_CONFIG_GROUPS_SLOTS &&
			   remsim_config_is_slot_group(group, NULL)) {
			if (!remsim_config_read_group(self, keyfile, path, text, group, FALSE,
						      values, error))
				return FALSE;
		} else if (schema->groups != REMSIM_CONFIG_GROUPS_DEFERRED) {
			if (schema->groups == REMSIM_CONFIG_GROUPS_SLOTS)
				expected = g_strdup_printf(
				    /* TRANSLATORS: the daemon's group; "[slot N]" is a name */
				    _("[%s] or [slot N] with N from 0 to %d"), schema->group,
				    REMSIM_CONFIG_MAX_SLOT);
			else
				expected = g_strdup_printf("[%s]", schema->group);
			/* TRANSLATORS: %s: the groups that may stand there, e.g. "[server]" */
			problem = g_strdup_printf(_("unknown group (expected %s)"), expected);

			return remsim_config_set_file_error(error, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
							    path, text, group, NULL, problem);
		}
	}
	return TRUE;
}

gboolean
remsim_config_load_file(RemsimConfig *self, const gchar *path, gboolean required, GError **error)
{
	g_autoptr(GKeyFile) keyfile = g_key_file_new();
	g_autoptr(GHashTable) values =
	    g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	g_autoptr(GError) local_error = NULL;
	g_autofree gchar *text = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &text, &len, &local_error)) {
		if (!required && g_error_matches(local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return TRUE;
		g_propagate_prefixed_error(error, g_steal_pointer(&local_error), "%s: ", path);
		return FALSE;
	}
	if (!g_key_file_load_from_data(keyfile, text, len, G_KEY_FILE_NONE, &local_error)) {
		guint line = remsim_config_find_quoted_line(text, local_error->message);

		g_propagate_error(error, g_steal_pointer(&local_error));
		remsim_config_prefix_location(error, path, line);
		return FALSE;
	}
	/* a bad file changes nothing */
	if (!remsim_config_read_groups(self, keyfile, path, text, values, error))
		return FALSE;
	g_key_file_unref(self->keyfile);
	self->keyfile = g_steal_pointer(&keyfile);
	g_hash_table_unref(self->values);
	self->values = g_steal_pointer(&values);
	g_free(self->path);
	self->path = g_strdup(path);
	g_free(self->text);
	self->text = g_steal_pointer(&text);
	return TRUE;
}

/* --- the command line --- */

static gboolean
remsim_config_option_cb(const gchar *option_name, const gchar *value, gpointer data, GError **error)
{
	RemsimConfig *self = data;
	RemsimConfigOption *option = g_hash_table_lookup(self->options, option_name);
	const RemsimConfigKey *key;
	g_autofree gchar *problem = NULL;
	const gchar *text;

	g_return_val_if_fail(option != NULL, FALSE);
	key = option->key;
	text = option->value;
	if (text == NULL)
		text = key->type == REMSIM_CONFIG_TYPE_BOOLEAN ? "true" : value;
	problem = remsim_config_check_value(key, text);
	if (problem != NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", option->name,
			    problem);
		return FALSE;
	}
	g_hash_table_replace(self->args, g_strdup(key->key), g_strdup(text));
	return TRUE;
}

static const gchar *
remsim_config_keep(RemsimConfig *self, gchar *text)
{
	g_ptr_array_add(self->strings, text);
	return text;
}

/* one GOptionEntry: @value is a flag's fixed value, or NULL */
static void
remsim_config_add_entry(RemsimConfig *self, GArray *entries, const RemsimConfigKey *key,
			const gchar *long_name, gchar short_name, const gchar *value,
			const gchar *help)
{
	gboolean takes_value = value == NULL && (key->type != REMSIM_CONFIG_TYPE_BOOLEAN ||
						 (key->flags & REMSIM_CONFIG_KEY_LOG_MASK));
	GOptionEntry entry = {
		.long_name = long_name,
		.short_name = short_name,
		.flags = (takes_value ? 0 : G_OPTION_FLAG_NO_ARG) |
			 ((key->flags & REMSIM_CONFIG_KEY_HIDDEN) ? G_OPTION_FLAG_HIDDEN : 0),
		.arg = G_OPTION_ARG_CALLBACK,
		.arg_data = (gpointer)remsim_config_option_cb,
		.description = help,
		.arg_description =
		    takes_value ? _(key->arg != NULL ? key->arg : N_("VALUE")) : NULL,
	};
	RemsimConfigOption *option = g_new0(RemsimConfigOption, 1);

	option->key = key;
	option->name = g_strconcat("--", long_name, NULL);
	option->value = value;
	g_hash_table_replace(self->options, g_strdup(option->name), option);
	if (short_name != 0) {
		RemsimConfigOption *copy = g_new0(RemsimConfigOption, 1);

		*copy = *option;
		copy->name = g_strdup(option->name);
		g_hash_table_replace(self->options, g_strdup_printf("-%c", short_name), copy);
	}
	g_array_append_val(entries, entry);
}

static const gchar *
remsim_config_help(RemsimConfig *self, const RemsimConfigKey *key)
{
	const gchar *help = _(key->help);

	if (key->default_value == NULL || key->type == REMSIM_CONFIG_TYPE_BOOLEAN)
		return help;
	return remsim_config_keep(
	    self,
	    /* TRANSLATORS: an option's help, then its default value */
	    g_strdup_printf(_("%s (default %s)"), help,
			    key->default_value[0] != '\0' ? key->default_value : "\"\""));
}

static GOptionContext *
remsim_config_make_context(RemsimConfig *self)
{
	g_autoptr(GArray) entries = g_array_new(TRUE, TRUE, sizeof(GOptionEntry));
	GOptionContext *context = g_option_context_new(NULL);
	GOptionGroup *group =
	    g_option_group_new(self->schema->program, self->schema->program, "", self, NULL);

	g_hash_table_remove_all(self->options);
	for (guint i = 0; i < self->keys->len; i++) {
		const RemsimConfigKey *key = &g_array_index(self->keys, RemsimConfigKey, i);

		if (!(key->flags & REMSIM_CONFIG_KEY_NO_OPTION))
			remsim_config_add_entry(self, entries, key, key->key, key->short_name, NULL,
						remsim_config_help(self, key));
		for (guint j = 0; j < REMSIM_CONFIG_MAX_ALIASES; j++) {
			const RemsimConfigAlias *alias = &key->aliases[j];
			const gchar *help;

			if (alias->name == NULL)
				continue;
			if (alias->help != NULL)
				help = _(alias->help);
			else
				help = remsim_config_keep(
				    /* TRANSLATORS: an alias's help; --%s: the option it is for */
				    self, g_strdup_printf(_("Same as --%s"), key->key));
			remsim_config_add_entry(self, entries, key, alias->name, alias->short_name,
						alias->value, help);
		}
	}
	/* the texts are translated already */
	g_option_group_add_entries(group, (const GOptionEntry *)entries->data);
	g_option_context_set_main_group(context, group);
	g_option_context_set_summary(context, _(self->schema->summary));
	return context;
}

gboolean
remsim_config_parse_args(RemsimConfig *self, gint *argc, gchar ***argv, GError **error)
{
	g_autoptr(GOptionContext) context = remsim_config_make_context(self);

	return g_option_context_parse(context, argc, argv, error);
}

gboolean
remsim_config_parse(RemsimConfig *self, gint *argc, gchar ***argv, gint *exit_status,
		    GError **error)
{
	*exit_status = 2;
	if (!remsim_config_parse_args(self, argc, argv, error))
		return FALSE;
	if (remsim_config_get_boolean(self, NULL, "version")) {
		g_print("%s %s\n", self->schema->program, PACKAGE_VERSION);
		*exit_status = 0;
		return FALSE;
	}
	if (remsim_config_get_boolean(self, NULL, "dump-keys")) {
		g_autofree gchar *keys = remsim_config_dump_keys(self);

		g_print("%s", keys);
		*exit_status = 0;
		return FALSE;
	}
	if (*argc > 1) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    _("unexpected argument “%s”"), (*argv)[1]);
		return FALSE;
	}
	if (!remsim_config_load_file(self, remsim_config_get_string(self, NULL, "config"),
				     remsim_config_is_set(self, NULL, "config"), error))
		return FALSE;
	*exit_status = 0;
	return TRUE;
}

void
remsim_config_apply_logging(RemsimConfig *self)
{
	g_log_set_debug_enabled(remsim_config_get_boolean(self, NULL, "debug"));
	remsim_log_set_personal_info(remsim_config_get_boolean(self, NULL, "log-personal-info"));
	remsim_dbus_guard_set_group(remsim_config_get_string(self, NULL, "dbus-group"));
	remsim_log_writer_configure(remsim_config_get_int(self, NULL, "log-level"),
				    remsim_config_get_boolean(self, NULL, "timestamp"),
				    !remsim_config_get_boolean(self, NULL, "disable-color"));
}

RemsimConfig *
remsim_config_new_from_args(const RemsimConfigSchema *schema, gint *argc, gchar ***argv,
			    gint *exit_status, GError **error)
{
	g_autoptr(RemsimConfig) self = remsim_config_new(schema);

	if (!remsim_config_parse(self, argc, argv, exit_status, error))
		return NULL;
	return g_steal_pointer(&self);
}

/* --- reading values --- */

const gchar *
remsim_config_get_path(RemsimConfig *self)
{
	return self->path;
}

GKeyFile *
remsim_config_get_keyfile(RemsimConfig *self)
{
	return self->keyfile;
}

/* the value of @key in @group of the file, or NULL */
static const gchar *
remsim_config_file_value(RemsimConfig *self, const gchar *group, const gchar *key)
{
	g_autofree gchar *id = g_strconcat(group, "\n", key, NULL);

	return g_hash_table_lookup(self->values, id);
}

/* the text of @key's value, or NULL */
static const gchar *
remsim_config_get_text(RemsimConfig *self, const gchar *group, const RemsimConfigKey *key,
		       gboolean with_default)
{
	const gchar *value = g_hash_table_lookup(self->args, key->key);

	if (value == NULL && group != NULL && (key->flags & REMSIM_CONFIG_KEY_GROUPS))
		value = remsim_config_file_value(self, group, key->key);
	if (value == NULL)
		value = remsim_config_file_value(self, self->schema->group, key->key);
	if (value == NULL && with_default)
		value = key->default_value;
	return value;
}

static const RemsimConfigKey *
remsim_config_get_key(RemsimConfig *self, const gchar *name, RemsimConfigType type)
{
	const RemsimConfigKey *key = remsim_config_lookup_key(self, name);

	g_return_val_if_fail(key != NULL, NULL);
	/* a FILENAME or CHOICE key reads as a string too */
	g_return_val_if_fail(key->type == type || (type == REMSIM_CONFIG_TYPE_STRING &&
						   (key->type == REMSIM_CONFIG_TYPE_FILENAME ||
						    key->type == REMSIM_CONFIG_TYPE_CHOICE)),
			     NULL);
	return key;
}

gboolean
remsim_config_is_set(RemsimConfig *self, const gchar *group, const gchar *name)
{
	const RemsimConfigKey *key = remsim_config_lookup_key(self, name);

	g_return_val_if_fail(key != NULL, FALSE);
	return remsim_config_get_text(self, group, key, FALSE) != NULL;
}

gboolean
remsim_config_is_option_given(RemsimConfig *self, const gchar *name)
{
	g_return_val_if_fail(remsim_config_lookup_key(self, name) != NULL, FALSE);
	return g_hash_table_contains(self->args, name);
}

const gchar *
remsim_config_get_string(RemsimConfig *self, const gchar *group, const gchar *name)
{
	const RemsimConfigKey *key = remsim_config_get_key(self, name, REMSIM_CONFIG_TYPE_STRING);

	return key != NULL ? remsim_config_get_text(self, group, key, TRUE) : NULL;
}

gint
remsim_config_get_int(RemsimConfig *self, const gchar *group, const gchar *name)
{
	const RemsimConfigKey *key = remsim_config_get_key(self, name, REMSIM_CONFIG_TYPE_INT);
	const gchar *text = key != NULL ? remsim_config_get_text(self, group, key, TRUE) : NULL;
	gint64 v;

	if (text == NULL || !remsim_config_text_to_int(key, text, &v))
		return -1;
	return (gint)v;
}

gboolean
remsim_config_get_boolean(RemsimConfig *self, const gchar *group, const gchar *name)
{
	const RemsimConfigKey *key = remsim_config_get_key(self, name, REMSIM_CONFIG_TYPE_BOOLEAN);
	const gchar *text = key != NULL ? remsim_config_get_text(self, group, key, TRUE) : NULL;
	gboolean v = FALSE;

	if (text != NULL)
		remsim_config_text_to_boolean(text, &v);
	return v;
}

gdouble
remsim_config_get_double(RemsimConfig *self, const gchar *group, const gchar *name)
{
	const RemsimConfigKey *key = remsim_config_get_key(self, name, REMSIM_CONFIG_TYPE_DOUBLE);
	const gchar *text = key != NULL ? remsim_config_get_text(self, group, key, TRUE) : NULL;
	gdouble v = 0;

	if (text != NULL)
		remsim_config_text_to_double(text, &v);
	return v;
}

GBytes *
remsim_config_get_bytes(RemsimConfig *self, const gchar *group, const gchar *name)
{
	const RemsimConfigKey *key = remsim_config_get_key(self, name, REMSIM_CONFIG_TYPE_HEX);
	const gchar *text = key != NULL ? remsim_config_get_text(self, group, key, TRUE) : NULL;

	return text != NULL ? remsim_config_text_to_bytes(text) : NULL;
}

GBusType
remsim_config_get_bus_type(RemsimConfig *self)
{
	if (!remsim_config_get_boolean(self, NULL, "dbus"))
		return G_BUS_TYPE_NONE;
	if (g_str_equal(remsim_config_get_string(self, NULL, "dbus-bus"), "session"))
		return G_BUS_TYPE_SESSION;
	return G_BUS_TYPE_SYSTEM;
}

gboolean
remsim_config_differs(RemsimConfig *a, RemsimConfig *b, const gchar *group, const gchar *name)
{
	const RemsimConfigKey *key = remsim_config_lookup_key(a, name);
	g_autoptr(GBytes) x = NULL;
	g_autoptr(GBytes) y = NULL;

	g_return_val_if_fail(key != NULL, FALSE);
	g_return_val_if_fail(a->schema == b->schema, FALSE);
	switch (key->type) {
	case REMSIM_CONFIG_TYPE_BOOLEAN:
		return remsim_config_get_boolean(a, group, name) !=
		       remsim_config_get_boolean(b, group, name);
	case REMSIM_CONFIG_TYPE_INT:
		return remsim_config_get_int(a, group, name) !=
		       remsim_config_get_int(b, group, name);
	case REMSIM_CONFIG_TYPE_DOUBLE:
		return remsim_config_get_double(a, group, name) !=
		       remsim_config_get_double(b, group, name);
	case REMSIM_CONFIG_TYPE_HEX:
		x = remsim_config_get_bytes(a, group, name);
		y = remsim_config_get_bytes(b, group, name);
		if (x == NULL || y == NULL)
			return x != y;
		return !g_bytes_equal(x, y);
	case REMSIM_CONFIG_TYPE_STRING:
	case REMSIM_CONFIG_TYPE_FILENAME:
	case REMSIM_CONFIG_TYPE_CHOICE:
	default:
		return g_strcmp0(remsim_config_get_string(a, group, name),
				 remsim_config_get_string(b, group, name)) != 0;
	}
}

GStrv
remsim_config_diff(RemsimConfig *a, RemsimConfig *b, const gchar *group)
{
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

	g_return_val_if_fail(a->schema == b->schema, NULL);
	for (const RemsimConfigKey *key = a->schema->keys; key->key != NULL; key++) {
		if (!(key->flags & REMSIM_CONFIG_KEY_NO_FILE) &&
		    remsim_config_differs(a, b, group, key->key))
			g_strv_builder_add(builder, key->key);
	}
	return g_strv_builder_end(builder);
}

static void
remsim_config_fill_one(RemsimConfig *self, const gchar *group, const RemsimConfigKey *key,
		       guint8 *field)
{
	gint v;

	switch (key->type) {
	case REMSIM_CONFIG_TYPE_BOOLEAN:
		*(gboolean *)field = remsim_config_get_boolean(self, group, key->key);
		break;
	case REMSIM_CONFIG_TYPE_INT:
		v = remsim_config_get_int(self, group, key->key);
		if (key->size == sizeof(guint16))
			*(guint16 *)field = (guint16)v;
		else
			*(gint *)field = v;
		break;
	case REMSIM_CONFIG_TYPE_DOUBLE:
		*(gdouble *)field = remsim_config_get_double(self, group, key->key);
		break;
	case REMSIM_CONFIG_TYPE_HEX:
		g_clear_pointer((GBytes **)field, g_bytes_unref);
		*(GBytes **)field = remsim_config_get_bytes(self, group, key->key);
		break;
	case REMSIM_CONFIG_TYPE_STRING:
	case REMSIM_CONFIG_TYPE_FILENAME:
	case REMSIM_CONFIG_TYPE_CHOICE:
	default:
		g_free(*(gchar **)field);
		*(gchar **)field = g_strdup(remsim_config_get_string(self, group, key->key));
		break;
	}
}

void
remsim_config_fill(RemsimConfig *self, const gchar *group, gpointer settings)
{
	for (const RemsimConfigKey *key = self->schema->keys; key->key != NULL; key++) {
		if (key->size > 0)
			remsim_config_fill_one(self, group, key, (guint8 *)settings + key->offset);
	}
}

void
remsim_config_clear_fields(const RemsimConfigSchema *schema, gpointer settings)
{
	for (const RemsimConfigKey *key = schema->keys; key->key != NULL; key++) {
		guint8 *field = (guint8 *)settings + key->offset;

		if (key->size == 0)
			continue;
		if (key->type == REMSIM_CONFIG_TYPE_HEX)
			g_clear_pointer((GBytes **)field, g_bytes_unref);
		else if (key->type == REMSIM_CONFIG_TYPE_STRING ||
			 key->type == REMSIM_CONFIG_TYPE_FILENAME ||
			 key->type == REMSIM_CONFIG_TYPE_CHOICE)
			g_clear_pointer((gchar **)field, g_free);
	}
}

/* --- groups --- */

static gint
remsim_config_compare_uint(gconstpointer a, gconstpointer b)
{
	guint x = *(const guint *)a, y = *(const guint *)b;

	return x < y ? -1 : x > y;
}

GArray *
remsim_config_get_slots(RemsimConfig *self)
{
	g_auto(GStrv) groups = g_key_file_get_groups(self->keyfile, NULL);
	GArray *slots = g_array_new(FALSE, FALSE, sizeof(guint));

	for (guint i = 0; groups[i] != NULL; i++) {
		guint nr;

		if (remsim_config_is_slot_group(groups[i], &nr))
			g_array_append_val(slots, nr);
	}
	g_array_sort(slots, remsim_config_compare_uint);
	return slots;
}

GStrv
remsim_config_get_other_groups(RemsimConfig *self)
{
	g_auto(GStrv) groups = g_key_file_get_groups(self->keyfile, NULL);
	g_autoptr(GStrvBuilder) builder = g_strv_builder_new();

	for (guint i = 0; groups[i] != NULL; i++) {
		if (!g_str_equal(groups[i], self->schema->group))
			g_strv_builder_add(builder, groups[i]);
	}
	return g_strv_builder_end(builder);
}

static gboolean
remsim_config_matches_any(const gchar *name, const gchar *const *patterns)
{
	for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++) {
		if (g_pattern_match_simple(patterns[i], name))
			return TRUE;
	}
	return FALSE;
}

gboolean
remsim_config_check_group(RemsimConfig *self, const gchar *group, const gchar *const *patterns,
			  GError **error)
{
	g_auto(GStrv) names = g_key_file_get_keys(self->keyfile, group, NULL, NULL);

	for (guint i = 0; names != NULL && names[i] != NULL; i++) {
		if (!remsim_config_matches_any(names[i], patterns))
			return remsim_config_set_file_error(error, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
							    self->path, self->text, group, names[i],
							    _("unknown key"));
	}
	return TRUE;
}

/* --- the key list --- */

static void
remsim_config_dump_options(GString *out, const RemsimConfigKey *key)
{
	gsize start = out->len;

	if (!(key->flags & REMSIM_CONFIG_KEY_NO_OPTION)) {
		if (key->short_name != 0)
			g_string_append_printf(out, "-%c, ", key->short_name);
		g_string_append_printf(out, "--%s", key->key);
	}
	for (guint j = 0; j < REMSIM_CONFIG_MAX_ALIASES; j++) {
		const RemsimConfigAlias *alias = &key->aliases[j];

		if (alias->name == NULL)
			continue;
		if (out->len > start)
			g_string_append(out, ", ");
		if (alias->short_name != 0)
			g_string_append_printf(out, "-%c, ", alias->short_name);
		g_string_append_printf(out, "--%s", alias->name);
		if (alias->value != NULL)
			g_string_append_printf(out, " (%s)", alias->value);
	}
	if (out->len == start)
		g_string_append(out, "-");
}

static const gchar *
remsim_config_dump_value(const RemsimConfigKey *key)
{
	switch (key->type) {
	case REMSIM_CONFIG_TYPE_BOOLEAN:
		return "true|false";
	case REMSIM_CONFIG_TYPE_CHOICE:
		return key->choices;
	default:
		return key->arg != NULL ? key->arg : "VALUE";
	}
}

gchar *
remsim_config_dump_keys(RemsimConfig *self)
{
	GString *out = g_string_new(NULL);

	g_string_append_printf(out, "# %s: key\tgroups\toptions\tvalue\tdefault\thelp\n",
			       self->schema->program);
	for (guint i = 0; i < self->keys->len; i++) {
		const RemsimConfigKey *key = &g_array_index(self->keys, RemsimConfigKey, i);

		g_string_append_printf(out, "%s\t", key->key);
		if (key->flags & REMSIM_CONFIG_KEY_NO_FILE)
			g_string_append(out, "-");
		else if (key->flags & REMSIM_CONFIG_KEY_GROUPS)
			g_string_append_printf(out, "[%s] [slot N]", self->schema->group);
		else
			g_string_append_printf(out, "[%s]", self->schema->group);
		g_string_append_c(out, '\t');
		remsim_config_dump_options(out, key);
		g_string_append_printf(out, "\t%s\t%s\t%s\n", remsim_config_dump_value(key),
				       key->default_value != NULL ? key->default_value : "-",
				       key->help);
	}
	return g_string_free(out, FALSE);
}

/* --- checking a table --- */

static gboolean
remsim_config_check_option_name(GHashTable *seen, const gchar *key, const gchar *long_name,
				gchar short_name, GError **error)
{
	g_autofree gchar *s = short_name != 0 ? g_strdup_printf("-%c", short_name) : NULL;
	g_autofree gchar *l = long_name != NULL ? g_strconcat("--", long_name, NULL) : NULL;
	const gchar *names[] = { s, l };

	if (short_name == 'h' || short_name == '?') {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "%s: -%c is GLib's help option", key, short_name);
		return FALSE;
	}
	for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
		if (names[i] == NULL)
			continue;
		if (g_hash_table_contains(seen, names[i])) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
				    "%s: option %s is also %s's", key, names[i],
				    (const gchar *)g_hash_table_lookup(seen, names[i]));
			return FALSE;
		}
		g_hash_table_insert(seen, g_strdup(names[i]), (gpointer)key);
	}
	return TRUE;
}

static gsize
remsim_config_field_size(RemsimConfigType type)
{
	switch (type) {
	case REMSIM_CONFIG_TYPE_BOOLEAN:
		return sizeof(gboolean);
	case REMSIM_CONFIG_TYPE_DOUBLE:
		return sizeof(gdouble);
	case REMSIM_CONFIG_TYPE_INT:
		return sizeof(gint);
	default:
		return sizeof(gpointer);
	}
}

static gboolean
remsim_config_check_key(const RemsimConfigKey *key, GHashTable *seen, GError **error)
{
	g_autofree gchar *problem = NULL;
	gboolean scalar = key->type == REMSIM_CONFIG_TYPE_BOOLEAN ||
			  key->type == REMSIM_CONFIG_TYPE_INT ||
			  key->type == REMSIM_CONFIG_TYPE_DOUBLE;

	if (!(key->flags & REMSIM_CONFIG_KEY_NO_OPTION) &&
	    !remsim_config_check_option_name(seen, key->key, key->key, key->short_name, error))
		return FALSE;
	for (guint j = 0; j < REMSIM_CONFIG_MAX_ALIASES && problem == NULL; j++) {
		const RemsimConfigAlias *alias = &key->aliases[j];

		if (alias->name == NULL && alias->short_name == 0)
			continue;
		if (alias->name == NULL)
			problem = g_strdup("an alias needs a long name");
		else if (!remsim_config_check_option_name(seen, key->key, alias->name,
							  alias->short_name, error))
			return FALSE;
		else if (alias->value != NULL)
			problem = remsim_config_check_value(key, alias->value);
	}
	if (problem == NULL && key->default_value != NULL)
		problem = remsim_config_check_value(key, key->default_value);
	if (problem == NULL && key->type == REMSIM_CONFIG_TYPE_CHOICE && key->choices == NULL)
		problem = g_strdup("no choices");
	if (problem == NULL && key->size > 0 && key->size != remsim_config_field_size(key->type) &&
	    !(key->type == REMSIM_CONFIG_TYPE_INT && key->size == sizeof(guint16)))
		problem = g_strdup("the field does not fit the type");
	if (problem == NULL && key->size > 0 && scalar && key->default_value == NULL)
		problem = g_strdup("a number or boolean field needs a default");
	if (problem == NULL && key->help == NULL)
		problem = g_strdup("no help");
	if (problem != NULL) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s: %s", key->key,
			    problem);
		return FALSE;
	}
	return TRUE;
}

gboolean
remsim_config_check_schema(const RemsimConfigSchema *schema, GError **error)
{
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GArray) keys = remsim_config_make_keys(schema, "/default.conf");

	for (guint i = 0; i < keys->len; i++) {
		const RemsimConfigKey *key = &g_array_index(keys, RemsimConfigKey, i);

		if (!g_hash_table_add(names, (gpointer)key->key)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
				    "%s: two keys of that name", key->key);
			return FALSE;
		}
		if (!remsim_config_check_key(key, seen, error))
			return FALSE;
	}
	return TRUE;
}
