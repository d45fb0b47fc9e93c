/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What remsim-ctl prints: aligned tables for people, coloured only when
 * standard output is a terminal and NO_COLOR is not set (https://no-color.org),
 * and JSON for scripts.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* TRUE when standard output is a terminal (not TERM=dumb) and NO_COLOR is unset or empty */
gboolean remsim_ctl_output_colour_wanted(void);

/* a state word of the daemons ("active", "card-powered" ...) as people read it: translated */
const gchar *remsim_ctl_output_state_label(const gchar *word);
/* @text in the colour of the state @word (green, yellow or red), or as it is */
gchar *remsim_ctl_output_paint(const gchar *word, const gchar *text, gboolean colour);
/* @text in bold, or as it is */
gchar *remsim_ctl_output_bold(const gchar *text, gboolean colour);

/* @object on standard output: indented, or (watch) on one line */
void remsim_ctl_output_json(JsonObject *object, gboolean one_line);

G_END_DECLS
