/* rule component: a type in server/ without RemsimServer */
typedef struct {
	int id;
} Peer;
