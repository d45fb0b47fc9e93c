/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of RSPRO's ENUMERATED values (ResultCode, ComponentType, ErrorCode,
 * ErrorSeverity), as the ASN.1 module spells them.
 */
#include "config.h"

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

const RsproEnumName rspro_component_type_names[] = {
	{ RSPRO_COMPONENT_CLIENT, "remsimClient" },
	{ RSPRO_COMPONENT_SERVER, "remsimServer" },
	{ RSPRO_COMPONENT_BANKD, "remsimBankd" },
	{ 0, NULL },
};

const RsproEnumName rspro_result_code_names[] = {
	{ RSPRO_RESULT_OK, "ok" },
	{ RSPRO_RESULT_ILLEGAL_CLIENT_ID, "illegalClientId" },
	{ RSPRO_RESULT_ILLEGAL_BANK_ID, "illegalBankId" },
	{ RSPRO_RESULT_ILLEGAL_SLOT_ID, "illegalSlotId" },
	{ RSPRO_RESULT_UNSUPPORTED_PROTOCOL_VERSION, "unsupportedProtocolVersion" },
	{ RSPRO_RESULT_UNKNOWN_SLOTMAP, "unknownSlotmap" },
	{ RSPRO_RESULT_IDENTITY_IN_USE, "identityInUse" },
	{ RSPRO_RESULT_CARD_NOT_PRESENT, "cardNotPresent" },
	{ RSPRO_RESULT_CARD_UNRESPONSIVE, "cardUnresponsive" },
	{ RSPRO_RESULT_CARD_TRANSMISSION_ERROR, "cardTransmissionError" },
	{ 0, NULL },
};

const RsproEnumName rspro_error_code_names[] = {
	{ RSPRO_ERROR_CODE_UNKNOWN_CLIENT_CONNECTED, "unknownClientConnected" },
	{ RSPRO_ERROR_CODE_UNEXPECTED_DISCONNECT, "unexpectedDisconnect" },
	{ RSPRO_ERROR_CODE_UNEXPECTED_PROTOCOL_VERSION, "unexpectedProtocolVersion" },
	{ 0, NULL },
};

const RsproEnumName rspro_error_severity_names[] = {
	{ RSPRO_SEVERITY_MINOR, "minor" },
	{ RSPRO_SEVERITY_MAJOR, "major" },
	{ RSPRO_SEVERITY_FATAL, "fatal" },
	{ 0, NULL },
};

const gchar *
rspro_enum_to_string(const RsproEnumName *table, gint value)
{
	for (; table->name; table++) {
		if (table->value == value)
			return table->name;
	}
	return NULL;
}

gboolean
rspro_enum_from_string(const RsproEnumName *table, const gchar *name, gint *value)
{
	for (; table->name; table++) {
		if (g_strcmp0(table->name, name) == 0) {
			*value = table->value;
			return TRUE;
		}
	}
	return FALSE;
}

const gchar *
rspro_enum_result_code_to_string(gint result)
{
	return rspro_enum_to_string(rspro_result_code_names, result);
}

const gchar *
rspro_enum_component_type_to_string(RsproComponentType type)
{
	return rspro_enum_to_string(rspro_component_type_names, type);
}
