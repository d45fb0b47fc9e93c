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

#include "rspro-connection.h"
#include "rspro-listener.h"

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

/*
 * Loads whichever of the files is set (NULL or "": not set) into @cert and
 * @ca (each left NULL when its file is not set); FALSE with the error of the
 * first that fails. A key file without a certificate file is an error.
 */
gboolean remsim_tls_load_files(const gchar *cert_file, const gchar *key_file, const gchar *ca_file,
			       GTlsCertificate **cert, GTlsDatabase **ca, GError **error);

/*
 * Identity binding with mutual TLS: what a peer may claim in its RSPRO hello
 * is what one of its certificate's names (remsim_tls_certificate_get_names())
 * says, written exactly so: "bank:N" for bank N; "client:N" for every slot of
 * client N, "client:N:S" for slot S only (decimal, no leading zeros).
 */
gboolean remsim_tls_names_allow_bank(const gchar *const *names, guint bank_id);
gboolean remsim_tls_names_allow_client(const gchar *const *names, guint client_id, guint slot_nr);

/*
 * The same for a connection whose listener requires peer certificates
 * (@required): TRUE if the certificate @conn's peer presented names the claim;
 * else FALSE, and @subject (if not NULL) gets the certificate's subject, or
 * "(no certificate)", for the refusal's log line. Without @required, TRUE.
 */
gboolean remsim_tls_peer_may_claim_bank(RsproConnection *conn, gboolean required, guint bank_id,
					gchar **subject);
gboolean remsim_tls_peer_may_claim_client(RsproConnection *conn, gboolean required, guint client_id,
					  guint slot_nr, gchar **subject);

/*
 * A listener's TLS keys checked together and loaded: @mode one of "off",
 * "on", "either"; "on" and "either" need @cert_file; @require needs a mode
 * other than "off" and @ca_file. With mode "off" nothing is loaded and
 * @cert, @ca stay NULL.
 */
gboolean remsim_tls_load_listener(const gchar *mode, const gchar *cert_file, const gchar *key_file,
				  const gchar *ca_file, gboolean require,
				  RsproListenerTls *tls_mode, GTlsCertificate **cert,
				  GTlsDatabase **ca, GError **error);

/* the CN of an RFC 4514 subject string ("CN=a\,b,O=x" gives "a,b"), or NULL */
gchar *remsim_tls_subject_get_cn(const gchar *subject);

G_END_DECLS
