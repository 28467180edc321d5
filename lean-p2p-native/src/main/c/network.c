/*
 * Networks of liblean_p2p.so: the id table, lifecycle (create / wait / stop), the commands and
 * the reads. Every command: validate the arguments, enter the network's slot (a reference count,
 * no lock), copy the arguments into Java objects, call the NativeNetwork adapter, leave.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lp_internal.h"

#define LP_MAX_IDENT 4096       /* topics, peer ids, one address */
#define LP_MAX_CONFIG (1 << 20) /* address lists, key, name */

lp_slot LP_SLOTS[LEAN_P2P_MAX_NETWORKS];

static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_cv = PTHREAD_COND_INITIALIZER;
static _Atomic uint64_t outcome_totals[LEAN_P2P_OUTCOME_COUNT];
static __thread char tls_error[512];

/* ---------------------------------------------------------------- global references */

static _Atomic int64_t global_refs;

jobject lp_new_global_ref(JNIEnv *env, jobject o) {
  jobject g = (*env)->NewGlobalRef(env, o);
  if (g != NULL) {
    atomic_fetch_add(&global_refs, 1);
  }
  return g;
}

void lp_delete_global_ref(JNIEnv *env, jobject o) {
  if (o != NULL) {
    (*env)->DeleteGlobalRef(env, o);
    atomic_fetch_sub(&global_refs, 1);
  }
}

int64_t lp_global_refs(void) {
  return atomic_load(&global_refs);
}

/* ---------------------------------------------------------------- errors and names */

void lp_set_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tls_error, sizeof tls_error, fmt, ap);
  va_end(ap);
}

LEAN_P2P_API const char *lean_p2p_last_error(void) {
  return tls_error;
}

LEAN_P2P_API const char *lean_p2p_outcome_name(int32_t outcome) {
  static const char *const names[] = {"ACCEPTED",      "QUEUE_FULL", "CLOSED",
                                      "NOT_STARTED",   "INVALID",    "NOT_CONNECTED",
                                      "TOO_LARGE",     "TOO_MANY_REQUESTS", "INTERNAL_ERROR"};
  return outcome >= 0 && outcome < LEAN_P2P_OUTCOME_COUNT ? names[outcome] : "?";
}

LEAN_P2P_API const char *lean_p2p_start_code_name(int32_t code) {
  static const char *const names[] = {"OK",      "KEY",       "ADDRESS",           "BIND",
                                      "JVM",     "INVALID",   "ID_IN_USE",         "TOO_MANY_NETWORKS",
                                      "TIMEOUT", "CLOSED",    "UNKNOWN_NETWORK",   "INTERNAL"};
  return code >= 0 && code <= LEAN_P2P_START_INTERNAL ? names[code] : "?";
}

LEAN_P2P_API const char *lean_p2p_protocol_id(uint32_t protocol) {
  switch (protocol) {
    case LEAN_P2P_BLOCKS_BY_ROOT: return "/leanconsensus/req/blocks_by_root/1/ssz_snappy";
    case LEAN_P2P_STATUS: return "/leanconsensus/req/status/1/ssz_snappy";
    case LEAN_P2P_BLOCKS_BY_RANGE: return "/leanconsensus/req/blocks_by_range/1/ssz_snappy";
    default: return NULL;
  }
}

LEAN_P2P_API uint64_t lean_p2p_get_command_outcome_total(int32_t outcome) {
  return outcome >= 0 && outcome < LEAN_P2P_OUTCOME_COUNT ? atomic_load(&outcome_totals[outcome]) : 0;
}

/* Counts the outcome the host is given and records why (the calling thread's last error). */
static int32_t finish(int32_t outcome, const char *why) {
  atomic_fetch_add(&outcome_totals[outcome], 1);
  if (outcome == LEAN_P2P_ACCEPTED) {
    tls_error[0] = '\0';
  } else if (why != NULL) {
    snprintf(tls_error, sizeof tls_error, "%s: %s", lean_p2p_outcome_name(outcome), why);
  }
  return outcome;
}

/* Printable ASCII, non-empty, at most max bytes. */
static int ascii_ok(const char *s, size_t max) {
  if (s == NULL || *s == '\0') {
    return 0;
  }
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++) {
    if (*p < 0x20 || *p > 0x7e || n >= max) {
      return 0;
    }
  }
  return 1;
}

static int optional_ascii_ok(const char *s, size_t max) {
  return s == NULL || *s == '\0' || ascii_ok(s, max);
}

/* ---------------------------------------------------------------- slots */

void lp_slots_notify(void) {
  pthread_mutex_lock(&slots_mu);
  pthread_cond_broadcast(&slots_cv);
  pthread_mutex_unlock(&slots_mu);
}

/* Waits on slots_cv (held) for at most 10 ms: waits re-check their condition, so a wake-up that
   comes between a check and the wait costs at most that. */
static void slots_wait_briefly(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_nsec += 10 * 1000 * 1000;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(&slots_cv, &slots_mu, &ts);
}

/* The non-free slot holding `id` (slots_mu held, or a racy read re-checked by the caller). */
static lp_slot *find_slot(uint32_t id) {
  for (int i = 0; i < LEAN_P2P_MAX_NETWORKS; i++) {
    lp_slot *s = &LP_SLOTS[i];
    if (atomic_load(&s->state) != LP_FREE && atomic_load(&s->id) == id) {
      return s;
    }
  }
  return NULL;
}

static void release(lp_slot *s) {
  if (atomic_fetch_sub(&s->refs, 1) == 1 && atomic_load(&s->state) == LP_STOPPING) {
    lp_slots_notify();
  }
}

/* Takes a reference on the running network `id`; else says why not. */
static lp_slot *acquire(uint32_t id, int32_t *why) {
  lp_slot *s = find_slot(id);
  if (s == NULL) {
    *why = LEAN_P2P_NOT_STARTED;
    return NULL;
  }
  uint32_t st = atomic_load(&s->state);
  if (st != LP_RUNNING) {
    *why = st == LP_STARTING ? LEAN_P2P_NOT_STARTED : LEAN_P2P_CLOSED;
    return NULL;
  }
  atomic_fetch_add(&s->refs, 1);
  /* stop sets STOPPING before it waits for refs to drain: seeing RUNNING after our increment
     means stop will wait for us */
  if (atomic_load(&s->state) != LP_RUNNING || atomic_load(&s->id) != id) {
    release(s);
    *why = LEAN_P2P_CLOSED;
    return NULL;
  }
  return s;
}

typedef struct cmd {
  lp_slot *s;
  JNIEnv *env;
} cmd;

/* Enters network `id` for one command: a reference and a JNI local frame. */
static int32_t enter(uint32_t id, cmd *c) {
  int32_t why = LEAN_P2P_NOT_STARTED;
  if (!atomic_load(&lp_jvm_ready)) {
    return finish(LEAN_P2P_NOT_STARTED, "no network was created in this process");
  }
  c->s = acquire(id, &why);
  if (c->s == NULL) {
    return finish(why, why == LEAN_P2P_CLOSED ? "the network is stopping or stopped"
                                              : "no running network with this id");
  }
  c->env = lp_env();
  if (c->env == NULL || (*c->env)->PushLocalFrame(c->env, 16) != 0) {
    if (c->env != NULL) {
      (*c->env)->ExceptionClear(c->env);
    }
    release(c->s);
    return finish(LEAN_P2P_INTERNAL_ERROR, "cannot attach this thread to the JVM");
  }
  return LEAN_P2P_ACCEPTED;
}

/* Turns a Java exception into INTERNAL_ERROR (printed to stderr: it is a bug). */
static int exception(JNIEnv *env) {
  if ((*env)->ExceptionCheck(env)) {
    (*env)->ExceptionDescribe(env);
    (*env)->ExceptionClear(env);
    return 1;
  }
  return 0;
}

/* Copies the Java side's reason for a refusal into this thread's last error. */
static void take_java_reason(JNIEnv *env, int32_t outcome) {
  jstring r = (jstring)(*env)->CallStaticObjectMethod(env, LP.network_class, LP.take_reason);
  if (exception(env) || r == NULL) {
    return;
  }
  const char *c = (*env)->GetStringUTFChars(env, r, NULL);
  if (c != NULL) {
    snprintf(tls_error, sizeof tls_error, "%s: %s", lean_p2p_outcome_name(outcome), c);
    (*env)->ReleaseStringUTFChars(env, r, c);
  } else {
    (*env)->ExceptionClear(env);
  }
}

/* Leaves the command: the outcome of the Java call (or INTERNAL_ERROR on an exception). */
static int32_t leave(cmd *c, jint rc) {
  JNIEnv *env = c->env;
  int32_t outcome = exception(env) ? LEAN_P2P_INTERNAL_ERROR : (int32_t)rc;
  if (outcome < 0 || outcome >= LEAN_P2P_OUTCOME_COUNT) {
    outcome = LEAN_P2P_INTERNAL_ERROR;
  }
  const char *why = NULL;
  if (outcome == LEAN_P2P_QUEUE_FULL) {
    why = "the command queue is full";
  } else if (outcome == LEAN_P2P_INTERNAL_ERROR) {
    why = "a Java exception (printed to stderr)";
  } else if (outcome != LEAN_P2P_ACCEPTED) {
    take_java_reason(env, outcome);
  }
  (*env)->PopLocalFrame(env, NULL);
  release(c->s);
  return finish(outcome, why);
}

static jstring jstring_of(JNIEnv *env, const char *ascii) {
  return ascii == NULL ? NULL : (*env)->NewStringUTF(env, ascii);
}

static jbyteArray jbytes_of(JNIEnv *env, const uint8_t *p, size_t n) {
  jbyteArray a = (*env)->NewByteArray(env, (jsize)n);
  if (a != NULL && n > 0) {
    (*env)->SetByteArrayRegion(env, a, 0, (jsize)n, (const jbyte *)p);
  }
  return a;
}

/* ---------------------------------------------------------------- lifecycle */

LEAN_P2P_API int32_t lean_p2p_create_and_run_network(const lean_p2p_network_params *p) {
  if (p == NULL) {
    lp_set_error("params is NULL");
    return LEAN_P2P_START_INVALID;
  }
  if (p->abi_version != LEAN_P2P_ABI_VERSION) {
    lp_set_error("abi_version %u, this library speaks %u", p->abi_version, LEAN_P2P_ABI_VERSION);
    return LEAN_P2P_START_INVALID;
  }
  if (!ascii_ok(p->listen_addresses, LP_MAX_CONFIG)) {
    lp_set_error("listen_addresses must be non-empty printable ASCII");
    return LEAN_P2P_START_INVALID;
  }
  if (!optional_ascii_ok(p->connect_addresses, LP_MAX_CONFIG) || !optional_ascii_ok(p->key_hex, 256) ||
      !optional_ascii_ok(p->name, 64)) {
    lp_set_error("connect_addresses, key_hex and name must be printable ASCII (name: at most 64)");
    return LEAN_P2P_START_INVALID;
  }
  if (p->gossip_queue_capacity > (1u << 24) || p->inbound_request_queue_capacity > (1u << 24) ||
      p->command_queue_capacity > (1u << 24) || p->max_peers > 65536 ||
      (p->gossip_queue_capacity != 0 && p->gossip_queue_capacity < 4) ||
      (p->inbound_request_queue_capacity != 0 && p->inbound_request_queue_capacity < 4) ||
      (p->command_queue_capacity != 0 && p->command_queue_capacity < 2) ||
      (p->flags & ~(LEAN_P2P_FLAG_PUBLISH_EVENTS | LEAN_P2P_FLAG_NO_RECONNECT)) != 0) {
    lp_set_error("an option is out of range (queues: 4..2^24, command queue: 2..2^24, max_peers: "
                 "..65536, flags: LEAN_P2P_FLAG_*)");
    return LEAN_P2P_START_INVALID;
  }
  int32_t rc = lp_ensure_jvm(NULL);
  if (rc != LEAN_P2P_START_OK) {
    return rc;
  }

  /* reserve a slot */
  pthread_mutex_lock(&slots_mu);
  if (find_slot(p->network_id) != NULL) {
    pthread_mutex_unlock(&slots_mu);
    lp_set_error("network id %u is in use; stop it first", p->network_id);
    return LEAN_P2P_START_ID_IN_USE;
  }
  lp_slot *s = NULL;
  int index = -1;
  for (int i = 0; i < LEAN_P2P_MAX_NETWORKS; i++) {
    if (atomic_load(&LP_SLOTS[i].state) == LP_FREE) {
      s = &LP_SLOTS[i];
      index = i;
      break;
    }
  }
  if (s == NULL) {
    pthread_mutex_unlock(&slots_mu);
    lp_set_error("%d networks exist already", LEAN_P2P_MAX_NETWORKS);
    return LEAN_P2P_START_TOO_MANY_NETWORKS;
  }
  if (p->callbacks != NULL) {
    s->cb = *p->callbacks;
  } else {
    memset(&s->cb, 0, sizeof s->cb);
  }
  s->host = p->host;
  s->net = NULL;
  atomic_store(&s->refs, 0);
  atomic_store(&s->gate_closed, 0);
  atomic_store(&s->id, p->network_id);
  atomic_store(&s->state, LP_STARTING);
  uint32_t gen = atomic_load(&s->gen);
  pthread_mutex_unlock(&slots_mu);

  int32_t code = LEAN_P2P_START_INTERNAL;
  JNIEnv *env = lp_env();
  if (env == NULL || (*env)->PushLocalFrame(env, 32) != 0) {
    lp_set_error("cannot attach this thread to the JVM");
  } else {
    char name[80];
    if (p->name != NULL && *p->name != '\0') {
      snprintf(name, sizeof name, "%s", p->name);
    } else {
      snprintf(name, sizeof name, "net%u", p->network_id);
    }
    jint limits_c[4] = {(jint)p->gossip_queue_capacity, (jint)p->inbound_request_queue_capacity,
                        (jint)p->command_queue_capacity, (jint)p->max_peers};
    jintArray limits = (*env)->NewIntArray(env, 4);
    if (limits != NULL) {
      (*env)->SetIntArrayRegion(env, limits, 0, 4, limits_c);
    }
    jlong handle = (jlong)(((uint64_t)gen << 32) | (uint32_t)index);
    jobject net = limits == NULL ? NULL
                                 : (*env)->CallStaticObjectMethod(
                                       env, LP.network_class, LP.start, handle, jstring_of(env, name),
                                       jstring_of(env, p->key_hex), jstring_of(env, p->listen_addresses),
                                       jstring_of(env, p->connect_addresses),
                                       (jint)lp_callback_mask(&s->cb), limits, (jint)p->flags);
    if (exception(env) || net == NULL) {
      lp_set_error("starting the network threw (printed to stderr)");
    } else {
      code = (*env)->CallIntMethod(env, net, LP.start_code);
      if (exception(env)) {
        code = LEAN_P2P_START_INTERNAL;
      } else if (code != LEAN_P2P_START_OK) {
        jstring m = (jstring)(*env)->CallObjectMethod(env, net, LP.start_message);
        const char *c = m != NULL && !exception(env) ? (*env)->GetStringUTFChars(env, m, NULL) : NULL;
        lp_set_error("%s: %s", lean_p2p_start_code_name(code), c != NULL ? c : "");
        if (c != NULL) {
          (*env)->ReleaseStringUTFChars(env, m, c);
        }
      } else {
        s->net = lp_new_global_ref(env, net);
        if (s->net == NULL) {
          code = LEAN_P2P_START_INTERNAL;
          lp_set_error("out of memory");
        }
      }
    }
    (*env)->PopLocalFrame(env, NULL);
  }

  pthread_mutex_lock(&slots_mu);
  if (code == LEAN_P2P_START_OK) {
    atomic_store(&s->state, LP_RUNNING);
    tls_error[0] = '\0';
  } else {
    /* nothing was started (the adapter fails before LeanNetwork.start) */
    atomic_fetch_add(&s->gen, 1);
    atomic_store(&s->state, LP_FREE);
  }
  pthread_cond_broadcast(&slots_cv);
  pthread_mutex_unlock(&slots_mu);
  return code;
}

LEAN_P2P_API int32_t lean_p2p_wait_for_network_ready(uint32_t network_id, uint32_t timeout_ms) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  /* a create of this id on another thread: wait for it to finish */
  pthread_mutex_lock(&slots_mu);
  for (;;) {
    lp_slot *s = find_slot(network_id);
    if (s == NULL || atomic_load(&s->state) != LP_STARTING) {
      break;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((uint64_t)(now.tv_sec - start.tv_sec) * 1000u + (uint64_t)((now.tv_nsec - start.tv_nsec) / 1000000) >=
        timeout_ms) {
      pthread_mutex_unlock(&slots_mu);
      lp_set_error("still being created");
      return LEAN_P2P_START_TIMEOUT;
    }
    slots_wait_briefly();
  }
  pthread_mutex_unlock(&slots_mu);
  int32_t why;
  lp_slot *s = atomic_load(&lp_jvm_ready) ? acquire(network_id, &why) : NULL;
  if (s == NULL) {
    why = atomic_load(&lp_jvm_ready) ? why : LEAN_P2P_NOT_STARTED;
    lp_set_error(why == LEAN_P2P_CLOSED ? "the network is stopping or stopped" : "no network with id %u",
                 network_id);
    return why == LEAN_P2P_CLOSED ? LEAN_P2P_START_CLOSED : LEAN_P2P_START_UNKNOWN_NETWORK;
  }
  JNIEnv *env = lp_env();
  if (env == NULL) {
    release(s);
    lp_set_error("cannot attach this thread to the JVM");
    return LEAN_P2P_START_INTERNAL;
  }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  int64_t spent = (int64_t)(now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
  int64_t left = (int64_t)timeout_ms - spent;
  jint code = (*env)->CallIntMethod(env, s->net, LP.await_ready, (jlong)(left < 0 ? 0 : left));
  if (exception(env)) {
    code = LEAN_P2P_START_INTERNAL;
    lp_set_error("waiting threw (printed to stderr)");
  } else if (code != LEAN_P2P_START_OK) {
    jstring m = (jstring)(*env)->CallObjectMethod(env, s->net, LP.start_message);
    const char *c = m != NULL && !exception(env) ? (*env)->GetStringUTFChars(env, m, NULL) : NULL;
    lp_set_error("%s: %s", lean_p2p_start_code_name(code), c != NULL ? c : "");
    if (c != NULL) {
      (*env)->ReleaseStringUTFChars(env, m, c);
    }
    if (m != NULL) {
      (*env)->DeleteLocalRef(env, m);
    }
  } else {
    tls_error[0] = '\0';
  }
  release(s);
  return code;
}

LEAN_P2P_API int32_t lean_p2p_stop_network(uint32_t network_id) {
  JNIEnv *env = atomic_load(&lp_jvm_ready) ? lp_env() : NULL;
  if (env == NULL) {
    return finish(atomic_load(&lp_jvm_ready) ? LEAN_P2P_INTERNAL_ERROR : LEAN_P2P_CLOSED,
                  atomic_load(&lp_jvm_ready) ? "cannot attach this thread to the JVM" : "no such network");
  }
  pthread_mutex_lock(&slots_mu);
  lp_slot *s;
  for (;;) {
    s = find_slot(network_id);
    if (s == NULL) {
      pthread_mutex_unlock(&slots_mu);
      return finish(LEAN_P2P_CLOSED, "no such network (already stopped?)");
    }
    uint32_t st = atomic_load(&s->state);
    if (st == LP_RUNNING) {
      break;
    }
    int self = lp_tls_callback_slot == (int)(s - LP_SLOTS) && lp_tls_callback_gen == atomic_load(&s->gen);
    if (st == LP_STOPPING && self) {
      pthread_mutex_unlock(&slots_mu);
      return finish(LEAN_P2P_CLOSED, "already stopping");
    }
    /* being created or stopped by another thread: wait for that to finish */
    slots_wait_briefly();
  }
  atomic_store(&s->state, LP_STOPPING);
  uint32_t gen = atomic_load(&s->gen);
  pthread_mutex_unlock(&slots_mu);

  /* closes the network: queued commands end, in-flight requests get their terminal callback,
     queued terminal and peer events are delivered, threads are released */
  (*env)->CallVoidMethod(env, s->net, LP.close);
  exception(env);
  atomic_store(&s->gate_closed, 1);
  int self = lp_tls_callback_slot == (int)(s - LP_SLOTS) && lp_tls_callback_gen == gen;
  pthread_mutex_lock(&slots_mu);
  while (atomic_load(&s->in_callback) > (self ? 1 : 0) || atomic_load(&s->refs) > 0) {
    slots_wait_briefly();
  }
  lp_delete_global_ref(env, s->net);
  s->net = NULL;
  atomic_fetch_add(&s->gen, 1);
  atomic_store(&s->state, LP_FREE);
  pthread_cond_broadcast(&slots_cv);
  pthread_mutex_unlock(&slots_mu);
  return finish(LEAN_P2P_ACCEPTED, NULL);
}

/* ---------------------------------------------------------------- gossip commands */

LEAN_P2P_API int32_t lean_p2p_publish(uint32_t id, const char *topic, const uint8_t *ssz, size_t len) {
  if (!ascii_ok(topic, LP_MAX_IDENT)) {
    return finish(LEAN_P2P_INVALID, "topic must be non-empty printable ASCII");
  }
  if (ssz == NULL && len > 0) {
    return finish(LEAN_P2P_INVALID, "ssz is NULL");
  }
  if (len > LEAN_P2P_MAX_PAYLOAD) {
    return finish(LEAN_P2P_TOO_LARGE, "payload over 10 MiB");
  }
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  JNIEnv *env = c.env;
  jstring t = jstring_of(env, topic);
  jbyteArray b = jbytes_of(env, ssz, len);
  jint r = t && b ? (*env)->CallIntMethod(env, c.s->net, LP.publish, t, b) : LEAN_P2P_INTERNAL_ERROR;
  return leave(&c, r);
}

static int32_t topic_command(uint32_t id, const char *topic, int subscribe) {
  if (!ascii_ok(topic, LP_MAX_IDENT)) {
    return finish(LEAN_P2P_INVALID, "topic must be non-empty printable ASCII");
  }
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  jstring t = jstring_of(c.env, topic);
  jint r = t ? (*c.env)->CallIntMethod(c.env, c.s->net, subscribe ? LP.subscribe : LP.unsubscribe, t)
             : LEAN_P2P_INTERNAL_ERROR;
  return leave(&c, r);
}

LEAN_P2P_API int32_t lean_p2p_subscribe_gossip_topic(uint32_t id, const char *topic) {
  return topic_command(id, topic, 1);
}

LEAN_P2P_API int32_t lean_p2p_unsubscribe_gossip_topic(uint32_t id, const char *topic) {
  return topic_command(id, topic, 0);
}

LEAN_P2P_API int32_t lean_p2p_report_validation(uint32_t id, const uint8_t *message_id, int32_t verdict) {
  if (message_id == NULL) {
    return finish(LEAN_P2P_INVALID, "message_id is NULL");
  }
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  jbyteArray m = jbytes_of(c.env, message_id, LEAN_P2P_MESSAGE_ID_LEN);
  jint r = m ? (*c.env)->CallIntMethod(c.env, c.s->net, LP.report_validation, m, (jint)verdict)
             : LEAN_P2P_INTERNAL_ERROR;
  return leave(&c, r);
}

/* ---------------------------------------------------------------- req/resp commands */

LEAN_P2P_API int32_t lean_p2p_send_rpc_request(uint32_t id, const char *peer_id, uint32_t protocol,
                                               const uint8_t *ssz, size_t len, void *request_ctx,
                                               uint64_t *request_id_out) {
  if (request_id_out != NULL) {
    *request_id_out = 0;
  }
  if (!ascii_ok(peer_id, LP_MAX_IDENT)) {
    return finish(LEAN_P2P_INVALID, "peer_id must be a base58 peer id");
  }
  if (protocol > LEAN_P2P_BLOCKS_BY_RANGE) {
    return finish(LEAN_P2P_INVALID, "protocol must be 0 blocks_by_root, 1 status or 2 blocks_by_range");
  }
  if (ssz == NULL && len > 0) {
    return finish(LEAN_P2P_INVALID, "ssz is NULL");
  }
  if (len > LEAN_P2P_MAX_PAYLOAD) {
    return finish(LEAN_P2P_TOO_LARGE, "payload over 10 MiB");
  }
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  JNIEnv *env = c.env;
  jstring p = jstring_of(env, peer_id);
  jbyteArray b = jbytes_of(env, ssz, len);
  jlong r = p && b ? (*env)->CallLongMethod(env, c.s->net, LP.send_request, p, (jint)protocol, b,
                                            (jlong)(intptr_t)request_ctx)
                   : -(jlong)LEAN_P2P_INTERNAL_ERROR;
  if (r > 0 && !(*env)->ExceptionCheck(env)) {
    if (request_id_out != NULL) {
      *request_id_out = (uint64_t)r;
    }
    return leave(&c, LEAN_P2P_ACCEPTED);
  }
  return leave(&c, r == 0 ? LEAN_P2P_INTERNAL_ERROR : (jint)-r);
}

LEAN_P2P_API int32_t lean_p2p_send_rpc_response_chunk(uint32_t id, uint64_t channel_id, const uint8_t *ssz,
                                                      size_t len) {
  if (ssz == NULL && len > 0) {
    return finish(LEAN_P2P_INVALID, "ssz is NULL");
  }
  if (len > LEAN_P2P_MAX_PAYLOAD) {
    return finish(LEAN_P2P_TOO_LARGE, "payload over 10 MiB");
  }
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  jbyteArray b = jbytes_of(c.env, ssz, len);
  jint r = b ? (*c.env)->CallIntMethod(c.env, c.s->net, LP.send_chunk, (jlong)channel_id, b)
             : LEAN_P2P_INTERNAL_ERROR;
  return leave(&c, r);
}

LEAN_P2P_API int32_t lean_p2p_send_rpc_end_of_stream(uint32_t id, uint64_t channel_id) {
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  return leave(&c, (*c.env)->CallIntMethod(c.env, c.s->net, LP.end_response, (jlong)channel_id));
}

LEAN_P2P_API int32_t lean_p2p_send_rpc_error_response(uint32_t id, uint64_t channel_id, uint32_t code,
                                                      const char *message) {
  if (code < 1 || code > 3) {
    return finish(LEAN_P2P_INVALID, "code must be 1 INVALID_REQUEST, 2 SERVER_ERROR or 3 RESOURCE_UNAVAILABLE");
  }
  size_t n = message == NULL ? 0 : strnlen(message, 4096);
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  jbyteArray m = jbytes_of(c.env, (const uint8_t *)message, n);
  jint r = m ? (*c.env)->CallIntMethod(c.env, c.s->net, LP.send_error, (jlong)channel_id, (jint)code, m)
             : LEAN_P2P_INTERNAL_ERROR;
  return leave(&c, r);
}

/* ---------------------------------------------------------------- peer commands */

static int32_t peer_command(uint32_t id, const char *peer_id, jmethodID method) {
  if (!ascii_ok(peer_id, LP_MAX_IDENT)) {
    return finish(LEAN_P2P_INVALID, "peer_id must be a base58 peer id");
  }
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  jstring p = jstring_of(c.env, peer_id);
  return leave(&c, p ? (*c.env)->CallIntMethod(c.env, c.s->net, method, p) : LEAN_P2P_INTERNAL_ERROR);
}

LEAN_P2P_API int32_t lean_p2p_dial(uint32_t id, const char *address, int32_t persistent) {
  if (!ascii_ok(address, LP_MAX_IDENT)) {
    return finish(LEAN_P2P_INVALID, "address must be a multiaddr or an ENR");
  }
  cmd c;
  int32_t rc = enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  jstring a = jstring_of(c.env, address);
  return leave(&c, a ? (*c.env)->CallIntMethod(c.env, c.s->net, LP.dial, a, (jboolean)(persistent != 0))
                     : LEAN_P2P_INTERNAL_ERROR);
}

LEAN_P2P_API int32_t lean_p2p_disconnect(uint32_t id, const char *peer_id) {
  return peer_command(id, peer_id, LP.disconnect);
}

LEAN_P2P_API int32_t lean_p2p_ping(uint32_t id, const char *peer_id) {
  return peer_command(id, peer_id, LP.ping);
}

/* ---------------------------------------------------------------- reads */

/* Reads don't count as commands: they enter without finish() bookkeeping. Returns ACCEPTED or
   why not. */
static int32_t read_enter(uint32_t id, cmd *c) {
  int32_t why = LEAN_P2P_NOT_STARTED;
  if (!atomic_load(&lp_jvm_ready) || (c->s = acquire(id, &why)) == NULL) {
    return why;
  }
  c->env = lp_env();
  if (c->env == NULL || (*c->env)->PushLocalFrame(c->env, 8) != 0) {
    if (c->env != NULL) {
      (*c->env)->ExceptionClear(c->env);
    }
    release(c->s);
    return LEAN_P2P_INTERNAL_ERROR;
  }
  return LEAN_P2P_ACCEPTED;
}

static void read_leave(cmd *c) {
  exception(c->env);
  (*c->env)->PopLocalFrame(c->env, NULL);
  release(c->s);
}

static size_t string_read(uint32_t id, jmethodID method, char *buf, size_t cap) {
  cmd c;
  if (read_enter(id, &c) != LEAN_P2P_ACCEPTED) {
    if (buf != NULL && cap > 0) buf[0] = '\0';
    return 0;
  }
  size_t n = 0;
  jstring s = (jstring)(*c.env)->CallObjectMethod(c.env, c.s->net, method);
  if (s != NULL && !(*c.env)->ExceptionCheck(c.env)) {
    n = (size_t)(*c.env)->GetStringUTFLength(c.env, s);
    if (buf != NULL && cap > n) {
      (*c.env)->GetStringUTFRegion(c.env, s, 0, (*c.env)->GetStringLength(c.env, s), buf);
      buf[n] = '\0';
    } else if (buf != NULL && cap > 0) {
      buf[0] = '\0';
    }
  }
  read_leave(&c);
  return n;
}

LEAN_P2P_API size_t lean_p2p_get_peer_id(uint32_t id, char *buf, size_t cap) {
  return string_read(id, LP.peer_id, buf, cap);
}

LEAN_P2P_API size_t lean_p2p_get_listen_addresses(uint32_t id, char *buf, size_t cap) {
  return string_read(id, LP.listen_addresses, buf, cap);
}

LEAN_P2P_API uint64_t lean_p2p_get_mesh_peers_total(uint32_t id, const char *topic) {
  if (topic != NULL && !ascii_ok(topic, LP_MAX_IDENT)) {
    return 0;
  }
  cmd c;
  if (read_enter(id, &c) != LEAN_P2P_ACCEPTED) {
    return 0;
  }
  jlong n = (*c.env)->CallLongMethod(c.env, c.s->net, LP.mesh_peers, jstring_of(c.env, topic));
  int failed = (*c.env)->ExceptionCheck(c.env);
  read_leave(&c);
  return failed || n < 0 ? 0 : (uint64_t)n;
}

LEAN_P2P_API uint64_t lean_p2p_get_connected_peers_total(uint32_t id) {
  cmd c;
  if (read_enter(id, &c) != LEAN_P2P_ACCEPTED) {
    return 0;
  }
  jlong n = (*c.env)->CallLongMethod(c.env, c.s->net, LP.connected_peers);
  int failed = (*c.env)->ExceptionCheck(c.env);
  read_leave(&c);
  return failed || n < 0 ? 0 : (uint64_t)n;
}

LEAN_P2P_API int32_t lean_p2p_get_metric(uint32_t id, const char *name, const char *labels, double *value_out) {
  if (value_out != NULL) {
    *value_out = 0;
  }
  if (!ascii_ok(name, 256) || (labels != NULL && *labels != '\0' && !ascii_ok(labels, 1024)) ||
      value_out == NULL) {
    return LEAN_P2P_INVALID;
  }
  cmd c;
  int32_t rc = read_enter(id, &c);
  if (rc != LEAN_P2P_ACCEPTED) {
    return rc;
  }
  if (strcmp(name, "leanp2p_native_global_refs") == 0) { /* process-wide, counted here in C */
    read_leave(&c);
    *value_out = (double)lp_global_refs();
    return LEAN_P2P_ACCEPTED;
  }
  if (strcmp(name, "leanp2p_native_callbacks_dropped_total") == 0) { /* process-wide, counted in C */
    read_leave(&c);
    *value_out = (double)lp_callbacks_dropped();
    return LEAN_P2P_ACCEPTED;
  }
  jdouble v = (*c.env)->CallDoubleMethod(c.env, c.s->net, LP.metric, jstring_of(c.env, name),
                                         labels != NULL && *labels != '\0' ? jstring_of(c.env, labels) : NULL);
  int failed = (*c.env)->ExceptionCheck(c.env);
  read_leave(&c);
  if (failed) {
    return LEAN_P2P_INTERNAL_ERROR;
  }
  *value_out = v;
  return LEAN_P2P_ACCEPTED;
}
