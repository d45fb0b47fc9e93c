/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <string.h>

#include "remsim-server-web.h"

#define REMSIM_SERVER_WEB_RESOURCE "/org/remsim/server/web/"

struct _RemsimServerWeb {
	GObject parent_instance;
	RemsimServerRest *rest;
};

G_DEFINE_FINAL_TYPE(RemsimServerWeb, remsim_server_web, G_TYPE_OBJECT)

static void
remsim_server_web_dispose(GObject *object)
{
	RemsimServerWeb *self = REMSIM_SERVER_WEB(object);

	if (self->rest != NULL) {
		soup_server_remove_handler(remsim_server_rest_get_soup(self->rest),
					   REMSIM_SERVER_WEB_STATIC);
		remsim_server_rest_set_root_handler(self->rest, NULL, NULL);
	}
	g_clear_object(&self->rest);
	G_OBJECT_CLASS(remsim_server_web_parent_class)->dispose(object);
}

static void
remsim_server_web_class_init(RemsimServerWebClass *klass)
{
	G_OBJECT_CLASS(klass)->dispose = remsim_server_web_dispose;
}

static void
remsim_server_web_init(RemsimServerWeb *self)
{
}

static const gchar *
remsim_server_web_content_type(const gchar *name)
{
	if (g_str_has_suffix(name, ".html"))
		return "text/html; charset=utf-8";
	if (g_str_has_suffix(name, ".js"))
		return "text/javascript; charset=utf-8";
	if (g_str_has_suffix(name, ".css"))
		return "text/css; charset=utf-8";
	return "application/octet-stream";
}

/* one file of web/, or a 404 */
static void
remsim_server_web_send(SoupServerMessage *msg, const gchar *name)
{
	g_autofree gchar *path = g_strconcat(REMSIM_SERVER_WEB_RESOURCE, name, NULL);
	g_autoptr(GBytes) data = NULL;
	SoupMessageHeaders *headers = soup_server_message_get_response_headers(msg);
	gsize len = 0;
	const gchar *bytes;

	if (strchr(name, '/') != NULL ||
	    (data = g_resources_lookup_data(path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL)) == NULL) {
		remsim_server_rest_reply_error(msg, SOUP_STATUS_NOT_FOUND,
					       "Resource not found: %s %s",
					       soup_server_message_get_method(msg),
					       g_uri_get_path(soup_server_message_get_uri(msg)));
		return;
	}
	bytes = g_bytes_get_data(data, &len);
	/* a new server version must not meet an old page */
	soup_message_headers_replace(headers, "Cache-Control", "no-cache");
	soup_message_headers_replace(headers, "X-Content-Type-Options", "nosniff");
	soup_server_message_set_status(msg, SOUP_STATUS_OK, NULL);
	soup_server_message_set_response(msg, remsim_server_web_content_type(name),
					 SOUP_MEMORY_COPY, bytes, len);
}

static gboolean
remsim_server_web_check_method(SoupServerMessage *msg)
{
	const gchar *method = soup_server_message_get_method(msg);

	if (g_str_equal(method, "GET") || g_str_equal(method, "HEAD"))
		return TRUE;
	remsim_server_rest_reply_error(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "only GET here, not %s",
				       method);
	return FALSE;
}

static void
remsim_server_web_root_cb(SoupServer *soup, SoupServerMessage *msg, const char *path,
			  GHashTable *query, gpointer data)
{
	if (remsim_server_web_check_method(msg))
		remsim_server_web_send(msg, "index.html");
}

static void
remsim_server_web_static_cb(SoupServer *soup, SoupServerMessage *msg, const char *path,
			    GHashTable *query, gpointer data)
{
	if (!remsim_server_web_check_method(msg))
		return;
	if (!g_str_has_prefix(path, REMSIM_SERVER_WEB_STATIC "/")) {
		remsim_server_web_send(msg, "/");
		return;
	}
	remsim_server_web_send(msg, path + strlen(REMSIM_SERVER_WEB_STATIC "/"));
}

RemsimServerWeb *
remsim_server_web_new(RemsimServerRest *rest)
{
	RemsimServerWeb *self = g_object_new(REMSIM_TYPE_SERVER_WEB, NULL);

	self->rest = g_object_ref(rest);
	remsim_server_rest_set_root_handler(rest, remsim_server_web_root_cb, self);
	remsim_server_rest_add_handler(rest, REMSIM_SERVER_WEB_STATIC, remsim_server_web_static_cb,
				       self);
	return self;
}
