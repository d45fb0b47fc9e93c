/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RemsimClientSlot: one modem-side slot (upstream's CLIENT_MAIN FSM). It keeps a
 * link to the server, follows configClientBankReq to a bank, and relays between
 * that bank and its front end.
 */
#pragma once

#include "remsim-client-event-script.h"
#include "remsim-client-frontend.h"
#include "remsim-metrics.h"
#include "rspro-link.h"

G_BEGIN_DECLS

typedef enum {
	REMSIM_CLIENT_SLOT_STATE_INIT,	       /* waiting for the first server connection */
	REMSIM_CLIENT_SLOT_STATE_UNCONFIGURED, /* no bank */
	REMSIM_CLIENT_SLOT_STATE_WAIT_BANKD,   /* bank link being set up */
	REMSIM_CLIENT_SLOT_STATE_OPERATIONAL,  /* relaying */
} RemsimClientSlotState;

/* TCP connect timeout, upstream's T2 (a refused dial backs off at once) */
#define REMSIM_BANKD_CLIENT_CONNECT_TIMEOUT_MS 10000

typedef struct {
	gchar *server_host;
	guint16 server_port;
	RsproClientSlot client_slot;
	GBytes *atr;		   /* the local ATR shown on entering OPERATIONAL */
	gboolean atr_ignore_rspro; /* -r: keep the local ATR */
	gchar *component_name;	   /* identity name, NULL for the host name */
	gdouble backoff_scale;	   /* 1.0 = upstream's table */
	guint connect_timeout_ms;  /* 0: REMSIM_BANKD_CLIENT_CONNECT_TIMEOUT_MS */
	gboolean server_tls;	   /* TLS towards the server */
	gboolean bankd_tls;	   /* TLS towards the bank */
	gchar *tls_cert_file;	   /* as given, or NULL */
	gchar *tls_key_file;
	gchar *tls_ca_file;
	GTlsCertificate *tls_cert; /* loaded from the files (remsim_client), or NULL */
	GTlsDatabase *tls_ca;	   /* or NULL: the system's */
} RemsimClientSlotSettings;

void remsim_client_slot_settings_clear(RemsimClientSlotSettings *settings);

typedef struct {
	guint64 tpdus_to_card;
	guint64 tpdus_to_modem;
	guint64 commands_dropped;
	guint64 status_indications;
	guint64 bankd_connects;
	guint64 server_connects;
	guint64 bytes_to_card;		/* TPDU bytes sent to the bank */
	guint64 bytes_to_modem;		/* response bytes from the bank */
	RemsimMetricsHistogram latency; /* from a command to its response, through the bank */
} RemsimClientSlotCounters;

#define REMSIM_TYPE_CLIENT_SLOT (remsim_client_slot_get_type())
G_DECLARE_FINAL_TYPE(RemsimClientSlot, remsim_client_slot, REMSIM, CLIENT_SLOT, GObject)

/* @script may be NULL; the slot takes references on @frontend and @script */
RemsimClientSlot *remsim_client_slot_new(const RemsimClientSlotSettings *settings,
					 RemsimClientFrontend *frontend,
					 RemsimClientEventScript *script);

gboolean remsim_client_slot_start(RemsimClientSlot *self, GError **error);
void remsim_client_slot_stop(RemsimClientSlot *self);

/*
 * An operator's card reset, as the modem's reset line would do it: RST active,
 * then inactive, to the bank (clientSlotStatusInd). FALSE unless OPERATIONAL.
 */
gboolean remsim_client_slot_reset_card(RemsimClientSlot *self);
/* the server to use from now on: a live connection elsewhere is dropped, the bank link stays */
void remsim_client_slot_set_server(RemsimClientSlot *self, const gchar *host, guint16 port);

RemsimClientSlotState remsim_client_slot_get_state(RemsimClientSlot *self);
const gchar *remsim_client_slot_state_to_string(RemsimClientSlotState state);
/* upstream's names of the RSPRO_CLIENT states ("CONNECTED", "REESTABLISH_DELAY" ...) */
const gchar *remsim_client_slot_link_state_to_string(RsproLinkState state);

RemsimClientFrontend *remsim_client_slot_get_frontend(RemsimClientSlot *self);
const RsproClientSlot *remsim_client_slot_get_client_slot(RemsimClientSlot *self);
const RsproBankSlot *remsim_client_slot_get_bank_slot(RemsimClientSlot *self);
RsproLinkState remsim_client_slot_get_server_state(RemsimClientSlot *self);
RsproLinkState remsim_client_slot_get_bankd_state(RemsimClientSlot *self);
/* "host:port"; the bankd's is "(null):0" before any configuration, as upstream prints it */
gchar *remsim_client_slot_get_server_address(RemsimClientSlot *self);
gchar *remsim_client_slot_get_bankd_address(RemsimClientSlot *self);
const RemsimClientSlotCounters *remsim_client_slot_get_counters(RemsimClientSlot *self);

/* the REMSIM_* variables of the event script, NULL-terminated */
gchar **remsim_client_slot_get_script_vars(RemsimClientSlot *self);

/*
 * Signal ::changed — something a status display shows changed (state, links,
 * bank slot, ATR, modem status, counters).
 */

G_END_DECLS
