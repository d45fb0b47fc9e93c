/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RsproComponentIdentity: who a peer says it is.
 */
#include "config.h"

#include <string.h>

#include "rspro-pdu.h"
#include "rspro-pdu-private.h"

void
rspro_component_identity_clear(RsproComponentIdentity *id)
{
	g_clear_pointer(&id->name, g_free);
	g_clear_pointer(&id->software, g_free);
	g_clear_pointer(&id->sw_version, g_free);
	g_clear_pointer(&id->hw_manufacturer, g_free);
	g_clear_pointer(&id->hw_model, g_free);
	g_clear_pointer(&id->hw_serial_nr, g_free);
	g_clear_pointer(&id->hw_version, g_free);
	g_clear_pointer(&id->fw_version, g_free);
}

void
rspro_component_identity_copy(RsproComponentIdentity *dst, const RsproComponentIdentity *src)
{
	dst->type = src->type;
	dst->name = g_strdup(src->name);
	dst->software = g_strdup(src->software);
	dst->sw_version = g_strdup(src->sw_version);
	dst->hw_manufacturer = g_strdup(src->hw_manufacturer);
	dst->hw_model = g_strdup(src->hw_model);
	dst->hw_serial_nr = g_strdup(src->hw_serial_nr);
	dst->hw_version = g_strdup(src->hw_version);
	dst->fw_version = g_strdup(src->fw_version);
}

void
rspro_component_identity_init(RsproComponentIdentity *id, RsproComponentType type,
			      const gchar *name, const gchar *software)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
	/* upstream cuts host names to what ComponentName allows; names from the
	 * configuration are cut the same way, so that every identity encodes */
	id->name = g_strndup(name ? name : g_get_host_name(), RSPRO_NAME_MAX);
	id->software = g_strdup(software);
	id->sw_version = g_strdup(PACKAGE_VERSION);
}

void
rspro_component_identity_set_remsim_ext(RsproComponentIdentity *id)
{
	g_free(id->fw_version);
	id->fw_version = g_strdup(RSPRO_REMSIM_EXT_MARK);
}

gboolean
rspro_component_identity_has_remsim_ext(const RsproComponentIdentity *id)
{
	return g_strcmp0(id->fw_version, RSPRO_REMSIM_EXT_MARK) == 0;
}
