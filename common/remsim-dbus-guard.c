/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "remsim-audit.h"
#include "remsim-dbus-error.h"
#include "remsim-dbus-guard.h"

#define REMSIM_DBUS_GUARD_CALLER_KEY "remsim-dbus-caller"
/* how long the bus may take to tell a caller's uid */
#define REMSIM_DBUS_GUARD_TIMEOUT_MS 5000
/* the most groups a caller's membership is looked up in */
#define REMSIM_DBUS_GUARD_MAX_GROUPS 256

/* what g-authorize-method of one interface checks */
typedef struct {
	GStrv methods;
	gboolean audit_allowed;
} RemsimDbusGuard;

static void
remsim_dbus_guard_free(gpointer data, GClosure *closure)
{
	RemsimDbusGuard *guard = data;

	g_strfreev(guard->methods);
	g_free(guard);
}

/* the group in force; read from worker threads, set from the main one */
static GMutex remsim_dbus_guard_lock;
static gchar *remsim_dbus_guard_group;

void
remsim_dbus_guard_set_group(const gchar *group)
{
	g_mutex_lock(&remsim_dbus_guard_lock);
	g_free(remsim_dbus_guard_group);
	remsim_dbus_guard_group = group != NULL && group[0] != '\0' ? g_strdup(group) : NULL;
	g_mutex_unlock(&remsim_dbus_guard_lock);
}

gchar *
remsim_dbus_guard_dup_group(void)
{
	gchar *group;

	g_mutex_lock(&remsim_dbus_guard_lock);
	group = g_strdup(remsim_dbus_guard_group);
	g_mutex_unlock(&remsim_dbus_guard_lock);
	return group;
}

/* whether @uid is in @group, by its primary group or as a member */
static gboolean
remsim_dbus_guard_in_group(uid_t uid, const gchar *group)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	gchar pwbuf[4096], grbuf[16384];
	gid_t groups[REMSIM_DBUS_GUARD_MAX_GROUPS];
	int n = G_N_ELEMENTS(groups);

	if (getgrnam_r(group, &gr, grbuf, sizeof(grbuf), &grp) != 0 || grp == NULL)
		return FALSE;
	if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &pwp) != 0 || pwp == NULL)
		return FALSE;
	if (pw.pw_gid == gr.gr_gid)
		return TRUE;
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) < 0)
		return FALSE;
	for (int i = 0; i < n; i++)
		if (groups[i] == gr.gr_gid)
			return TRUE;
	return FALSE;
}

/* the caller's uid: from the bus, or the peer's credentials on a bus-less link */
static gboolean
remsim_dbus_guard_get_uid(GDBusMethodInvocation *invocation, guint32 *uid, GError **error)
{
	GDBusConnection *conn = g_dbus_method_invocation_get_connection(invocation);
	const gchar *sender = g_dbus_method_invocation_get_sender(invocation);
	g_autoptr(GVariant) reply = NULL;
	GCredentials *creds;
	uid_t u;

	if (sender == NULL) {
		creds = g_dbus_connection_get_peer_credentials(conn);
		if (creds == NULL || (u = g_credentials_get_unix_user(creds, error)) == (uid_t)-1) {
			if (error != NULL && *error == NULL)
				g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_FAILED,
						    "no credentials");
			return FALSE;
		}
		*uid = u;
		return TRUE;
	}
	reply = g_dbus_connection_call_sync(
	    conn, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "GetConnectionUnixUser", g_variant_new("(s)", sender), G_VARIANT_TYPE("(u)"),
	    G_DBUS_CALL_FLAGS_NONE, REMSIM_DBUS_GUARD_TIMEOUT_MS, NULL, error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(u)", uid);
	return TRUE;
}

/* in a worker thread (g-authorize-method): TRUE lets the call run in the main context */
static gboolean
remsim_dbus_guard_authorize_cb(GDBusInterfaceSkeleton *iface, GDBusMethodInvocation *invocation,
			       gpointer data)
{
	const RemsimDbusGuard *guard = data;
	const gchar *method = g_dbus_method_invocation_get_method_name(invocation);
	const gchar *sender = g_dbus_method_invocation_get_sender(invocation);
	g_autofree gchar *group = NULL;
	g_autofree gchar *caller = NULL;
	g_autoptr(GError) error = NULL;
	guint32 uid = 0;

	if (!g_strv_contains((const gchar *const *)guard->methods, method))
		return TRUE;
	if (!remsim_dbus_guard_get_uid(invocation, &uid, &error)) {
		caller = g_strdup_printf("dbus:%s", sender != NULL ? sender : "peer");
		remsim_audit(caller, method, "refused (uid unknown)", "error=\"%s\"",
			     error->message);
		g_dbus_method_invocation_return_error(
		    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_ACCESS_DENIED,
		    "the caller's user is unknown: %s", error->message);
		return FALSE;
	}
	caller = g_strdup_printf("dbus:%s(uid=%u)", sender != NULL ? sender : "peer", uid);
	group = remsim_dbus_guard_dup_group();
	if (uid == 0 || uid == geteuid() ||
	    (group != NULL && remsim_dbus_guard_in_group(uid, group))) {
		if (guard->audit_allowed)
			remsim_audit(caller, method, "allowed", "object=%s",
				     g_dbus_method_invocation_get_object_path(invocation));
		g_object_set_data_full(G_OBJECT(invocation), REMSIM_DBUS_GUARD_CALLER_KEY,
				       g_steal_pointer(&caller), g_free);
		return TRUE;
	}
	remsim_audit(caller, method, "refused (not root, the daemon's user or in dbus-group)",
		     "group=%s", group != NULL ? group : "(none)");
	/* the invocation is ours to answer: GLib leaves a refused call to us */
	g_dbus_method_invocation_return_error(
	    invocation, REMSIM_DBUS_ERROR, REMSIM_DBUS_ERROR_ACCESS_DENIED,
	    "%s is for root, the daemon's user%s%s; uid %u is none of them", method,
	    group != NULL ? " and the group " : "", group != NULL ? group : "", uid);
	return FALSE;
}

void
remsim_dbus_guard_protect(GDBusInterfaceSkeleton *iface, const gchar *const *methods,
			  gboolean audit_allowed)
{
	RemsimDbusGuard *guard = g_new0(RemsimDbusGuard, 1);

	guard->methods = g_strdupv((gchar **)methods);
	guard->audit_allowed = audit_allowed;
	g_signal_connect_data(iface, "g-authorize-method",
			      G_CALLBACK(remsim_dbus_guard_authorize_cb), guard,
			      remsim_dbus_guard_free, 0);
}

const gchar *
remsim_dbus_guard_get_caller(GDBusMethodInvocation *invocation)
{
	const gchar *caller = g_object_get_data(G_OBJECT(invocation), REMSIM_DBUS_GUARD_CALLER_KEY);

	return caller != NULL ? caller : "dbus:unknown";
}
