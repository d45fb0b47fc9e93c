/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "remsim-ccid-name.h"

#define REMSIM_CCID_NAME_MAX 126

gchar *
remsim_ccid_name_from_string_descriptor(const guint8 *buf, gsize len)
{
	g_autoptr(GString) s = g_string_new(NULL);

	/* bLength, bDescriptorType 3, then UTF-16LE code units */
	if (len < 2 || buf[1] != 0x03)
		return NULL;
	len = MIN(len, buf[0]);
	for (gsize i = 2; i + 1 < len && s->len < REMSIM_CCID_NAME_MAX; i += 2) {
		gunichar c = (gunichar)(buf[i] | buf[i + 1] << 8);

		/* surrogates and controls become '?': names end up in logs and rules */
		if (c >= 0xd800 && c <= 0xdfff)
			c = '?';
		g_string_append_unichar(s, g_unichar_isprint(c) ? c : '?');
	}
	g_strstrip(s->str);
	if (s->str[0] == '\0')
		return NULL;
	return g_strdup(s->str);
}

gchar *
remsim_ccid_name_friendly(const gchar *quirk_name, const gchar *manufacturer, const gchar *product,
			  guint16 vendor_id, guint16 product_id)
{
	if (quirk_name != NULL && quirk_name[0] != '\0')
		return g_strdup(quirk_name);
	if (product == NULL)
		return g_strdup_printf("USB CCID reader %04x:%04x", vendor_id, product_id);
	if (manufacturer == NULL || g_str_has_prefix(product, manufacturer))
		return g_strdup(product);
	return g_strdup_printf("%s %s", manufacturer, product);
}

gchar *
remsim_ccid_name_reader(const gchar *friendly, const gchar *interface_name, const gchar *serial)
{
	GString *s = g_string_new(friendly);

	if (interface_name != NULL)
		g_string_append_printf(s, " [%s]", interface_name);
	if (serial != NULL && (interface_name == NULL || strstr(interface_name, serial) == NULL))
		g_string_append_printf(s, " (%s)", serial);
	return g_string_free(s, FALSE);
}

gchar *
remsim_ccid_name_slot(const gchar *reader, guint reader_nr, guint slot)
{
	return g_strdup_printf("%s %02X %02X", reader, reader_nr & 0xff, slot & 0xff);
}
