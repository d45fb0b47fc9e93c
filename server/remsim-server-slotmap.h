/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimServerSlotmap: one binding of a bank slot to a client slot, with the state
 * upstream's server gives it (plus ERROR: the bank refused it).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rspro-pdu.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_SERVER_SLOTMAP_NEW,	      /* not (yet) sent to its bank */
	REMSIM_SERVER_SLOTMAP_UNACKNOWLEDGED, /* createMappingReq sent */
	REMSIM_SERVER_SLOTMAP_ACTIVE,	      /* the bank answered ok */
	REMSIM_SERVER_SLOTMAP_DELETE_REQ,     /* deleted, removeMappingReq not yet sent */
	REMSIM_SERVER_SLOTMAP_DELETING,	      /* removeMappingReq sent */
	REMSIM_SERVER_SLOTMAP_ERROR,	      /* the bank answered createMappingReq with an error */
} RemsimServerSlotmapState;

typedef struct {
	RsproBankSlot bank;
	RsproClientSlot client;
	RemsimServerSlotmapState state;
	gint error_result; /* RsproResultCode, valid in ERROR */
	guint serial;	   /* bumped on each push; stale responses are ignored */
	gboolean listed;   /* visible in REST / D-Bus */
	gboolean stored;   /* committed to the database */
	/* remsim_server_slotmap_to_json_text()'s, and the state it shows */
	gchar *json_text;
	RemsimServerSlotmapState json_state;
	gint json_error_result;
} RemsimServerSlotmap;

GType remsim_server_slotmap_get_type(void) G_GNUC_CONST;
#define REMSIM_TYPE_SLOTMAP (remsim_server_slotmap_get_type())

RemsimServerSlotmap *remsim_server_slotmap_new(const RsproBankSlot *bank,
					       const RsproClientSlot *client);
RemsimServerSlotmap *remsim_server_slotmap_ref(RemsimServerSlotmap *map);
void remsim_server_slotmap_unref(RemsimServerSlotmap *map);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimServerSlotmap, remsim_server_slotmap_unref)

/* upstream's id: bankId * 65536 + slotNr */
guint32 remsim_server_slotmap_get_id(const RemsimServerSlotmap *map);
guint32 remsim_server_slotmap_bank_key(const RsproBankSlot *bank);
guint32 remsim_server_slotmap_client_key(const RsproClientSlot *client);

const gchar *remsim_server_slotmap_state_to_string(RemsimServerSlotmapState state);

/* in the ERROR state the bank's result code ("illegalSlotId"), else NULL */
gchar *remsim_server_slotmap_dup_error_name(const RemsimServerSlotmap *map);
/* upstream's REST object, plus "error" in the ERROR state */
JsonNode *remsim_server_slotmap_to_json(const RemsimServerSlotmap *map);
/*
 * The same as JSON text, made again only when the state changed: a list of
 * 30,000 maps is put together from these without building 30,000 nodes.
 */
const gchar *remsim_server_slotmap_to_json_text(RemsimServerSlotmap *map);

G_END_DECLS
