/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reader names as pcscd and its CCID driver spell them, so that a slot file
 * written for the pcsc backend names the same reader slots here:
 * "FRIENDLY [INTERFACE] (SERIAL) NN SS", NN the number among readers of that
 * name (hex), SS the slot (hex). FRIENDLY is the quirk file's name, else the
 * USB manufacturer and product strings. No I/O here.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* text of a USB string descriptor (UTF-16LE), printable, at most 126 characters; NULL if none */
gchar *remsim_ccid_name_from_string_descriptor(const guint8 *buf, gsize len);

gchar *remsim_ccid_name_friendly(const gchar *quirk_name, const gchar *manufacturer,
				 const gchar *product, guint16 vendor_id, guint16 product_id);
/* FRIENDLY [INTERFACE] (SERIAL); the serial is left out where the interface name holds it */
gchar *remsim_ccid_name_reader(const gchar *friendly, const gchar *interface_name,
			       const gchar *serial);
gchar *remsim_ccid_name_slot(const gchar *reader, guint reader_nr, guint slot);

G_END_DECLS
