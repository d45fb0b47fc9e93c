/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TLS files and names helper: certificates made at test time with
 * certtool, loaded, checked against their CA, and read for their names; and
 * each bad file named in its error.
 */
#define G_LOG_DOMAIN "remsim-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "remsim-test-common.h"
#include "remsim-test-tls.h"
#include "remsim-tls.h"

static void
test_load_and_names(void)
{
	g_autoptr(RemsimTestTls) tls = remsim_test_tls_new();
	g_autoptr(GError) error = NULL;

	if (tls == NULL)
		return;
	g_assert_true(remsim_tls_check_backend(&error));
	g_assert_no_error(error);

	const gchar *dns[] = { "client:23", "client:23:0", "client:23", NULL };
	g_autofree gchar *pem = remsim_test_tls_make_cert(tls, "client", "client:23", dns);
	g_autofree gchar *key = remsim_test_tls_key(tls, "client");
	g_autoptr(GTlsCertificate) cert = remsim_tls_load_certificate(pem, key, &error);
	g_assert_no_error(error);
	g_assert_nonnull(cert);

	/* the CN first, then the SANs, each once */
	g_auto(GStrv) names = remsim_tls_certificate_get_names(cert);
	g_assert_cmpuint(g_strv_length(names), ==, 2);
	g_assert_cmpstr(names[0], ==, "client:23");
	g_assert_cmpstr(names[1], ==, "client:23:0");

	g_autofree gchar *subject = remsim_tls_certificate_describe(cert);
	g_assert_cmpstr(subject, ==, "CN=client:23");

	/* the CA verifies what it signed, for a client's purpose */
	g_autoptr(GTlsDatabase) db = remsim_tls_load_ca(tls->ca_cert, &error);
	g_assert_no_error(error);
	GTlsCertificateFlags flags =
	    g_tls_database_verify_chain(db, cert, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT, NULL,
					NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(flags, ==, 0);

	/* a certificate from another CA is not trusted */
	g_autoptr(RemsimTestTls) other = remsim_test_tls_new();
	g_autofree gchar *other_pem = remsim_test_tls_make_cert(other, "bank", "bank:7", NULL);
	g_autofree gchar *other_key = remsim_test_tls_key(other, "bank");
	g_autoptr(GTlsCertificate) stranger =
	    remsim_tls_load_certificate(other_pem, other_key, &error);
	g_assert_no_error(error);
	flags =
	    g_tls_database_verify_chain(db, stranger, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_CLIENT,
					NULL, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, &error);
	g_assert_no_error(error);
	g_assert_true(flags & G_TLS_CERTIFICATE_UNKNOWN_CA);

	/* no SANs at all: the CN only */
	g_auto(GStrv) bank_names = remsim_tls_certificate_get_names(stranger);
	g_assert_cmpuint(g_strv_length(bank_names), ==, 1);
	g_assert_cmpstr(bank_names[0], ==, "bank:7");
}

static void
test_key_in_cert_file(void)
{
	g_autoptr(RemsimTestTls) tls = remsim_test_tls_new();
	g_autoptr(GError) error = NULL;

	if (tls == NULL)
		return;
	g_autofree gchar *pem = remsim_test_tls_make_cert(tls, "server", NULL, NULL);
	g_autofree gchar *key = remsim_test_tls_key(tls, "server");
	g_autofree gchar *pem_text = NULL, *key_text = NULL;
	g_assert_true(g_file_get_contents(pem, &pem_text, NULL, NULL));
	g_assert_true(g_file_get_contents(key, &key_text, NULL, NULL));
	g_autofree gchar *both_text = g_strconcat(pem_text, key_text, NULL);
	g_autofree gchar *both = remsim_test_common_write_file(tls->dir, "both.pem", both_text);

	g_autoptr(GTlsCertificate) cert = remsim_tls_load_certificate(both, NULL, &error);
	g_assert_no_error(error);
	g_assert_nonnull(cert);
	g_auto(GStrv) names = remsim_tls_certificate_get_names(cert);
	g_assert_cmpstr(names[0], ==, "remsim test");
}

static void
test_errors_name_the_file(void)
{
	g_autoptr(RemsimTestTls) tls = remsim_test_tls_new();
	g_autoptr(GError) error = NULL;

	if (tls == NULL)
		return;
	g_autofree gchar *pem = remsim_test_tls_make_cert(tls, "server", NULL, NULL);
	g_autofree gchar *key = remsim_test_tls_key(tls, "server");
	g_autofree gchar *missing = g_build_filename(tls->dir, "missing.pem", NULL);
	g_autofree gchar *junk = remsim_test_common_write_file(tls->dir, "junk.pem", "not PEM\n");
	g_autofree gchar *empty = remsim_test_common_write_file(tls->dir, "empty.pem", "");

	g_assert_null(remsim_tls_load_certificate(missing, key, &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, missing));
	g_clear_error(&error);

	/* a certificate given as its own key */
	g_assert_null(remsim_tls_load_certificate(pem, pem, &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, pem));
	g_clear_error(&error);

	g_assert_null(remsim_tls_load_certificate(junk, NULL, &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, junk));
	g_clear_error(&error);

	g_assert_null(remsim_tls_load_ca(missing, &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, missing));
	g_clear_error(&error);

	g_assert_null(remsim_tls_load_ca(empty, &error));
	g_assert_error(error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
	g_assert_nonnull(strstr(error->message, empty));
	g_clear_error(&error);

	g_assert_null(remsim_tls_load_ca(junk, &error));
	g_assert_nonnull(error);
	g_assert_nonnull(strstr(error->message, junk));
}

static void
test_subject_cn(void)
{
	const struct {
		const gchar *subject;
		const gchar *cn;
	} cases[] = {
		{ "CN=bank:7", "bank:7" },
		{ "O=ops,CN=client:23:0", "client:23:0" },
		{ "CN=a\\,b,O=x", "a,b" },
		{ "O=x\\,CN=fake,OU=y", NULL },
		{ "CN=\\62ank:1", "bank:1" },
		{ "OU=y+CN=z", "z" },
		{ "O=x", NULL },
		{ "", NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree gchar *cn = remsim_tls_subject_get_cn(cases[i].subject);

		g_assert_cmpstr(cn, ==, cases[i].cn);
	}
	g_assert_null(remsim_tls_subject_get_cn(NULL));
}

static void
test_names_allow(void)
{
	const gchar *bank7[] = { "bank:7", "bank.example.org", NULL };
	const gchar *client23[] = { "client:23", NULL };
	const gchar *client23_1[] = { "client:23:1", NULL };
	const gchar *none[] = { NULL };

	g_assert_true(remsim_tls_names_allow_bank(bank7, 7));
	g_assert_false(remsim_tls_names_allow_bank(bank7, 8));
	g_assert_false(remsim_tls_names_allow_bank(bank7, 70));
	g_assert_false(remsim_tls_names_allow_client(bank7, 7, 0));
	g_assert_false(remsim_tls_names_allow_bank(client23, 23));
	g_assert_false(remsim_tls_names_allow_bank(none, 0));
	g_assert_false(remsim_tls_names_allow_bank(NULL, 0));

	/* client:N: any slot of N */
	g_assert_true(remsim_tls_names_allow_client(client23, 23, 0));
	g_assert_true(remsim_tls_names_allow_client(client23, 23, 5));
	g_assert_false(remsim_tls_names_allow_client(client23, 24, 0));
	g_assert_false(remsim_tls_names_allow_client(client23, 2, 3));
	/* client:N:S: that slot only */
	g_assert_true(remsim_tls_names_allow_client(client23_1, 23, 1));
	g_assert_false(remsim_tls_names_allow_client(client23_1, 23, 0));
	g_assert_false(remsim_tls_names_allow_client(none, 23, 1));
}

static void
test_load_files(void)
{
	g_autoptr(RemsimTestTls) tls = remsim_test_tls_new();
	g_autoptr(GError) error = NULL;
	GTlsCertificate *cert = NULL;
	GTlsDatabase *ca = NULL;

	if (tls == NULL)
		return;
	g_autofree gchar *pem = remsim_test_tls_make_cert(tls, "bank", "bank:7", NULL);
	g_autofree gchar *key = remsim_test_tls_key(tls, "bank");

	/* nothing set: nothing loaded, no error */
	g_assert_true(remsim_tls_load_files(NULL, "", NULL, &cert, &ca, &error));
	g_assert_no_error(error);
	g_assert_null(cert);
	g_assert_null(ca);

	g_assert_true(remsim_tls_load_files(pem, key, tls->ca_cert, &cert, &ca, &error));
	g_assert_no_error(error);
	g_assert_true(G_IS_TLS_CERTIFICATE(cert));
	g_assert_true(G_IS_TLS_DATABASE(ca));
	g_clear_object(&cert);
	g_clear_object(&ca);

	/* a relative CA path is taken from the working directory */
	g_autofree gchar *cwd = g_get_current_dir();
	g_assert_cmpint(g_chdir(tls->dir), ==, 0);
	g_assert_true(remsim_tls_load_files("bank.pem", "bank.key", "ca.pem", &cert, &ca, &error));
	g_assert_cmpint(g_chdir(cwd), ==, 0);
	g_assert_no_error(error);
	g_assert_true(G_IS_TLS_DATABASE(ca));
	g_clear_object(&cert);
	g_clear_object(&ca);

	/* a key alone is a mistake worth saying */
	g_assert_false(remsim_tls_load_files(NULL, key, NULL, &cert, &ca, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_assert_nonnull(strstr(error->message, key));
	g_assert_null(cert);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/tls/load-and-names", test_load_and_names);
	g_test_add_func("/tls/key-in-cert-file", test_key_in_cert_file);
	g_test_add_func("/tls/errors-name-the-file", test_errors_name_the_file);
	g_test_add_func("/tls/subject-cn", test_subject_cn);
	g_test_add_func("/tls/names-allow", test_names_allow);
	g_test_add_func("/tls/load-files", test_load_files);
	return g_test_run();
}
