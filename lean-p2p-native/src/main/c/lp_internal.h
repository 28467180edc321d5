/* Internal declarations of liblean_p2p.so (not installed). */
#ifndef LP_INTERNAL_H
#define LP_INTERNAL_H

#include <jni.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "lean_p2p.h"

/* ---------------------------------------------------------------- the JVM (jvm.c) */

typedef struct lp_runtime {
  JavaVM *vm;
  jclass network_class;   /* io.leanp2p.cabi.NativeNetwork (global ref) */
  jclass callbacks_class; /* io.leanp2p.cabi.NativeCallbacks (global ref) */
  jclass runtime_class;   /* io.leanp2p.cabi.NativeRuntime (global ref) */
  jmethodID thread_attached;
  jmethodID start, start_code, start_message, await_ready, close, take_reason;
  jmethodID publish, subscribe, unsubscribe, report_validation, send_request, send_chunk,
      end_response, send_error, dial, disconnect, ping;
  jmethodID peer_id, listen_addresses, mesh_peers, connected_peers, metric;
  void (*on_log)(void *log_host, int32_t level, const char *msg, size_t len);
  void *log_host;
} lp_runtime;

extern lp_runtime LP;

/* Set once the JVM is up and the adapter is bound (commands check it before anything else). */
extern _Atomic int lp_jvm_ready;

/* Starts the JVM once; 0 or a start code (message in the calling thread's last error). */
int32_t lp_ensure_jvm(const lean_p2p_runtime_config *config);

/* The calling thread's JNIEnv, attaching it (as a daemon, detached at thread exit) if needed. */
JNIEnv *lp_env(void);

/* Every JNI global reference the library holds goes through these two, so that it is counted
   (lean_p2p_get_metric "leanp2p_native_global_refs": 3 for the runtime + 1 per existing network). */
jobject lp_new_global_ref(JNIEnv *env, jobject o);
void lp_delete_global_ref(JNIEnv *env, jobject o);
int64_t lp_global_refs(void);

/* Registers the natives of io.leanp2p.cabi.NativeCallbacks (callbacks.c). */
int lp_register_natives(JNIEnv *env, jclass callbacks_class);

/* ---------------------------------------------------------------- networks (network.c) */

enum { LP_FREE = 0, LP_STARTING = 1, LP_RUNNING = 2, LP_STOPPING = 3 };

typedef struct lp_slot {
  _Atomic uint32_t state;
  _Atomic uint32_t id;
  _Atomic uint32_t gen;        /* bumped when the slot is freed: stale handles stop matching */
  _Atomic int64_t refs;        /* host commands inside the slot */
  _Atomic int32_t in_callback; /* callbacks inside the slot */
  _Atomic int32_t gate_closed; /* set by stop: no further callbacks */
  jobject net;                 /* NativeNetwork (global ref) while RUNNING / STOPPING */
  lean_p2p_callbacks cb;       /* written before the network starts, then read-only */
  void *host;
} lp_slot;

extern lp_slot LP_SLOTS[LEAN_P2P_MAX_NETWORKS];

/* Wakes threads waiting for a slot to drain (stop) or change state. */
void lp_slots_notify(void);

/* The calling thread's error text (lean_p2p_last_error). */
void lp_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---------------------------------------------------------------- callbacks (callbacks.c) */

/* The slot index and generation whose callback runs on this thread (-1 if none). */
extern __thread int lp_tls_callback_slot;
extern __thread uint32_t lp_tls_callback_gen;

/* Callbacks not run because their network was being stopped (process-wide; get_metric
   "leanp2p_native_callbacks_dropped_total"). */
uint64_t lp_callbacks_dropped(void);

/* Bit per callback, as io.leanp2p.cabi.NativeNetwork.CB_*. */
int32_t lp_callback_mask(const lean_p2p_callbacks *cb);

#endif
