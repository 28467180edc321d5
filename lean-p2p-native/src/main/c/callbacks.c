/*
 * The natives of io.leanp2p.cabi.NativeCallbacks: each one runs on a network's delivery thread,
 * copies the Java arguments into C buffers that live for the call, and calls the host's function
 * pointer, unless the network is being stopped (the gate) or the handle is stale (generation).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_internal.h"

__thread int lp_tls_callback_slot = -1;
__thread uint32_t lp_tls_callback_gen;

int32_t lp_callback_mask(const lean_p2p_callbacks *cb) {
  int32_t m = 0;
  m |= cb->on_gossip_msg ? 1 << 0 : 0;
  m |= cb->on_rpc_request ? 1 << 1 : 0;
  m |= cb->on_rpc_response ? 1 << 2 : 0;
  m |= cb->on_rpc_end_of_stream ? 1 << 3 : 0;
  m |= cb->on_rpc_error ? 1 << 4 : 0;
  m |= cb->on_rpc_channel_closed ? 1 << 5 : 0;
  m |= cb->on_peer_connected ? 1 << 6 : 0;
  m |= cb->on_peer_disconnected ? 1 << 7 : 0;
  m |= cb->on_peer_connection_failed ? 1 << 8 : 0;
  m |= cb->on_dial_gave_up ? 1 << 9 : 0;
  m |= cb->on_peer_subscription ? 1 << 10 : 0;
  m |= cb->on_mesh_change ? 1 << 11 : 0;
  m |= cb->on_publish_completed ? 1 << 12 : 0;
  m |= cb->on_ping ? 1 << 13 : 0;
  m |= cb->on_command_abandoned ? 1 << 14 : 0;
  return m;
}

/* ---------------------------------------------------------------- the gate */

static _Atomic uint64_t callbacks_dropped;

uint64_t lp_callbacks_dropped(void) {
  return atomic_load(&callbacks_dropped);
}

typedef struct scope {
  lp_slot *s;
  int prev_slot;
  uint32_t prev_gen;
} scope;

/* Enters a callback of the network `handle`; 0 if it must not run (stopping, or a stale handle). */
static int enter(jlong handle, scope *sc) {
  uint32_t index = (uint32_t)((uint64_t)handle & 0xffffffffu);
  uint32_t gen = (uint32_t)((uint64_t)handle >> 32);
  if (index >= LEAN_P2P_MAX_NETWORKS) {
    return 0;
  }
  lp_slot *s = &LP_SLOTS[index];
  atomic_fetch_add(&s->in_callback, 1);
  /* stop closes the gate before it waits for in_callback to drain: seeing it open after our
     increment means stop waits for us */
  if (atomic_load(&s->gate_closed) || atomic_load(&s->gen) != gen) {
    /* only after a stop that did not wait for them: from inside the network's own callback, or
       past the 5 s a blocked callback may hold the stop (docs/native.md) */
    atomic_fetch_add(&callbacks_dropped, 1);
    if (atomic_fetch_sub(&s->in_callback, 1) == 1) {
      lp_slots_notify();
    }
    return 0;
  }
  sc->s = s;
  sc->prev_slot = lp_tls_callback_slot;
  sc->prev_gen = lp_tls_callback_gen;
  lp_tls_callback_slot = (int)index;
  lp_tls_callback_gen = gen;
  return 1;
}

static void leave(scope *sc) {
  lp_tls_callback_slot = sc->prev_slot;
  lp_tls_callback_gen = sc->prev_gen;
  if (atomic_fetch_sub(&sc->s->in_callback, 1) == 1 && atomic_load(&sc->s->gate_closed)) {
    lp_slots_notify();
  }
}

/* ---------------------------------------------------------------- argument copies */

typedef struct cstr {
  char *heap;
  char stack[256];
} cstr;

/* A NUL-terminated (modified) UTF-8 copy of a Java string; NULL for null. */
static const char *str(JNIEnv *env, jstring s, cstr *b) {
  b->heap = NULL;
  if (s == NULL) {
    return NULL;
  }
  jsize n = (*env)->GetStringUTFLength(env, s);
  char *d = b->stack;
  if ((size_t)n >= sizeof b->stack) {
    d = b->heap = malloc((size_t)n + 1);
    if (d == NULL) {
      return "";
    }
  }
  (*env)->GetStringUTFRegion(env, s, 0, (*env)->GetStringLength(env, s), d);
  d[n] = '\0';
  return d;
}

typedef struct cbytes {
  uint8_t *heap;
  size_t len;
  uint8_t stack[2048];
} cbytes;

/* A copy of a Java byte array; `nul` adds a terminating NUL (for UTF-8 text). NULL for null. */
static const uint8_t *bytes(JNIEnv *env, jbyteArray a, cbytes *b, int nul) {
  b->heap = NULL;
  b->len = 0;
  if (a == NULL) {
    return NULL;
  }
  jsize n = (*env)->GetArrayLength(env, a);
  uint8_t *d = b->stack;
  if ((size_t)n + 1 > sizeof b->stack) {
    d = b->heap = malloc((size_t)n + 1);
    if (d == NULL) {
      return NULL;
    }
  }
  (*env)->GetByteArrayRegion(env, a, 0, n, (jbyte *)d);
  if (nul) {
    d[n] = 0;
  }
  b->len = (size_t)n;
  return d;
}

/* ---------------------------------------------------------------- the natives */

static jint JNICALL n_gossip(JNIEnv *env, jclass cls, jlong h, jstring topic, jbyteArray ssz, jbyteArray msg_id,
                             jstring from) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return LEAN_P2P_VALIDATION_IGNORE;
  }
  jint verdict = LEAN_P2P_VALIDATION_ACCEPT;
  if (sc.s->cb.on_gossip_msg != NULL) {
    cstr t, f;
    cbytes d, m;
    const uint8_t *data = bytes(env, ssz, &d, 0);
    const uint8_t *id = bytes(env, msg_id, &m, 0);
    verdict = sc.s->cb.on_gossip_msg(sc.s->host, str(env, topic, &t), data != NULL ? data : (const uint8_t *)"",
                                     d.len, id, str(env, from, &f));
    free(t.heap);
    free(f.heap);
    free(d.heap);
    free(m.heap);
  }
  leave(&sc);
  return verdict;
}

static void JNICALL n_inbound_request(JNIEnv *env, jclass cls, jlong h, jlong channel, jstring peer, jint protocol,
                                      jbyteArray ssz) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_rpc_request != NULL) {
    cstr p;
    cbytes d;
    const uint8_t *data = bytes(env, ssz, &d, 0);
    sc.s->cb.on_rpc_request(sc.s->host, (uint64_t)channel, str(env, peer, &p), (uint32_t)protocol,
                            data != NULL ? data : (const uint8_t *)"", d.len);
    free(p.heap);
    free(d.heap);
  }
  leave(&sc);
}

static void JNICALL n_response_chunk(JNIEnv *env, jclass cls, jlong h, jlong request_id, jlong ctx, jstring peer,
                                     jint protocol, jbyteArray ssz) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_rpc_response != NULL) {
    cstr p;
    cbytes d;
    const uint8_t *data = bytes(env, ssz, &d, 0);
    sc.s->cb.on_rpc_response(sc.s->host, (uint64_t)request_id, (void *)(intptr_t)ctx, str(env, peer, &p),
                             (uint32_t)protocol, data != NULL ? data : (const uint8_t *)"", d.len);
    free(p.heap);
    free(d.heap);
  }
  leave(&sc);
}

static void JNICALL n_end_of_stream(JNIEnv *env, jclass cls, jlong h, jlong request_id, jlong ctx, jstring peer,
                                    jint protocol) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_rpc_end_of_stream != NULL) {
    cstr p;
    sc.s->cb.on_rpc_end_of_stream(sc.s->host, (uint64_t)request_id, (void *)(intptr_t)ctx, str(env, peer, &p),
                                  (uint32_t)protocol);
    free(p.heap);
  }
  leave(&sc);
}

static void JNICALL n_request_failed(JNIEnv *env, jclass cls, jlong h, jlong request_id, jlong ctx, jstring peer,
                                     jint protocol, jint failure, jint wire_code, jbyteArray message) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_rpc_error != NULL) {
    cstr p;
    cbytes m;
    const uint8_t *text = bytes(env, message, &m, 1);
    sc.s->cb.on_rpc_error(sc.s->host, (uint64_t)request_id, (void *)(intptr_t)ctx, str(env, peer, &p),
                          (uint32_t)protocol, failure, wire_code, text != NULL ? (const char *)text : "");
    free(p.heap);
    free(m.heap);
  }
  leave(&sc);
}

static void JNICALL n_channel_closed(JNIEnv *env, jclass cls, jlong h, jlong channel, jstring peer,
                                     jbyteArray reason) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_rpc_channel_closed != NULL) {
    cstr p;
    cbytes r;
    const uint8_t *text = bytes(env, reason, &r, 1);
    sc.s->cb.on_rpc_channel_closed(sc.s->host, (uint64_t)channel, str(env, peer, &p),
                                   text != NULL ? (const char *)text : "");
    free(p.heap);
    free(r.heap);
  }
  leave(&sc);
}

static void JNICALL n_peer_connected(JNIEnv *env, jclass cls, jlong h, jstring peer, jstring address,
                                     jint direction, jint transport) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_peer_connected != NULL) {
    cstr p, a;
    sc.s->cb.on_peer_connected(sc.s->host, str(env, peer, &p), str(env, address, &a), direction, transport);
    free(p.heap);
    free(a.heap);
  }
  leave(&sc);
}

static void JNICALL n_peer_disconnected(JNIEnv *env, jclass cls, jlong h, jstring peer, jstring address,
                                        jint direction, jint reason, jbyteArray detail) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_peer_disconnected != NULL) {
    cstr p, a;
    cbytes d;
    const uint8_t *text = bytes(env, detail, &d, 1);
    sc.s->cb.on_peer_disconnected(sc.s->host, str(env, peer, &p), str(env, address, &a), direction, reason,
                                  text != NULL ? (const char *)text : "");
    free(p.heap);
    free(a.heap);
    free(d.heap);
  }
  leave(&sc);
}

static void JNICALL n_connection_failed(JNIEnv *env, jclass cls, jlong h, jstring peer, jstring address,
                                        jint reason, jint attempt, jboolean will_retry, jbyteArray detail) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_peer_connection_failed != NULL) {
    cstr p, a;
    cbytes d;
    const uint8_t *text = bytes(env, detail, &d, 1);
    sc.s->cb.on_peer_connection_failed(sc.s->host, str(env, peer, &p), str(env, address, &a), reason,
                                       (uint32_t)attempt, will_retry ? 1 : 0,
                                       text != NULL ? (const char *)text : "");
    free(p.heap);
    free(a.heap);
    free(d.heap);
  }
  leave(&sc);
}

static void JNICALL n_dial_gave_up(JNIEnv *env, jclass cls, jlong h, jstring peer, jstring address,
                                   jint attempts) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_dial_gave_up != NULL) {
    cstr p, a;
    sc.s->cb.on_dial_gave_up(sc.s->host, str(env, peer, &p), str(env, address, &a), (uint32_t)attempts);
    free(p.heap);
    free(a.heap);
  }
  leave(&sc);
}

static void JNICALL n_peer_subscription(JNIEnv *env, jclass cls, jlong h, jstring peer, jstring topic,
                                        jboolean subscribed) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_peer_subscription != NULL) {
    cstr p, t;
    sc.s->cb.on_peer_subscription(sc.s->host, str(env, peer, &p), str(env, topic, &t), subscribed ? 1 : 0);
    free(p.heap);
    free(t.heap);
  }
  leave(&sc);
}

static void JNICALL n_mesh_change(JNIEnv *env, jclass cls, jlong h, jstring peer, jstring topic,
                                  jboolean grafted) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_mesh_change != NULL) {
    cstr p, t;
    sc.s->cb.on_mesh_change(sc.s->host, str(env, peer, &p), str(env, topic, &t), grafted ? 1 : 0);
    free(p.heap);
    free(t.heap);
  }
  leave(&sc);
}

static void JNICALL n_publish_completed(JNIEnv *env, jclass cls, jlong h, jstring topic, jbyteArray msg_id,
                                        jint recipients, jboolean duplicate) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_publish_completed != NULL) {
    cstr t;
    cbytes m;
    const uint8_t *id = bytes(env, msg_id, &m, 0);
    sc.s->cb.on_publish_completed(sc.s->host, str(env, topic, &t), id, (uint32_t)recipients, duplicate ? 1 : 0);
    free(t.heap);
    free(m.heap);
  }
  leave(&sc);
}

static void JNICALL n_ping(JNIEnv *env, jclass cls, jlong h, jstring peer, jlong rtt, jbyteArray error) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return;
  }
  if (sc.s->cb.on_ping != NULL) {
    cstr p;
    cbytes e;
    const uint8_t *text = bytes(env, error, &e, 1);
    sc.s->cb.on_ping(sc.s->host, str(env, peer, &p), (int64_t)rtt, (const char *)text);
    free(p.heap);
    free(e.heap);
  }
  leave(&sc);
}

static jboolean JNICALL n_command_abandoned(JNIEnv *env, jclass cls, jlong h, jint command, jstring target,
                                            jlong channel, jbyteArray reason) {
  (void)cls;
  scope sc;
  if (!enter(h, &sc)) {
    return JNI_FALSE; /* the adapter logs it instead */
  }
  if (sc.s->cb.on_command_abandoned != NULL) {
    cstr t;
    cbytes r;
    const char *tt = str(env, target, &t);
    const uint8_t *text = bytes(env, reason, &r, 1);
    sc.s->cb.on_command_abandoned(sc.s->host, command, tt != NULL ? tt : "", (uint64_t)channel,
                                  text != NULL ? (const char *)text : "");
    free(t.heap);
    free(r.heap);
  }
  leave(&sc);
  return JNI_TRUE;
}

static void JNICALL n_log(JNIEnv *env, jclass cls, jint level, jbyteArray utf8) {
  (void)cls;
  cbytes b;
  const uint8_t *text = bytes(env, utf8, &b, 1);
  if (text == NULL) {
    return;
  }
  if (LP.on_log != NULL) {
    LP.on_log(LP.log_host, level, (const char *)text, b.len);
  } else {
    static const char *const names[] = {"?", "DEBUG", "INFO", "WARN", "ERROR"};
    fprintf(stderr, "lean-p2p %s %s\n", names[level >= 1 && level <= 4 ? level : 0], (const char *)text);
  }
  free(b.heap);
}

#define NATIVE(name, sig, fn) {(char *)(name), (char *)(sig), (void *)(fn)}

int lp_register_natives(JNIEnv *env, jclass callbacks_class) {
  static const JNINativeMethod methods[] = {
      NATIVE("gossip", "(JLjava/lang/String;[B[BLjava/lang/String;)I", n_gossip),
      NATIVE("inboundRequest", "(JJLjava/lang/String;I[B)V", n_inbound_request),
      NATIVE("responseChunk", "(JJJLjava/lang/String;I[B)V", n_response_chunk),
      NATIVE("endOfStream", "(JJJLjava/lang/String;I)V", n_end_of_stream),
      NATIVE("requestFailed", "(JJJLjava/lang/String;III[B)V", n_request_failed),
      NATIVE("channelClosed", "(JJLjava/lang/String;[B)V", n_channel_closed),
      NATIVE("peerConnected", "(JLjava/lang/String;Ljava/lang/String;II)V", n_peer_connected),
      NATIVE("peerDisconnected", "(JLjava/lang/String;Ljava/lang/String;II[B)V", n_peer_disconnected),
      NATIVE("connectionFailed", "(JLjava/lang/String;Ljava/lang/String;IIZ[B)V", n_connection_failed),
      NATIVE("dialGaveUp", "(JLjava/lang/String;Ljava/lang/String;I)V", n_dial_gave_up),
      NATIVE("peerSubscription", "(JLjava/lang/String;Ljava/lang/String;Z)V", n_peer_subscription),
      NATIVE("meshChange", "(JLjava/lang/String;Ljava/lang/String;Z)V", n_mesh_change),
      NATIVE("publishCompleted", "(JLjava/lang/String;[BIZ)V", n_publish_completed),
      NATIVE("ping", "(JLjava/lang/String;J[B)V", n_ping),
      NATIVE("commandAbandoned", "(JILjava/lang/String;J[B)Z", n_command_abandoned),
      NATIVE("log", "(I[B)V", n_log),
  };
  return (*env)->RegisterNatives(env, callbacks_class, methods, (jint)(sizeof methods / sizeof methods[0])) ==
                 JNI_OK
             ? 0
             : -1;
}
