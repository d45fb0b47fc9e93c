/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS files and certificate names (remsim-tls.h). GIO reads the files;
 * this adds the file's name to every error, because an operator who set three
 * TLS paths needs to know which one is wrong.
 */
#include "remsim-tls.h"

#include <string.h>

gboolean
remsim_tls_check_backend(GError **error)
{
	if (g_tls_backend_supports_tls(g_tls_backend_get_default()))
		return TRUE;
	g_set_error(error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
		    "TLS is not available: GIO has no TLS backend (install glib-networking)");
	return FALSE;
}

GTlsCertificate *
remsim_tls_load_certificate(const gchar *cert_file, const gchar *key_file, GError **error)
{
	GError *local = NULL;
	GTlsCertificate *cert;

	if (!remsim_tls_check_backend(error))
		return NULL;
	if (key_file == NULL || *key_file == '\0') {
		cert = g_tls_certificate_new_from_file(cert_file, &local);
		if (cert == NULL) {
			g_propagate_prefixed_error(
			    error, local,
			    "cannot load TLS certificate and key from %s: ", cert_file);
		}
		return cert;
	}
	cert = g_tls_certificate_new_from_files(cert_file, key_file, &local);
	if (cert == NULL) {
		g_propagate_prefixed_error(
		    error, local, "cannot load TLS certificate %s with key %s: ", cert_file,
		    key_file);
	}
	return cert;
}

GTlsDatabase *
remsim_tls_load_ca(const gchar *ca_file, GError **error)
{
	GError *local = NULL;
	GTlsDatabase *db;

	if (!remsim_tls_check_backend(error))
		return NULL;
	/*
	 * g_tls_file_database_new() takes a missing or empty file without a word
	 * and then trusts nothing; check what it would not.
	 */
	GList *cas = g_tls_certificate_list_new_from_file(ca_file, &local);
	if (local != NULL) {
		g_propagate_prefixed_error(error, local, "cannot load TLS CA bundle %s: ", ca_file);
		return NULL;
	}
	if (cas == NULL) {
		g_set_error(error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
			    "cannot load TLS CA bundle %s: it holds no certificate", ca_file);
		return NULL;
	}
	g_list_free_full(cas, g_object_unref);
	/* GTlsFileDatabase takes absolute paths only */
	g_autofree gchar *absolute = g_canonicalize_filename(ca_file, NULL);
	db = g_tls_file_database_new(absolute, &local);
	if (db == NULL)
		g_propagate_prefixed_error(error, local, "cannot load TLS CA bundle %s: ", ca_file);
	return db;
}

/* the value of one RDN that starts at @p ("CN=" already skipped), unescaped */
static gchar *
remsim_tls_subject_value(const gchar *p)
{
	GString *out = g_string_new(NULL);

	while (*p != '\0' && *p != ',' && *p != '+') {
		if (*p == '\\' && p[1] != '\0') {
			if (g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
				g_string_append_c(out, (gchar)(g_ascii_xdigit_value(p[1]) * 16 +
							       g_ascii_xdigit_value(p[2])));
				p += 3;
				continue;
			}
			p++;
		}
		g_string_append_c(out, *p);
		p++;
	}
	return g_string_free(out, FALSE);
}

gchar *
remsim_tls_subject_get_cn(const gchar *subject)
{
	const gchar *p = subject;
	gboolean at_start = TRUE;

	if (subject == NULL)
		return NULL;
	/* an attribute starts the string or follows an unescaped ',' or '+' */
	while (*p != '\0') {
		if (at_start) {
			while (*p == ' ')
				p++;
			if (g_ascii_strncasecmp(p, "CN=", 3) == 0)
				return remsim_tls_subject_value(p + 3);
		}
		if (*p == '\\' && p[1] != '\0') {
			p += 2;
			at_start = FALSE;
			continue;
		}
		at_start = (*p == ',' || *p == '+');
		p++;
	}
	return NULL;
}

static void
remsim_tls_add_name(GPtrArray *names, const gchar *name, gsize len)
{
	for (guint i = 0; i < names->len; i++) {
		const gchar *have = g_ptr_array_index(names, i);

		if (strlen(have) == len && memcmp(have, name, len) == 0)
			return;
	}
	g_ptr_array_add(names, g_strndup(name, len));
}

GStrv
remsim_tls_certificate_get_names(GTlsCertificate *cert)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	g_autofree gchar *subject = g_tls_certificate_get_subject_name(cert);
	g_autofree gchar *cn = remsim_tls_subject_get_cn(subject);
	g_autoptr(GPtrArray) dns = g_tls_certificate_get_dns_names(cert);

	if (cn != NULL && *cn != '\0')
		remsim_tls_add_name(names, cn, strlen(cn));
	for (guint i = 0; dns != NULL && i < dns->len; i++) {
		gsize len;
		const gchar *name = g_bytes_get_data(g_ptr_array_index(dns, i), &len);

		/* a name with a NUL in it is not one a peer can claim */
		if (name != NULL && len > 0 && memchr(name, '\0', len) == NULL)
			remsim_tls_add_name(names, name, len);
	}
	g_ptr_array_add(names, NULL);
	return (GStrv)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

gchar *
remsim_tls_certificate_describe(GTlsCertificate *cert)
{
	gchar *subject = cert != NULL ? g_tls_certificate_get_subject_name(cert) : NULL;

	return subject != NULL ? subject : g_strdup("(no subject)");
}

gboolean
remsim_tls_load_files(const gchar *cert_file, const gchar *key_file, const gchar *ca_file,
		      GTlsCertificate **cert, GTlsDatabase **ca, GError **error)
{
	g_autoptr(GTlsCertificate) loaded_cert = NULL;
	g_autoptr(GTlsDatabase) loaded_ca = NULL;
	gboolean has_cert = cert_file != NULL && *cert_file != '\0';

	if (!has_cert && key_file != NULL && *key_file != '\0') {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "TLS key file %s given without a certificate file", key_file);
		return FALSE;
	}
	if (has_cert) {
		loaded_cert = remsim_tls_load_certificate(cert_file, key_file, error);
		if (loaded_cert == NULL)
			return FALSE;
	}
	if (ca_file != NULL && *ca_file != '\0') {
		loaded_ca = remsim_tls_load_ca(ca_file, error);
		if (loaded_ca == NULL)
			return FALSE;
	}
	*cert = g_steal_pointer(&loaded_cert);
	*ca = g_steal_pointer(&loaded_ca);
	return TRUE;
}

gboolean
remsim_tls_names_allow_bank(const gchar *const *names, guint bank_id)
{
	g_autofree gchar *bank = g_strdup_printf("bank:%u", bank_id);

	return names != NULL && g_strv_contains(names, bank);
}

gboolean
remsim_tls_names_allow_client(const gchar *const *names, guint client_id, guint slot_nr)
{
	g_autofree gchar *client = g_strdup_printf("client:%u", client_id);
	g_autofree gchar *slot = g_strdup_printf("client:%u:%u", client_id, slot_nr);

	return names != NULL && (g_strv_contains(names, client) || g_strv_contains(names, slot));
}

static gboolean
remsim_tls_peer_names(RsproConnection *conn, gchar ***names, gchar **subject)
{
	GTlsCertificate *cert = rspro_connection_get_peer_certificate(conn);

	if (cert == NULL) {
		if (subject != NULL)
			*subject = g_strdup("(no certificate)");
		return FALSE;
	}
	*names = remsim_tls_certificate_get_names(cert);
	if (subject != NULL)
		*subject = remsim_tls_certificate_describe(cert);
	return TRUE;
}

gboolean
remsim_tls_peer_may_claim_bank(RsproConnection *conn, gboolean required, guint bank_id,
			       gchar **subject)
{
	g_auto(GStrv) names = NULL;
	g_autofree gchar *who = NULL;

	if (!required)
		return TRUE;
	if (remsim_tls_peer_names(conn, &names, &who) &&
	    remsim_tls_names_allow_bank((const gchar *const *)names, bank_id))
		return TRUE;
	if (subject != NULL)
		*subject = g_steal_pointer(&who);
	return FALSE;
}

gboolean
remsim_tls_peer_may_claim_client(RsproConnection *conn, gboolean required, guint client_id,
				 guint slot_nr, gchar **subject)
{
	g_auto(GStrv) names = NULL;
	g_autofree gchar *who = NULL;

	if (!required)
		return TRUE;
	if (remsim_tls_peer_names(conn, &names, &who) &&
	    remsim_tls_names_allow_client((const gchar *const *)names, client_id, slot_nr))
		return TRUE;
	if (subject != NULL)
		*subject = g_steal_pointer(&who);
	return FALSE;
}

gboolean
remsim_tls_load_listener(const gchar *mode, const gchar *cert_file, const gchar *key_file,
			 const gchar *ca_file, gboolean require, RsproListenerTls *tls_mode,
			 GTlsCertificate **cert, GTlsDatabase **ca, GError **error)
{
	g_autoptr(GEnumClass) klass = g_type_class_ref(RSPRO_TYPE_LISTENER_TLS);
	GEnumValue *value = g_enum_get_value_by_nick(klass, mode != NULL ? mode : "off");

	if (value == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "tls: \"%s\" is not one of off, on, either", mode);
		return FALSE;
	}
	*tls_mode = value->value;
	*cert = NULL;
	*ca = NULL;
	if (*tls_mode == RSPRO_LISTENER_TLS_OFF) {
		if (require) {
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "tls-require-peer-certificate needs tls=on or "
					    "tls=either");
			return FALSE;
		}
		return TRUE;
	}
	if (cert_file == NULL || *cert_file == '\0') {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "tls=%s needs tls-cert-file (and tls-key-file, unless the key is in "
			    "it)",
			    value->value_nick);
		return FALSE;
	}
	if (require && (ca_file == NULL || *ca_file == '\0')) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "tls-require-peer-certificate needs tls-ca-file, the CA that "
				    "signs the peers' certificates");
		return FALSE;
	}
	return remsim_tls_load_files(cert_file, key_file, ca_file, cert, ca, error);
}
