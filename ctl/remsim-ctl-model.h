/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What remsim-ctl shows, in the JSON shape documented in doc/remsim-ctl.md:
 * every object is built here, whether its values come from D-Bus or from REST,
 * so that both give the same fields; the tables for people are printed from
 * the same objects. A field the source cannot know is null, never missing.
 *
 * Also the ids on the command line: CLIENT:SLOT, BANK:SLOT, a map id.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* the largest bank id, client id or slot number (RSPRO) */
#define REMSIM_CTL_MODEL_ID_MAX 1023

/* a slot map's id: upstream's bank_id * 65536 + bank_slot */
#define REMSIM_CTL_MODEL_MAP_ID(bank_id, bank_slot) ((guint32)(bank_id)*65536u + (bank_slot))

/* a bank connected to the server (banks) */
JsonObject *remsim_ctl_model_bank_new(guint bank_id, guint slots, const gchar *address,
				      const gchar *name, const gchar *software,
				      const gchar *software_version);

/* a client slot (clients): the server's and the local client's fields start null */
JsonObject *remsim_ctl_model_client_new(guint client_id, guint slot);
void remsim_ctl_model_client_set_server(JsonObject *client, const gchar *address, const gchar *name,
					const gchar *software, const gchar *software_version);
/* @bank_id 0: no bank yet (null) */
void remsim_ctl_model_client_set_local(JsonObject *client, const gchar *state,
				       const gchar *frontend, guint bank_id, guint bank_slot);

/* a slot map (maps); @state a RemsimDbusSlotmapState nick, @error NULL or the bank's result */
JsonObject *remsim_ctl_model_map_new(guint bank_id, guint bank_slot, guint client_id,
				     guint client_slot, const gchar *state, const gchar *error);

/* a bank slot (slots): the map's and the bank daemon's fields start null */
JsonObject *remsim_ctl_model_slot_new(guint bank_id, guint slot);
/* the server's map of this slot */
void remsim_ctl_model_slot_set_map(JsonObject *slot, JsonObject *map);
/* what the bank daemon says: @mapped FALSE leaves the map fields alone */
void remsim_ctl_model_slot_set_local(JsonObject *slot, const gchar *state, gboolean card_present,
				     const gchar *atr, guint64 apdus, guint64 errors,
				     gboolean mapped, guint client_id, guint client_slot);
/*
 * The slots of @banks (bank objects) with the server's @maps, in bank order;
 * @bank_id >= 0: only that bank's
 */
JsonArray *remsim_ctl_model_slots_from(JsonArray *banks, JsonArray *maps, gint bank_id);

/*
 * a card a bank read (cards): its bank slot, the inventory's @state ("read",
 * "failed", "empty"), what it read (NULL: null), and whether the server only
 * remembers it (@stale); the client fields start null
 */
JsonObject *remsim_ctl_model_card_new(guint bank_id, guint slot, const gchar *state,
				      const gchar *type, const gchar *iccid, const gchar *imsi,
				      const gchar *msisdn, const gchar *spn, const gchar *pin1,
				      gboolean stale);
/* the client slot mapped to the card's bank slot */
void remsim_ctl_model_card_set_client(JsonObject *card, guint client_id, guint client_slot);

/* a daemon (status, version): @via "system-bus", "session-bus" or "rest" */
JsonObject *remsim_ctl_model_daemon_new(const gchar *daemon, gboolean reachable, const gchar *via,
					const gchar *address, const gchar *version);
/* a link between two daemons as @daemon reports it (status); ends "server", "bank:1", "client:1:0"
 */
JsonObject *remsim_ctl_model_link_new(const gchar *daemon, const gchar *from, const gchar *to,
				      const gchar *state, const gchar *address);

/* the server's links: one per bank and client slot of @banks and @clients (model objects,
 * sorted here), with the address the server sees */
void remsim_ctl_model_add_server_links(JsonArray *links, JsonArray *banks, JsonArray *clients);

/* a watch event: {"time", "event", @kind: @object}; takes @object */
JsonObject *remsim_ctl_model_event_new(const gchar *event, const gchar *kind, JsonObject *object);

/* a member's string, or NULL when it is null */
const gchar *remsim_ctl_model_get_string(JsonObject *object, const gchar *member);
/* a member's integer as text, or NULL when it is null */
gchar *remsim_ctl_model_dup_int(JsonObject *object, const gchar *member);
/* "A:B" of two integer members, or NULL when the first is null */
gchar *remsim_ctl_model_dup_pair(JsonObject *object, const gchar *first, const gchar *second);
/* "remsim-bankd 0.1.0" of a bank's or client's software and software_version, or NULL */
gchar *remsim_ctl_model_dup_software(JsonObject *object);
/* bytes as upper-case hex ("3B9F96"), or NULL when @bytes is empty */
gchar *remsim_ctl_model_hex(const guint8 *bytes, gsize len);

/* the element of @array (objects) whose integer members @first and @second (NULL: none) are
 * @a and @b, or NULL */
JsonObject *remsim_ctl_model_find(JsonArray *array, const gchar *first, gint64 a,
				  const gchar *second, gint64 b);
/* a copy of @array (objects) sorted by the integer members @first, then @second (NULL: none) */
JsonArray *remsim_ctl_model_sort(JsonArray *array, const gchar *first, const gchar *second);

/* JSON equality of two values (watch compares snapshots) */
gboolean remsim_ctl_model_equal(JsonObject *a, JsonObject *b);

/* --- ids on the command line --- */

typedef enum {
	REMSIM_CTL_MODEL_SLOT_ANY,    /* N:M */
	REMSIM_CTL_MODEL_SLOT_CLIENT, /* client:N:M */
	REMSIM_CTL_MODEL_SLOT_BANK,   /* bank:N:M */
} RemsimCtlModelSlotKind;

/*
 * "N:M", "client:N:M" or "bank:N:M", each number 0..1023; the kind the
 * prefix names. A usage error (RemsimCtlError) that shows the syntax.
 */
gboolean remsim_ctl_model_parse_slot(const gchar *text, RemsimCtlModelSlotKind *kind, guint *id,
				     guint *slot, GError **error);
/* a bank id 0..1023 */
gboolean remsim_ctl_model_parse_bank(const gchar *text, guint *bank_id, GError **error);

G_END_DECLS
