/*
 * The C ABI test: a native host of liblean_p2p.so, built with the system C compiler by the test
 * command (NativeAbiIT) and linked like any host (-llean_p2p).
 *
 *   lean_p2p_test inproc                 two (then more) networks in one process, talking to each other
 *   lean_p2p_test js NODE PEER_MJS LOG   a network against the js-libp2p peer (interop/js/peer.mjs)
 *   lean_p2p_test all NODE PEER_MJS LOG  both, in one process
 *   lean_p2p_test expect-start CODE      lean_p2p_init must fail with that start code (JVM discovery)
 *
 * Output is TAP-like ("ok N - ...", "not ok N - ..."); the exit code is 0 only if every check
 * passed. Every wait is for an event (a callback or a js line) with a deadline, never a sleep.
 */
#define _GNU_SOURCE
#include "lean_p2p.h"
#include "test_support.h"

#define TOPIC "/leanconsensus/00000000/block/ssz_snappy"
#define KEY_A "0x1f2e3d4c5b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071"
#define WAIT_MS 30000

/* ---------------------------------------------------------------- one host (per network) */

typedef enum { ANSWER_ECHO, ANSWER_REVERSE, ANSWER_MULTI3, ANSWER_ERROR, ANSWER_IGNORE } answer_mode;

typedef struct req {
  uint64_t id;
  int chunks;
  uint8_t data[4][256];
  size_t len[4];
  int eos, errors;
  int32_t failure, wire_code;
  char message[256];
  char peer[128];
  uint32_t protocol;
} req;

typedef struct peer_count {
  char peer[128];
  int connected, disconnected;
  int32_t direction, transport, reason;
} peer_count;

typedef struct host {
  const char *label;
  uint32_t net;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  /* threads */
  long callbacks, after_stop, wrong_thread, bad_thread_name;
  pthread_t cb_thread;
  int cb_thread_set, stopped;
  char thread_prefix[64];
  /* peers */
  peer_count peers[8];
  int npeers;
  long conn_failed, gave_up, channels_closed, pings;
  int32_t last_fail_reason, last_will_retry;
  uint64_t last_closed_channel;
  int64_t last_rtt;
  /* gossip in */
  long gossip;
  uint8_t last_gossip[4096];
  size_t last_gossip_len;
  uint8_t last_msg_id[LEAN_P2P_MESSAGE_ID_LEN];
  char last_topic[256], last_from[128];
  int32_t verdict;
  int block_gossip, gossip_blocked_now;
  int block_requests, requests_blocked_now;
  /* subscriptions, mesh, publishes */
  long subscribed, unsubscribed, grafted;
  long published, duplicates;
  uint8_t last_published_id[LEAN_P2P_MESSAGE_ID_LEN];
  uint32_t last_recipients;
  /* requests served */
  answer_mode mode[3];
  long requests, answers_refused;
  uint64_t last_channel;
  uint32_t last_req_protocol;
  uint8_t last_req[4096];
  size_t last_req_len;
  char last_req_peer[128];
  /* commands abandoned by stop */
  long abandoned[LEAN_P2P_CMD_OTHER + 1];
  long abandoned_unexpected; /* a target / channel / reason that does not fit the command */
  /* a second on_peer_connected for a peer without its disconnected between (or the reverse) */
  long pairing_violations;
  /* stop from inside a callback */
  int stop_in_callback;
  int32_t stop_in_callback_outcome;
  int stop_in_callback_done;
} host;

static void host_init(host *h, const char *label, uint32_t net) {
  memset(h, 0, sizeof *h);
  h->label = label;
  h->net = net;
  h->verdict = LEAN_P2P_VALIDATION_ACCEPT;
  pthread_mutex_init(&h->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_cond_init(&h->cv, &ca);
  snprintf(h->thread_prefix, sizeof h->thread_prefix, "lean-p2p-%s-e", label);
  h->thread_prefix[15] = '\0'; /* Linux keeps 15 characters of a thread name */
}

/* Every callback starts here (lock held until end()): counts, thread checks, stop checks. */
static host *begin(void *p) {
  host *h = p;
  pthread_mutex_lock(&h->mu);
  h->callbacks++;
  if (h->stopped) h->after_stop++;
  if (!h->cb_thread_set) {
    h->cb_thread = pthread_self();
    h->cb_thread_set = 1;
    char name[32] = "";
    pthread_getname_np(pthread_self(), name, sizeof name);
    if (strncmp(name, h->thread_prefix, strlen(h->thread_prefix)) != 0) {
      h->bad_thread_name++;
      printf("# %s: first callback on thread \"%s\", expected \"%s...\"\n", h->label, name, h->thread_prefix);
    }
  } else if (!pthread_equal(h->cb_thread, pthread_self())) {
    h->wrong_thread++;
  }
  return h;
}

static void end(host *h) {
  pthread_cond_broadcast(&h->cv);
  pthread_mutex_unlock(&h->mu);
}

/* Waits (bounded) until cond holds, with h->mu held while it is evaluated. */
#define WAIT_FOR(h, cond, timeout_ms)                                  \
  ({                                                                   \
    int ok_;                                                           \
    uint64_t dl_ = now_ms() + (timeout_ms);                            \
    pthread_mutex_lock(&(h)->mu);                                      \
    while (!(ok_ = (cond)) && now_ms() < dl_) wait_until_ms(&(h)->cv, &(h)->mu, dl_); \
    pthread_mutex_unlock(&(h)->mu);                                    \
    ok_;                                                               \
  })

/* Reads an expression under h->mu. */
#define READ(h, expr)                  \
  ({                                   \
    pthread_mutex_lock(&(h)->mu);      \
    __typeof__(expr) v_ = (expr);      \
    pthread_mutex_unlock(&(h)->mu);    \
    v_;                                \
  })

static peer_count *peer_of(host *h, const char *peer) {
  for (int i = 0; i < h->npeers; i++) {
    if (strcmp(h->peers[i].peer, peer) == 0) return &h->peers[i];
  }
  if (h->npeers == 8) return NULL;
  peer_count *p = &h->peers[h->npeers++];
  snprintf(p->peer, sizeof p->peer, "%s", peer);
  return p;
}

static int connected_to(host *h, const char *peer) {
  for (int i = 0; i < h->npeers; i++) {
    if (strcmp(h->peers[i].peer, peer) == 0) return h->peers[i].connected - h->peers[i].disconnected;
  }
  return 0;
}

static peer_count count_of(host *h, const char *peer) {
  peer_count none;
  memset(&none, 0, sizeof none);
  pthread_mutex_lock(&h->mu);
  for (int i = 0; i < h->npeers; i++) {
    if (strcmp(h->peers[i].peer, peer) == 0) none = h->peers[i];
  }
  pthread_mutex_unlock(&h->mu);
  return none;
}

/* ---------------------------------------------------------------- callbacks */

static int32_t on_gossip(void *p, const char *topic, const uint8_t *ssz, size_t len, const uint8_t *id,
                         const char *from) {
  host *h = begin(p);
  h->gossip++;
  h->last_gossip_len = len < sizeof h->last_gossip ? len : sizeof h->last_gossip;
  memcpy(h->last_gossip, ssz, h->last_gossip_len);
  memcpy(h->last_msg_id, id, LEAN_P2P_MESSAGE_ID_LEN);
  snprintf(h->last_topic, sizeof h->last_topic, "%s", topic);
  snprintf(h->last_from, sizeof h->last_from, "%s", from);
  /* a host that blocks: the library must shed by its rules, and nothing else stalls */
  while (h->block_gossip) {
    h->gossip_blocked_now = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_cond_wait(&h->cv, &h->mu);
  }
  h->gossip_blocked_now = 0;
  int32_t v = h->verdict;
  end(h);
  return v;
}

static void answer(host *h, uint64_t channel, uint32_t protocol, const uint8_t *ssz, size_t len) {
  /* commands from inside a callback (this is the delivery thread) */
  int32_t o[5];
  int n = 0;
  switch (h->mode[protocol]) {
    case ANSWER_ECHO:
      o[n++] = lean_p2p_send_rpc_response_chunk(h->net, channel, ssz, len);
      o[n++] = lean_p2p_send_rpc_end_of_stream(h->net, channel);
      break;
    case ANSWER_REVERSE: {
      uint8_t r[4096];
      for (size_t i = 0; i < len && i < sizeof r; i++) r[i] = ssz[len - 1 - i];
      o[n++] = lean_p2p_send_rpc_response_chunk(h->net, channel, r, len);
      o[n++] = lean_p2p_send_rpc_end_of_stream(h->net, channel);
      break;
    }
    case ANSWER_MULTI3:
      for (int i = 0; i < 3; i++) {
        char c[16];
        size_t cl = (size_t)snprintf(c, sizeof c, "block-%d", i);
        o[n++] = lean_p2p_send_rpc_response_chunk(h->net, channel, (const uint8_t *)c, cl);
      }
      o[n++] = lean_p2p_send_rpc_end_of_stream(h->net, channel);
      break;
    case ANSWER_ERROR:
      o[n++] = lean_p2p_send_rpc_error_response(h->net, channel, 3, "busy: try later");
      break;
    case ANSWER_IGNORE:
      break;
  }
  for (int i = 0; i < n; i++) {
    if (o[i] != LEAN_P2P_ACCEPTED) {
      h->answers_refused++;
      printf("# %s: answer command %d -> %s (%s)\n", h->label, i, lean_p2p_outcome_name(o[i]), lean_p2p_last_error());
    }
  }
}

static void on_request(void *p, uint64_t channel, const char *peer, uint32_t protocol, const uint8_t *ssz,
                       size_t len) {
  host *h = begin(p);
  h->requests++;
  h->last_channel = channel;
  h->last_req_protocol = protocol;
  h->last_req_len = len < sizeof h->last_req ? len : sizeof h->last_req;
  memcpy(h->last_req, ssz, h->last_req_len);
  snprintf(h->last_req_peer, sizeof h->last_req_peer, "%s", peer);
  /* a host that takes its time with a request: the network must go on without it */
  while (h->block_requests) {
    h->requests_blocked_now = 1;
    pthread_cond_broadcast(&h->cv);
    pthread_cond_wait(&h->cv, &h->mu);
  }
  h->requests_blocked_now = 0;
  if (protocol <= LEAN_P2P_BLOCKS_BY_RANGE) answer(h, channel, protocol, ssz, len);
  end(h);
}

static void on_response(void *p, uint64_t id, void *ctx, const char *peer, uint32_t protocol, const uint8_t *ssz,
                        size_t len) {
  host *h = begin(p);
  req *r = ctx;
  if (r->chunks < 4) {
    r->len[r->chunks] = len < 256 ? len : 256;
    memcpy(r->data[r->chunks], ssz, r->len[r->chunks]);
  }
  r->chunks++;
  r->id = id;
  r->protocol = protocol;
  snprintf(r->peer, sizeof r->peer, "%s", peer);
  end(h);
}

static void on_end_of_stream(void *p, uint64_t id, void *ctx, const char *peer, uint32_t protocol) {
  host *h = begin(p);
  req *r = ctx;
  r->eos++;
  r->id = id;
  r->protocol = protocol;
  snprintf(r->peer, sizeof r->peer, "%s", peer);
  end(h);
}

static void on_rpc_error(void *p, uint64_t id, void *ctx, const char *peer, uint32_t protocol, int32_t failure,
                         int32_t wire_code, const char *message) {
  host *h = begin(p);
  req *r = ctx;
  r->errors++;
  r->id = id;
  r->protocol = protocol;
  r->failure = failure;
  r->wire_code = wire_code;
  snprintf(r->message, sizeof r->message, "%s", message);
  snprintf(r->peer, sizeof r->peer, "%s", peer);
  end(h);
}

static void on_connected(void *p, const char *peer, const char *address, int32_t direction, int32_t transport) {
  host *h = begin(p);
  peer_count *c = peer_of(h, peer);
  if (c) {
    c->connected++;
    c->direction = direction;
    c->transport = transport;
    if (c->connected - c->disconnected != 1) {
      h->pairing_violations++;
      printf("# %s: on_peer_connected(%s) while it was connected already\n", h->label, peer);
    }
  }
  if (h->stop_in_callback && !h->stop_in_callback_done) {
    /* stop this network from its own callback: allowed, and no callback follows */
    h->stopped = 1;
    pthread_mutex_unlock(&h->mu);
    int32_t o = lean_p2p_stop_network(h->net);
    pthread_mutex_lock(&h->mu);
    h->stop_in_callback_outcome = o;
    h->stop_in_callback_done = 1;
  }
  (void)address;
  end(h);
}

static void on_disconnected(void *p, const char *peer, const char *address, int32_t direction, int32_t reason,
                            const char *detail) {
  host *h = begin(p);
  peer_count *c = peer_of(h, peer);
  if (c) {
    c->disconnected++;
    c->reason = reason;
    if (c->connected != c->disconnected) {
      h->pairing_violations++;
      printf("# %s: on_peer_disconnected(%s) without its on_peer_connected\n", h->label, peer);
    }
  }
  (void)address;
  (void)direction;
  (void)detail;
  end(h);
}

static void on_connection_failed(void *p, const char *peer, const char *address, int32_t reason, uint32_t attempt,
                                 int32_t will_retry, const char *detail) {
  host *h = begin(p);
  h->conn_failed++;
  h->last_fail_reason = reason;
  h->last_will_retry = will_retry;
  printf("# %s: dial %s failed: %s (%d), attempt %u, retry %d\n", h->label, address, detail, reason, attempt,
         will_retry);
  (void)peer;
  end(h);
}

static void on_gave_up(void *p, const char *peer, const char *address, uint32_t attempts) {
  host *h = begin(p);
  h->gave_up++;
  (void)peer;
  (void)address;
  (void)attempts;
  end(h);
}

static void on_channel_closed(void *p, uint64_t channel, const char *peer, const char *reason) {
  host *h = begin(p);
  h->channels_closed++;
  h->last_closed_channel = channel;
  (void)peer;
  (void)reason;
  end(h);
}

static void on_subscription(void *p, const char *peer, const char *topic, int32_t subscribed) {
  host *h = begin(p);
  if (strcmp(topic, TOPIC) == 0) {
    if (subscribed) h->subscribed++;
    else h->unsubscribed++;
  }
  (void)peer;
  end(h);
}

static void on_mesh(void *p, const char *peer, const char *topic, int32_t grafted) {
  host *h = begin(p);
  if (strcmp(topic, TOPIC) == 0) h->grafted += grafted ? 1 : -1;
  (void)peer;
  end(h);
}

static void on_published(void *p, const char *topic, const uint8_t *id, uint32_t recipients, int32_t duplicate) {
  host *h = begin(p);
  h->published++;
  if (duplicate) h->duplicates++;
  memcpy(h->last_published_id, id, LEAN_P2P_MESSAGE_ID_LEN);
  h->last_recipients = recipients;
  (void)topic;
  end(h);
}

static void on_ping(void *p, const char *peer, int64_t rtt, const char *error) {
  host *h = begin(p);
  h->pings++;
  h->last_rtt = error == NULL ? rtt : -1;
  (void)peer;
  end(h);
}

static void on_abandoned(void *p, int32_t command, const char *target, uint64_t channel, const char *reason) {
  host *h = begin(p);
  if (command >= 0 && command <= LEAN_P2P_CMD_OTHER) h->abandoned[command]++;
  int topic_cmd = command == LEAN_P2P_CMD_PUBLISH || command == LEAN_P2P_CMD_SUBSCRIBE ||
                  command == LEAN_P2P_CMD_UNSUBSCRIBE;
  int channel_cmd = command == LEAN_P2P_CMD_RESPONSE_CHUNK || command == LEAN_P2P_CMD_END_OF_STREAM ||
                    command == LEAN_P2P_CMD_ERROR_RESPONSE;
  int fits = strstr(reason, "closed") != NULL && (!topic_cmd || (strncmp(target, "/leanconsensus/", 15) == 0 && channel == 0)) &&
             (!channel_cmd || (target[0] == '\0' && channel > 0)) && command != LEAN_P2P_CMD_OTHER;
  if (!fits) {
    h->abandoned_unexpected++;
    printf("# %s: on_command_abandoned(%d, \"%s\", %llu, \"%s\")\n", h->label, command, target,
           (unsigned long long)channel, reason);
  }
  end(h);
}

static const lean_p2p_callbacks CALLBACKS = {
    .on_gossip_msg = on_gossip,
    .on_rpc_request = on_request,
    .on_rpc_response = on_response,
    .on_rpc_end_of_stream = on_end_of_stream,
    .on_rpc_error = on_rpc_error,
    .on_peer_connected = on_connected,
    .on_peer_disconnected = on_disconnected,
    .on_peer_connection_failed = on_connection_failed,
    .on_dial_gave_up = on_gave_up,
    .on_rpc_channel_closed = on_channel_closed,
    .on_peer_subscription = on_subscription,
    .on_mesh_change = on_mesh,
    .on_publish_completed = on_published,
    .on_ping = on_ping,
    .on_command_abandoned = on_abandoned,
};

static lean_p2p_network_params params(host *h, const char *listen) {
  lean_p2p_network_params p;
  memset(&p, 0, sizeof p);
  p.network_id = h->net;
  p.abi_version = LEAN_P2P_ABI_VERSION;
  p.host = h;
  p.listen_addresses = listen;
  p.callbacks = &CALLBACKS;
  p.name = h->label;
  return p;
}

/* Request bodies of the lean shapes the library checks (leanSpec: Status 80 bytes,
 * BlocksByRangeRequest start_slot u64 || count u64, BlocksByRootRequest offset u32 || roots). */
static void status_ssz(uint8_t out[80], uint8_t seed) {
  for (int i = 0; i < 80; i++) out[i] = (uint8_t)(seed + i);
}

static void range_ssz(uint8_t out[16], uint64_t start, uint64_t count) {
  for (int i = 0; i < 8; i++) {
    out[i] = (uint8_t)(start >> (8 * i));
    out[8 + i] = (uint8_t)(count >> (8 * i));
  }
}

static void roots_ssz(uint8_t out[36], uint8_t seed) {
  out[0] = 4;
  out[1] = out[2] = out[3] = 0;
  memset(out + 4, seed, 32);
}

static int terminal(req *r) {
  return r->eos + r->errors;
}

/* A stop that returned: from now on no callback of this host may run. */
static void stop_host(host *h) {
  int32_t o = lean_p2p_stop_network(h->net);
  pthread_mutex_lock(&h->mu);
  h->stopped = 1;
  pthread_mutex_unlock(&h->mu);
  CHECK(o == LEAN_P2P_ACCEPTED, "%s: stop_network -> %s", h->label, lean_p2p_outcome_name(o));
}

static void check_host_rules(host *h) {
  pthread_mutex_lock(&h->mu);
  long after = h->after_stop, wrong = h->wrong_thread, name = h->bad_thread_name, refused = h->answers_refused;
  long unpaired = h->pairing_violations, odd_abandoned = h->abandoned_unexpected;
  pthread_mutex_unlock(&h->mu);
  CHECK(unpaired == 0, "%s: connected/disconnected strictly alternate per peer (%ld violations)", h->label, unpaired);
  CHECK(odd_abandoned == 0, "%s: every on_command_abandoned named its command, target and reason (%ld odd)",
        h->label, odd_abandoned);
  CHECK(after == 0, "%s: no callback after stop_network returned (%ld)", h->label, after);
  CHECK(wrong == 0 && name == 0, "%s: every callback on the one delivery thread %s... (%ld elsewhere)", h->label,
        h->thread_prefix, wrong + name);
  CHECK(refused == 0, "%s: every answer command from inside a callback ACCEPTED (%ld refused)", h->label, refused);
  for (int i = 0; i < h->npeers; i++) {
    CHECK(h->peers[i].connected == h->peers[i].disconnected && h->peers[i].connected >= 1,
          "%s: connected/disconnected paired for %.12s...: %d/%d", h->label, h->peers[i].peer,
          h->peers[i].connected, h->peers[i].disconnected);
  }
}

/* ---------------------------------------------------------------- log */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static long log_lines, log_ready_lines, log_abandoned_publish_lines;

static void on_log(void *log_host, int32_t level, const char *msg, size_t len) {
  pthread_mutex_lock(&log_mu);
  log_lines++;
  if (memmem(msg, len, "ready as", 8) != NULL) log_ready_lines++;
  if (memmem(msg, len, "accepted command publish (", 26) != NULL && memmem(msg, len, "abandoned", 9) != NULL) {
    log_abandoned_publish_lines++;
  }
  pthread_mutex_unlock(&log_mu);
  if (level >= LEAN_P2P_LOG_WARN) fprintf(stderr, "[lean-p2p %d] %.*s\n", level, (int)len, msg);
  (void)log_host;
}

/* ---------------------------------------------------------------- stop while hammering */

/* A host thread that publishes as fast as it can until the network answers CLOSED / NOT_STARTED. */
typedef struct stop_hammer {
  uint32_t net;
  int thread;
  size_t payload_len;
  _Atomic int saw_full;
  long calls;
  long outcomes[LEAN_P2P_OUTCOME_COUNT];
  int32_t last;
} stop_hammer;

static void *stop_hammer_run(void *arg) {
  stop_hammer *hm = arg;
  uint8_t *payload = malloc(hm->payload_len);
  if (payload == NULL) return NULL;
  memset(payload, 'A' + hm->thread, hm->payload_len);
  for (long i = 0; i < 20000000L; i++) { /* bounded: the stop ends it long before */
    int n = snprintf((char *)payload, hm->payload_len, "stop-hammer %d/%ld", hm->thread, i);
    payload[n] = ' ';
    int32_t o = lean_p2p_publish(hm->net, TOPIC, payload, hm->payload_len);
    hm->calls++;
    hm->last = o;
    if (o >= 0 && o < LEAN_P2P_OUTCOME_COUNT) hm->outcomes[o]++;
    if (o == LEAN_P2P_QUEUE_FULL) atomic_store(&hm->saw_full, 1);
    if (o == LEAN_P2P_CLOSED || o == LEAN_P2P_NOT_STARTED) break;
  }
  free(payload);
  return NULL;
}

/* Three threads call stop_network on one network at once: one ACCEPTED, the others CLOSED, and
 * none returns before the stop is complete (no callback runs after any of them returned). */
typedef struct stopper {
  host *h;
  pthread_barrier_t *go;
  int32_t outcome;
} stopper;

static void *stopper_run(void *arg) {
  stopper *st = arg;
  pthread_barrier_wait(st->go);
  st->outcome = lean_p2p_stop_network(st->h->net);
  pthread_mutex_lock(&st->h->mu);
  st->h->stopped = 1;
  pthread_mutex_unlock(&st->h->mu);
  return NULL;
}

static void stop_concurrently(host *h) {
  enum { STOPPERS = 3 };
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, STOPPERS);
  stopper st[STOPPERS];
  pthread_t t[STOPPERS];
  for (int i = 0; i < STOPPERS; i++) {
    st[i].h = h;
    st[i].go = &go;
    st[i].outcome = -1;
    if (i > 0) pthread_create(&t[i], NULL, stopper_run, &st[i]);
  }
  stopper_run(&st[0]);
  int accepted = 0, closed = 0;
  for (int i = 0; i < STOPPERS; i++) {
    if (i > 0) pthread_join(t[i], NULL);
    accepted += st[i].outcome == LEAN_P2P_ACCEPTED;
    closed += st[i].outcome == LEAN_P2P_CLOSED;
  }
  pthread_barrier_destroy(&go);
  CHECK(accepted == 1 && closed == STOPPERS - 1,
        "%s: %d threads stop it at once: one ACCEPTED, the others CLOSED (%d, %d)", h->label, STOPPERS, accepted,
        closed);
}

/* Starts `threads` publishing threads on h's network, waits until each has found the command lane
 * full (so commands are queued), stops the network under them (from 3 threads at once), and returns how many publishes were
 * ACCEPTED. Checks that every call got an outcome and each thread ended on CLOSED / NOT_STARTED. */
static long hammer_then_stop(host *h, int threads, size_t payload_len) {
  stop_hammer hm[8];
  pthread_t t[8];
  memset(hm, 0, sizeof hm);
  for (int i = 0; i < threads; i++) {
    hm[i].net = h->net;
    hm[i].thread = i;
    hm[i].payload_len = payload_len;
    pthread_create(&t[i], NULL, stop_hammer_run, &hm[i]);
  }
  uint64_t dl = now_ms() + WAIT_MS;
  int full = 0;
  while (now_ms() < dl) {
    full = 0;
    for (int i = 0; i < threads; i++) full += atomic_load(&hm[i].saw_full);
    if (full == threads) break;
    WAIT_FOR(h, 0, 20);
  }
  CHECK(full == threads, "%s: %d threads publishing; each has found the lane full (%d)", h->label, threads, full);
  stop_concurrently(h); /* under the publishing threads */
  long accepted = 0, odd = 0, calls = 0;
  int ends_ok = 1;
  for (int i = 0; i < threads; i++) {
    pthread_join(t[i], NULL);
    long sum = 0;
    for (int k = 0; k < LEAN_P2P_OUTCOME_COUNT; k++) sum += hm[i].outcomes[k];
    odd += hm[i].calls - sum;
    odd += hm[i].calls - hm[i].outcomes[LEAN_P2P_ACCEPTED] - hm[i].outcomes[LEAN_P2P_QUEUE_FULL] - 1;
    ends_ok &= hm[i].last == LEAN_P2P_CLOSED || hm[i].last == LEAN_P2P_NOT_STARTED;
    accepted += hm[i].outcomes[LEAN_P2P_ACCEPTED];
    calls += hm[i].calls;
  }
  printf("# %s: %ld publishes during the stop, %ld ACCEPTED\n", h->label, calls, accepted);
  CHECK(odd == 0 && ends_ok,
        "%s: every call got ACCEPTED or QUEUE_FULL until the stop, then CLOSED / NOT_STARTED (%ld other)", h->label,
        odd);
  return accepted;
}

/* ---------------------------------------------------------------- in-process scenario */

static size_t addr_with(const char *csv, const char *needle, char *out, size_t cap) {
  const char *p = csv;
  while (p && *p) {
    const char *e = strchr(p, ',');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    if (memmem(p, n, needle, strlen(needle)) != NULL && n < cap) {
      memcpy(out, p, n);
      out[n] = '\0';
      return n;
    }
    p = e ? e + 1 : NULL;
  }
  out[0] = '\0';
  return 0;
}

static void run_inproc(void) {
  section("runtime and start failures");
  lean_p2p_runtime_config rc;
  memset(&rc, 0, sizeof rc);
  rc.abi_version = LEAN_P2P_ABI_VERSION;
  rc.on_log = on_log;
  rc.log_level = LEAN_P2P_LOG_INFO;
  rc.abi_version = 77;
  CHECK(lean_p2p_init(&rc) == LEAN_P2P_START_INVALID, "init with a wrong abi_version -> START_INVALID");
  rc.abi_version = LEAN_P2P_ABI_VERSION;
  int32_t s = lean_p2p_init(&rc);
  REQUIRE(s == LEAN_P2P_START_OK, "init -> %s (%s)", lean_p2p_start_code_name(s), lean_p2p_last_error());
  CHECK(lean_p2p_init(NULL) == LEAN_P2P_START_OK, "init again -> OK (the JVM is up)");

  static host a, b, c, b2, d, bad;
  host_init(&a, "a", 1);
  host_init(&b, "b", 2);
  host_init(&c, "c", 3);
  host_init(&bad, "x", 90);

  lean_p2p_network_params p = params(&bad, "/ip4/127.0.0.1/tcp/0");
  CHECK(lean_p2p_create_and_run_network(NULL) == LEAN_P2P_START_INVALID, "create(NULL) -> START_INVALID");
  p.abi_version = 99;
  CHECK(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_INVALID, "wrong abi_version -> START_INVALID");
  p.abi_version = LEAN_P2P_ABI_VERSION;
  p.key_hex = "zz";
  s = lean_p2p_create_and_run_network(&p);
  CHECK(s == LEAN_P2P_START_KEY && strstr(lean_p2p_last_error(), "secp256k1") != NULL,
        "a bad key -> START_KEY at once (%s: %s)", lean_p2p_start_code_name(s), lean_p2p_last_error());
  p.key_hex = NULL;
  p.listen_addresses = "/ip4/127.0.0.1/tcp/notaport";
  s = lean_p2p_create_and_run_network(&p);
  CHECK(s == LEAN_P2P_START_ADDRESS, "a bad listen address -> START_ADDRESS (%s)", lean_p2p_last_error());
  p.listen_addresses = "/ip4/127.0.0.1/tcp/0";
  p.connect_addresses = "/ip4/127.0.0.1/tcp/1/p2p/nonsense";
  s = lean_p2p_create_and_run_network(&p);
  CHECK(s == LEAN_P2P_START_ADDRESS, "a bad connect address -> START_ADDRESS (%s)", lean_p2p_last_error());
  p.connect_addresses = NULL;
  p.gossip_queue_capacity = 2;
  CHECK(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_INVALID, "gossip_queue_capacity 2 -> START_INVALID");
  CHECK(lean_p2p_wait_for_network_ready(90, 100) == LEAN_P2P_START_UNKNOWN_NETWORK,
        "the failed id does not exist (wait -> UNKNOWN_NETWORK)");
  CHECK(lean_p2p_publish(12345, TOPIC, (const uint8_t *)"x", 1) == LEAN_P2P_NOT_STARTED,
        "publish on an unknown id -> NOT_STARTED");
  CHECK(lean_p2p_stop_network(12345) == LEAN_P2P_CLOSED, "stop on an unknown id -> CLOSED");

  section("two networks: start, ids, addresses");
  p = params(&a, "/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/udp/0/quic-v1");
  p.key_hex = KEY_A;
  p.flags = LEAN_P2P_FLAG_PUBLISH_EVENTS;
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create a (%s)", lean_p2p_last_error());
  CHECK(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_ID_IN_USE, "create a again -> START_ID_IN_USE");
  p = params(&b, "/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/udp/0/quic-v1");
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create b");
  REQUIRE(lean_p2p_wait_for_network_ready(1, WAIT_MS) == LEAN_P2P_START_OK, "a ready (%s)", lean_p2p_last_error());
  REQUIRE(lean_p2p_wait_for_network_ready(2, WAIT_MS) == LEAN_P2P_START_OK, "b ready (%s)", lean_p2p_last_error());
  char a_id[128], b_id[128], b_addrs[1024], b_tcp[256], b_quic[256], small[4];
  size_t n = lean_p2p_get_peer_id(1, a_id, sizeof a_id);
  CHECK(n > 40 && n == strlen(a_id) && strncmp(a_id, "16Uiu2", 6) == 0, "a's peer id %s (secp256k1)", a_id);
  CHECK(lean_p2p_get_peer_id(1, small, sizeof small) == n && small[0] == '\0',
        "a short buffer gets the needed length and an empty string");
  lean_p2p_get_peer_id(2, b_id, sizeof b_id);
  lean_p2p_get_listen_addresses(2, b_addrs, sizeof b_addrs);
  addr_with(b_addrs, "/tcp/", b_tcp, sizeof b_tcp);
  addr_with(b_addrs, "/quic-v1", b_quic, sizeof b_quic);
  CHECK(b_tcp[0] && b_quic[0] && strstr(b_tcp, b_id) && strstr(b_quic, b_id),
        "b listens on TCP and QUIC, addresses end in its id: %s", b_addrs);
  CHECK(lean_p2p_get_peer_id(77, small, sizeof small) == 0, "get_peer_id of an unknown id -> 0");
  double refs = -1;
  lean_p2p_get_metric(1, "leanp2p_native_global_refs", NULL, &refs);
  CHECK(refs == 3 + 2, "JNI global references held: 3 for the runtime + 1 per network (%.0f)", refs);
  CHECK(strcmp(lean_p2p_protocol_id(LEAN_P2P_STATUS), "/leanconsensus/req/status/1/ssz_snappy") == 0 &&
            lean_p2p_protocol_id(3) == NULL,
        "protocol tags name their multistream ids");

  section("a bind failure is a typed code");
  char b_tcp_port_only[256];
  snprintf(b_tcp_port_only, sizeof b_tcp_port_only, "%s", b_tcp);
  char *p2p = strstr(b_tcp_port_only, "/p2p/");
  if (p2p) *p2p = '\0';
  p = params(&c, b_tcp_port_only);
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create c on b's port (binds later)");
  s = lean_p2p_wait_for_network_ready(3, WAIT_MS);
  CHECK(s == LEAN_P2P_START_BIND, "c: wait -> START_BIND, not a timeout (%s: %s)", lean_p2p_start_code_name(s),
        lean_p2p_last_error());
  char c_id[128];
  lean_p2p_get_peer_id(3, c_id, sizeof c_id);
  int32_t o = lean_p2p_publish(3, TOPIC, (const uint8_t *)"x", 1);
  CHECK(o == LEAN_P2P_CLOSED || o == LEAN_P2P_NOT_STARTED, "a command on the failed network -> %s",
        lean_p2p_outcome_name(o));
  stop_host(&c);
  CHECK(lean_p2p_wait_for_network_ready(3, 10) == LEAN_P2P_START_UNKNOWN_NETWORK, "its id is free after stop");

  section("connect, with paired peer events");
  o = lean_p2p_dial(1, b_quic, 0);
  CHECK(o == LEAN_P2P_ACCEPTED, "a dials b over QUIC -> %s", lean_p2p_outcome_name(o));
  REQUIRE(WAIT_FOR(&a, connected_to(&a, b_id) == 1, WAIT_MS), "a: on_peer_connected(b)");
  REQUIRE(WAIT_FOR(&b, connected_to(&b, a_id) == 1, WAIT_MS), "b: on_peer_connected(a)");
  peer_count ca = count_of(&a, b_id), cb = count_of(&b, a_id);
  CHECK(ca.direction == LEAN_P2P_OUTBOUND && ca.transport == LEAN_P2P_QUIC, "a sees b outbound over QUIC");
  CHECK(cb.direction == LEAN_P2P_INBOUND && cb.transport == LEAN_P2P_QUIC, "b sees a inbound over QUIC");
  CHECK(lean_p2p_get_connected_peers_total(1) == 1, "a has 1 connected peer");

  section("req/resp: multi-chunk, error, status, ids, refusals");
  uint64_t rid = 99;
  uint8_t st[80], rng[16], roots[36];
  status_ssz(st, 1);
  range_ssz(rng, 100, 3);
  roots_ssz(roots, 0xab);
  o = lean_p2p_send_rpc_request(1, c_id, LEAN_P2P_STATUS, st, sizeof st, NULL, &rid);
  CHECK(o == LEAN_P2P_NOT_CONNECTED && rid == 0, "request to an unconnected peer -> NOT_CONNECTED at once, id 0");
  o = lean_p2p_send_rpc_request(1, "notapeer", LEAN_P2P_STATUS, st, sizeof st, NULL, &rid);
  CHECK(o == LEAN_P2P_INVALID && strstr(lean_p2p_last_error(), "peer") != NULL,
        "a bad peer id -> INVALID with a reason (%s)", lean_p2p_last_error());
  o = lean_p2p_send_rpc_request(1, b_id, 9, st, sizeof st, NULL, &rid);
  CHECK(o == LEAN_P2P_INVALID, "protocol 9 -> INVALID");
  static uint8_t big[LEAN_P2P_MAX_PAYLOAD + 1];
  o = lean_p2p_publish(1, TOPIC, big, sizeof big);
  CHECK(o == LEAN_P2P_TOO_LARGE, "publishing 10 MiB + 1 -> TOO_LARGE");
  o = lean_p2p_send_rpc_response_chunk(1, 424242, (const uint8_t *)"x", 1);
  CHECK(o == LEAN_P2P_INVALID, "a chunk on an unknown channel -> INVALID (%s)", lean_p2p_last_error());
  o = lean_p2p_send_rpc_error_response(1, 424242, 7, "x");
  CHECK(o == LEAN_P2P_INVALID, "error code 7 -> INVALID");

  static req r1, r2, r3;
  b.mode[LEAN_P2P_BLOCKS_BY_RANGE] = ANSWER_MULTI3;
  b.mode[LEAN_P2P_BLOCKS_BY_ROOT] = ANSWER_ERROR;
  b.mode[LEAN_P2P_STATUS] = ANSWER_ECHO;
  uint64_t id1 = 0, id2 = 0, id3 = 0;
  o = lean_p2p_send_rpc_request(1, b_id, LEAN_P2P_BLOCKS_BY_RANGE, rng, sizeof rng, &r1, &id1);
  REQUIRE(o == LEAN_P2P_ACCEPTED && id1 > 0, "blocks_by_range request accepted, id %llu", (unsigned long long)id1);
  REQUIRE(WAIT_FOR(&a, terminal(&r1) >= 1, WAIT_MS), "its terminal callback arrives");
  pthread_mutex_lock(&a.mu);
  CHECK(r1.chunks == 3 && r1.eos == 1 && r1.errors == 0, "3 chunks then end of stream (%d, %d, %d)", r1.chunks,
        r1.eos, r1.errors);
  CHECK(r1.len[0] == 7 && memcmp(r1.data[0], "block-0", 7) == 0 && memcmp(r1.data[2], "block-2", 7) == 0,
        "chunks in order, bytes intact");
  CHECK(r1.id == id1 && r1.protocol == LEAN_P2P_BLOCKS_BY_RANGE && strcmp(r1.peer, b_id) == 0,
        "callbacks carry the request id, protocol, peer and the host's request_ctx");
  pthread_mutex_unlock(&a.mu);
  pthread_mutex_lock(&b.mu);
  CHECK(b.requests == 1 && b.last_req_len == sizeof rng && memcmp(b.last_req, rng, sizeof rng) == 0 &&
            b.last_req_protocol == LEAN_P2P_BLOCKS_BY_RANGE && strcmp(b.last_req_peer, a_id) == 0,
        "b got the request: bytes, protocol, requester");
  pthread_mutex_unlock(&b.mu);

  o = lean_p2p_send_rpc_request(1, b_id, LEAN_P2P_BLOCKS_BY_ROOT, roots, sizeof roots, &r2, &id2);
  REQUIRE(o == LEAN_P2P_ACCEPTED, "blocks_by_root request accepted");
  REQUIRE(WAIT_FOR(&a, terminal(&r2) >= 1, WAIT_MS), "its terminal callback arrives");
  pthread_mutex_lock(&a.mu);
  CHECK(r2.errors == 1 && r2.eos == 0 && r2.chunks == 0 && r2.failure == LEAN_P2P_RPC_WIRE_ERROR &&
            r2.wire_code == 3 && strcmp(r2.message, "busy: try later") == 0,
        "error response: WIRE_ERROR, code 3, the responder's text (%d, %d, \"%s\")", r2.failure, r2.wire_code,
        r2.message);
  pthread_mutex_unlock(&a.mu);

  o = lean_p2p_send_rpc_request(1, b_id, LEAN_P2P_STATUS, st, sizeof st, &r3, &id3);
  REQUIRE(o == LEAN_P2P_ACCEPTED, "status request accepted");
  REQUIRE(WAIT_FOR(&a, terminal(&r3) >= 1, WAIT_MS), "its terminal callback arrives");
  CHECK(READ(&a, r3.chunks == 1 && r3.eos == 1 && r3.len[0] == 80 && memcmp(r3.data[0], st, 80) == 0),
        "status: one chunk (echo), end of stream");
  CHECK(id1 < id2 && id2 < id3, "request ids increase and are never reused (%llu < %llu < %llu)",
        (unsigned long long)id1, (unsigned long long)id2, (unsigned long long)id3);
  CHECK(READ(&a, terminal(&r1) == 1 && terminal(&r2) == 1 && terminal(&r3) == 1),
        "exactly one terminal callback per request");
  static req rb;
  uint64_t idb = 0;
  status_ssz(st, 2);
  o = lean_p2p_send_rpc_request(2, a_id, LEAN_P2P_STATUS, st, sizeof st, &rb, &idb);
  REQUIRE(o == LEAN_P2P_ACCEPTED, "b sends a a status request");
  REQUIRE(WAIT_FOR(&b, terminal(&rb) >= 1, WAIT_MS), "its terminal callback arrives on b");
  CHECK(READ(&b, rb.chunks == 1 && rb.eos == 1 && memcmp(rb.data[0], st, 80) == 0), "a answered it (echo)");
  CHECK(id1 == 1 && idb == 1, "request ids are per network: a's first was 1, b's first is 1 too (%llu, %llu)",
        (unsigned long long)id1, (unsigned long long)idb);

  section("gossip both ways, message ids, duplicates, deferred validation");
  CHECK(lean_p2p_subscribe_gossip_topic(1, TOPIC) == LEAN_P2P_ACCEPTED, "a subscribes");
  CHECK(lean_p2p_subscribe_gossip_topic(2, TOPIC) == LEAN_P2P_ACCEPTED, "b subscribes");
  CHECK(lean_p2p_subscribe_gossip_topic(2, "") == LEAN_P2P_INVALID, "an empty topic -> INVALID");
  REQUIRE(WAIT_FOR(&a, a.grafted >= 1, WAIT_MS), "a: on_mesh_change(b grafted)");
  REQUIRE(WAIT_FOR(&b, b.grafted >= 1, WAIT_MS), "b: on_mesh_change(a grafted)");
  /* reads see the snapshot the network republishes at least every second */
  uint64_t dl = now_ms() + WAIT_MS;
  while (lean_p2p_get_mesh_peers_total(1, TOPIC) != 1 && now_ms() < dl) WAIT_FOR(&a, 0, 50);
  CHECK(lean_p2p_get_mesh_peers_total(1, TOPIC) == 1 && lean_p2p_get_mesh_peers_total(1, NULL) == 1,
        "a's mesh of the topic holds b (get_mesh_peers_total)");
  const char *x = "block from a";
  o = lean_p2p_publish(1, TOPIC, (const uint8_t *)x, strlen(x));
  CHECK(o == LEAN_P2P_ACCEPTED, "a publishes");
  REQUIRE(WAIT_FOR(&b, b.gossip == 1, WAIT_MS), "b: on_gossip_msg");
  REQUIRE(WAIT_FOR(&a, a.published == 1, WAIT_MS), "a: on_publish_completed");
  pthread_mutex_lock(&b.mu);
  pthread_mutex_lock(&a.mu);
  CHECK(b.last_gossip_len == strlen(x) && memcmp(b.last_gossip, x, strlen(x)) == 0 &&
            strcmp(b.last_topic, TOPIC) == 0 && strcmp(b.last_from, a_id) == 0,
        "b got the SSZ bytes, the topic and the sender");
  CHECK(memcmp(b.last_msg_id, a.last_published_id, 20) == 0 && a.last_recipients == 1 && a.duplicates == 0,
        "same message id on both sides; sent to 1 peer");
  pthread_mutex_unlock(&a.mu);
  pthread_mutex_unlock(&b.mu);
  CHECK(lean_p2p_publish(1, TOPIC, (const uint8_t *)x, strlen(x)) == LEAN_P2P_ACCEPTED, "a publishes it again");
  REQUIRE(WAIT_FOR(&a, a.published == 2, WAIT_MS), "a: its completion");
  CHECK(READ(&a, a.duplicates) == 1, "... reported as a duplicate (content-derived id)");
  b.verdict = LEAN_P2P_VALIDATION_DEFER;
  const char *y = "deferred block";
  CHECK(lean_p2p_publish(1, TOPIC, (const uint8_t *)y, strlen(y)) == LEAN_P2P_ACCEPTED, "a publishes another");
  REQUIRE(WAIT_FOR(&b, b.gossip == 2, WAIT_MS), "b gets it and defers");
  uint8_t deferred[20];
  pthread_mutex_lock(&b.mu);
  memcpy(deferred, b.last_msg_id, 20);
  b.verdict = LEAN_P2P_VALIDATION_ACCEPT;
  pthread_mutex_unlock(&b.mu);
  CHECK(lean_p2p_report_validation(2, deferred, LEAN_P2P_VALIDATION_ACCEPT) == LEAN_P2P_ACCEPTED,
        "report_validation(ACCEPT) later -> ACCEPTED");
  CHECK(lean_p2p_report_validation(2, deferred, 7) == LEAN_P2P_INVALID, "report_validation(7) -> INVALID");
  const char *z = "block from b";
  CHECK(lean_p2p_publish(2, TOPIC, (const uint8_t *)z, strlen(z)) == LEAN_P2P_ACCEPTED, "b publishes");
  REQUIRE(WAIT_FOR(&a, a.gossip == 1, WAIT_MS), "a: on_gossip_msg");
  CHECK(READ(&a, a.last_gossip_len == strlen(z) && memcmp(a.last_gossip, z, strlen(z)) == 0), "a got b's bytes");
  CHECK(lean_p2p_unsubscribe_gossip_topic(2, TOPIC) == LEAN_P2P_ACCEPTED, "b unsubscribes");
  REQUIRE(WAIT_FOR(&a, a.unsubscribed == 1, WAIT_MS), "a: on_peer_subscription(b, unsubscribed)");

  section("ping, metrics, reads");
  CHECK(lean_p2p_ping(1, b_id) == LEAN_P2P_ACCEPTED, "a pings b");
  REQUIRE(WAIT_FOR(&a, a.pings == 1, WAIT_MS), "a: on_ping");
  CHECK(READ(&a, a.last_rtt) >= 0, "with a round-trip time");
  double v = -1;
  o = lean_p2p_get_metric(1, "leanp2p_commands_accepted_total", NULL, &v);
  CHECK(o == LEAN_P2P_ACCEPTED && v >= 1, "get_metric(accepted commands) = %.0f", v);
  o = lean_p2p_get_metric(1, "leanp2p_command_refusals_total", "reason=not_connected", &v);
  CHECK(o == LEAN_P2P_ACCEPTED && v == 1, "get_metric(refusals, reason=not_connected) = %.0f", v);
  o = lean_p2p_get_metric(1, "leanp2p_native_gossip_undecodable_total", NULL, &v);
  CHECK(o == LEAN_P2P_ACCEPTED && v == 0, "get_metric(undecodable gossip) = %.0f", v);
  CHECK(lean_p2p_get_metric(77, "leanp2p_commands_accepted_total", NULL, &v) == LEAN_P2P_NOT_STARTED,
        "get_metric on an unknown id -> NOT_STARTED");

  section("failed dials");
  char closed_addr[256];
  snprintf(closed_addr, sizeof closed_addr, "/ip4/127.0.0.1/tcp/1/p2p/%s", c_id); /* nobody listens on port 1 */
  CHECK(lean_p2p_dial(1, closed_addr, 0) == LEAN_P2P_ACCEPTED, "a dials an address nobody listens on");
  REQUIRE(WAIT_FOR(&a, a.conn_failed == 1, WAIT_MS), "a: on_peer_connection_failed");
  CHECK(READ(&a, a.last_will_retry) == 0 && READ(&a, a.last_fail_reason) != LEAN_P2P_CLOSE_LOCAL,
        "not retried (not persistent); reason %d", READ(&a, a.last_fail_reason));
  static host e;
  host_init(&e, "e", 6);
  p = params(&e, "/ip4/127.0.0.1/tcp/0");
  p.connect_addresses = closed_addr;
  p.flags = LEAN_P2P_FLAG_NO_RECONNECT;
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create e with a dead connect address, no reconnect");
  REQUIRE(WAIT_FOR(&e, e.conn_failed == 1 && e.gave_up == 1, WAIT_MS), "e: on_peer_connection_failed, on_dial_gave_up");
  stop_host(&e);
  check_host_rules(&e);

  section("disconnect, dial again");
  CHECK(lean_p2p_disconnect(1, b_id) == LEAN_P2P_ACCEPTED, "a disconnects b");
  REQUIRE(WAIT_FOR(&a, connected_to(&a, b_id) == 0, WAIT_MS), "a: on_peer_disconnected(b)");
  REQUIRE(WAIT_FOR(&b, connected_to(&b, a_id) == 0, WAIT_MS), "b: on_peer_disconnected(a)");
  peer_count da = count_of(&a, b_id), db = count_of(&b, a_id);
  CHECK(da.reason == LEAN_P2P_CLOSE_LOCAL, "a's reason: LOCAL (%d)", da.reason);
  CHECK(db.reason != LEAN_P2P_CLOSE_LOCAL, "b's reason is not LOCAL (%d)", db.reason);
  char a_addrs[1024], a_tcp[256];
  lean_p2p_get_listen_addresses(1, a_addrs, sizeof a_addrs);
  addr_with(a_addrs, "/tcp/", a_tcp, sizeof a_tcp);
  CHECK(lean_p2p_dial(1, b_tcp, 0) == LEAN_P2P_ACCEPTED && lean_p2p_dial(2, a_tcp, 0) == LEAN_P2P_ACCEPTED,
        "a dials b and b dials a at the same time, over TCP (two connections, one peer each side)");
  REQUIRE(WAIT_FOR(&a, connected_to(&a, b_id) == 1, WAIT_MS), "a: on_peer_connected(b) again");
  REQUIRE(WAIT_FOR(&b, connected_to(&b, a_id) == 1, WAIT_MS), "b: on_peer_connected(a) again");
  CHECK(count_of(&a, b_id).transport == LEAN_P2P_TCP, "over TCP this time");
  CHECK(lean_p2p_ping(1, b_id) == LEAN_P2P_ACCEPTED && lean_p2p_ping(2, a_id) == LEAN_P2P_ACCEPTED,
        "both ping across (the duplicate rule has picked one connection)");
  REQUIRE(WAIT_FOR(&a, a.pings == 2, WAIT_MS) && WAIT_FOR(&b, b.pings == 1, WAIT_MS), "both pings answered");
  CHECK(count_of(&a, b_id).connected == 2 && count_of(&b, a_id).connected == 2 &&
            READ(&a, a.pairing_violations) == 0 && READ(&b, b.pairing_violations) == 0,
        "each side reported the peer connected once for the two connections (pairs: a %d, b %d)",
        count_of(&a, b_id).connected, count_of(&b, a_id).connected);

  section("a host blocked in on_rpc_request: the network goes on, no request is lost");
  static req rq[2];
  uint64_t qid[2] = {0, 0};
  double shed_before = -1, shed_after = -1;
  lean_p2p_get_metric(2, "leanp2p_events_shed_total", "class=inbound_request", &shed_before);
  long served_before = READ(&b, b.requests);
  pthread_mutex_lock(&b.mu);
  b.block_requests = 1;
  pthread_mutex_unlock(&b.mu);
  for (int i = 0; i < 2; i++) {
    status_ssz(st, (uint8_t)(10 + i));
    o = lean_p2p_send_rpc_request(1, b_id, LEAN_P2P_STATUS, st, sizeof st, &rq[i], &qid[i]);
    REQUIRE(o == LEAN_P2P_ACCEPTED, "a: status request %d to b accepted (%s)", i + 1, lean_p2p_outcome_name(o));
  }
  o = lean_p2p_send_rpc_request(1, b_id, LEAN_P2P_STATUS, st, sizeof st, NULL, &rid);
  CHECK(o == LEAN_P2P_TOO_MANY_REQUESTS && rid == 0,
        "a third request in flight to b -> TOO_MANY_REQUESTS at once, id 0 (%s)", lean_p2p_outcome_name(o));
  REQUIRE(WAIT_FOR(&b, b.requests_blocked_now, WAIT_MS), "b's on_rpc_request is blocked in the host");
  long pings_before = READ(&a, a.pings);
  CHECK(lean_p2p_ping(1, b_id) == LEAN_P2P_ACCEPTED, "a pings b meanwhile");
  REQUIRE(WAIT_FOR(&a, a.pings == pings_before + 1, WAIT_MS) && READ(&a, a.last_rtt) >= 0,
          "b's network answers the ping while its host is blocked (callbacks do not run on the event loop)");
  CHECK(lean_p2p_get_connected_peers_total(2) == 1 && lean_p2p_ping(2, a_id) == LEAN_P2P_ACCEPTED,
        "b's reads and commands still work from another thread (b pings a)");
  CHECK(READ(&a, terminal(&rq[0]) + terminal(&rq[1])) == 0, "neither request ended while b's host held them");
  pthread_mutex_lock(&b.mu);
  b.block_requests = 0;
  pthread_cond_broadcast(&b.cv);
  pthread_mutex_unlock(&b.mu);
  REQUIRE(WAIT_FOR(&a, terminal(&rq[0]) == 1 && terminal(&rq[1]) == 1, WAIT_MS),
          "both requests end once b's host goes on");
  CHECK(READ(&a, rq[0].chunks == 1 && rq[0].eos == 1 && rq[1].chunks == 1 && rq[1].eos == 1 &&
                     rq[1].len[0] == 80 && memcmp(rq[1].data[0], st, 80) == 0 && rq[0].data[0][0] == 10),
        "both were answered (echo, each its own body): none was dropped or mixed up");
  CHECK(READ(&b, b.requests) - served_before == 2, "b's host saw each request once (%ld)",
        READ(&b, b.requests) - served_before);
  CHECK(WAIT_FOR(&b, b.pings == 2, WAIT_MS), "b's own ping result reaches its host after the requests");
  lean_p2p_get_metric(2, "leanp2p_events_shed_total", "class=inbound_request", &shed_after);
  CHECK(shed_before == 0 && shed_after == 0, "b shed no inbound request (%.0f -> %.0f)", shed_before, shed_after);

  section("stop with a request in flight; id reuse; stop with our own request in flight");
  static req r4, r5;
  b.mode[LEAN_P2P_STATUS] = ANSWER_IGNORE;
  long before = READ(&b, b.requests);
  status_ssz(st, 4);
  o = lean_p2p_send_rpc_request(1, b_id, LEAN_P2P_STATUS, st, sizeof st, &r4, NULL);
  REQUIRE(o == LEAN_P2P_ACCEPTED, "a sends b a status request b will not answer");
  REQUIRE(WAIT_FOR(&b, b.requests == before + 1, WAIT_MS), "b has it");
  stop_host(&b);
  CHECK(lean_p2p_stop_network(2) == LEAN_P2P_CLOSED, "stop b again -> CLOSED (idempotent)");
  CHECK(lean_p2p_publish(2, TOPIC, (const uint8_t *)"x", 1) == LEAN_P2P_NOT_STARTED, "b's id is free: NOT_STARTED");
  REQUIRE(WAIT_FOR(&a, terminal(&r4) == 1, WAIT_MS), "a: the request ends with one terminal callback");
  CHECK(READ(&a, r4.errors == 1 && r4.failure != LEAN_P2P_RPC_WIRE_ERROR), "... a library failure (kind %d: %s)",
        r4.failure, r4.message);
  REQUIRE(WAIT_FOR(&a, connected_to(&a, b_id) == 0, WAIT_MS), "a: on_peer_disconnected(b)");

  host_init(&b2, "b2", 2);
  p = params(&b2, "/ip4/127.0.0.1/tcp/0");
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "id 2 is reused for a new network");
  REQUIRE(lean_p2p_wait_for_network_ready(2, WAIT_MS) == LEAN_P2P_START_OK, "b2 ready");
  char b2_id[128], b2_addrs[1024];
  lean_p2p_get_peer_id(2, b2_id, sizeof b2_id);
  lean_p2p_get_listen_addresses(2, b2_addrs, sizeof b2_addrs);
  CHECK(strcmp(b2_id, b_id) != 0, "with a new identity");
  CHECK(lean_p2p_dial(1, b2_addrs, 1) == LEAN_P2P_ACCEPTED, "a dials b2 (persistent)");
  REQUIRE(WAIT_FOR(&a, connected_to(&a, b2_id) == 1, WAIT_MS), "a: connected to b2");
  REQUIRE(WAIT_FOR(&b2, connected_to(&b2, a_id) == 1, WAIT_MS), "b2: connected to a");
  b2.mode[LEAN_P2P_STATUS] = ANSWER_IGNORE;
  status_ssz(st, 5);
  o = lean_p2p_send_rpc_request(1, b2_id, LEAN_P2P_STATUS, st, sizeof st, &r5, NULL);
  REQUIRE(o == LEAN_P2P_ACCEPTED, "a sends b2 a request b2 will not answer");
  REQUIRE(WAIT_FOR(&b2, b2.requests == 1, WAIT_MS), "b2 has it");
  stop_host(&a);
  pthread_mutex_lock(&a.mu);
  CHECK(terminal(&r5) == 1 && r5.errors == 1 && r5.failure == LEAN_P2P_RPC_CLOSED,
        "when stop_network returns, the in-flight request already had its one terminal callback: CLOSED (%d, %d)",
        terminal(&r5), r5.failure);
  pthread_mutex_unlock(&a.mu);
  peer_count ab2 = count_of(&a, b2_id);
  CHECK(ab2.connected == 1 && ab2.disconnected == 1 && ab2.reason == LEAN_P2P_CLOSE_LOCAL,
        "and a's disconnected(b2) was delivered before it returned, reason LOCAL (%d)", ab2.reason);
  REQUIRE(WAIT_FOR(&b2, connected_to(&b2, a_id) == 0, WAIT_MS), "b2: on_peer_disconnected(a)");
  CHECK(WAIT_FOR(&b2, b2.channels_closed == 1, WAIT_MS) && READ(&b2, b2.last_closed_channel == b2.last_channel),
        "b2: on_rpc_channel_closed for the request it never answered");
  /* the stopped networks' threads (event loop, delivery) are gone; asked through b2 */
  const char *gone[] = {"prefix=lean-p2p-a-", "prefix=lean-p2p-b-", "prefix=lean-p2p-c-"};
  for (int i = 0; i < 3; i++) {
    double live = -1;
    uint64_t until = now_ms() + WAIT_MS;
    while (lean_p2p_get_metric(2, "leanp2p_native_threads", gone[i], &live) == LEAN_P2P_ACCEPTED && live > 0 &&
           now_ms() < until) {
      WAIT_FOR(&b2, 0, 50); /* a thread ends just after its network released it */
    }
    CHECK(live == 0, "no thread of a stopped network is left (%s: %.0f)", gone[i], live);
  }
  refs = -1;
  lean_p2p_get_metric(2, "leanp2p_native_global_refs", NULL, &refs);
  CHECK(refs == 3 + 1, "the stopped networks' JNI global references are released (%.0f = 3 + b2)", refs);
  double b2_threads = -1;
  lean_p2p_get_metric(2, "leanp2p_native_threads", "prefix=lean-p2p-b2-", &b2_threads);
  CHECK(b2_threads >= 2, "(the running b2 has its loop and delivery threads: %.0f)", b2_threads);

  section("stop from inside the network's own callback");
  double dropped_before = -1;
  lean_p2p_get_metric(2, "leanp2p_native_callbacks_dropped_total", NULL, &dropped_before);
  host_init(&d, "d", 5);
  d.stop_in_callback = 1;
  p = params(&d, "/ip4/127.0.0.1/tcp/0");
  p.connect_addresses = b2_addrs;
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create d, connecting to b2");
  REQUIRE(WAIT_FOR(&d, d.stop_in_callback_done, WAIT_MS), "d stops itself from on_peer_connected");
  CHECK(READ(&d, d.stop_in_callback_outcome) == LEAN_P2P_ACCEPTED, "that stop -> ACCEPTED");
  CHECK(lean_p2p_stop_network(5) == LEAN_P2P_CLOSED, "d is gone (stop -> CLOSED)");
  double d_threads = -1;
  uint64_t until = now_ms() + WAIT_MS;
  while (lean_p2p_get_metric(2, "leanp2p_native_threads", "prefix=lean-p2p-d-", &d_threads) == LEAN_P2P_ACCEPTED &&
         d_threads > 0 && now_ms() < until) {
    WAIT_FOR(&b2, 0, 50); /* its delivery thread ends once the stopping callback returned */
  }
  CHECK(d_threads == 0, "no thread of d is left (%.0f)", d_threads);
  double dropped_after = -1;
  lean_p2p_get_metric(2, "leanp2p_native_callbacks_dropped_total", NULL, &dropped_after);
  CHECK(dropped_after - dropped_before >= 1,
        "d's callbacks after its in-callback stop (at least its disconnected(b2)) were not run but counted (%.0f)",
        dropped_after - dropped_before);
  refs = -1;
  lean_p2p_get_metric(2, "leanp2p_native_global_refs", NULL, &refs);
  CHECK(refs == 3 + 1, "and d's reference too (%.0f)", refs);

  section("stop while host threads publish: accepted commands end observably");
  static host f, g;
  host_init(&f, "f", 7);
  p = params(&f, "/ip4/127.0.0.1/tcp/0");
  p.flags = LEAN_P2P_FLAG_PUBLISH_EVENTS;
  p.command_queue_capacity = 64;
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create f (on_command_abandoned set)");
  REQUIRE(lean_p2p_wait_for_network_ready(7, WAIT_MS) == LEAN_P2P_START_OK, "f ready");
  CHECK(lean_p2p_subscribe_gossip_topic(7, TOPIC) == LEAN_P2P_ACCEPTED, "f subscribes");
  long accepted = hammer_then_stop(&f, 2, 12 * 1024);
  pthread_mutex_lock(&f.mu);
  long completed = f.published, abandoned = f.abandoned[LEAN_P2P_CMD_PUBLISH];
  pthread_mutex_unlock(&f.mu);
  printf("# f: %ld accepted = %ld carried out + %ld abandoned\n", accepted, completed, abandoned);
  CHECK(completed + abandoned == accepted,
        "f: every accepted publish ended with on_publish_completed or on_command_abandoned before stop returned "
        "(%ld + %ld == %ld)", completed, abandoned, accepted);
  check_host_rules(&f);

  host_init(&g, "g", 8);
  lean_p2p_callbacks no_abandon = CALLBACKS;
  no_abandon.on_command_abandoned = NULL;
  p = params(&g, "/ip4/127.0.0.1/tcp/0");
  p.callbacks = &no_abandon;
  p.flags = LEAN_P2P_FLAG_PUBLISH_EVENTS;
  p.command_queue_capacity = 64;
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create g (no on_command_abandoned)");
  REQUIRE(lean_p2p_wait_for_network_ready(8, WAIT_MS) == LEAN_P2P_START_OK, "g ready");
  pthread_mutex_lock(&log_mu);
  long logged_before = log_abandoned_publish_lines;
  pthread_mutex_unlock(&log_mu);
  accepted = hammer_then_stop(&g, 2, 12 * 1024);
  completed = READ(&g, g.published);
  long logged = 0;
  uint64_t log_dl = now_ms() + WAIT_MS;
  for (;;) { /* the log thread delivers asynchronously */
    pthread_mutex_lock(&log_mu);
    logged = log_abandoned_publish_lines - logged_before;
    pthread_mutex_unlock(&log_mu);
    if (completed + logged >= accepted || now_ms() >= log_dl) break;
    WAIT_FOR(&g, 0, 20);
  }
  printf("# g: %ld accepted = %ld carried out + %ld logged as abandoned\n", accepted, completed, logged);
  CHECK(completed + logged == accepted,
        "g: without the callback each abandoned publish is a WARN log line instead (%ld + %ld == %ld)", completed,
        logged, accepted);
  check_host_rules(&g);

  char d_id[128] = "";
  pthread_mutex_lock(&d.mu);
  if (d.npeers > 0) snprintf(d_id, sizeof d_id, "%s", d.peers[0].peer);
  pthread_mutex_unlock(&d.mu);
  stop_host(&b2);

  section("host rules");
  check_host_rules(&a);
  check_host_rules(&b);
  check_host_rules(&b2);
  CHECK(READ(&d, d.after_stop) == 0 && READ(&d, d.callbacks) == 1, "d: no callback after its in-callback stop");
  pthread_mutex_lock(&log_mu);
  CHECK(log_lines > 0 && log_ready_lines >= 4, "on_log got the library's lines (%ld, %ld 'ready')", log_lines,
        log_ready_lines);
  pthread_mutex_unlock(&log_mu);
}

/* ---------------------------------------------------------------- against the js peer */

static js_peer *bail_js; /* killed on a bail-out */

typedef struct hammer {
  uint32_t net;
  int thread;
  int calls;
  long outcomes[LEAN_P2P_OUTCOME_COUNT];
} hammer;

static void *hammer_run(void *arg) {
  hammer *hm = arg;
  uint8_t payload[96];
  for (int i = 0; i < hm->calls; i++) {
    memset(payload, 'a' + hm->thread, sizeof payload);
    int n = snprintf((char *)payload, sizeof payload, "c-host thread %d publish %d", hm->thread, i);
    payload[n] = ' ';
    int32_t o = lean_p2p_publish(hm->net, TOPIC, payload, sizeof payload);
    if (o >= 0 && o < LEAN_P2P_OUTCOME_COUNT) hm->outcomes[o]++;
  }
  return NULL;
}

static double metric(uint32_t net, const char *name, const char *labels) {
  double v = -1;
  lean_p2p_get_metric(net, name, labels, &v);
  return v;
}

/* Metrics are a snapshot the network republishes at least every second: waits (bounded) until
 * the metric reaches `target`, re-reading it every 100 ms; returns the last value. */
static double wait_metric(host *h, const char *name, const char *labels, double target) {
  uint64_t dl = now_ms() + WAIT_MS;
  double v = metric(h->net, name, labels);
  while (v < target && now_ms() < dl) {
    WAIT_FOR(h, 0, 100);
    v = metric(h->net, name, labels);
  }
  return v;
}

/* js publishes `count` messages (valid raw snappy of distinct SSZ-like bytes); returns how many it
 * confirmed. */
static int js_publish_many(js_peer *js, int count, int tag) {
  long first = -1, last = -1;
  for (int i = 0; i < count; i++) {
    uint8_t ssz[80], wire[100];
    char hex[220];
    memset(ssz, 'j', sizeof ssz);
    int n = snprintf((char *)ssz, sizeof ssz, "js message %d/%d", tag, i);
    ssz[n] = ' ';
    size_t w = snappy_literal(ssz, sizeof ssz, wire);
    to_hex(wire, w, hex);
    long id = js_send(js, "\"cmd\":\"publish\",\"topic\":\"%s\",\"dataHex\":\"%s\"", TOPIC, hex);
    if (first < 0) first = id;
    last = id;
  }
  int ok = 0;
  for (long id = first; id <= last; id++) ok += js_reply(js, id, "published", WAIT_MS, NULL, 0);
  return ok;
}

static void run_js(const char *node, const char *script, const char *log_path) {
  section("against the js-libp2p peer");
  js_peer *js = js_start(node, script, log_path);
  REQUIRE(js != NULL && js->quic_addr[0] && js->tcp_addr[0], "the js peer runs (%s)", js ? js->peer_id : "-");
  bail_js = js;
  static host h;
  host_init(&h, "n", 10);
  h.mode[LEAN_P2P_STATUS] = ANSWER_REVERSE;
  h.mode[LEAN_P2P_BLOCKS_BY_RANGE] = ANSWER_MULTI3;
  lean_p2p_network_params p = params(&h, "/ip4/127.0.0.1/udp/0/quic-v1,/ip4/127.0.0.1/tcp/0");
  p.flags = LEAN_P2P_FLAG_PUBLISH_EVENTS;
  p.gossip_queue_capacity = 64;
  p.command_queue_capacity = 512;
  REQUIRE(lean_p2p_create_and_run_network(&p) == LEAN_P2P_START_OK, "create n");
  REQUIRE(lean_p2p_wait_for_network_ready(10, WAIT_MS) == LEAN_P2P_START_OK, "n ready");
  CHECK(lean_p2p_dial(10, js->quic_addr, 0) == LEAN_P2P_ACCEPTED, "n dials the js peer over QUIC (lean_p2p_dial)");
  char n_id[128];
  lean_p2p_get_peer_id(10, n_id, sizeof n_id);
  REQUIRE(WAIT_FOR(&h, connected_to(&h, js->peer_id) == 1, WAIT_MS), "n: on_peer_connected(js)");
  peer_count pc = count_of(&h, js->peer_id);
  CHECK(pc.direction == LEAN_P2P_OUTBOUND && pc.transport == LEAN_P2P_QUIC, "outbound, QUIC");
  char peer_pat[200];
  snprintf(peer_pat, sizeof peer_pat, "\"peer\":\"%s\"", n_id);
  REQUIRE(js_await(js, WAIT_MS, NULL, 0, "\"event\":\"connected\"", peer_pat), "js: connected(n)");

  section("js: subscribe, gossip both ways");
  CHECK(lean_p2p_subscribe_gossip_topic(10, TOPIC) == LEAN_P2P_ACCEPTED, "n subscribes");
  long id = js_send(js, "\"cmd\":\"subscribe\",\"topic\":\"%s\"", TOPIC);
  REQUIRE(js_reply(js, id, "subscribed", WAIT_MS, NULL, 0), "js subscribes");
  REQUIRE(WAIT_FOR(&h, h.subscribed >= 1, WAIT_MS), "n: on_peer_subscription(js)");
  REQUIRE(js_await(js, WAIT_MS, NULL, 0, "\"event\":\"subscription\"", peer_pat, "\"subscribed\":true"),
          "js: subscription(n)");
  REQUIRE(WAIT_FOR(&h, h.grafted >= 1, WAIT_MS), "n: on_mesh_change(js grafted)");

  const char *x = "hello js, from a C host";
  CHECK(lean_p2p_publish(10, TOPIC, (const uint8_t *)x, strlen(x)) == LEAN_P2P_ACCEPTED, "n publishes");
  REQUIRE(WAIT_FOR(&h, h.published == 1, WAIT_MS), "n: on_publish_completed");
  char idhex[41], msgpat[80], line[65536];
  pthread_mutex_lock(&h.mu);
  to_hex(h.last_published_id, 20, idhex);
  CHECK(h.last_recipients == 1, "sent to the js peer");
  pthread_mutex_unlock(&h.mu);
  snprintf(msgpat, sizeof msgpat, "\"msgId\":\"%s\"", idhex);
  char frompat[200];
  snprintf(frompat, sizeof frompat, "\"from\":\"%s\"", n_id);
  CHECK(js_await(js, WAIT_MS, NULL, 0, "\"event\":\"message\"", msgpat, frompat),
        "js received it with the same message id (it decompressed our payload to the same SSZ)");

  const char *yssz = "hello C host, from js";
  uint8_t wire[256];
  char hex[600];
  to_hex(wire, snappy_literal((const uint8_t *)yssz, strlen(yssz), wire), hex);
  id = js_send(js, "\"cmd\":\"publish\",\"topic\":\"%s\",\"dataHex\":\"%s\"", TOPIC, hex);
  REQUIRE(js_reply(js, id, "published", WAIT_MS, line, sizeof line), "js publishes");
  char js_msgid[64] = "";
  json_str(line, "msgId", js_msgid, sizeof js_msgid);
  REQUIRE(WAIT_FOR(&h, h.gossip == 1, WAIT_MS), "n: on_gossip_msg");
  pthread_mutex_lock(&h.mu);
  to_hex(h.last_msg_id, 20, idhex);
  CHECK(h.last_gossip_len == strlen(yssz) && memcmp(h.last_gossip, yssz, strlen(yssz)) == 0,
        "n got the SSZ bytes (decompressed)");
  CHECK(strcmp(idhex, js_msgid) == 0 && strcmp(h.last_from, js->peer_id) == 0, "same message id (%s), from js",
        js_msgid);
  pthread_mutex_unlock(&h.mu);

  section("js: req/resp both ways");
  uint8_t s1[80], rev[80];
  char s1hex[200], revhex[200];
  status_ssz(s1, 7);
  to_hex(s1, sizeof s1, s1hex);
  for (size_t i = 0; i < sizeof s1; i++) rev[i] = s1[sizeof s1 - 1 - i];
  to_hex(rev, sizeof rev, revhex);
  id = js_send(js, "\"cmd\":\"status\",\"peer\":\"%s\",\"dataHex\":\"%s\"", n_id, s1hex);
  REQUIRE(js_reply(js, id, "status-response", WAIT_MS, line, sizeof line), "js sends n a status request");
  char data[4096] = "";
  double result = -1;
  json_num(line, "result", &result);
  json_str(line, "dataHex", data, sizeof data);
  CHECK(result == 0 && strcmp(data, revhex) == 0, "n answered it (on_rpc_request -> chunk + end): result 0, data ok");
  CHECK(READ(&h, h.last_req_protocol == LEAN_P2P_STATUS && h.last_req_len == sizeof s1 &&
                     memcmp(h.last_req, s1, sizeof s1) == 0 && strcmp(h.last_req_peer, js->peer_id) == 0),
        "n: on_rpc_request had the bytes, protocol and peer");

  h.mode[LEAN_P2P_STATUS] = ANSWER_ERROR;
  id = js_send(js, "\"cmd\":\"status\",\"peer\":\"%s\",\"dataHex\":\"%s\"", n_id, s1hex);
  REQUIRE(js_reply(js, id, "status-response", WAIT_MS, line, sizeof line), "js sends another");
  char busyhex[64];
  to_hex((const uint8_t *)"busy: try later", 15, busyhex);
  json_num(line, "result", &result);
  json_str(line, "dataHex", data, sizeof data);
  CHECK(result == 3 && strcmp(data, busyhex) == 0, "n's error response reaches js: code 3, its text");

  static req r1;
  uint8_t s2[80];
  status_ssz(s2, 9);
  int32_t o = lean_p2p_send_rpc_request(10, js->peer_id, LEAN_P2P_STATUS, s2, sizeof s2, &r1, NULL);
  REQUIRE(o == LEAN_P2P_ACCEPTED, "n sends js a status request");
  REQUIRE(WAIT_FOR(&h, terminal(&r1) >= 1, WAIT_MS), "its terminal callback arrives");
  CHECK(READ(&h, r1.chunks == 1 && r1.eos == 1 && r1.len[0] == sizeof s2 && memcmp(r1.data[0], s2, sizeof s2) == 0),
        "js answered: one chunk (echo), end of stream");
  CHECK(js_await(js, WAIT_MS, NULL, 0, "\"event\":\"status-request\"", peer_pat), "js: status-request(n)");

  uint8_t range[16];
  char rangehex[40];
  range_ssz(range, 7, 3);
  to_hex(range, sizeof range, rangehex);
  id = js_send(js, "\"cmd\":\"request\",\"peer\":\"%s\",\"protocol\":\"/leanconsensus/req/blocks_by_range/1/ssz_snappy\","
               "\"dataHex\":\"%s\"",
               n_id, rangehex);
  REQUIRE(js_reply(js, id, "response", WAIT_MS, line, sizeof line), "js sends n a blocks_by_range request");
  int chunks_ok = 0, chunks = 0;
  for (const char *q = strstr(line, "\"result\":"); q; q = strstr(q + 1, "\"result\":")) {
    char want[64], wanthex[128], got[128] = "";
    snprintf(want, sizeof want, "block-%d", chunks);
    to_hex((const uint8_t *)want, strlen(want), wanthex);
    double rr = -1;
    json_num(q, "result", &rr);
    json_str(q, "dataHex", got, sizeof got);
    chunks_ok += rr == 0 && strcmp(got, wanthex) == 0;
    chunks++;
  }
  CHECK(chunks == 3 && chunks_ok == 3, "js decoded 3 SUCCESS chunks in order, then the end of stream (%d/%d)",
        chunks_ok, chunks);

  section("js: 4 native threads hammer publish while n receives");
  enum { THREADS = 4, CALLS = 1500, JS_MESSAGES = 300 };
  uint64_t totals_before[LEAN_P2P_OUTCOME_COUNT];
  for (int i = 0; i < LEAN_P2P_OUTCOME_COUNT; i++) totals_before[i] = lean_p2p_get_command_outcome_total(i);
  long published_before = READ(&h, h.published), gossip_before = READ(&h, h.gossip);
  double shed_before = metric(10, "leanp2p_events_shed_total", "class=gossip");
  double full_before = metric(10, "leanp2p_command_refusals_total", "reason=queue_full");
  static hammer hm[THREADS];
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++) {
    hm[i].net = 10;
    hm[i].thread = i;
    hm[i].calls = CALLS;
    pthread_create(&t[i], NULL, hammer_run, &hm[i]);
  }
  int js_ok = js_publish_many(js, JS_MESSAGES, 1);
  long outcomes[LEAN_P2P_OUTCOME_COUNT] = {0};
  for (int i = 0; i < THREADS; i++) {
    pthread_join(t[i], NULL);
    long sum = 0;
    for (int k = 0; k < LEAN_P2P_OUTCOME_COUNT; k++) {
      sum += hm[i].outcomes[k];
      outcomes[k] += hm[i].outcomes[k];
    }
    CHECK(sum == CALLS, "thread %d: every call got an outcome (%ld of %d)", i, sum, CALLS);
  }
  /* the 4 threads were attached to the JVM by their first call; their exit detached them (only
     this main thread stays attached) */
  CHECK(metric(10, "leanp2p_native_attached_host_threads", NULL) == 1,
        "the hammer threads were detached from the JVM when they exited (%.0f attached)",
        metric(10, "leanp2p_native_attached_host_threads", NULL));
  long accepted = outcomes[LEAN_P2P_ACCEPTED], full = outcomes[LEAN_P2P_QUEUE_FULL];
  long other = THREADS * CALLS - accepted - full;
  printf("# hammer: %d calls: %ld ACCEPTED, %ld QUEUE_FULL, %ld other\n", THREADS * CALLS, accepted, full, other);
  CHECK(accepted + full == THREADS * CALLS && other == 0 && accepted > 0,
        "accepted + queue_full == calls (%ld + %ld == %d), nothing else", accepted, full, THREADS * CALLS);
  int totals_ok = 1;
  for (int k = 0; k < LEAN_P2P_OUTCOME_COUNT; k++) {
    uint64_t delta = lean_p2p_get_command_outcome_total(k) - totals_before[k];
    totals_ok &= delta == (uint64_t)outcomes[k];
  }
  CHECK(totals_ok, "lean_p2p_get_command_outcome_total counted exactly the outcomes the threads got");
  double full_counted = wait_metric(&h, "leanp2p_command_refusals_total", "reason=queue_full", full_before + full);
  CHECK(full_counted - full_before == (double)full, "the network counted the same QUEUE_FULL refusals (%.0f)",
        full_counted - full_before);
  int all_done = WAIT_FOR(&h, h.published == published_before + accepted, 120000);
  CHECK(all_done, "every accepted publish was carried out: on_publish_completed %ld of %ld",
        READ(&h, h.published) - published_before, accepted);
  CHECK(js_ok == JS_MESSAGES, "js published its %d messages meanwhile (%d)", JS_MESSAGES, js_ok);
  uint64_t dl = now_ms() + WAIT_MS;
  long got = 0;
  double shed = 0;
  while (now_ms() < dl) {
    got = READ(&h, h.gossip) - gossip_before;
    shed = metric(10, "leanp2p_events_shed_total", "class=gossip") - shed_before;
    if (got + (long)shed >= JS_MESSAGES) break;
    WAIT_FOR(&h, h.gossip - gossip_before > got, 100); /* the next message, or re-read the counter */
  }
  CHECK(got + (long)shed == JS_MESSAGES, "n: every js message was delivered or shed by rule: %ld + %.0f == %d", got,
        shed, JS_MESSAGES);

  section("js: a blocked callback sheds by the library's rules");
  gossip_before = READ(&h, h.gossip);
  shed_before = metric(10, "leanp2p_events_shed_total", "class=gossip");
  pthread_mutex_lock(&h.mu);
  h.block_gossip = 1;
  pthread_mutex_unlock(&h.mu);
  enum { BLOCKED_MESSAGES = 150 };
  js_ok = js_publish_many(js, BLOCKED_MESSAGES, 2);
  CHECK(js_ok == BLOCKED_MESSAGES, "js published %d messages", BLOCKED_MESSAGES);
  REQUIRE(WAIT_FOR(&h, h.gossip_blocked_now, WAIT_MS), "n's gossip callback is blocked in the host");
  dl = now_ms() + WAIT_MS;
  while (now_ms() < dl && metric(10, "leanp2p_events_shed_total", "class=gossip") - shed_before < 1) {
    WAIT_FOR(&h, !h.gossip_blocked_now, 100); /* re-reads the counter every 100 ms */
  }
  shed = metric(10, "leanp2p_events_shed_total", "class=gossip") - shed_before;
  CHECK(shed >= 1, "with the host blocked and gossip_queue_capacity 64, the network sheds (%.0f so far)", shed);
  long published_target = READ(&h, h.published) + 1; /* every earlier publish has completed */
  CHECK(lean_p2p_publish(10, TOPIC, (const uint8_t *)"still publishing", 16) == LEAN_P2P_ACCEPTED &&
            lean_p2p_get_connected_peers_total(10) == 1,
        "meanwhile commands and reads still work (the network is not stalled)");
  pthread_mutex_lock(&h.mu);
  h.block_gossip = 0;
  pthread_cond_broadcast(&h.cv);
  pthread_mutex_unlock(&h.mu);
  dl = now_ms() + WAIT_MS;
  while (now_ms() < dl) {
    got = READ(&h, h.gossip) - gossip_before;
    shed = metric(10, "leanp2p_events_shed_total", "class=gossip") - shed_before;
    if (got + (long)shed >= BLOCKED_MESSAGES) break;
    WAIT_FOR(&h, h.gossip - gossip_before > got, 100);
  }
  CHECK(got + (long)shed == BLOCKED_MESSAGES && shed > 0 && got > 0,
        "delivered + shed == sent: %ld + %.0f == %d", got, shed, BLOCKED_MESSAGES);

  section("js: stop while 4 native threads publish");
  REQUIRE(WAIT_FOR(&h, h.published == published_target, WAIT_MS), "n: the last publish has completed");
  published_before = READ(&h, h.published);
  long abandoned_before = READ(&h, h.abandoned[LEAN_P2P_CMD_PUBLISH]);
  long stop_accepted = hammer_then_stop(&h, THREADS, 96);
  long completed = READ(&h, h.published) - published_before;
  long abandoned = READ(&h, h.abandoned[LEAN_P2P_CMD_PUBLISH]) - abandoned_before;
  printf("# n: %ld accepted = %ld carried out + %ld abandoned\n", stop_accepted, completed, abandoned);
  CHECK(completed + abandoned == stop_accepted,
        "every accepted publish ended with on_publish_completed or on_command_abandoned before stop returned "
        "(%ld + %ld == %ld)", completed, abandoned, stop_accepted);
  CHECK(abandoned >= 1, "the publishes still queued when the stop began were reported abandoned (%ld)", abandoned);
  CHECK(js_await(js, WAIT_MS, NULL, 0, "\"event\":\"disconnected\"", peer_pat), "js: disconnected(n)");
  pc = count_of(&h, js->peer_id);
  CHECK(pc.connected == 1 && pc.disconnected == 1, "n: one connected and one disconnected for the js peer (%d/%d)",
        pc.connected, pc.disconnected);
  check_host_rules(&h);
  int code = js_stop(js);
  bail_js = NULL;
  CHECK(code == 0, "the js peer stopped cleanly (%d)", code);
}

/* ---------------------------------------------------------------- main */

static void kill_js(void) {
  js_kill(bail_js);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc >= 3 && strcmp(argv[1], "expect-start") == 0) {
    int32_t s = lean_p2p_init(NULL);
    CHECK(strcmp(lean_p2p_start_code_name(s), argv[2]) == 0, "init -> %s (expected %s): %s",
          lean_p2p_start_code_name(s), argv[2], lean_p2p_last_error());
    if (s == LEAN_P2P_START_OK) {
      printf("1..%d\n# %d checks, %d failed\n", checks_run, checks_run, checks_failed);
      return checks_failed == 0 ? 0 : 1;
    }
    CHECK(strlen(lean_p2p_last_error()) > 10, "with a reason");
    int32_t again = lean_p2p_init(NULL);
    CHECK(again == s, "asking again gives the same answer (%s)", lean_p2p_start_code_name(again));
    host h;
    host_init(&h, "z", 1);
    lean_p2p_network_params p = params(&h, "/ip4/127.0.0.1/tcp/0");
    CHECK(lean_p2p_create_and_run_network(&p) == s, "create_and_run_network says the same");
    CHECK(lean_p2p_publish(1, TOPIC, (const uint8_t *)"x", 1) == LEAN_P2P_NOT_STARTED, "commands -> NOT_STARTED");
  } else if (argc >= 2 && strcmp(argv[1], "inproc") == 0) {
    run_inproc();
  } else if (argc >= 5 && (strcmp(argv[1], "all") == 0 || strcmp(argv[1], "js") == 0)) {
    bail_hook = kill_js;
    if (strcmp(argv[1], "all") == 0) {
      run_inproc();
    } else {
      lean_p2p_runtime_config rc;
      memset(&rc, 0, sizeof rc);
      rc.abi_version = LEAN_P2P_ABI_VERSION;
      rc.on_log = on_log;
      int32_t s = lean_p2p_init(&rc);
      REQUIRE(s == LEAN_P2P_START_OK, "init -> %s (%s)", lean_p2p_start_code_name(s), lean_p2p_last_error());
    }
    run_js(argv[2], argv[3], argv[4]);
  } else {
    fprintf(stderr, "usage: %s inproc | js|all NODE PEER_MJS JS_LOG | expect-start CODE\n", argv[0]);
    return 2;
  }
  printf("1..%d\n# %d checks, %d failed\n", checks_run, checks_run, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}
