/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimConfig: a daemon's settings, from one table of keys (RemsimConfigKey).
 * Each key is a key of the daemon's GKeyFile and a command-line option; upstream's
 * option names are aliases of it. The command line beats the file, the file beats
 * the table's default. From the same table come the option list (--help), the
 * reading and checking of the file (an unknown group or key, or a bad value, is an
 * error naming FILE:LINE, the group and the key) and --dump-keys, the key list for
 * the manual pages.
 *
 * Every daemon also has the keys of this file's common table: --config, --version,
 * --dump-keys, debug (-d), log-personal-info, dbus (--no-dbus), dbus-bus
 * (--session) and upstream's logging options -e/--log-level, -T/--timestamp and
 * -L/--disable-color.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
	REMSIM_CONFIG_TYPE_STRING,
	REMSIM_CONFIG_TYPE_FILENAME,
	REMSIM_CONFIG_TYPE_BOOLEAN, /* true|false|1|0; as an option: a flag that sets true */
	REMSIM_CONFIG_TYPE_INT,	    /* in min..max; decimal, or hex with 0x */
	REMSIM_CONFIG_TYPE_DOUBLE,  /* in min..max */
	REMSIM_CONFIG_TYPE_HEX,	    /* bytes in hex (spaces and colons allowed), min..max of them */
	REMSIM_CONFIG_TYPE_CHOICE,  /* one of the words of .choices ("system|session") */
} RemsimConfigType;

typedef enum {
	REMSIM_CONFIG_KEY_NONE = 0,
	REMSIM_CONFIG_KEY_NO_OPTION = 1 << 0,  /* no option of its own, only its aliases */
	REMSIM_CONFIG_KEY_NO_FILE = 1 << 1,    /* an option only, not a key of the file */
	REMSIM_CONFIG_KEY_HIDDEN = 1 << 2,     /* left out of --help (not of --dump-keys) */
	REMSIM_CONFIG_KEY_IGNORED = 1 << 3,    /* accepted for upstream's command lines only */
	REMSIM_CONFIG_KEY_GROUPS = 1 << 4,     /* may also stand in a [slot N] group */
	REMSIM_CONFIG_KEY_HEX_NUMBER = 1 << 5, /* an INT written in hex, with or without 0x */
	REMSIM_CONFIG_KEY_LOG_MASK = 1 << 6,   /* a BOOLEAN whose option takes upstream's log
						  mask: any mask sets it */
} RemsimConfigKeyFlags;

/*
 * Another option name for a key: upstream's (-i, --server-ip for the client's
 * server-host) or a flag that sets one value (--no-dbus sets dbus to false).
 */
typedef struct {
	const gchar *name;  /* long option without "--", or NULL for a short one only */
	gchar short_name;   /* or 0 */
	const gchar *value; /* NULL: takes the key's value; else a flag that sets this value */
	const gchar *help;  /* N_(); NULL: "Same as --KEY" */
} RemsimConfigAlias;

#define REMSIM_CONFIG_MAX_ALIASES 2

/*
 * One key. @min and @max bound an INT or DOUBLE value (both 0: any) and the
 * length of a HEX value. A key is stored into a settings struct by
 * remsim_config_fill() when it names a field with one of the
 * REMSIM_CONFIG_FIELD_* macros, and read by name with remsim_config_get_*().
 */
typedef struct {
	const gchar *key; /* the file key and the long option */
	gchar short_name; /* or 0 */
	RemsimConfigType type;
	RemsimConfigKeyFlags flags;
	const gchar *default_value; /* as written in the file; NULL: none */
	gint min, max;
	const gchar *choices; /* CHOICE: "word|word" */
	const gchar *arg;     /* N_(): the value in --help ("PORT") */
	const gchar *help;    /* N_(): one line; the default is added to it */
	RemsimConfigAlias aliases[REMSIM_CONFIG_MAX_ALIASES];
	gsize offset; /* the field remsim_config_fill() writes; @size 0: none */
	gsize size;
} RemsimConfigKey;

/*
 * The fields remsim_config_fill() writes, checked at compile time: a STRING,
 * FILENAME or CHOICE key goes to a gchar * (owned), a BOOLEAN to a gboolean, an
 * INT to a gint, guint or guint16, a DOUBLE to a gdouble, a HEX to a GBytes *.
 */
#define REMSIM_CONFIG_FIELD_(T, m, ...)                                                            \
	.offset = _Generic(((T *)0)->m, __VA_ARGS__), .size = sizeof(((T *)0)->m)
#define REMSIM_CONFIG_FIELD_STRING(T, m) REMSIM_CONFIG_FIELD_(T, m, gchar * : G_STRUCT_OFFSET(T, m))
#define REMSIM_CONFIG_FIELD_BOOLEAN(T, m)                                                          \
	REMSIM_CONFIG_FIELD_(T, m, gboolean : G_STRUCT_OFFSET(T, m))
#define REMSIM_CONFIG_FIELD_INT(T, m)                                                              \
	REMSIM_CONFIG_FIELD_(T, m, gint                                                            \
			     : G_STRUCT_OFFSET(T, m), guint                                        \
			     : G_STRUCT_OFFSET(T, m), guint16                                      \
			     : G_STRUCT_OFFSET(T, m))
#define REMSIM_CONFIG_FIELD_DOUBLE(T, m) REMSIM_CONFIG_FIELD_(T, m, gdouble : G_STRUCT_OFFSET(T, m))
#define REMSIM_CONFIG_FIELD_BYTES(T, m) REMSIM_CONFIG_FIELD_(T, m, GBytes * : G_STRUCT_OFFSET(T, m))

typedef enum {
	REMSIM_CONFIG_GROUPS_NONE,     /* only the daemon's own group */
	REMSIM_CONFIG_GROUPS_SLOTS,    /* also [slot N], N 0..1023, holding GROUPS keys */
	REMSIM_CONFIG_GROUPS_DEFERRED, /* also groups the caller checks later with
					  remsim_config_check_group() (backends) */
} RemsimConfigGroups;

typedef struct {
	const gchar *program;	     /* "remsim-bankd", for --version and messages */
	const gchar *group;	     /* the daemon's group; the default file is GROUP.conf */
	const gchar *summary;	     /* N_(): the first lines of --help */
	const RemsimConfigKey *keys; /* ends with { NULL } */
	gchar config_short;	     /* -c for --config, or 0 */
	gchar version_short;	     /* -V (-v for the client, as upstream) */
	gchar log_level_short;	     /* -e, or 0 (the client's -e is its event script) */
	RemsimConfigGroups groups;
} RemsimConfigSchema;

typedef struct _RemsimConfig RemsimConfig;

RemsimConfig *remsim_config_new(const RemsimConfigSchema *schema);
void remsim_config_free(RemsimConfig *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimConfig, remsim_config_free)

/*
 * The whole start of a daemon: the command line, then the file --config names (or
 * the default file, if there is one). Nothing outside @self changes. FALSE when there is nothing to
 * run: after --version or --dump-keys with
 * @exit_status 0, or after an error (@error set) with @exit_status 2, upstream's
 * status for a bad command line.
 */
gboolean remsim_config_parse(RemsimConfig *self, gint *argc, gchar ***argv, gint *exit_status,
			     GError **error);

/*
 * debug, log-personal-info, the logging options (log-level, timestamp,
 * disable-color) and dbus-group in force for the whole process: call once the settings are
 * accepted (at start, and after a reload that succeeded)
 */
void remsim_config_apply_logging(RemsimConfig *self);

/* remsim_config_new() and remsim_config_parse(): NULL when there is nothing to run */
RemsimConfig *remsim_config_new_from_args(const RemsimConfigSchema *schema, gint *argc,
					  gchar ***argv, gint *exit_status, GError **error);

/* the steps of remsim_config_parse(): options only (a bad value is an error) */
gboolean remsim_config_parse_args(RemsimConfig *self, gint *argc, gchar ***argv, GError **error);
/* a file, checked whole; a missing file is an error only if @required */
gboolean remsim_config_load_file(RemsimConfig *self, const gchar *path, gboolean required,
				 GError **error);

/* the file read, or NULL */
const gchar *remsim_config_get_path(RemsimConfig *self);
/* the file's keys, for backends (empty without a file) */
GKeyFile *remsim_config_get_keyfile(RemsimConfig *self);
/* TRUE if @key was given on the command line or in the file */
gboolean remsim_config_is_set(RemsimConfig *self, const gchar *group, const gchar *key);
/* TRUE if @key was given on the command line */
gboolean remsim_config_is_option_given(RemsimConfig *self, const gchar *key);

/*
 * A key's value: the command line's, else @group's (when @group is not NULL and
 * the key may stand there), else the daemon's group's, else the default. Values
 * are checked when read, so these cannot fail. An INT without a value is -1.
 */
const gchar *remsim_config_get_string(RemsimConfig *self, const gchar *group, const gchar *key);
gint remsim_config_get_int(RemsimConfig *self, const gchar *group, const gchar *key);
gboolean remsim_config_get_boolean(RemsimConfig *self, const gchar *group, const gchar *key);
gdouble remsim_config_get_double(RemsimConfig *self, const gchar *group, const gchar *key);
GBytes *remsim_config_get_bytes(RemsimConfig *self, const gchar *group, const gchar *key);
/* dbus and dbus-bus: G_BUS_TYPE_NONE with --no-dbus */
GBusType remsim_config_get_bus_type(RemsimConfig *self);

/* TRUE if @a and @b (of one table) give @key different values in @group */
gboolean remsim_config_differs(RemsimConfig *a, RemsimConfig *b, const gchar *group,
			       const gchar *key);
/*
 * The keys of the daemon's own table (not the common ones, nor the options that
 * are no key of the file) to which @a and @b give different values in @group, in
 * the table's order: for a reload, @a the settings in force, @b those just read.
 */
GStrv remsim_config_diff(RemsimConfig *a, RemsimConfig *b, const gchar *group);

/* writes each key that names a field into @settings (old strings and bytes freed) */
void remsim_config_fill(RemsimConfig *self, const gchar *group, gpointer settings);
/* frees the strings and bytes remsim_config_fill() wrote into @settings */
void remsim_config_clear_fields(const RemsimConfigSchema *schema, gpointer settings);

/* REMSIM_CONFIG_GROUPS_SLOTS: the numbers of the [slot N] groups, sorted */
GArray *remsim_config_get_slots(RemsimConfig *self);
/* the groups of the file other than the daemon's own */
GStrv remsim_config_get_other_groups(RemsimConfig *self);

/*
 * REMSIM_CONFIG_GROUPS_DEFERRED: checks that every key of @group matches one of
 * @patterns (g_pattern_match_simple(): "slot-*"); the error names FILE:LINE.
 */
gboolean remsim_config_check_group(RemsimConfig *self, const gchar *group,
				   const gchar *const *patterns, GError **error);
/* the error for a group nobody knows: "FILE:LINE: [GROUP]: unknown group (expected ...)" */
void remsim_config_set_unknown_group_error(RemsimConfig *self, const gchar *group,
					   const gchar *expected, GError **error);
/*
 * Prefixes @error with "FILE:LINE: ", the line of @key in @group (or of [@group]
 * with @key NULL). With both NULL the line comes from the "[group] key:" a
 * backend's message starts with, or from the line a GKeyFile error quotes.
 * "FILE: " when the line cannot be told; nothing without a file.
 */
void remsim_config_prefix_error(RemsimConfig *self, GError **error, const gchar *group,
				const gchar *key);

/*
 * The key list for the manual pages, one line a key, tab-separated: key, where
 * it may stand, options, value, default, help (in English). Lines starting with
 * "#" are comments.
 */
gchar *remsim_config_dump_keys(RemsimConfig *self);

/* checks a table: unique names and options, defaults that read, fields that fit */
gboolean remsim_config_check_schema(const RemsimConfigSchema *schema, GError **error);

G_END_DECLS
