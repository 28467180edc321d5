/*
 * lean_p2p.h - the C ABI of lean-p2p, for native lean-consensus hosts (Zig, C, C++, Rust ...).
 *
 * liblean_p2p.so starts a Java virtual machine inside the host process (JNI invocation API) with
 * lean-p2p on its class path and maps every call below to lean-p2p's host API
 * (io.leanp2p.node.LeanNetwork). The shape follows zeam's rust-libp2p glue ("the seed bridge"):
 * host-picked network ids, an opaque host pointer handed back to every callback, (ptr, len) buffers
 * copied before a call returns, create_and_run_network / wait_for_network_ready / stop_network,
 * publish / subscribe / send_rpc_* commands. docs/native.md maps every seed function to ours.
 *
 * Rules that hold for every function (details in docs/native.md):
 *  - Payloads are SSZ, not wire frames: lean-p2p snappy-compresses gossip, frames req/resp chunks
 *    (varint + snappy frames + response codes) and decompresses what it receives.
 *  - Every command returns a lean_p2p_outcome at once and never blocks on the network. ACCEPTED
 *    means it was enqueued and will be carried out (or end with a callback that says why not); any
 *    other outcome means nothing was enqueued.
 *  - Every buffer and string argument is copied before the call returns; the host keeps ownership.
 *  - Every buffer and string a callback receives is valid for that call only; copy what you keep.
 *  - Commands may be called from any thread, including from inside callbacks.
 *  - Callbacks of one network run on one thread of that network (its delivery thread), one at a
 *    time, never on the thread that does network I/O. A slow callback slows only that thread:
 *    gossip and inbound requests queued behind it are shed by rule and counted.
 *  - Strings are NUL-terminated. Identifiers (topics, peer ids, multiaddrs, ENRs) are printable
 *    ASCII; free text (error messages, log lines) is UTF-8.
 */
#ifndef LEAN_P2P_H
#define LEAN_P2P_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LEAN_P2P_API __attribute__((visibility("default")))
#else
#define LEAN_P2P_API
#endif

/* Put this in lean_p2p_network_params.abi_version and lean_p2p_runtime_config.abi_version. */
#define LEAN_P2P_ABI_VERSION 1u

/* At most this many networks exist at once in one process (each has its own id). */
#define LEAN_P2P_MAX_NETWORKS 64

/* Gossip message ids are 20 bytes: SHA256(domain || u64le(len(topic)) || topic || data)[0..20]. */
#define LEAN_P2P_MESSAGE_ID_LEN 20

/* The one payload limit (SSZ bytes) of gossip, requests and response chunks: 10 MiB. */
#define LEAN_P2P_MAX_PAYLOAD (10u * 1024u * 1024u)

/* ------------------------------------------------------------------------------------------
 * Result codes
 * ------------------------------------------------------------------------------------------ */

/* The immediate answer of every command. Only ACCEPTED enqueued anything. */
typedef enum lean_p2p_outcome {
  LEAN_P2P_ACCEPTED = 0,          /* enqueued; the network carries it out */
  LEAN_P2P_QUEUE_FULL = 1,        /* the command queue (lane) is full: retry later */
  LEAN_P2P_CLOSED = 2,            /* the network is stopping or stopped */
  LEAN_P2P_NOT_STARTED = 3,       /* no such network id, or it is not ready yet */
  LEAN_P2P_INVALID = 4,           /* bad argument (NULL, bad peer id, unknown channel ...): see lean_p2p_last_error() */
  LEAN_P2P_NOT_CONNECTED = 5,     /* a request to a peer we have no connection to (fails fast, no timeout) */
  LEAN_P2P_TOO_LARGE = 6,         /* payload over LEAN_P2P_MAX_PAYLOAD */
  LEAN_P2P_TOO_MANY_REQUESTS = 7, /* the peer already has the per-peer maximum of our requests in flight (2) */
  LEAN_P2P_INTERNAL_ERROR = 8     /* a bug or out of memory inside the library (logged) */
} lean_p2p_outcome;
#define LEAN_P2P_OUTCOME_COUNT 9

/* The answer of lean_p2p_init, lean_p2p_create_and_run_network and lean_p2p_wait_for_network_ready. */
typedef enum lean_p2p_start_code {
  LEAN_P2P_START_OK = 0,
  LEAN_P2P_START_KEY = 1,             /* the identity key is not a secp256k1 private key (64 hex digits) */
  LEAN_P2P_START_ADDRESS = 2,         /* a listen or connect address does not parse or is unsupported */
  LEAN_P2P_START_BIND = 3,            /* a listener could not be bound (port in use, no permission ...) */
  LEAN_P2P_START_JVM = 4,             /* no JDK >= 21 found, libjvm not loadable, JVM creation failed, classes missing */
  LEAN_P2P_START_INVALID = 5,         /* NULL params, wrong abi_version, an option out of range */
  LEAN_P2P_START_ID_IN_USE = 6,       /* a network with this id exists (stop it first) */
  LEAN_P2P_START_TOO_MANY_NETWORKS = 7, /* LEAN_P2P_MAX_NETWORKS networks exist */
  LEAN_P2P_START_TIMEOUT = 8,         /* wait_for_network_ready: not ready within the timeout (still starting) */
  LEAN_P2P_START_CLOSED = 9,          /* wait_for_network_ready: the network was stopped while starting */
  LEAN_P2P_START_UNKNOWN_NETWORK = 10, /* wait_for_network_ready: no network with this id */
  LEAN_P2P_START_INTERNAL = 11        /* a bug inside the library (logged) */
} lean_p2p_start_code;

/* ------------------------------------------------------------------------------------------
 * Enumerations used by commands and callbacks (numbers are stable)
 * ------------------------------------------------------------------------------------------ */

/* Req/resp protocols: the seed's tags. */
typedef enum lean_p2p_protocol {
  LEAN_P2P_BLOCKS_BY_ROOT = 0,  /* /leanconsensus/req/blocks_by_root/1/ssz_snappy */
  LEAN_P2P_STATUS = 1,          /* /leanconsensus/req/status/1/ssz_snappy */
  LEAN_P2P_BLOCKS_BY_RANGE = 2  /* /leanconsensus/req/blocks_by_range/1/ssz_snappy */
} lean_p2p_protocol;

/* The host's verdict on a gossip message (the return value of on_gossip_msg). */
typedef enum lean_p2p_validation {
  LEAN_P2P_VALIDATION_ACCEPT = 0, /* valid: forward it to the mesh */
  LEAN_P2P_VALIDATION_REJECT = 1, /* invalid: drop it and penalise the peer that sent it */
  LEAN_P2P_VALIDATION_IGNORE = 2, /* drop it, no penalty */
  LEAN_P2P_VALIDATION_DEFER = 3   /* the host answers later with lean_p2p_report_validation (within 4 s, else IGNORE) */
} lean_p2p_validation;

typedef enum lean_p2p_direction {
  LEAN_P2P_INBOUND = 0,
  LEAN_P2P_OUTBOUND = 1
} lean_p2p_direction;

typedef enum lean_p2p_transport {
  LEAN_P2P_TCP = 0,  /* TCP + Noise XX + Yamux */
  LEAN_P2P_QUIC = 1  /* QUIC v1 + libp2p TLS */
} lean_p2p_transport;

/* Why a connection ended or a dial failed. 0..3 keep the seed's numbers. */
typedef enum lean_p2p_close_reason {
  LEAN_P2P_CLOSE_TIMEOUT = 0,           /* dial, handshake, negotiation or idle timeout */
  LEAN_P2P_CLOSE_REMOTE = 1,            /* the remote closed it cleanly */
  LEAN_P2P_CLOSE_LOCAL = 2,             /* we closed it (lean_p2p_disconnect, stop, peer limit, duplicate connection) */
  LEAN_P2P_CLOSE_IO_ERROR = 3,          /* an I/O error (reset, broken pipe ...) */
  LEAN_P2P_CLOSE_PEER_ID_MISMATCH = 4,  /* the remote proved another peer id than the one dialed */
  LEAN_P2P_CLOSE_HANDSHAKE_FAILED = 5,  /* the security handshake failed */
  LEAN_P2P_CLOSE_PROTOCOL_ERROR = 6,    /* the remote broke a protocol (bad frame, window violation ...) */
  LEAN_P2P_CLOSE_REFUSED = 7,           /* refused before it started (self dial, bad address, limit) */
  LEAN_P2P_CLOSE_CONNECTION_REFUSED = 8,/* nothing listens at the address (TCP RST) */
  LEAN_P2P_CLOSE_UNRESOLVABLE = 9,      /* the address's DNS name did not resolve */
  LEAN_P2P_CLOSE_OTHER = 10             /* a reason this version does not name; see the detail text */
} lean_p2p_close_reason;

/* Why one of our requests ended without a clean end of stream (on_rpc_error). */
typedef enum lean_p2p_rpc_failure {
  LEAN_P2P_RPC_WIRE_ERROR = 0,         /* the remote answered with an error chunk: see wire_code (1..255) and message */
  LEAN_P2P_RPC_TIMEOUT = 1,            /* the exchange took longer than the request timeout (10 s) */
  LEAN_P2P_RPC_PROTOCOL_VIOLATION = 2, /* undecodable chunk, too many chunks, truncated last chunk */
  LEAN_P2P_RPC_STREAM_RESET = 3,       /* the stream was reset before the end of the response */
  LEAN_P2P_RPC_DISCONNECTED = 4,       /* the connection to the peer went away */
  LEAN_P2P_RPC_NEGOTIATION_FAILED = 5, /* the peer does not speak the protocol */
  LEAN_P2P_RPC_CLOSED = 6,             /* the network was stopped (lean_p2p_stop_network) */
  LEAN_P2P_RPC_NOT_CONNECTED = 7,      /* no stream could be opened (the connection was gone) */
  LEAN_P2P_RPC_SHED = 8,               /* the library shed the response (host not draining its callbacks) */
  LEAN_P2P_RPC_OTHER = 9               /* a failure this version does not name; see the message */
} lean_p2p_rpc_failure;

/* An accepted command that a stopping network dropped before carrying it out
 * (on_command_abandoned). Commands with an outcome callback of their own are not here: a
 * request ends with on_rpc_error(LEAN_P2P_RPC_CLOSED), a dial with on_peer_connection_failed
 * (LEAN_P2P_CLOSE_LOCAL), a ping with on_ping(error). */
typedef enum lean_p2p_command {
  LEAN_P2P_CMD_PUBLISH = 0,           /* target: the topic */
  LEAN_P2P_CMD_SUBSCRIBE = 1,         /* target: the topic */
  LEAN_P2P_CMD_UNSUBSCRIBE = 2,       /* target: the topic */
  LEAN_P2P_CMD_DISCONNECT = 3,        /* target: the peer id */
  LEAN_P2P_CMD_RESPONSE_CHUNK = 4,    /* target: "", channel_id: the channel */
  LEAN_P2P_CMD_END_OF_STREAM = 5,     /* target: "", channel_id: the channel */
  LEAN_P2P_CMD_ERROR_RESPONSE = 6,    /* target: "", channel_id: the channel */
  LEAN_P2P_CMD_REPORT_VALIDATION = 7, /* target: the message id, 40 lower-case hex digits */
  LEAN_P2P_CMD_OTHER = 8              /* a command this version does not name: target is "<name> <target>" */
} lean_p2p_command;

/* Log levels (on_log). */
typedef enum lean_p2p_log_level {
  LEAN_P2P_LOG_DEBUG = 1,
  LEAN_P2P_LOG_INFO = 2,
  LEAN_P2P_LOG_WARN = 3,
  LEAN_P2P_LOG_ERROR = 4
} lean_p2p_log_level;

/* ------------------------------------------------------------------------------------------
 * Callbacks
 *
 * Every callback of a network runs on that network's delivery thread (a JVM thread named
 * "lean-p2p-<name>-events"), one at a time; `host` is lean_p2p_network_params.host. Pointers are
 * valid for the call only. Any callback may be NULL (the event is then dropped, except where
 * noted). Callbacks may call any command of this API, including on this network; a callback
 * that calls lean_p2p_stop_network on its own network gets no further callbacks after that call.
 *
 * Order: events of one class arrive in order (gossip; inbound requests; responses to our
 * requests; peer events); peer and response events are delivered before queued gossip.
 * ------------------------------------------------------------------------------------------ */
typedef struct lean_p2p_callbacks {
  /*
   * A gossip message on a subscribed topic (seed: handleMsgFromRustBridge). `ssz` is the
   * decompressed payload, `message_id` its 20-byte id, `from_peer_id` the peer it came from
   * (messages are anonymous, StrictNoSign). Returns the verdict; it is forwarded to the mesh only
   * after ACCEPT; a value that is no lean_p2p_validation counts as IGNORE. NULL callback = ACCEPT
   * every message (the seed's behaviour). Messages whose
   * payload is not valid snappy never reach the host (IGNOREd, counted as
   * leanp2p_native_gossip_undecodable_total). When the host falls behind, messages beyond
   * gossip_queue_capacity are IGNOREd without a callback (leanp2p_events_shed_total{class=gossip}).
   */
  int32_t (*on_gossip_msg)(void *host, const char *topic, const uint8_t *ssz, size_t ssz_len,
                           const uint8_t *message_id, const char *from_peer_id);

  /*
   * A request from a peer (seed: handleRPCRequestFromRustBridge). Answer on `channel_id` with
   * lean_p2p_send_rpc_response_chunk (0..n times) then lean_p2p_send_rpc_end_of_stream, or with
   * lean_p2p_send_rpc_error_response, now or later (the responder idle timeout is 10 s). NULL
   * callback = every request is answered RESOURCE_UNAVAILABLE. Beyond
   * inbound_request_queue_capacity waiting requests the library answers RESOURCE_UNAVAILABLE
   * itself (leanp2p_events_shed_total{class=inbound_request}).
   */
  void (*on_rpc_request)(void *host, uint64_t channel_id, const char *peer_id, uint32_t protocol,
                         const uint8_t *ssz, size_t ssz_len);

  /* One SUCCESS chunk of the response to our request (seed: handleRPCResponseFromRustBridge).
   * `request_ctx` is the pointer given to lean_p2p_send_rpc_request. */
  void (*on_rpc_response)(void *host, uint64_t request_id, void *request_ctx, const char *peer_id,
                          uint32_t protocol, const uint8_t *ssz, size_t ssz_len);

  /* Terminal: the peer ended the response cleanly (seed: handleRPCEndOfStreamFromRustBridge). */
  void (*on_rpc_end_of_stream)(void *host, uint64_t request_id, void *request_ctx,
                               const char *peer_id, uint32_t protocol);

  /* Terminal: the request failed (seed: handleRPCErrorFromRustBridge). `failure` is a
   * lean_p2p_rpc_failure; `wire_code` is the remote's code byte (1..255) for
   * LEAN_P2P_RPC_WIRE_ERROR, else -1; `message` is the remote's error text or a library detail.
   * Every ACCEPTED request gets exactly one terminal callback: end_of_stream or error. */
  void (*on_rpc_error)(void *host, uint64_t request_id, void *request_ctx, const char *peer_id,
                       uint32_t protocol, int32_t failure, int32_t wire_code, const char *message);

  /* A response channel ended before the host finished it (responder idle timeout, stream reset
   * by the requester, peer gone); later commands on it answer INVALID. */
  void (*on_rpc_channel_closed)(void *host, uint64_t channel_id, const char *peer_id,
                                const char *reason);

  /* The first connection to a peer is up (seed: handlePeerConnectedFromRustBridge).
   * Paired per peer: one connected when it goes from 0 to 1 connection, one disconnected when
   * it goes back to 0. `address` is the remote multiaddr. */
  void (*on_peer_connected)(void *host, const char *peer_id, const char *address,
                            int32_t direction, int32_t transport);

  /* The last connection to a peer is gone (seed: handlePeerDisconnectedFromRustBridge).
   * `reason` is a lean_p2p_close_reason, `detail` human-readable. */
  void (*on_peer_disconnected)(void *host, const char *peer_id, const char *address,
                               int32_t direction, int32_t reason, const char *detail);

  /* A dial failed (seed: handlePeerConnectionFailedFromRustBridge). `peer_id` is NULL when the
   * address carried no /p2p/. For connect addresses and persistent dials `will_retry` says
   * whether the reconnect policy (5, 10, 20, 40, 80 s) scheduled another attempt. */
  void (*on_peer_connection_failed)(void *host, const char *peer_id, const char *address,
                                    int32_t reason, uint32_t attempt, int32_t will_retry,
                                    const char *detail);

  /* The reconnect policy gave up on a connect address / persistent peer after `attempts` dials. */
  void (*on_dial_gave_up)(void *host, const char *peer_id, const char *address, uint32_t attempts);

  /* A connected peer subscribed (1) to or unsubscribed (0) from a topic. */
  void (*on_peer_subscription)(void *host, const char *peer_id, const char *topic,
                               int32_t subscribed);

  /* A peer joined (grafted = 1) or left (0) our gossipsub mesh of a topic. */
  void (*on_mesh_change)(void *host, const char *peer_id, const char *topic, int32_t grafted);

  /* Only with LEAN_P2P_FLAG_PUBLISH_EVENTS: a publish was carried out, with its message id and
   * the number of peers it was sent to (0: no peers yet, served later by gossip), or it was a
   * duplicate of a message seen before (nothing sent). One per carried-out publish, in the
   * order the publishes were accepted. */
  void (*on_publish_completed)(void *host, const char *topic, const uint8_t *message_id,
                               uint32_t recipients, int32_t duplicate);

  /* The answer to lean_p2p_ping: the round-trip time, or error text (then rtt_nanos = -1). */
  void (*on_ping)(void *host, const char *peer_id, int64_t rtt_nanos, const char *error);

  /*
   * An ACCEPTED command that lean_p2p_stop_network dropped before the network carried it out
   * (it was still queued when the stop began). `command` is a lean_p2p_command, `target` and
   * `channel_id` say what it was about (see lean_p2p_command), `reason` is the library's text
   * ("network closed"). Delivered before lean_p2p_stop_network returns, like every terminal
   * callback. With it, every ACCEPTED command ends observably: carried out (with its own callback
   * where it has one: on_publish_completed with LEAN_P2P_FLAG_PUBLISH_EVENTS, on_rpc_*, on_ping,
   * on_peer_connected / on_peer_connection_failed) or abandoned here. NULL callback = each one is
   * logged at WARN instead (on_log, or stderr) — never dropped silently.
   */
  void (*on_command_abandoned)(void *host, int32_t command, const char *target, uint64_t channel_id,
                               const char *reason);
} lean_p2p_callbacks;

/* ------------------------------------------------------------------------------------------
 * Process-wide runtime (optional)
 * ------------------------------------------------------------------------------------------ */

typedef struct lean_p2p_runtime_config {
  uint32_t abi_version; /* LEAN_P2P_ABI_VERSION */
  /* A JDK/JRE >= 21 to run. NULL: $LEAN_P2P_JAVA_HOME, else $JAVA_HOME if it is >= 21, else the
   * newest >= 21 under /usr/lib/jvm, /opt/java, /opt/jdk* (or $LEANP2P_JDK_DIRS). */
  const char *java_home;
  /* The JVM class path. NULL: $LEAN_P2P_CLASSPATH, else lean-p2p-native-all.jar in the
   * directory liblean_p2p.so was loaded from. */
  const char *class_path;
  /* Extra JVM options (e.g. "-Xmx512m"), after ours and after $LEAN_P2P_JVM_OPTS (space
   * separated). */
  const char *const *jvm_options;
  size_t jvm_option_count;
  /* Log lines of every network (the line names the network). Runs on one library thread
   * ("lean-p2p-native-log"), never on a network thread; `msg` is UTF-8, not NUL-terminated,
   * valid for the call. NULL: lines of level WARN and above go to stderr. */
  void (*on_log)(void *log_host, int32_t level, const char *msg, size_t len);
  void *log_host;
  /* The lowest level delivered; 0 = LEAN_P2P_LOG_INFO. */
  int32_t log_level;
} lean_p2p_runtime_config;

/*
 * Starts the JVM (at most once per process). Optional: the first lean_p2p_create_and_run_network
 * calls it with the defaults. Returns START_OK, START_INVALID (bad abi_version) or START_JVM
 * (see lean_p2p_last_error()). Once the JVM is up, or its creation was tried and failed, later
 * calls change nothing and return that result again; a failure before that (no JDK >= 21, no jar)
 * is looked for again by the next call. The JVM lives until the process exits (a JVM cannot be
 * restarted in one process); it is created with -Xrs, so SIGINT / SIGTERM / SIGHUP / SIGQUIT stay
 * the host's. Thread-safe.
 */
LEAN_P2P_API int32_t lean_p2p_init(const lean_p2p_runtime_config *config);

/* ------------------------------------------------------------------------------------------
 * Network lifecycle
 * ------------------------------------------------------------------------------------------ */

#define LEAN_P2P_FLAG_PUBLISH_EVENTS 1u /* deliver on_publish_completed */
#define LEAN_P2P_FLAG_NO_RECONNECT 2u   /* connect addresses are dialed once, not kept connected */

typedef struct lean_p2p_network_params {
  uint32_t network_id;  /* host-picked; any value not in use */
  uint32_t abi_version; /* LEAN_P2P_ABI_VERSION */
  void *host;           /* opaque; the first argument of every callback of this network */
  /* secp256k1 private key, 64 hex digits (an optional 0x prefix); NULL or "" = a fresh key. */
  const char *key_hex;
  /* Comma-separated multiaddrs to listen on, e.g.
   * "/ip4/0.0.0.0/udp/9000/quic-v1,/ip4/0.0.0.0/tcp/9000"; port 0 picks a free port. Required. */
  const char *listen_addresses;
  /* Comma-separated multiaddrs (ending in /p2p/<peer id>) or ENRs to dial at start and keep
   * connected (reconnect policy: 5, 10, 20, 40, 80 s, 5 retries, also after a failed first
   * dial). NULL or "" = none. */
  const char *connect_addresses;
  const lean_p2p_callbacks *callbacks; /* copied; NULL = no callbacks */
  const char *name; /* in log lines and thread names; NULL = "net<network_id>" */
  /* Limits; 0 = the default. */
  uint32_t gossip_queue_capacity;          /* gossip messages waiting for on_gossip_msg (1024) */
  uint32_t inbound_request_queue_capacity; /* requests waiting for on_rpc_request (1024) */
  uint32_t command_queue_capacity;         /* per lane (control: response chunks/ends/errors/validations; bulk: the rest) (8192) */
  uint32_t max_peers;                      /* (64) */
  uint32_t flags;                          /* LEAN_P2P_FLAG_* */
} lean_p2p_network_params;

/*
 * Creates and starts network `params->network_id` and returns at once (unlike the seed it does
 * not block for the network's life: the network runs on its own threads until
 * lean_p2p_stop_network). Everything in `params` is copied. Returns START_OK, or a typed failure
 * known at once: START_INVALID, START_JVM, START_KEY, START_ADDRESS, START_ID_IN_USE,
 * START_TOO_MANY_NETWORKS (then nothing exists: the id is free). Binding the listeners happens
 * asynchronously: lean_p2p_wait_for_network_ready reports START_BIND. Callbacks (e.g. an inbound
 * connection) may start before wait_for_network_ready returns. lean_p2p_last_error() describes a
 * failure.
 */
LEAN_P2P_API int32_t lean_p2p_create_and_run_network(const lean_p2p_network_params *params);

/*
 * Waits up to `timeout_ms` until the network's listeners are bound. Returns START_OK, START_BIND /
 * START_ADDRESS / START_KEY / START_INTERNAL (the network failed and closed itself: call
 * lean_p2p_stop_network to free the id; until then its commands answer NOT_STARTED),
 * START_TIMEOUT (still starting; wait again or stop),
 * START_CLOSED (stopped meanwhile) or START_UNKNOWN_NETWORK. Any thread; several may wait.
 */
LEAN_P2P_API int32_t lean_p2p_wait_for_network_ready(uint32_t network_id, uint32_t timeout_ms);

/*
 * Stops the network and frees its id. Idempotent and thread-safe. In order: new commands answer
 * CLOSED; queued commands end (queued requests with on_rpc_error CLOSED, dials with
 * on_peer_connection_failed, pings with on_ping, the others with on_command_abandoned); every in-flight request
 * of ours gets its one terminal callback; connections, listeners, timers and the network's
 * threads are released; then it returns. After it returns no callback of this network runs (it
 * waits for a running callback to return) and the id may be reused. Returns ACCEPTED (stopped by
 * this call) or CLOSED (no such network, or already stopped; a caller racing another stop of the
 * same network gets CLOSED only once that stop is complete). Called from a callback of the same
 * network it does not wait for that callback; the network's callbacks not yet delivered are then
 * not run (counted in "leanp2p_native_callbacks_dropped_total"; an abandoned command is logged at
 * WARN instead). Never call it while holding a lock this network's callbacks take (deadlock).
 */
LEAN_P2P_API int32_t lean_p2p_stop_network(uint32_t network_id);

/* ------------------------------------------------------------------------------------------
 * Gossip commands
 * ------------------------------------------------------------------------------------------ */

/* Publishes `ssz` (SSZ bytes; the library snappy-compresses them) on `topic`
 * (seed: publish_msg_to_rust_bridge, which returned a bool and took compressed data). Publishing
 * on a topic without peers is accepted. Outcomes: ACCEPTED, QUEUE_FULL, CLOSED, NOT_STARTED,
 * INVALID (NULL / empty topic), TOO_LARGE. */
LEAN_P2P_API int32_t lean_p2p_publish(uint32_t network_id, const char *topic, const uint8_t *ssz,
                                      size_t ssz_len);

/* Subscribes to a topic (the full string, e.g. "/leanconsensus/12345678/block/ssz_snappy").
 * Subscribing twice is harmless. */
LEAN_P2P_API int32_t lean_p2p_subscribe_gossip_topic(uint32_t network_id, const char *topic);

/* Unsubscribes from a topic (the seed had no unsubscribe). */
LEAN_P2P_API int32_t lean_p2p_unsubscribe_gossip_topic(uint32_t network_id, const char *topic);

/* The verdict on a message the host DEFERred in on_gossip_msg. `message_id` is 20 bytes. */
LEAN_P2P_API int32_t lean_p2p_report_validation(uint32_t network_id, const uint8_t *message_id,
                                                int32_t verdict);

/* ------------------------------------------------------------------------------------------
 * Req/resp commands
 * ------------------------------------------------------------------------------------------ */

/*
 * Sends a request (`ssz` = the SSZ request body) to a connected peer (base58 peer id). On
 * ACCEPTED, *request_id_out (if not NULL) gets the request id: per network, starting at 1, never
 * reused; otherwise it gets 0. `request_ctx` is handed back to every callback of this request,
 * registered before the request is enqueued, so a response can never overtake the host's
 * bookkeeping (the seed's lost-fast-response race). Exactly one terminal callback
 * (on_rpc_end_of_stream or on_rpc_error) follows an ACCEPTED request, after zero or more
 * on_rpc_response. Outcomes: ACCEPTED, NOT_CONNECTED (fails fast), TOO_MANY_REQUESTS,
 * QUEUE_FULL, CLOSED, NOT_STARTED, INVALID (bad peer id or protocol), TOO_LARGE.
 */
LEAN_P2P_API int32_t lean_p2p_send_rpc_request(uint32_t network_id, const char *peer_id,
                                               uint32_t protocol, const uint8_t *ssz,
                                               size_t ssz_len, void *request_ctx,
                                               uint64_t *request_id_out);

/* Sends one SUCCESS chunk (`ssz`) on an inbound request's channel. At most 1024 chunks per
 * channel may wait for the stream; beyond that the answer is QUEUE_FULL (retry when it drained).
 * INVALID: unknown or finished channel. */
LEAN_P2P_API int32_t lean_p2p_send_rpc_response_chunk(uint32_t network_id, uint64_t channel_id,
                                                      const uint8_t *ssz, size_t ssz_len);

/* Ends the response on a channel (after its chunks, in order). */
LEAN_P2P_API int32_t lean_p2p_send_rpc_end_of_stream(uint32_t network_id, uint64_t channel_id);

/* Answers with an error chunk and ends the channel. `code`: 1 INVALID_REQUEST, 2 SERVER_ERROR,
 * 3 RESOURCE_UNAVAILABLE; `message` (UTF-8, may be NULL) is cut to 256 bytes. The library frames
 * it (the seed made the host build the frame). */
LEAN_P2P_API int32_t lean_p2p_send_rpc_error_response(uint32_t network_id, uint64_t channel_id,
                                                      uint32_t code, const char *message);

/* ------------------------------------------------------------------------------------------
 * Peer commands
 * ------------------------------------------------------------------------------------------ */

/* Dials a multiaddr (/ip4/../tcp/../p2p/.. or /ip4/../udp/../quic-v1/p2p/..) or an ENR. The result
 * is on_peer_connected or on_peer_connection_failed. `persistent` != 0: keep it connected like a
 * connect address. */
LEAN_P2P_API int32_t lean_p2p_dial(uint32_t network_id, const char *address, int32_t persistent);

/* Closes every connection to a peer and stops reconnecting to it. */
LEAN_P2P_API int32_t lean_p2p_disconnect(uint32_t network_id, const char *peer_id);

/* Pings a connected peer; the answer is on_ping. */
LEAN_P2P_API int32_t lean_p2p_ping(uint32_t network_id, const char *peer_id);

/* ------------------------------------------------------------------------------------------
 * Reads (any thread; they read the snapshot the network publishes at least every second and
 * after every peer or subscription change; they are not commands: not counted in
 * lean_p2p_get_command_outcome_total, and they leave lean_p2p_last_error alone)
 * ------------------------------------------------------------------------------------------ */

/* Writes our peer id (base58, NUL-terminated) into buf if it fits. Returns its length without
 * the NUL (write again with a larger buffer if >= cap), or 0 for an unknown network. */
LEAN_P2P_API size_t lean_p2p_get_peer_id(uint32_t network_id, char *buf, size_t cap);

/* Writes the bound listen addresses, comma-separated, each ending in /p2p/<our id>, like
 * lean_p2p_get_peer_id. Empty before the network is ready. */
LEAN_P2P_API size_t lean_p2p_get_listen_addresses(uint32_t network_id, char *buf, size_t cap);

/* Peers in our mesh of `topic`, or summed over every topic when topic is NULL
 * (seed: get_mesh_peers_total). 0 for an unknown network. */
LEAN_P2P_API uint64_t lean_p2p_get_mesh_peers_total(uint32_t network_id, const char *topic);

/* Connected peers. 0 for an unknown network. */
LEAN_P2P_API uint64_t lean_p2p_get_connected_peers_total(uint32_t network_id);

/*
 * Any metric of the network by its Prometheus name and labels ("k=v,k2=v2"; NULL = summed over
 * every label value), e.g. ("leanp2p_events_shed_total", "class=gossip"),
 * ("leanp2p_command_refusals_total", "reason=queue_full"), "leanp2p_listener_failures_total",
 * "leanp2p_native_gossip_undecodable_total", and the process-wide "leanp2p_native_global_refs" (JNI
 * global references the library holds: 3 for the runtime + 1 per existing network),
 * "leanp2p_native_attached_host_threads", ("leanp2p_native_threads", "prefix=<thread name prefix>"),
 * "leanp2p_native_callbacks_dropped_total" (callbacks not run because a stop did not wait for them:
 * one called from the network's own callback).
 * The list is in docs/architecture.md and docs/native.md. Returns ACCEPTED and writes *value_out (0 when absent), or NOT_STARTED / CLOSED /
 * INVALID.
 */
LEAN_P2P_API int32_t lean_p2p_get_metric(uint32_t network_id, const char *name, const char *labels,
                                         double *value_out);

/* Process-wide: how many calls of this library answered `outcome` (seed:
 * get_swarm_command_dropped_total). Counts every outcome the host was given, ACCEPTED included,
 * across every network, including calls for unknown network ids. */
LEAN_P2P_API uint64_t lean_p2p_get_command_outcome_total(int32_t outcome);

/* A description of the last non-OK start code or non-ACCEPTED outcome returned to the calling
 * thread ("" if none). Valid until this thread's next call of the library. */
LEAN_P2P_API const char *lean_p2p_last_error(void);

/* The multistream id of a lean_p2p_protocol tag ("/leanconsensus/req/status/1/ssz_snappy" ...), or
 * NULL for an unknown tag. The seed passed these strings to its callbacks; we pass the tag. */
LEAN_P2P_API const char *lean_p2p_protocol_id(uint32_t protocol);

/* Stable names: "ACCEPTED", "QUEUE_FULL", ... / "OK", "KEY", "BIND", ... ("?" if unknown). */
LEAN_P2P_API const char *lean_p2p_outcome_name(int32_t outcome);
LEAN_P2P_API const char *lean_p2p_start_code_name(int32_t code);

#ifdef __cplusplus
}
#endif

#endif /* LEAN_P2P_H */
