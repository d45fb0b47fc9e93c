/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * remsim-tls: the TLS files every daemon reads (its own certificate and key, a
 * CA bundle) and what a peer's certificate says it is (its subject's CN and its
 * DNS SANs), for RSPRO over TLS and for HTTPS alike. TLS itself is GIO's
 * (glib-networking's GnuTLS backend); errors are GIO's and GLib's own domains
 * (G_IO_ERROR, G_TLS_ERROR, G_FILE_ERROR), each message naming the file.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * TRUE if GIO has a TLS backend (glib-networking installed); else FALSE with
 * G_TLS_ERROR_UNAVAILABLE saying what to install.
 */
gboolean remsim_tls_check_backend(GError **error);

/*
 * The certificate (with its chain, if the file has one) and private key, both
 * PEM. @key_file NULL or "": the key is in @cert_file.
 */
GTlsCertificate *remsim_tls_load_certificate(const gchar *cert_file, const gchar *key_file,
					     GError **error);

/* the CA certificates of a PEM bundle, to verify peers with */
GTlsDatabase *remsim_tls_load_ca(const gchar *ca_file, GError **error);

/*
 * The names a certificate carries: its subject's CN (first, if it has one)
 * and then its DNS subject alternative names, without repeats. Never NULL;
 * empty if it has none.
 */
GStrv remsim_tls_certificate_get_names(GTlsCertificate *cert);

/* the subject as the TLS library writes it ("CN=bank:7,O=ops"), for logs; never NULL */
gchar *remsim_tls_certificate_describe(GTlsCertificate *cert);

/* the CN of an RFC 4514 subject string ("CN=a\,b,O=x" gives "a,b"), or NULL */
gchar *remsim_tls_subject_get_cn(const gchar *subject);

G_END_DECLS
