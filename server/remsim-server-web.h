/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerWeb: the web view, served at / from files compiled into the
 * binary (server/web/, a GResource): a page with no library and no build
 * step that shows banks, slots with their cards, clients and maps from
 * /api/v1, live from its event stream, and makes and removes maps and resets
 * cards when the viewer may (GET /api/v1/whoami).
 */
#pragma once

#include "remsim-server-rest.h"

G_BEGIN_DECLS

#define REMSIM_SERVER_WEB_STATIC "/static"

#define REMSIM_TYPE_SERVER_WEB (remsim_server_web_get_type())
G_DECLARE_FINAL_TYPE(RemsimServerWeb, remsim_server_web, REMSIM, SERVER_WEB, GObject)

RemsimServerWeb *remsim_server_web_new(RemsimServerRest *rest);

G_END_DECLS
