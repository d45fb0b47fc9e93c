/* Card profiles: the JSON description of one simulated card (identities, keys, PINs, optional
 * file overrides). Every error names the source (file) and the field. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define REMSIM_SIMCARD_PROFILE_ERROR (remsim_simcard_profile_error_quark())
GQuark remsim_simcard_profile_error_quark(void);

typedef enum {
	REMSIM_SIMCARD_PROFILE_ERROR_FAILED,  /* anything else */
	REMSIM_SIMCARD_PROFILE_ERROR_PARSE,   /* not JSON, or not an object */
	REMSIM_SIMCARD_PROFILE_ERROR_MISSING, /* a required field is absent */
	REMSIM_SIMCARD_PROFILE_ERROR_INVALID, /* a field has a wrong type or value */
	REMSIM_SIMCARD_PROFILE_ERROR_UNKNOWN, /* an unknown field, most likely a typo */
} RemsimSimcardProfileError;

typedef struct {
	gchar *source;
	gchar *iccid;
	gchar *imsi;
	gchar *mcc;
	gchar *mnc;
	gchar *msisdn; /* NULL when absent */
	gchar *spn;    /* NULL when absent */
	guint8 ki[16];
	guint8 opc[16];
	guint8 pin1[8];
	guint8 puk1[8];
	guint8 pin2[8];
	guint8 puk2[8];
	guint8 adm[8];
	gboolean pin1_enabled;
	GBytes *atr;		  /* NULL: the engine's default */
	GPtrArray *file_paths;	  /* gchar*, "3F00/7FFF/6F07" */
	GPtrArray *file_contents; /* GBytes*, same order */
} RemsimSimcardProfile;

/* source names the profile in error messages (its file path, or "profile"). */
RemsimSimcardProfile *remsim_simcard_profile_new_from_json(JsonNode *node, const gchar *source,
							   GError **error);
void remsim_simcard_profile_free(RemsimSimcardProfile *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RemsimSimcardProfile, remsim_simcard_profile_free)

/* Hex string to bytes ("" and odd lengths are errors), spaces not allowed. */
GBytes *remsim_simcard_profile_parse_hex(const gchar *hex);

G_END_DECLS
