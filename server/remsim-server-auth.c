/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "remsim-server-auth.h"

#define REMSIM_SERVER_AUTH_DIGEST 32 /* SHA-256 */

typedef struct {
	gchar *name;
	gboolean write;
	guint8 digest[REMSIM_SERVER_AUTH_DIGEST];
} RemsimServerAuthToken;

struct _RemsimServerAuth {
	GObject parent_instance;
	GArray *tokens; /* of RemsimServerAuthToken */
};

G_DEFINE_FINAL_TYPE(RemsimServerAuth, remsim_server_auth, G_TYPE_OBJECT)

static void
remsim_server_auth_token_clear(gpointer data)
{
	RemsimServerAuthToken *t = data;

	g_free(t->name);
	memset(t->digest, 0, sizeof(t->digest));
}

static void
remsim_server_auth_finalize(GObject *object)
{
	RemsimServerAuth *self = REMSIM_SERVER_AUTH(object);

	g_array_unref(self->tokens);
	G_OBJECT_CLASS(remsim_server_auth_parent_class)->finalize(object);
}

static void
remsim_server_auth_class_init(RemsimServerAuthClass *klass)
{
	G_OBJECT_CLASS(klass)->finalize = remsim_server_auth_finalize;
}

static void
remsim_server_auth_init(RemsimServerAuth *self)
{
	self->tokens = g_array_new(FALSE, TRUE, sizeof(RemsimServerAuthToken));
	g_array_set_clear_func(self->tokens, remsim_server_auth_token_clear);
}

static void
remsim_server_auth_digest(const gchar *token, guint8 *digest)
{
	g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
	gsize len = REMSIM_SERVER_AUTH_DIGEST;

	g_checksum_update(sum, (const guchar *)token, strlen(token));
	g_checksum_get_digest(sum, digest, &len);
}

/* the same digests, in a time that does not depend on where they differ */
static gboolean
remsim_server_auth_digest_equal(const guint8 *a, const guint8 *b)
{
	guint8 diff = 0;

	for (gsize i = 0; i < REMSIM_SERVER_AUTH_DIGEST; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static gboolean
remsim_server_auth_valid_name(const gchar *name)
{
	for (const gchar *p = name; *p != '\0'; p++)
		if (!g_ascii_isalnum(*p) && strchr("._-", *p) == NULL)
			return FALSE;
	return name[0] != '\0';
}

static gboolean
remsim_server_auth_valid_token(const gchar *token)
{
	gsize len = strlen(token);

	if (len < REMSIM_SERVER_AUTH_TOKEN_MIN || len > REMSIM_SERVER_AUTH_TOKEN_MAX)
		return FALSE;
	for (const gchar *p = token; *p != '\0'; p++)
		if (*p < 0x21 || *p > 0x7e)
			return FALSE;
	return TRUE;
}

/* one line's token, or a description of what is wrong with it */
static gchar *
remsim_server_auth_parse_line(RemsimServerAuth *self, const gchar *line)
{
	g_auto(GStrv) words = g_strsplit_set(line, " \t", -1);
	g_autoptr(GPtrArray) w = g_ptr_array_new();
	RemsimServerAuthToken t = { 0 };

	for (guint i = 0; words[i] != NULL; i++)
		if (words[i][0] != '\0')
			g_ptr_array_add(w, words[i]);
	if (w->len != 3)
		return g_strdup_printf("expected NAME RIGHTS TOKEN, found %u words", w->len);
	if (!remsim_server_auth_valid_name(w->pdata[0]))
		return g_strdup_printf("the name \"%s\" may hold only letters, digits, '.', "
				       "'_' and '-'",
				       (const gchar *)w->pdata[0]);
	if (!g_str_equal(w->pdata[1], "read") && !g_str_equal(w->pdata[1], "write"))
		return g_strdup_printf("the rights of %s are \"%s\", not read or write",
				       (const gchar *)w->pdata[0], (const gchar *)w->pdata[1]);
	if (!remsim_server_auth_valid_token(w->pdata[2]))
		return g_strdup_printf("the token of %s must be %d to %d printable characters",
				       (const gchar *)w->pdata[0], REMSIM_SERVER_AUTH_TOKEN_MIN,
				       REMSIM_SERVER_AUTH_TOKEN_MAX);
	remsim_server_auth_digest(w->pdata[2], t.digest);
	for (guint i = 0; i < self->tokens->len; i++) {
		RemsimServerAuthToken *o = &g_array_index(self->tokens, RemsimServerAuthToken, i);

		if (g_str_equal(o->name, w->pdata[0]))
			return g_strdup_printf("the name %s is given twice", o->name);
		if (remsim_server_auth_digest_equal(o->digest, t.digest))
			return g_strdup_printf("%s has the token of %s", (const gchar *)w->pdata[0],
					       o->name);
	}
	t.name = g_strdup(w->pdata[0]);
	t.write = g_str_equal(w->pdata[1], "write");
	g_array_append_val(self->tokens, t);
	return NULL;
}

/* tokens other users can read are no secret: say so (the file still works) */
static void
remsim_server_auth_check_mode(const gchar *path)
{
	struct stat st;

	if (g_stat(path, &st) == 0 && (st.st_mode & S_IROTH) != 0)
		g_warning("REST tokens file %s is readable by every user (mode %04o): "
			  "chmod o-r it",
			  path, (guint)(st.st_mode & 07777));
}

RemsimServerAuth *
remsim_server_auth_new_from_file(const gchar *path, GError **error)
{
	g_autoptr(RemsimServerAuth) self = g_object_new(REMSIM_TYPE_SERVER_AUTH, NULL);
	g_autofree gchar *text = NULL;
	g_auto(GStrv) lines = NULL;

	if (!g_file_get_contents(path, &text, NULL, error))
		return NULL;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree gchar *problem = NULL;
		gchar *line = g_strstrip(lines[i]);

		if (line[0] == '\0' || line[0] == '#')
			continue;
		problem = remsim_server_auth_parse_line(self, line);
		if (problem != NULL) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s:%u: %s",
				    path, i + 1, problem);
			return NULL;
		}
	}
	if (self->tokens->len == 0) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
			    "%s: no token: every REST request would be refused", path);
		return NULL;
	}
	remsim_server_auth_check_mode(path);
	return g_steal_pointer(&self);
}

const gchar *
remsim_server_auth_lookup(RemsimServerAuth *self, const gchar *token, gboolean *write)
{
	guint8 digest[REMSIM_SERVER_AUTH_DIGEST];
	const RemsimServerAuthToken *found = NULL;

	remsim_server_auth_digest(token, digest);
	for (guint i = 0; i < self->tokens->len; i++) {
		const RemsimServerAuthToken *t =
		    &g_array_index(self->tokens, RemsimServerAuthToken, i);

		/* no early exit: the time says nothing about which token matched */
		if (remsim_server_auth_digest_equal(t->digest, digest))
			found = t;
	}
	if (found == NULL)
		return NULL;
	*write = found->write;
	return found->name;
}

guint
remsim_server_auth_get_count(RemsimServerAuth *self)
{
	return self->tokens->len;
}
