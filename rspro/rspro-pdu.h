/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A plain C view of every RSPRO message. This is the only representation of a
 * PDU that code outside rspro/ ever sees; the asn1c structures stay private.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RSPRO_PDU_ERROR (rspro_pdu_error_quark())
GQuark rspro_pdu_error_quark(void);

/**
 * RsproPduError:
 * @RSPRO_PDU_ERROR_MALFORMED: the bytes are not a well-formed BER RsproPDU
 * @RSPRO_PDU_ERROR_CONSTRAINT: a value lies outside the module's constraints
 * @RSPRO_PDU_ERROR_UNKNOWN_MESSAGE: a message alternative this module does not define
 * @RSPRO_PDU_ERROR_TRAILING_DATA: bytes follow the end of the PDU
 * @RSPRO_PDU_ERROR_ENCODE: the PDU could not be encoded
 * @RSPRO_PDU_ERROR_JSON: the JSON form is not a valid PDU
 */
typedef enum {
	RSPRO_PDU_ERROR_FAILED, /* anything else */
	RSPRO_PDU_ERROR_MALFORMED,
	RSPRO_PDU_ERROR_CONSTRAINT,
	RSPRO_PDU_ERROR_UNKNOWN_MESSAGE,
	RSPRO_PDU_ERROR_TRAILING_DATA,
	RSPRO_PDU_ERROR_ENCODE,
	RSPRO_PDU_ERROR_JSON,
} RsproPduError;

/* Limits of the ASN.1 module */
#define RSPRO_VERSION 2
#define RSPRO_VERSION_MAX 32
#define RSPRO_ID_MAX 1023
#define RSPRO_TAG_MAX G_MAXINT32
#define RSPRO_NAME_MAX 32
#define RSPRO_ERROR_STRING_MAX 255
#define RSPRO_ATR_MAX 55
/* upstream sends connectClientRes with this operation tag, everything else with 0 */
#define RSPRO_TAG_CONNECT_CLIENT_RES 2342

/**
 * RsproMsgType:
 *
 * The message alternatives; each value is the alternative's context tag
 * number on the wire.
 */
typedef enum {
	RSPRO_MSG_CONNECT_BANK_REQ = 0,
	RSPRO_MSG_CONNECT_BANK_RES = 1,
	RSPRO_MSG_CONNECT_CLIENT_REQ = 2,
	RSPRO_MSG_CONNECT_CLIENT_RES = 3,
	RSPRO_MSG_CREATE_MAPPING_REQ = 4,
	RSPRO_MSG_CREATE_MAPPING_RES = 5,
	RSPRO_MSG_REMOVE_MAPPING_REQ = 6,
	RSPRO_MSG_REMOVE_MAPPING_RES = 7,
	RSPRO_MSG_CONFIG_CLIENT_ID_REQ = 8,
	RSPRO_MSG_CONFIG_CLIENT_ID_RES = 9,
	RSPRO_MSG_SET_ATR_REQ = 10,
	RSPRO_MSG_SET_ATR_RES = 11,
	RSPRO_MSG_TPDU_MODEM_TO_CARD = 12,
	RSPRO_MSG_TPDU_CARD_TO_MODEM = 13,
	RSPRO_MSG_CLIENT_SLOT_STATUS_IND = 14,
	RSPRO_MSG_BANK_SLOT_STATUS_IND = 15,
	RSPRO_MSG_ERROR_IND = 16,
	RSPRO_MSG_CONFIG_CLIENT_BANK_REQ = 17,
	RSPRO_MSG_CONFIG_CLIENT_BANK_RES = 18,
	RSPRO_MSG_RESET_STATE_REQ = 19,
	RSPRO_MSG_RESET_STATE_RES = 20,
} RsproMsgType;

#define RSPRO_MSG_TYPE_COUNT 21

typedef enum {
	RSPRO_COMPONENT_CLIENT = 0,
	RSPRO_COMPONENT_SERVER = 1,
	RSPRO_COMPONENT_BANKD = 2,
} RsproComponentType;

/* ResultCode, ErrorCode and ErrorSeverity are extensible: a decoded PDU may
 * carry a value not listed here, and it is kept as is. */
typedef enum {
	RSPRO_RESULT_OK = 0,
	RSPRO_RESULT_ILLEGAL_CLIENT_ID = 1,
	RSPRO_RESULT_ILLEGAL_BANK_ID = 2,
	RSPRO_RESULT_ILLEGAL_SLOT_ID = 3,
	RSPRO_RESULT_UNSUPPORTED_PROTOCOL_VERSION = 4,
	RSPRO_RESULT_UNKNOWN_SLOTMAP = 5,
	RSPRO_RESULT_IDENTITY_IN_USE = 6,
	RSPRO_RESULT_CARD_NOT_PRESENT = 100,
	RSPRO_RESULT_CARD_UNRESPONSIVE = 101,
	RSPRO_RESULT_CARD_TRANSMISSION_ERROR = 102,
} RsproResultCode;

typedef enum {
	RSPRO_ERROR_CODE_UNKNOWN_CLIENT_CONNECTED = 1,
	RSPRO_ERROR_CODE_UNEXPECTED_DISCONNECT = 2,
	RSPRO_ERROR_CODE_UNEXPECTED_PROTOCOL_VERSION = 3,
} RsproErrorCode;

typedef enum {
	RSPRO_SEVERITY_MINOR = 1,
	RSPRO_SEVERITY_MAJOR = 2,
	RSPRO_SEVERITY_FATAL = 3,
} RsproErrorSeverity;

typedef struct {
	RsproComponentType type;
	gchar *name;
	gchar *software;
	gchar *sw_version;
	/* optional: NULL when absent */
	gchar *hw_manufacturer;
	gchar *hw_model;
	gchar *hw_serial_nr;
	gchar *hw_version;
	gchar *fw_version;
} RsproComponentIdentity;

typedef struct {
	guint16 client_id;
	guint16 slot_nr;
} RsproClientSlot;

typedef struct {
	guint16 bank_id;
	guint16 slot_nr;
} RsproBankSlot;

typedef struct {
	gboolean is_ipv6;
	guint8 addr[16]; /* network order; the first 4 bytes for IPv4 */
	guint16 port;
} RsproIpPort;

typedef struct {
	gboolean tpdu_header_present;
	gboolean final_part;
	gboolean proc_byte_continue_tx;
	gboolean proc_byte_continue_rx;
} RsproTpduFlags;

typedef struct {
	gboolean reset_active;
	/* the optional flags: has_x says whether x is on the wire */
	gboolean has_vcc_present;
	gboolean vcc_present;
	gboolean has_clk_active;
	gboolean clk_active;
	gboolean has_card_present;
	gboolean card_present;
} RsproSlotPhysStatus;

typedef struct {
	RsproComponentIdentity identity;
	guint16 bank_id;
	guint16 number_of_slots;
	gboolean has_bound;
	RsproIpPort bound;
} RsproConnectBankReq;

/* connectBankRes and connectClientRes */
typedef struct {
	RsproComponentIdentity identity;
	gint result; /* RsproResultCode */
} RsproConnectRes;

typedef struct {
	RsproComponentIdentity identity;
	gboolean has_client_slot;
	RsproClientSlot client_slot;
} RsproConnectClientReq;

/* createMappingReq and removeMappingReq */
typedef struct {
	RsproClientSlot client;
	RsproBankSlot bank;
} RsproMappingReq;

typedef struct {
	RsproClientSlot client_slot;
} RsproConfigClientIdReq;

typedef struct {
	RsproBankSlot bank_slot;
	RsproIpPort bankd;
} RsproConfigClientBankReq;

typedef struct {
	RsproClientSlot slot;
	GBytes *atr;
} RsproSetAtrReq;

typedef struct {
	RsproClientSlot from_client_slot;
	RsproBankSlot to_bank_slot;
	RsproTpduFlags flags;
	GBytes *data;
} RsproTpduModemToCard;

typedef struct {
	RsproBankSlot from_bank_slot;
	RsproClientSlot to_client_slot;
	RsproTpduFlags flags;
	GBytes *data;
} RsproTpduCardToModem;

typedef struct {
	RsproClientSlot from_client_slot;
	RsproBankSlot to_bank_slot;
	RsproSlotPhysStatus status;
} RsproClientSlotStatusInd;

typedef struct {
	RsproBankSlot from_bank_slot;
	RsproClientSlot to_client_slot;
	RsproSlotPhysStatus status;
} RsproBankSlotStatusInd;

typedef struct {
	RsproComponentType sender;
	gint severity; /* RsproErrorSeverity */
	gint code;     /* RsproErrorCode */
	gboolean has_bank_slot;
	RsproBankSlot bank_slot;
	gboolean has_client_slot;
	RsproClientSlot client_slot;
	gchar *error_string; /* NULL when absent */
} RsproErrorInd;

/* every *Res that carries only a result */
typedef struct {
	gint result; /* RsproResultCode */
} RsproResult;

/**
 * RsproPdu:
 * @version: protocol version, 2 for everything remsim sends
 * @tag: operation tag; upstream never echoes it, so nothing may rely on it
 * @type: which member of @u is valid
 *
 * One RSPRO message. Strings are owned (g_free), octet strings are GBytes.
 */
typedef struct {
	guint version;
	guint32 tag;
	RsproMsgType type;
	union {
		RsproConnectBankReq connect_bank_req;
		RsproConnectRes connect_bank_res;
		RsproConnectClientReq connect_client_req;
		RsproConnectRes connect_client_res;
		RsproMappingReq create_mapping_req;
		RsproResult create_mapping_res;
		RsproMappingReq remove_mapping_req;
		RsproResult remove_mapping_res;
		RsproConfigClientIdReq config_client_id_req;
		RsproResult config_client_id_res;
		RsproSetAtrReq set_atr_req;
		RsproResult set_atr_res;
		RsproTpduModemToCard tpdu_modem_to_card;
		RsproTpduCardToModem tpdu_card_to_modem;
		RsproClientSlotStatusInd client_slot_status_ind;
		RsproBankSlotStatusInd bank_slot_status_ind;
		RsproErrorInd error_ind;
		RsproConfigClientBankReq config_client_bank_req;
		RsproResult config_client_bank_res;
		/* resetStateReq has no fields */
		RsproResult reset_state_res;
	} u;
} RsproPdu;

GType rspro_pdu_get_type(void) G_GNUC_CONST;
#define RSPRO_TYPE_PDU (rspro_pdu_get_type())

/* a zeroed PDU of @type with version 2, tag 0 (2342 for connectClientRes) */
RsproPdu *rspro_pdu_new(RsproMsgType type);
RsproPdu *rspro_pdu_copy(const RsproPdu *pdu);
void rspro_pdu_free(RsproPdu *pdu);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RsproPdu, rspro_pdu_free)

/* DER, byte-identical to upstream; constraints are checked */
GBytes *rspro_pdu_encode(const RsproPdu *pdu, GError **error);
/* BER; the whole buffer must be one PDU */
RsproPdu *rspro_pdu_decode(const guint8 *data, gsize len, GError **error);
RsproPdu *rspro_pdu_decode_bytes(GBytes *bytes, GError **error);

/*
 * RsproTpduView: a tpduModemToCard or tpduCardToModem read or written in
 * place, without an allocation, for a relay's hot path (remsim-bankd's relay
 * thread). @client_slot and @bank_slot are the two ends whichever way the
 * message goes; @data points into the buffer it was read from.
 */
typedef struct {
	RsproMsgType type;
	guint version;
	guint32 tag;
	RsproClientSlot client_slot;
	RsproBankSlot bank_slot;
	RsproTpduFlags flags;
	const guint8 *data;
	gsize data_len;
} RsproTpduView;

/*
 * TRUE if @der is a TPDU message in the one DER form remsim writes; for
 * anything else (another message, valid BER in another form) FALSE, and
 * rspro_pdu_decode() takes it.
 */
gboolean rspro_pdu_der_read_tpdu(RsproTpduView *view, const guint8 *der, gsize len);
/* @view's DER into @out, as rspro_pdu_encode() writes it: its length, or 0 if @cap is too small */
gsize rspro_pdu_der_write_tpdu(const RsproTpduView *view, guint8 *out, gsize cap);

/* the ASN.1 alternative name ("connectBankReq"), or NULL */
const gchar *rspro_msg_type_to_string(RsproMsgType type);
gboolean rspro_msg_type_from_string(const gchar *name, RsproMsgType *type);
/* the response type that answers a request type, or -1 if none */
gint rspro_msg_type_response(RsproMsgType request);
/* the ASN.1 names ("ok", "cardNotPresent"); NULL for values the module lacks */
const gchar *rspro_enum_result_code_to_string(gint result);
const gchar *rspro_enum_component_type_to_string(RsproComponentType type);

/* identity helpers */
void rspro_component_identity_clear(RsproComponentIdentity *id);
void rspro_component_identity_copy(RsproComponentIdentity *dst, const RsproComponentIdentity *src);
/* fills type, name (host name cut to 32 chars), software, swVersion (PACKAGE_VERSION) */
void rspro_component_identity_init(RsproComponentIdentity *id, RsproComponentType type,
				   const gchar *name, const gchar *software);
/*
 * remsim's own messages (rspro-ipa.h): a remsim server puts this mark into
 * the identity of its connectBankRes when the bank's connectBankReq came from
 * a remsim-bankd (software "remsim-bankd" with the bound endpoint upstream's
 * bank never sends), and a bank sends its messages only to a server whose
 * answer carries it. The mark is ComponentIdentity.fwVersion
 * RSPRO_REMSIM_EXT_MARK; upstream fills no fwVersion, and upstream banks never
 * get an answer with it, so what upstream peers receive does not change.
 */
#define RSPRO_REMSIM_EXT_MARK "remsim-ext 1"
void rspro_component_identity_set_remsim_ext(RsproComponentIdentity *id);
gboolean rspro_component_identity_has_remsim_ext(const RsproComponentIdentity *id);

/* convenience constructors for the messages every daemon sends */
RsproPdu *rspro_pdu_new_connect_bank_req(const RsproComponentIdentity *identity, guint16 bank_id,
					 guint16 number_of_slots);
RsproPdu *rspro_pdu_new_connect_client_req(const RsproComponentIdentity *identity,
					   const RsproClientSlot *client_slot);
RsproPdu *rspro_pdu_new_connect_res(RsproMsgType type, const RsproComponentIdentity *identity,
				    gint result);
RsproPdu *rspro_pdu_new_mapping_req(RsproMsgType type, const RsproClientSlot *client,
				    const RsproBankSlot *bank);
/* any of the *Res types that carry only a result */
RsproPdu *rspro_pdu_new_result(RsproMsgType type, gint result);
RsproPdu *rspro_pdu_new_config_client_bank_req(const RsproBankSlot *bank_slot,
					       const RsproIpPort *bankd);
RsproPdu *rspro_pdu_new_set_atr_req(const RsproClientSlot *slot, GBytes *atr);
RsproPdu *rspro_pdu_new_tpdu_modem_to_card(const RsproClientSlot *from, const RsproBankSlot *to,
					   GBytes *data);
RsproPdu *rspro_pdu_new_tpdu_card_to_modem(const RsproBankSlot *from, const RsproClientSlot *to,
					   GBytes *data);
RsproPdu *rspro_pdu_new_error_ind(RsproComponentType sender, RsproErrorSeverity severity,
				  RsproErrorCode code, const RsproBankSlot *bank_slot,
				  const RsproClientSlot *client_slot, const gchar *error_string);

/* an IPv4 address "a.b.c.d" and port; FALSE if @ip is not a dotted quad or IPv6 text */
gboolean rspro_ip_port_from_string(RsproIpPort *ip_port, const gchar *ip, guint16 port);
/* the address as text (without the port) */
gchar *rspro_ip_port_to_string(const RsproIpPort *ip_port);

/* JSON in the shape of the vectors: {"version":2,"tag":0,"msg":{"name":{...}}} */
struct _JsonNode;
struct _JsonNode *rspro_pdu_json_encode(const RsproPdu *pdu);
RsproPdu *rspro_pdu_json_decode(struct _JsonNode *node, GError **error);
gchar *rspro_pdu_json_encode_string(const RsproPdu *pdu);
RsproPdu *rspro_pdu_json_decode_string(const gchar *json, GError **error);

/* a one-line summary for logs: "tpduModemToCard C23:0->B1:1 7 bytes" */
gchar *rspro_pdu_to_string(const RsproPdu *pdu);

G_END_DECLS
