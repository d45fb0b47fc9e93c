/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the files of the RSPRO codec (rspro-pdu*.c). Not installed,
 * not for use outside rspro/.
 */
#pragma once

#include "rspro-pdu.h"

G_BEGIN_DECLS

/* Name tables of the ENUMERATED types, ended by a NULL name. */
typedef struct {
	gint value;
	const gchar *name;
} RsproEnumName;

extern const RsproEnumName rspro_component_type_names[];
extern const RsproEnumName rspro_result_code_names[];
extern const RsproEnumName rspro_error_code_names[];
extern const RsproEnumName rspro_error_severity_names[];

const gchar *rspro_enum_to_string(const RsproEnumName *table, gint value);
gboolean rspro_enum_from_string(const RsproEnumName *table, const gchar *name, gint *value);

/*
 * Where a value sits in the PDU, for error messages: "msg.<msg>.<member>.<field>";
 * @msg and @member may be NULL ("version", "msg.setAtrReq.atr").
 */
typedef struct {
	const gchar *msg;
	const gchar *member;
} RsproWhere;

gchar *rspro_pdu_check_where_path(const RsproWhere *where, const gchar *field);
gboolean rspro_pdu_check_int(gint64 value, gint64 min, gint64 max, const RsproWhere *where,
			     const gchar *field, GError **error);
/* an IA5String of @min..@max characters, given with its length (it may hold a NUL) */
gboolean rspro_pdu_check_ia5(const gchar *str, gsize len, gsize min, gsize max,
			     const RsproWhere *where, const gchar *field, GError **error);

/* every constraint of the module that the plain C view can break */
gboolean rspro_pdu_check_constraints(const RsproPdu *pdu, GError **error);

/* the union members that several message types share */
/* the union members that several message types share (NULL for other types);
 * they take a const PDU so that readers and writers can both use them */
RsproConnectRes *rspro_pdu_get_connect_res(const RsproPdu *pdu);
RsproMappingReq *rspro_pdu_get_mapping_req(const RsproPdu *pdu);
RsproResult *rspro_pdu_get_result(const RsproPdu *pdu);
/* TRUE for the *Res types that carry only a result */
gboolean rspro_msg_type_is_result(RsproMsgType type);

/* rspro-pdu-asn1c.c: the only bridge to the asn1c structures */
GBytes *rspro_pdu_asn1c_encode(const RsproPdu *pdu, GError **error);
RsproPdu *rspro_pdu_asn1c_decode(const guint8 *data, gsize len, GError **error);

/*
 * rspro-pdu-der.c: tpduModemToCard and tpduCardToModem without asn1c, byte for
 * byte the same. NULL for any other message, or (decode) any input not in the
 * exact DER form: the caller then goes through asn1c.
 */
GBytes *rspro_pdu_der_encode_tpdu(const RsproPdu *pdu);
RsproPdu *rspro_pdu_der_decode_tpdu(const guint8 *data, gsize len);

G_END_DECLS
