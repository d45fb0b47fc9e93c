/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-ctl: one command-line tool for remsim's operators. remsim-ctl.c holds
 * the global options and the command table, from which --help and dispatch
 * come; each command is one file, remsim-ctl-<command>.c, that defines its
 * RemsimCtlCommand. A new command is a new file, its extern below, its row in
 * the table and its name in meson.build.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "remsim-ctl-error.h"
#include "remsim-ctl-model.h"
#include "remsim-ctl-output.h"
#include "remsim-ctl-source.h"
#include "remsim-ctl-table.h"

G_BEGIN_DECLS

/* what every command gets: the global options, and the source once asked for */
typedef struct {
	gboolean json;	   /* --json */
	gboolean session;  /* --session */
	gchar *server;	   /* --server URL, or NULL for D-Bus */
	gchar *token;	   /* --token */
	gchar *token_file; /* --token-file */
	gchar *ca_file;	   /* --ca */
	gboolean colour;   /* colour is wanted (a terminal, no NO_COLOR) */
	RemsimCtlSource *source;
} RemsimCtl;

/*
 * A command: @run gets the arguments after the command's name; it parses
 * them with remsim_ctl_parse() and returns FALSE with a RemsimCtlError.
 */
typedef struct {
	const gchar *name;	  /* "slots" */
	const gchar *arguments;	  /* N_(): its synopsis after the name, "[BANK]" */
	const gchar *summary;	  /* N_(): one line for --help */
	const gchar *description; /* N_(): more for its own --help, or NULL */
	gboolean (*run)(RemsimCtl *ctl, gint argc, gchar **argv, GError **error);
} RemsimCtlCommand;

/*
 * Parses a command's arguments (@argv[0] is the command's name): its
 * @entries (may be NULL) and the global options; leaves the positional
 * arguments in @argv[1..]. A usage error unless their number is within
 * @min_args..@max_args.
 */
gboolean remsim_ctl_parse(RemsimCtl *ctl, const RemsimCtlCommand *command,
			  const GOptionEntry *entries, gint *argc, gchar ***argv, gint min_args,
			  gint max_args, GError **error);
/* the source the options name (D-Bus, or REST with --server), made once */
RemsimCtlSource *remsim_ctl_get_source(RemsimCtl *ctl, GError **error);
/* prints the list of commands (@command NULL) or a command's help */
gboolean remsim_ctl_print_help(RemsimCtl *ctl, const gchar *command, GError **error);
/* prints "{@member: @array}" as JSON */
void remsim_ctl_print_list(JsonArray *array, const gchar *member);

/* the commands (remsim-ctl-<name>.c) */
extern const RemsimCtlCommand remsim_ctl_status_command;
extern const RemsimCtlCommand remsim_ctl_banks_command;
extern const RemsimCtlCommand remsim_ctl_slots_command;
extern const RemsimCtlCommand remsim_ctl_cards_command;
extern const RemsimCtlCommand remsim_ctl_clients_command;
extern const RemsimCtlCommand remsim_ctl_maps_command;
extern const RemsimCtlCommand remsim_ctl_map_command;
extern const RemsimCtlCommand remsim_ctl_unmap_command;
extern const RemsimCtlCommand remsim_ctl_reset_command;
extern const RemsimCtlCommand remsim_ctl_slot_command;
extern const RemsimCtlCommand remsim_ctl_watch_command;
extern const RemsimCtlCommand remsim_ctl_version_command;
extern const RemsimCtlCommand remsim_ctl_help_command;

G_END_DECLS
