/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libifd-remsim-client: remsim-client as a pcscd reader driver (IFD handler 3.0).
 * Each reader (DEVICENAME "CLIENT_ID:CLIENT_SLOT:SERVER_HOST:SERVER_PORT") runs a
 * client slot on a thread of its own; pcscd's calls reach it through
 * RemsimClientFrontendIfd and never wait without a deadline.
 */
#include "config.h"

#include <ifdhandler.h>
#include <string.h>

#include "remsim-client-slot.h"
#include "remsim-client-frontend-ifd.h"

#define IFD_EXPORT __attribute__((visibility("default")))
/* readers one driver instance may serve (one reader.conf entry each) */
#define IFD_MAX_READERS 16

typedef struct {
	DWORD lun;
	GMainContext *context;
	GMainLoop *loop;
	GThread *thread;
	RemsimClientFrontend *fe;
	RemsimClientSlotSettings settings;
	GMutex lock;
	GCond cond;
	gboolean ready;
	gboolean started;
} RemsimClientIfdChannel;

static GMutex channels_lock;
static GHashTable *channels; /* Lun → RemsimClientIfdChannel */

static RemsimClientIfdChannel *
remsim_client_ifdhandler_ifd_channel_get(DWORD lun)
{
	RemsimClientIfdChannel *ch;

	g_mutex_lock(&channels_lock);
	ch = channels != NULL ? g_hash_table_lookup(channels, GSIZE_TO_POINTER(lun)) : NULL;
	g_mutex_unlock(&channels_lock);
	return ch;
}

/* the reader's own thread: the slot, its links and the front end live here */
static gpointer
remsim_client_ifdhandler_ifd_channel_thread(gpointer data)
{
	RemsimClientIfdChannel *ch = data;
	g_autoptr(GError) error = NULL;
	RemsimClientSlot *slot;

	g_main_context_push_thread_default(ch->context);
	slot = remsim_client_slot_new(&ch->settings, ch->fe, NULL);
	ch->started = remsim_client_slot_start(slot, &error);
	if (!ch->started)
		g_warning("remsim IFD reader: %s", error->message);
	g_mutex_lock(&ch->lock);
	ch->ready = TRUE;
	g_cond_broadcast(&ch->cond);
	g_mutex_unlock(&ch->lock);
	if (ch->started)
		g_main_loop_run(ch->loop);
	remsim_client_slot_stop(slot);
	g_object_unref(slot);
	/* let the closing connections finish on this context */
	for (guint i = 0; i < 10 && g_main_context_iteration(ch->context, FALSE); i++)
		;
	g_main_context_pop_thread_default(ch->context);
	return NULL;
}

static void
remsim_client_ifdhandler_ifd_channel_free(RemsimClientIfdChannel *ch)
{
	g_main_loop_quit(ch->loop);
	g_main_context_wakeup(ch->context);
	if (ch->thread != NULL)
		g_thread_join(ch->thread);
	g_object_unref(ch->fe);
	g_main_loop_unref(ch->loop);
	g_main_context_unref(ch->context);
	remsim_client_slot_settings_clear(&ch->settings);
	g_mutex_clear(&ch->lock);
	g_cond_clear(&ch->cond);
	g_free(ch);
}

/* "CLIENT_ID:CLIENT_SLOT:SERVER_HOST:SERVER_PORT"; missing fields take upstream's defaults */
static gboolean
remsim_client_ifdhandler_ifd_parse_device_name(const gchar *name, RemsimClientSlotSettings *s)
{
	g_auto(GStrv) f = g_strsplit(name != NULL ? name : "", ":", 4);
	guint n = g_strv_length(f);
	guint64 id = 0, nr = 0, port = 9998;

	if ((n > 0 && f[0][0] != '\0' &&
	     !g_ascii_string_to_unsigned(f[0], 10, 0, RSPRO_ID_MAX, &id, NULL)) ||
	    (n > 1 && !g_ascii_string_to_unsigned(f[1], 10, 0, 255, &nr, NULL)) ||
	    (n > 3 && !g_ascii_string_to_unsigned(f[3], 10, 1, G_MAXUINT16, &port, NULL)))
		return FALSE;
	s->client_slot.client_id = (guint16)id;
	s->client_slot.slot_nr = (guint16)nr;
	s->server_host = g_strdup(n > 2 && f[2][0] != '\0' ? f[2] : "127.0.0.1");
	s->server_port = (guint16)port;
	s->backoff_scale = 1.0;
	return TRUE;
}

IFD_EXPORT RESPONSECODE
IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	RemsimClientIfdChannel *ch;

	if (remsim_client_ifdhandler_ifd_channel_get(Lun) != NULL)
		return IFD_SUCCESS;
	ch = g_new0(RemsimClientIfdChannel, 1);
	ch->lun = Lun;
	if (!remsim_client_ifdhandler_ifd_parse_device_name(DeviceName, &ch->settings)) {
		g_warning("remsim IFD reader: DEVICENAME “%s” is not "
			  "CLIENT_ID:CLIENT_SLOT:SERVER_HOST:SERVER_PORT",
			  DeviceName);
		remsim_client_slot_settings_clear(&ch->settings);
		g_free(ch);
		return IFD_COMMUNICATION_ERROR;
	}
	g_mutex_init(&ch->lock);
	g_cond_init(&ch->cond);
	ch->context = g_main_context_new();
	ch->loop = g_main_loop_new(ch->context, FALSE);
	ch->fe = remsim_client_frontend_ifd_new(ch->context);
	ch->thread = g_thread_new("remsim-ifd", remsim_client_ifdhandler_ifd_channel_thread, ch);
	g_mutex_lock(&ch->lock);
	while (!ch->ready)
		g_cond_wait(&ch->cond, &ch->lock);
	g_mutex_unlock(&ch->lock);
	if (!ch->started) {
		remsim_client_ifdhandler_ifd_channel_free(ch);
		return IFD_COMMUNICATION_ERROR;
	}
	g_mutex_lock(&channels_lock);
	if (channels == NULL)
		channels = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_insert(channels, GSIZE_TO_POINTER(Lun), ch);
	g_mutex_unlock(&channels_lock);
	return IFD_SUCCESS;
}

IFD_EXPORT RESPONSECODE
IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	/* a numeric channel cannot name a server: DEVICENAME is required */
	g_warning("remsim IFD reader: set DEVICENAME in the reader configuration");
	return IFD_COMMUNICATION_ERROR;
}

IFD_EXPORT RESPONSECODE
IFDHCloseChannel(DWORD Lun)
{
	RemsimClientIfdChannel *ch = NULL;

	g_mutex_lock(&channels_lock);
	if (channels != NULL && g_hash_table_steal_extended(channels, GSIZE_TO_POINTER(Lun), NULL,
							    (gpointer *)&ch) == FALSE)
		ch = NULL;
	g_mutex_unlock(&channels_lock);
	if (ch != NULL)
		remsim_client_ifdhandler_ifd_channel_free(ch);
	return IFD_SUCCESS;
}

static RESPONSECODE
remsim_client_ifdhandler_ifd_put_byte(PDWORD Length, PUCHAR Value, guint8 byte)
{
	if (*Length < 1)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	Value[0] = byte;
	*Length = 1;
	return IFD_SUCCESS;
}

static RESPONSECODE
remsim_client_ifdhandler_ifd_put_atr(RemsimClientFrontendIfd *fe, PUCHAR buf, PDWORD len, DWORD max)
{
	g_autoptr(GBytes) atr = remsim_client_frontend_ifd_dup_atr(fe);
	gsize n = atr != NULL ? g_bytes_get_size(atr) : 0;

	if (n > max) {
		*len = 0;
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	}
	if (n > 0)
		memcpy(buf, g_bytes_get_data(atr, NULL), n);
	*len = (DWORD)n;
	return IFD_SUCCESS;
}

IFD_EXPORT RESPONSECODE
IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	RemsimClientIfdChannel *ch = remsim_client_ifdhandler_ifd_channel_get(Lun);

	if (ch == NULL)
		return IFD_NO_SUCH_DEVICE;
	switch (Tag) {
	case TAG_IFD_ATR:
		return remsim_client_ifdhandler_ifd_put_atr(REMSIM_CLIENT_FRONTEND_IFD(ch->fe),
							    Value, Length, *Length);
	case TAG_IFD_SIMULTANEOUS_ACCESS:
		return remsim_client_ifdhandler_ifd_put_byte(Length, Value, IFD_MAX_READERS);
	case TAG_IFD_SLOTS_NUMBER:
		return remsim_client_ifdhandler_ifd_put_byte(Length, Value, 1);
	case TAG_IFD_THREAD_SAFE:
		/* each reader has its own thread and state */
		return remsim_client_ifdhandler_ifd_put_byte(Length, Value, 1);
	case TAG_IFD_SLOT_THREAD_SAFE:
		return remsim_client_ifdhandler_ifd_put_byte(Length, Value, 0);
	default:
		return IFD_ERROR_TAG;
	}
}

IFD_EXPORT RESPONSECODE
IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	return IFD_NOT_SUPPORTED;
}

IFD_EXPORT RESPONSECODE
IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2,
			  UCHAR PTS3)
{
	/* the bank's reader negotiated with the card already */
	return remsim_client_ifdhandler_ifd_channel_get(Lun) != NULL ? IFD_SUCCESS
								     : IFD_NO_SUCH_DEVICE;
}

IFD_EXPORT RESPONSECODE
IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	RemsimClientIfdChannel *ch = remsim_client_ifdhandler_ifd_channel_get(Lun);
	RemsimClientFrontendIfd *fe;
	DWORD max = *AtrLength > 0 && *AtrLength < MAX_ATR_SIZE ? *AtrLength : MAX_ATR_SIZE;

	if (ch == NULL)
		return IFD_NO_SUCH_DEVICE;
	fe = REMSIM_CLIENT_FRONTEND_IFD(ch->fe);
	switch (Action) {
	case IFD_POWER_DOWN:
		remsim_client_frontend_ifd_power_down(fe);
		*AtrLength = 0;
		return IFD_SUCCESS;
	case IFD_POWER_UP:
	case IFD_RESET:
		if (!remsim_client_frontend_ifd_is_present(fe)) {
			*AtrLength = 0;
			return IFD_ERROR_POWER_ACTION;
		}
		if (Action == IFD_POWER_UP)
			remsim_client_frontend_ifd_power_up(fe);
		else
			remsim_client_frontend_ifd_reset(fe);
		return remsim_client_ifdhandler_ifd_put_atr(fe, Atr, AtrLength, max);
	default:
		*AtrLength = 0;
		return IFD_NOT_SUPPORTED;
	}
}

/* the bank takes T=0 TPDUs of 5 to 260 bytes: make a case-1 APDU one, refuse the rest */
static GBytes *
remsim_client_ifdhandler_ifd_apdu_to_tpdu(PUCHAR tx, DWORD len)
{
	if (len == 4) {
		guint8 h[5] = { tx[0], tx[1], tx[2], tx[3], 0 };

		return g_bytes_new(h, sizeof(h));
	}
	if (len < 5 || len > 260)
		return NULL;
	return g_bytes_new(tx, len);
}

IFD_EXPORT RESPONSECODE
IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer, DWORD TxLength,
		  PUCHAR RxBuffer, PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
	RemsimClientIfdChannel *ch = remsim_client_ifdhandler_ifd_channel_get(Lun);
	g_autoptr(GBytes) tpdu = NULL;
	g_autoptr(GBytes) rsp = NULL;
	DWORD max = *RxLength;
	RemsimClientIfdResult result;
	gsize n;

	*RxLength = 0;
	if (ch == NULL)
		return IFD_NO_SUCH_DEVICE;
	if (RecvPci != NULL)
		RecvPci->Protocol = SendPci.Protocol;
	tpdu = remsim_client_ifdhandler_ifd_apdu_to_tpdu(TxBuffer, TxLength);
	if (tpdu == NULL) {
		/* answer "wrong length" here rather than send the bank what it drops */
		if (max < 2)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		RxBuffer[0] = 0x67;
		RxBuffer[1] = 0x00;
		*RxLength = 2;
		return IFD_SUCCESS;
	}
	result = remsim_client_frontend_ifd_transmit_sync(
	    REMSIM_CLIENT_FRONTEND_IFD(ch->fe), tpdu, REMSIM_CLIENT_IFD_TRANSMIT_TIMEOUT_MS, &rsp);
	if (result == REMSIM_CLIENT_IFD_NO_CARD)
		return IFD_ICC_NOT_PRESENT;
	if (result == REMSIM_CLIENT_IFD_TIMEOUT)
		return IFD_RESPONSE_TIMEOUT;
	n = g_bytes_get_size(rsp);
	if (n > max)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	memcpy(RxBuffer, g_bytes_get_data(rsp, NULL), n);
	*RxLength = (DWORD)n;
	return IFD_SUCCESS;
}

IFD_EXPORT RESPONSECODE
IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
	    DWORD RxLength, LPDWORD pdwBytesReturned)
{
	if (pdwBytesReturned != NULL)
		*pdwBytesReturned = 0;
	return IFD_ERROR_NOT_SUPPORTED;
}

IFD_EXPORT RESPONSECODE
IFDHICCPresence(DWORD Lun)
{
	RemsimClientIfdChannel *ch = remsim_client_ifdhandler_ifd_channel_get(Lun);

	if (ch == NULL)
		return IFD_NO_SUCH_DEVICE;
	return remsim_client_frontend_ifd_is_present(REMSIM_CLIENT_FRONTEND_IFD(ch->fe))
		   ? IFD_ICC_PRESENT
		   : IFD_ICC_NOT_PRESENT;
}
