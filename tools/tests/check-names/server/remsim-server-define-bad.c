/* rule prefix: a function right after a G_DEFINE_* line, no semicolon between */
#include <gio/gio.h>

G_DEFINE_FINAL_TYPE(RemsimServerDefineBad, remsim_server_define_bad, G_TYPE_OBJECT)

static void
define_bad_dispose(GObject *object)
{
	G_OBJECT_CLASS(remsim_server_define_bad_parent_class)->dispose(object);
}
