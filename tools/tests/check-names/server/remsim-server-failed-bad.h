/* rule failed: *_FAILED is not code 0 */
typedef enum {
	REMSIM_SERVER_FAILED_BAD_ERROR_BUSY,
	REMSIM_SERVER_FAILED_BAD_ERROR_FAILED,
} RemsimServerFailedBadError;
