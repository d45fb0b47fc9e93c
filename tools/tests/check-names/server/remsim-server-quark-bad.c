/* rule quark: the quark string as clang-format leaves it */
#include <glib.h>

G_DEFINE_QUARK(remsim - server - quark - bad - error, remsim_server_quark_bad_error)
