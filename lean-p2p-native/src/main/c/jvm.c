/*
 * The JVM of liblean_p2p.so: finding a JDK >= 21, the class path, creating the JVM (once per
 * process, on a thread of its own), and attaching host threads.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dlfcn.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_internal.h"

#define LP_MIN_JAVA 21
#define LP_JAR_NAME "lean-p2p-native-all.jar"

lp_runtime LP;
_Atomic int lp_jvm_ready;

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static int init_state;            /* 0 not tried, 1 up, 2 failed (a JVM cannot be retried) */
static int32_t init_failure_code; /* when failed */
static char init_failure[1024];

/* ---------------------------------------------------------------- finding a JDK */

static int file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The feature version of the Java at `home`, from its `release` file (0 if unknown). */
static int java_major(const char *home) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/release", home);
  FILE *f = fopen(path, "r");
  if (!f) {
    return 0;
  }
  char line[512];
  int major = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "JAVA_VERSION=", 13) == 0) {
      const char *v = line + 13;
      if (*v == '"') {
        v++;
      }
      if (strncmp(v, "1.", 2) == 0) {
        v += 2; /* 1.8.0_x -> 8 */
      }
      major = atoi(v);
      break;
    }
  }
  fclose(f);
  return major;
}

static int libjvm_of(const char *home, char *out, size_t cap) {
  snprintf(out, cap, "%s/lib/server/libjvm.so", home);
  return file_exists(out);
}

/* Checks one candidate; on success fills libjvm and major. */
static int usable_jdk(const char *home, char *libjvm, size_t cap, int *major) {
  if (home == NULL || *home == '\0') {
    return 0;
  }
  int v = java_major(home);
  if (v < LP_MIN_JAVA || !libjvm_of(home, libjvm, cap)) {
    return 0;
  }
  *major = v;
  return 1;
}

/*
 * Order (as scripts/find-jdk.sh): the host's java_home, else $LEAN_P2P_JAVA_HOME (both must be
 * usable: no fallback from an explicit choice), else $JAVA_HOME if it is >= 21, else the newest
 * >= 21 under $LEANP2P_JDK_DIRS (space-separated globs) or /usr/lib/jvm/&#42; /opt/java/&#42; /opt/jdk&#42;,
 * else the java on the PATH if it is >= 21.
 */
static int find_jdk(const char *configured, char *libjvm, size_t cap, int *major) {
  const char *explicit_home = configured;
  const char *what = "lean_p2p_runtime_config.java_home";
  if (explicit_home == NULL || *explicit_home == '\0') {
    explicit_home = getenv("LEAN_P2P_JAVA_HOME");
    what = "LEAN_P2P_JAVA_HOME";
  }
  if (explicit_home != NULL && *explicit_home != '\0') {
    if (usable_jdk(explicit_home, libjvm, cap, major)) {
      return 1;
    }
    int v = java_major(explicit_home);
    char probe[PATH_MAX];
    if (v == 0) {
      lp_set_error("%s=%s is not a Java home (no readable release file)", what, explicit_home);
    } else if (v < LP_MIN_JAVA) {
      lp_set_error("%s=%s is Java %d; lean-p2p needs %d or newer", what, explicit_home, v, LP_MIN_JAVA);
    } else {
      libjvm_of(explicit_home, probe, sizeof probe);
      lp_set_error("%s=%s has no %s", what, explicit_home, probe);
    }
    return 0;
  }
  if (usable_jdk(getenv("JAVA_HOME"), libjvm, cap, major)) {
    return 1;
  }
  const char *dirs = getenv("LEANP2P_JDK_DIRS");
  char patterns[4096];
  snprintf(patterns, sizeof patterns, "%s",
           dirs != NULL && *dirs != '\0' ? dirs : "/usr/lib/jvm/* /opt/java/* /opt/jdk*");
  int best = 0;
  char best_lib[PATH_MAX] = "";
  char *save = NULL;
  for (char *pat = strtok_r(patterns, " \t", &save); pat != NULL; pat = strtok_r(NULL, " \t", &save)) {
    glob_t g;
    if (glob(pat, 0, NULL, &g) != 0) {
      continue;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
      char lib[PATH_MAX];
      int v = 0;
      if (usable_jdk(g.gl_pathv[i], lib, sizeof lib, &v) && v > best) {
        best = v;
        snprintf(best_lib, sizeof best_lib, "%s", lib);
      }
    }
    globfree(&g);
  }
  if (best == 0) {
    /* last, as the script: the java on the PATH, if it is >= 21 */
    const char *path = getenv("PATH");
    char *copy = path != NULL ? strdup(path) : NULL;
    char *save2 = NULL;
    for (char *dir = copy ? strtok_r(copy, ":", &save2) : NULL; dir != NULL && best == 0;
         dir = strtok_r(NULL, ":", &save2)) {
      char java[PATH_MAX], real[PATH_MAX];
      snprintf(java, sizeof java, "%s/java", dir);
      if (access(java, X_OK) != 0 || realpath(java, real) == NULL) {
        continue;
      }
      char *bin = strrchr(real, '/');
      if (bin != NULL) *bin = '\0';              /* .../bin */
      bin = strrchr(real, '/');
      if (bin != NULL && strcmp(bin, "/bin") == 0) {
        *bin = '\0';                             /* the Java home */
        int v = 0;
        if (usable_jdk(real, best_lib, sizeof best_lib, &v)) {
          best = v;
        }
      }
    }
    free(copy);
  }
  if (best == 0) {
    lp_set_error("no JDK >= %d found (JAVA_HOME='%s', searched %s and the PATH); set LEAN_P2P_JAVA_HOME or "
                 "lean_p2p_runtime_config.java_home",
                 LP_MIN_JAVA, getenv("JAVA_HOME") ? getenv("JAVA_HOME") : "",
                 dirs != NULL && *dirs != '\0' ? dirs : "/usr/lib/jvm /opt/java /opt/jdk*");
    return 0;
  }
  snprintf(libjvm, cap, "%s", best_lib);
  *major = best;
  return 1;
}

/* ---------------------------------------------------------------- the class path */

static int find_class_path(const char *configured, char *out, size_t cap) {
  if (configured != NULL && *configured != '\0') {
    snprintf(out, cap, "%s", configured);
    return 1;
  }
  const char *env = getenv("LEAN_P2P_CLASSPATH");
  if (env != NULL && *env != '\0') {
    snprintf(out, cap, "%s", env);
    return 1;
  }
  Dl_info info;
  if (dladdr((void *)&lean_p2p_init, &info) == 0 || info.dli_fname == NULL) {
    lp_set_error("cannot tell where liblean_p2p.so was loaded from; set LEAN_P2P_CLASSPATH");
    return 0;
  }
  char self[PATH_MAX];
  if (realpath(info.dli_fname, self) == NULL) {
    snprintf(self, sizeof self, "%s", info.dli_fname);
  }
  char *slash = strrchr(self, '/');
  if (slash != NULL) {
    *slash = '\0';
  } else {
    snprintf(self, sizeof self, ".");
  }
  snprintf(out, cap, "%s/%s", self, LP_JAR_NAME);
  if (!file_exists(out)) {
    lp_set_error("%s not found next to liblean_p2p.so (%s); set LEAN_P2P_CLASSPATH or "
                 "lean_p2p_runtime_config.class_path",
                 LP_JAR_NAME, out);
    return 0;
  }
  return 1;
}

/* ---------------------------------------------------------------- creating the JVM */

typedef jint (*create_vm_fn)(JavaVM **, void **, void *);
typedef jint (*created_vms_fn)(JavaVM **, jsize, jsize *);

typedef struct create_job {
  create_vm_fn create;
  JavaVMInitArgs args;
  int log_level;
  int host_logs;
  int32_t code;
  char error[1024];
} create_job;

static void describe_exception(JNIEnv *env, char *out, size_t cap) {
  jthrowable t = (*env)->ExceptionOccurred(env);
  (*env)->ExceptionClear(env);
  if (t == NULL) {
    snprintf(out, cap, "unknown error");
    return;
  }
  jclass obj = (*env)->FindClass(env, "java/lang/Object");
  jmethodID to_string = obj ? (*env)->GetMethodID(env, obj, "toString", "()Ljava/lang/String;") : NULL;
  jstring s = to_string ? (jstring)(*env)->CallObjectMethod(env, t, to_string) : NULL;
  if ((*env)->ExceptionCheck(env) || s == NULL) {
    (*env)->ExceptionClear(env);
    snprintf(out, cap, "an exception");
    return;
  }
  const char *c = (*env)->GetStringUTFChars(env, s, NULL);
  snprintf(out, cap, "%s", c ? c : "an exception");
  if (c) {
    (*env)->ReleaseStringUTFChars(env, s, c);
  }
}

#define LOOKUP(field, cls, name, sig, is_static)                                               \
  do {                                                                                         \
    LP.field = (is_static) ? (*env)->GetStaticMethodID(env, cls, name, sig)                    \
                           : (*env)->GetMethodID(env, cls, name, sig);                         \
    if (LP.field == NULL) {                                                                    \
      describe_exception(env, job->error, sizeof job->error);                                  \
      return 0;                                                                                \
    }                                                                                          \
  } while (0)

static int bind_classes(JNIEnv *env, create_job *job) {
  jclass net = (*env)->FindClass(env, "io/leanp2p/cabi/NativeNetwork");
  jclass cbs = net ? (*env)->FindClass(env, "io/leanp2p/cabi/NativeCallbacks") : NULL;
  jclass rt = cbs ? (*env)->FindClass(env, "io/leanp2p/cabi/NativeRuntime") : NULL;
  if (rt == NULL) {
    char why[512];
    describe_exception(env, why, sizeof why);
    snprintf(job->error, sizeof job->error,
             "the lean-p2p classes are not on the class path (%s); check LEAN_P2P_CLASSPATH", why);
    return 0;
  }
  LP.network_class = lp_new_global_ref(env, net);
  LP.callbacks_class = lp_new_global_ref(env, cbs);
  LP.runtime_class = lp_new_global_ref(env, rt);
  if (lp_register_natives(env, cbs) != 0) {
    describe_exception(env, job->error, sizeof job->error);
    return 0;
  }
  LOOKUP(start, net, "start",
         "(JLjava/lang/String;Ljava/lang/String;Ljava/lang/String;Ljava/lang/String;I[II)"
         "Lio/leanp2p/cabi/NativeNetwork;",
         1);
  LOOKUP(start_code, net, "startCode", "()I", 0);
  LOOKUP(start_message, net, "startMessage", "()Ljava/lang/String;", 0);
  LOOKUP(await_ready, net, "awaitReady", "(J)I", 0);
  LOOKUP(close, net, "close", "()V", 0);
  LOOKUP(take_reason, net, "takeReason", "()Ljava/lang/String;", 1);
  LOOKUP(publish, net, "publish", "(Ljava/lang/String;[B)I", 0);
  LOOKUP(subscribe, net, "subscribe", "(Ljava/lang/String;)I", 0);
  LOOKUP(unsubscribe, net, "unsubscribe", "(Ljava/lang/String;)I", 0);
  LOOKUP(report_validation, net, "reportValidation", "([BI)I", 0);
  LOOKUP(send_request, net, "sendRequest", "(Ljava/lang/String;I[BJ)J", 0);
  LOOKUP(send_chunk, net, "sendResponseChunk", "(J[B)I", 0);
  LOOKUP(end_response, net, "endResponse", "(J)I", 0);
  LOOKUP(send_error, net, "sendErrorResponse", "(JI[B)I", 0);
  LOOKUP(dial, net, "dial", "(Ljava/lang/String;Z)I", 0);
  LOOKUP(disconnect, net, "disconnect", "(Ljava/lang/String;)I", 0);
  LOOKUP(ping, net, "ping", "(Ljava/lang/String;)I", 0);
  LOOKUP(peer_id, net, "peerId", "()Ljava/lang/String;", 0);
  LOOKUP(listen_addresses, net, "listenAddresses", "()Ljava/lang/String;", 0);
  LOOKUP(mesh_peers, net, "meshPeers", "(Ljava/lang/String;)J", 0);
  LOOKUP(connected_peers, net, "connectedPeers", "()J", 0);
  LOOKUP(metric, net, "metric", "(Ljava/lang/String;Ljava/lang/String;)D", 0);
  LOOKUP(thread_attached, rt, "threadAttached", "()V", 1);
  jmethodID init = (*env)->GetStaticMethodID(env, rt, "init", "(IZ)V");
  if (init == NULL) {
    describe_exception(env, job->error, sizeof job->error);
    return 0;
  }
  (*env)->CallStaticVoidMethod(env, rt, init, (jint)job->log_level, (jboolean)(job->host_logs != 0));
  if ((*env)->ExceptionCheck(env)) {
    describe_exception(env, job->error, sizeof job->error);
    return 0;
  }
  return 1;
}

/* Runs on a thread of its own: the JVM is not created on (and does not keep) a host thread. */
static void *create_vm_thread(void *arg) {
  create_job *job = arg;
  JavaVM *vm = NULL;
  JNIEnv *env = NULL;
  jint rc = job->create(&vm, (void **)&env, &job->args);
  if (rc != JNI_OK) {
    job->code = LEAN_P2P_START_JVM;
    snprintf(job->error, sizeof job->error, "JNI_CreateJavaVM failed (%d)", (int)rc);
    return NULL;
  }
  LP.vm = vm;
  if (!bind_classes(env, job)) {
    job->code = LEAN_P2P_START_JVM;
  }
  (*vm)->DetachCurrentThread(vm);
  return NULL;
}

static char *dup_option(const char *fmt, const char *value) {
  size_t n = strlen(fmt) + (value ? strlen(value) : 0) + 1;
  char *s = malloc(n);
  if (s) {
    snprintf(s, n, fmt, value ? value : "");
  }
  return s;
}

int32_t lp_ensure_jvm(const lean_p2p_runtime_config *config) {
  pthread_mutex_lock(&init_mu);
  if (init_state == 1) {
    pthread_mutex_unlock(&init_mu);
    return LEAN_P2P_START_OK;
  }
  if (init_state == 2) {
    lp_set_error("%s", init_failure);
    int32_t c = init_failure_code;
    pthread_mutex_unlock(&init_mu);
    return c;
  }
  int32_t code = LEAN_P2P_START_JVM;
  char libjvm[PATH_MAX];
  char *class_path = malloc(65536);
  char **options = NULL;
  size_t n_options = 0;
  char *env_opts = NULL;
  void *lib = NULL;
  int major = 0;
  if (class_path == NULL) {
    lp_set_error("out of memory");
    goto fail;
  }
  if (!find_jdk(config ? config->java_home : NULL, libjvm, sizeof libjvm, &major) ||
      !find_class_path(config ? config->class_path : NULL, class_path, 65536)) {
    goto fail; /* error already set */
  }
  created_vms_fn created = (created_vms_fn)dlsym(RTLD_DEFAULT, "JNI_GetCreatedJavaVMs");
  if (created != NULL) {
    JavaVM *vms[1];
    jsize n = 0;
    if (created(vms, 1, &n) == JNI_OK && n > 0) {
      lp_set_error("a JVM already runs in this process; liblean_p2p.so needs to create its own");
      goto fail;
    }
  }
  lib = dlopen(libjvm, RTLD_NOW | RTLD_GLOBAL);
  if (lib == NULL) {
    lp_set_error("cannot load %s: %s", libjvm, dlerror());
    goto fail;
  }
  create_vm_fn create = (create_vm_fn)dlsym(lib, "JNI_CreateJavaVM");
  if (create == NULL) {
    lp_set_error("%s has no JNI_CreateJavaVM", libjvm);
    goto fail;
  }
  const char *extra = getenv("LEAN_P2P_JVM_OPTS");
  size_t n_extra = 0;
  if (extra != NULL) {
    env_opts = strdup(extra);
    for (const char *p = extra; *p;) {
      while (*p && isspace((unsigned char)*p)) p++;
      if (*p) n_extra++;
      while (*p && !isspace((unsigned char)*p)) p++;
    }
  }
  size_t n_config = config ? config->jvm_option_count : 0;
  options = calloc(8 + n_extra + n_config, sizeof(char *));
  if (options == NULL) {
    lp_set_error("out of memory");
    goto fail;
  }
  options[n_options++] = dup_option("-Djava.class.path=%s", class_path);
  /* SIGINT, SIGTERM, SIGHUP and SIGQUIT stay the host's */
  options[n_options++] = dup_option("%s", "-Xrs");
  options[n_options++] = dup_option("-Dlean.p2p.native=%s", "true");
  if (major >= 22) {
    options[n_options++] = dup_option("--enable-native-access=%s", "ALL-UNNAMED");
  }
  if (major >= 23) {
    options[n_options++] = dup_option("--sun-misc-unsafe-memory-access=%s", "allow");
  }
  if (env_opts != NULL) {
    char *save = NULL;
    for (char *t = strtok_r(env_opts, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
      options[n_options++] = dup_option("%s", t);
    }
  }
  for (size_t i = 0; i < n_config; i++) {
    if (config->jvm_options[i] != NULL) {
      options[n_options++] = dup_option("%s", config->jvm_options[i]);
    }
  }
  JavaVMOption *vm_options = calloc(n_options, sizeof(JavaVMOption));
  if (vm_options == NULL) {
    lp_set_error("out of memory");
    goto fail;
  }
  for (size_t i = 0; i < n_options; i++) {
    if (options[i] == NULL) {
      free(vm_options);
      lp_set_error("out of memory");
      goto fail;
    }
    vm_options[i].optionString = options[i];
  }
  create_job job;
  memset(&job, 0, sizeof job);
  job.create = create;
  job.args.version = JNI_VERSION_10;
  job.args.nOptions = (jint)n_options;
  job.args.options = vm_options;
  job.args.ignoreUnrecognized = JNI_FALSE;
  job.log_level = config ? config->log_level : 0;
  job.host_logs = config != NULL && config->on_log != NULL;
  job.code = LEAN_P2P_START_OK;
  if (config != NULL) {
    LP.on_log = config->on_log;
    LP.log_host = config->log_host;
  }
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 8u << 20);
  int prc = pthread_create(&t, &attr, create_vm_thread, &job);
  pthread_attr_destroy(&attr);
  if (prc != 0) {
    free(vm_options);
    lp_set_error("cannot start the JVM creation thread (%d)", prc);
    goto fail;
  }
  pthread_join(t, NULL);
  free(vm_options);
  lib = NULL; /* libjvm stays loaded once JNI_CreateJavaVM was tried */
  if (job.code != LEAN_P2P_START_OK) {
    /* JNI_CreateJavaVM was tried: a JVM cannot be created again in this process */
    lp_set_error("%s (java: %s, class path: %s)", job.error, libjvm, class_path);
    init_state = 2;
    init_failure_code = job.code;
    snprintf(init_failure, sizeof init_failure, "%s", lean_p2p_last_error());
    code = job.code;
    goto fail;
  }
  init_state = 1;
  atomic_store(&lp_jvm_ready, 1);
  code = LEAN_P2P_START_OK;

fail:
  if (options != NULL) {
    for (size_t i = 0; i < n_options; i++) free(options[i]);
    free(options);
  }
  free(env_opts);
  free(class_path);
  if (lib != NULL) {
    dlclose(lib);
  }
  pthread_mutex_unlock(&init_mu);
  return code;
}

LEAN_P2P_API int32_t lean_p2p_init(const lean_p2p_runtime_config *config) {
  if (config != NULL && config->abi_version != LEAN_P2P_ABI_VERSION) {
    lp_set_error("abi_version %u, this library speaks %u", config->abi_version, LEAN_P2P_ABI_VERSION);
    return LEAN_P2P_START_INVALID;
  }
  if (config != NULL && config->log_level != 0 &&
      (config->log_level < LEAN_P2P_LOG_DEBUG || config->log_level > LEAN_P2P_LOG_ERROR)) {
    lp_set_error("log_level %d is not a lean_p2p_log_level", config->log_level);
    return LEAN_P2P_START_INVALID;
  }
  int32_t rc = lp_ensure_jvm(config);
  if (rc == LEAN_P2P_START_OK) {
    lp_set_error("%s", "");
  }
  return rc;
}

/* ---------------------------------------------------------------- attaching host threads */

static pthread_key_t detach_key;
static pthread_once_t detach_once = PTHREAD_ONCE_INIT;
static __thread JNIEnv *tls_env;

/* Runs at the exit of a host thread this library attached. */
static void detach_at_thread_exit(void *vm) {
  (*(JavaVM *)vm)->DetachCurrentThread((JavaVM *)vm);
}

static void make_detach_key(void) {
  pthread_key_create(&detach_key, detach_at_thread_exit);
}

JNIEnv *lp_env(void) {
  if (tls_env != NULL) {
    return tls_env;
  }
  if (LP.vm == NULL) {
    return NULL;
  }
  JNIEnv *env = NULL;
  jint rc = (*LP.vm)->GetEnv(LP.vm, (void **)&env, JNI_VERSION_10);
  if (rc == JNI_OK) {
    /* a JVM thread (a callback calling a command) or one attached by someone else: not ours to
       detach */
    tls_env = env;
    return env;
  }
  if (rc != JNI_EDETACHED) {
    return NULL;
  }
  pthread_once(&detach_once, make_detach_key);
  char name[32];
  snprintf(name, sizeof name, "lean-p2p-host-%ld", (long)gettid());
  JavaVMAttachArgs args = {JNI_VERSION_10, name, NULL};
  if ((*LP.vm)->AttachCurrentThreadAsDaemon(LP.vm, (void **)&env, &args) != JNI_OK) {
    return NULL;
  }
  pthread_setspecific(detach_key, LP.vm);
  tls_env = env;
  /* an attached thread has no context class loader; the library (snappy-java) wants one */
  (*env)->CallStaticVoidMethod(env, LP.runtime_class, LP.thread_attached);
  if ((*env)->ExceptionCheck(env)) {
    (*env)->ExceptionClear(env);
  }
  return env;
}
