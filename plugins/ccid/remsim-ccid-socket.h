/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimCcidSocket: the transport to a CCID device simulator listening on a
 * Unix socket (frames in remsim-ccid-wire.h). The protocol code above it is
 * the one that drives real readers; only the bytes travel another way. If the
 * simulator goes away its devices are removed, and the transport dials again.
 */
#pragma once

#include "remsim-ccid-transport.h"

G_BEGIN_DECLS

#define REMSIM_TYPE_CCID_SOCKET (remsim_ccid_socket_get_type())
G_DECLARE_FINAL_TYPE(RemsimCcidSocket, remsim_ccid_socket, REMSIM, CCID_SOCKET, RemsimCcidTransport)

RemsimCcidTransport *remsim_ccid_socket_new(const gchar *path);

G_END_DECLS
