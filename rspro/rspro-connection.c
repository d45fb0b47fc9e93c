/* SPDX-License-Identifier: GPL-2.0-or-later */
/* placeholder: being written */
typedef int rspro_connection_placeholder_t;
