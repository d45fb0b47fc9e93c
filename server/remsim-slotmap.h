/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimSlotmap: one binding of a bank slot to a client slot, with the state
 * upstream's server gives it (plus ERROR: the bank refused it).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "rspro-pdu.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_SLOTMAP_NEW,	       /* not (yet) sent to its bank */
	REMSIM_SLOTMAP_UNACKNOWLEDGED, /* createMappingReq sent */
	REMSIM_SLOTMAP_ACTIVE,	       /* the bank answered ok */
	REMSIM_SLOTMAP_DELETE_REQ,     /* deleted, removeMappingReq not yet sent */
	REMSIM_SLOTMAP_DELETING,       /* removeMappingReq sent */
	REMSIM_SLOTMAP_ERROR,	       /* the bank answered createMappingReq with an error */
} RemsimSlotmapState;

typedef struct {
	RsproBankSlot bank;
	RsproClientSlot client;
	RemsimSlotmapState state;
	gint error_result; /* RsproResultCode, valid in ERROR */
	guint serial;	   /* bumped on each push; stale responses are ignored */
	gboolean listed;   /* visible in REST / D-Bus */
	gboolean stored;   /* committed to the database */
} RemsimSlotmap;

GType remsim_slotmap_get_type(void) G_GNUC_CONST;
#define REMSIM_TYPE_SLOTMAP (remsim_slotmap_get_type())

RemsimSlotmap *remsim_slotmap_new(const RsproBankSlot *bank, const RsproClientSlot *client);
RemsimSlotmap *remsim_slotmap_ref(RemsimSlotmap *map);
void remsim_slotmap_unref(RemsimSlotmap *map);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimSlotmap, remsim_slotmap_unref)

/* upstream's id: bankId * 65536 + slotNr */
guint32 remsim_slotmap_get_id(const RemsimSlotmap *map);
guint32 remsim_bank_slot_key(const RsproBankSlot *bank);
guint32 remsim_client_slot_key(const RsproClientSlot *client);

const gchar *remsim_slotmap_state_to_string(RemsimSlotmapState state);

/* upstream's REST object, plus "error" in the ERROR state */
JsonNode *remsim_slotmap_to_json(const RemsimSlotmap *map);
/* a{sv} for D-Bus */
GVariant *remsim_slotmap_to_variant(const RemsimSlotmap *map);

G_END_DECLS
