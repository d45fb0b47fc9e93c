/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gettext for every program: the daemons, remsim-ctl and rspro-tool. Header only,
 * as rspro-tool and remsim-ctl do not link the daemons' common library.
 */
#pragma once

#include <glib.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

/*
 * The locale from the environment and the catalogue of GETTEXT_PACKAGE, read
 * as UTF-8: from LOCALEDIR (PREFIX/share/locale), or from $REMSIM_LOCALEDIR
 * when that is set, which meson devenv and the tests point at the build's po/
 * folder so that a build speaks its languages before it is installed. A
 * setuid or file-capability process ignores the variable (secure_getenv).
 */
static inline void
remsim_i18n_init(void)
{
	const gchar *dir = secure_getenv("REMSIM_LOCALEDIR");

	setlocale(LC_ALL, "");
	bindtextdomain(GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
	bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
	textdomain(GETTEXT_PACKAGE);
}
