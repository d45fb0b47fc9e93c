/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Certificates made with certtool at test time (remsim-test-tls.h). */
#include "remsim-test-tls.h"

#include "remsim-test-common.h"

/* runs certtool with @args after it; asserts it worked */
static void
remsim_test_tls_certtool(const gchar *const *args)
{
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autofree gchar *err = NULL;
	gint status = 0;
	g_autoptr(GError) error = NULL;

	g_ptr_array_add(argv, (gpointer) "certtool");
	for (guint i = 0; args[i] != NULL; i++)
		g_ptr_array_add(argv, (gpointer)args[i]);
	g_ptr_array_add(argv, NULL);
	g_spawn_sync(NULL, (gchar **)argv->pdata, NULL,
		     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
		     &status, &error);
	g_assert_no_error(error);
	if (!g_spawn_check_wait_status(status, NULL))
		g_error("certtool %s failed: %s", args[0], err);
}

static void
remsim_test_tls_make_key(const gchar *path)
{
	const gchar *args[] = { "--generate-privkey", "--key-type=ecdsa", "--outfile", path, NULL };

	remsim_test_tls_certtool(args);
}

RemsimTestTls *
remsim_test_tls_new(void)
{
	g_autofree gchar *certtool = g_find_program_in_path("certtool");
	RemsimTestTls *tls;
	g_autofree gchar *tmpl = NULL;

	if (remsim_test_common_skip_unless(certtool != NULL, "certtool (gnutls-bin)"))
		return NULL;
	tls = g_new0(RemsimTestTls, 1);
	tls->dir = remsim_test_common_make_dir("remsim-tls-XXXXXX");
	tls->ca_key = g_build_filename(tls->dir, "ca.key", NULL);
	tls->ca_cert = g_build_filename(tls->dir, "ca.pem", NULL);
	remsim_test_tls_make_key(tls->ca_key);
	tmpl = remsim_test_common_write_file(
	    tls->dir, "ca.tmpl",
	    "cn = \"remsim test CA\"\nca\ncert_signing_key\nexpiration_days = 2\n");
	const gchar *args[] = { "--generate-self-signed",
				"--load-privkey",
				tls->ca_key,
				"--template",
				tmpl,
				"--outfile",
				tls->ca_cert,
				NULL };
	remsim_test_tls_certtool(args);
	return tls;
}

gchar *
remsim_test_tls_key(RemsimTestTls *tls, const gchar *name)
{
	g_autofree gchar *file = g_strconcat(name, ".key", NULL);

	return g_build_filename(tls->dir, file, NULL);
}

gchar *
remsim_test_tls_make_cert(RemsimTestTls *tls, const gchar *name, const gchar *cn,
			  const gchar *const *dns_names)
{
	g_autoptr(GString) text = g_string_new(NULL);
	g_autofree gchar *tmpl_name = g_strconcat(name, ".tmpl", NULL);
	g_autofree gchar *pem_name = g_strconcat(name, ".pem", NULL);
	g_autofree gchar *key = remsim_test_tls_key(tls, name);
	gchar *cert = g_build_filename(tls->dir, pem_name, NULL);
	g_autofree gchar *tmpl = NULL;

	g_string_append_printf(text, "cn = \"%s\"\n", cn != NULL ? cn : "remsim test");
	for (guint i = 0; dns_names != NULL && dns_names[i] != NULL; i++)
		g_string_append_printf(text, "dns_name = \"%s\"\n", dns_names[i]);
	g_string_append(text, "ip_address = \"127.0.0.1\"\ntls_www_server\ntls_www_client\n"
			      "signing_key\nencryption_key\nexpiration_days = 2\n");
	tmpl = remsim_test_common_write_file(tls->dir, tmpl_name, text->str);
	remsim_test_tls_make_key(key);
	const gchar *args[] = { "--generate-certificate",
				"--load-privkey",
				key,
				"--load-ca-certificate",
				tls->ca_cert,
				"--load-ca-privkey",
				tls->ca_key,
				"--template",
				tmpl,
				"--outfile",
				cert,
				NULL };
	remsim_test_tls_certtool(args);
	return cert;
}

void
remsim_test_tls_free(RemsimTestTls *tls)
{
	if (tls == NULL)
		return;
	remsim_test_common_remove_tree(tls->dir);
	g_free(tls->dir);
	g_free(tls->ca_cert);
	g_free(tls->ca_key);
	g_free(tls);
}
