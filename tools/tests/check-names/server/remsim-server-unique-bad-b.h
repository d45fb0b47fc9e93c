/* rule unique: this type is defined again in remsim-server-unique-bad-a.h */
typedef struct {
	int id;
} RemsimServerTwin;
