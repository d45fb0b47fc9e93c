/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder: being written */
typedef int rspro_pdu_asn1c_placeholder_t;
