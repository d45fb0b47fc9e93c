/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificates made at test time with certtool (gnutls-bin): a CA, and
 * certificates it signs for 127.0.0.1 with the CN and DNS names a test asks
 * for (remsim's identities: "bank:7", "client:23:0"). Every file lands in one
 * temporary folder, removed by remsim_test_tls_free().
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
	gchar *dir;	/* the folder every file is in */
	gchar *ca_cert; /* the CA's certificate (PEM): the bundle peers trust */
	gchar *ca_key;
} RemsimTestTls;

/*
 * A new CA in a new folder; NULL when certtool is missing (the test was
 * skipped through remsim_test_common_skip_unless(): return at once).
 */
RemsimTestTls *remsim_test_tls_new(void);

/*
 * A key (@dir/@name.key) and a certificate (@dir/@name.pem) signed by the CA,
 * for IP address 127.0.0.1, usable by TLS servers and clients, with subject
 * CN @cn (NULL: "remsim test") and DNS names @dns_names (NULL-terminated, or
 * NULL). Returns the certificate's path; the key's is remsim_test_tls_key().
 */
gchar *remsim_test_tls_make_cert(RemsimTestTls *tls, const gchar *name, const gchar *cn,
				 const gchar *const *dns_names);
/* @dir/@name.key */
gchar *remsim_test_tls_key(RemsimTestTls *tls, const gchar *name);

void remsim_test_tls_free(RemsimTestTls *tls);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimTestTls, remsim_test_tls_free)

G_END_DECLS
