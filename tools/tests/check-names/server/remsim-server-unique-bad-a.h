/* rule unique: this type is defined again in remsim-server-unique-bad-b.h */
typedef struct {
	int id;
} RemsimServerTwin;
