// The Latch relay workload on MQTT 5 (libmosquitto), for bench/peers/compare.sh.
//
// U users and D devices; user i belongs to home i % D, whose one device is device D's
// index. Each user keeps one QoS 1 command in flight: it publishes to home/<j>/cmd with the
// MQTT 5 Response Topic home/<j>/res/<i> and Correlation Data (a sequence number); the device
// answers on that response topic with the same correlation data (QoS 1); the user records
// the latency and publishes the next command. The broker's ACL (written by compare.sh) lets a
// user write only its home's command topic and read only its own response topic, and a
// device read only its command topic and write only its home's response topics.
//
//   mqtt_loadgen --port P --creds FILE --users U --devices D [--duration 8] [--warmup 1]
//                [--loop poll|thread] [--threads 1] [--server-pid PID] [--no-nodelay]
//
// --loop poll: --threads threads, each polling its share of the sockets and driving them with
// mosquitto_loop_read/write/misc; --loop thread: mosquitto_loop_start, a thread per client.
// FILE holds one "name password" line per account (user-<i>, device-<j>). Prints one JSON
// object; exits 1 if a client fails to connect or subscribe, or a connection drops.
#define _GNU_SOURCE
#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum Phase { kSetup, kWarmup, kMeasure, kDrain, kDone };
enum { kSetupTimeoutS = 15, kDrainTimeoutS = 2, kMaxClients = 4096 };

static const char kCommand[] = "{\"command\":\"BENCH\",\"args\":[]}";
static const char kAnswer[] = "{\"status\":\"ok\",\"output\":null}";

typedef struct {
  struct mosquitto* mosq;
  bool is_device;
  int index;  // user or device number
  int home;
  char name[32];
  char password[128];
  char cmd_topic[48];  // device: subscribed; user: published to
  char res_topic[64];  // user: subscribed and named as Response Topic
  uint64_t seq;        // user: correlation of the command in flight
  uint64_t sent_ns;
  bool in_flight;
  uint32_t* lat_us;  // user: latencies recorded while measuring
  size_t lat_len, lat_cap;
  uint64_t sent, answered, executed;
} Client;

static struct {
  const char* host;
  int port;
  int users, devices, threads;
  double duration_s, warmup_s;
  int server_pid;
  bool thread_loop, nodelay;
  const char* creds;
} opt = {"127.0.0.1", 0, 10, 10, 1, 8.0, 1.0, 0, false, true, NULL};

static Client* clients;
static int nclients;
static _Atomic int phase = kSetup;
static atomic_int ready;        // clients connected and subscribed
static atomic_int outstanding;  // users with a command in flight
static atomic_int failed;

static uint64_t nowNs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fail(const char* what, const Client* c, int rc) {
  fprintf(stderr, "mqtt_loadgen: %s (%s): %s\n", what, c ? c->name : "-",
          rc ? mosquitto_strerror(rc) : "");
  atomic_store(&failed, 1);
}

// utime + stime of process `pid` in microseconds, or -1.
static double procCpuUs(int pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", pid);
  FILE* f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  const char* p = strrchr(buf, ')');  // fields 14 and 15 count from after the name
  unsigned long utime = 0, stime = 0;
  if (!p ||
      sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return -1;
  return (double)(utime + stime) * 1e6 / (double)sysconf(_SC_CLK_TCK);
}

static double selfCpuUs(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);  // all threads
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec +
         ru.ru_stime.tv_usec;
}

static void sendCommand(Client* c) {
  mosquitto_property* props = NULL;
  c->seq++;
  mosquitto_property_add_string(&props, MQTT_PROP_RESPONSE_TOPIC, c->res_topic);
  mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, &c->seq, sizeof c->seq);
  c->sent_ns = nowNs();
  c->in_flight = true;
  c->sent++;
  int rc = mosquitto_publish_v5(c->mosq, NULL, c->cmd_topic, sizeof kCommand - 1, kCommand, 1,
                                false, props);
  mosquitto_property_free_all(&props);
  if (rc != MOSQ_ERR_SUCCESS) fail("publish command", c, rc);
}

static void recordLatency(Client* c, uint64_t ns) {
  if (c->lat_len == c->lat_cap) {
    c->lat_cap = c->lat_cap ? c->lat_cap * 2 : 4096;
    c->lat_us = realloc(c->lat_us, c->lat_cap * sizeof *c->lat_us);
    if (!c->lat_us) abort();
  }
  c->lat_us[c->lat_len++] = (uint32_t)(ns / 1000);
}

static void onDeviceMessage(Client* c, const struct mosquitto_message* m,
                            const mosquitto_property* props) {
  char* response_topic = NULL;
  void* corr = NULL;
  uint16_t corr_len = 0;
  mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &response_topic, false);
  mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &corr, &corr_len, false);
  if (strcmp(m->topic, c->cmd_topic) == 0 && response_topic && corr) {
    mosquitto_property* out = NULL;
    mosquitto_property_add_binary(&out, MQTT_PROP_CORRELATION_DATA, corr, corr_len);
    int rc = mosquitto_publish_v5(c->mosq, NULL, response_topic, sizeof kAnswer - 1, kAnswer, 1,
                                  false, out);
    mosquitto_property_free_all(&out);
    if (rc != MOSQ_ERR_SUCCESS) fail("publish answer", c, rc);
    c->executed++;
  }
  free(response_topic);
  free(corr);
}

static void onUserMessage(Client* c, const mosquitto_property* props) {
  void* corr = NULL;
  uint16_t corr_len = 0;
  mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &corr, &corr_len, false);
  bool mine = c->in_flight && corr && corr_len == sizeof c->seq && !memcmp(corr, &c->seq, corr_len);
  free(corr);
  if (!mine) return;  // a stale or foreign answer: not ours to count
  uint64_t now = nowNs();
  c->in_flight = false;
  c->answered++;
  int p = atomic_load(&phase);
  if (p == kMeasure) recordLatency(c, now - c->sent_ns);
  if (p == kWarmup || p == kMeasure) {
    sendCommand(c);
  } else {
    atomic_fetch_sub(&outstanding, 1);
  }
}

static void onMessage(struct mosquitto* mosq, void* obj, const struct mosquitto_message* m,
                      const mosquitto_property* props) {
  (void)mosq;
  Client* c = obj;
  if (c->is_device)
    onDeviceMessage(c, m, props);
  else
    onUserMessage(c, props);
}

static void onConnect(struct mosquitto* mosq, void* obj, int rc, int flags,
                      const mosquitto_property* props) {
  (void)flags, (void)props;
  Client* c = obj;
  if (rc != 0) {
    fprintf(stderr, "mqtt_loadgen: %s refused: %s\n", c->name, mosquitto_reason_string(rc));
    atomic_store(&failed, 1);
    return;
  }
  const char* topic = c->is_device ? c->cmd_topic : c->res_topic;
  rc = mosquitto_subscribe_v5(mosq, NULL, topic, 1, 0, NULL);
  if (rc != MOSQ_ERR_SUCCESS) fail("subscribe", c, rc);
}

static void onSubscribe(struct mosquitto* mosq, void* obj, int mid, int count, const int* granted,
                        const mosquitto_property* props) {
  (void)mosq, (void)mid, (void)props;
  Client* c = obj;
  if (count != 1 || granted[0] >= 0x80) {  // a reason code: the ACL said no
    fprintf(stderr, "mqtt_loadgen: %s: subscription refused (0x%x)\n", c->name, granted[0]);
    atomic_store(&failed, 1);
    return;
  }
  atomic_fetch_add(&ready, 1);
}

static void onDisconnect(struct mosquitto* mosq, void* obj, int rc,
                         const mosquitto_property* props) {
  (void)mosq, (void)props;
  if (atomic_load(&phase) < kDone) fail("connection lost", obj, rc);
}

// --loop poll: one thread's share of the clients (every threads-th, from `first`).
typedef struct {
  int first;
} PollShare;

static void* pollLoop(void* arg) {
  int first = ((PollShare*)arg)->first;
  int n = 0;
  Client* mine[kMaxClients];
  struct pollfd fds[kMaxClients];
  for (int k = first; k < nclients; k += opt.threads) mine[n++] = &clients[k];
  bool kicked = false;
  uint64_t last_misc = nowNs();
  while (atomic_load(&phase) != kDone && !atomic_load(&failed)) {
    if (!kicked && atomic_load(&phase) >= kWarmup) {
      kicked = true;
      for (int k = 0; k < n; k++)
        if (!mine[k]->is_device) sendCommand(mine[k]);
    }
    for (int k = 0; k < n; k++) {
      fds[k].fd = mosquitto_socket(mine[k]->mosq);
      fds[k].events = POLLIN | (mosquitto_want_write(mine[k]->mosq) ? POLLOUT : 0);
      fds[k].revents = 0;
    }
    int r = poll(fds, (nfds_t)n, 50);
    if (r < 0 && errno != EINTR) {
      fail("poll", NULL, 0);
      break;
    }
    for (int k = 0; k < n && r > 0; k++) {
      struct mosquitto* m = mine[k]->mosq;
      int rc = MOSQ_ERR_SUCCESS;
      if (fds[k].revents & (POLLIN | POLLERR | POLLHUP)) rc = mosquitto_loop_read(m, 1);
      if (rc == MOSQ_ERR_SUCCESS && mosquitto_want_write(m)) rc = mosquitto_loop_write(m, 1);
      if (rc != MOSQ_ERR_SUCCESS && atomic_load(&phase) < kDone) fail("loop", mine[k], rc);
    }
    if (nowNs() - last_misc > 1000000000u) {
      last_misc = nowNs();
      for (int k = 0; k < n; k++) mosquitto_loop_misc(mine[k]->mosq);
    }
  }
  return NULL;
}

static int readCreds(void) {
  FILE* f = fopen(opt.creds, "r");
  if (!f) return -1;
  char name[32], password[128];
  int found = 0;
  while (fscanf(f, "%31s %127s", name, password) == 2) {
    for (int k = 0; k < nclients; k++) {
      if (strcmp(clients[k].name, name) == 0) {
        snprintf(clients[k].password, sizeof clients[k].password, "%s", password);
        found++;
      }
    }
  }
  fclose(f);
  return found == nclients ? 0 : -1;
}

static void setupClients(void) {
  nclients = opt.users + opt.devices;
  clients = calloc((size_t)nclients, sizeof *clients);
  for (int k = 0; k < nclients; k++) {
    Client* c = &clients[k];
    c->is_device = k < opt.devices;  // devices first: they subscribe before users send
    c->index = c->is_device ? k : k - opt.devices;
    c->home = c->is_device ? c->index : c->index % opt.devices;
    snprintf(c->name, sizeof c->name, "%s-%d", c->is_device ? "device" : "user", c->index);
    snprintf(c->cmd_topic, sizeof c->cmd_topic, "home/%d/cmd", c->home);
    snprintf(c->res_topic, sizeof c->res_topic, "home/%d/res/%d", c->home, c->index);
  }
}

static int connectClient(Client* c) {
  c->mosq = mosquitto_new(c->name, true, c);
  if (!c->mosq) return MOSQ_ERR_NOMEM;
  mosquitto_int_option(c->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, opt.nodelay ? 1 : 0);
  mosquitto_username_pw_set(c->mosq, c->name, c->password);
  mosquitto_connect_v5_callback_set(c->mosq, onConnect);
  mosquitto_subscribe_v5_callback_set(c->mosq, onSubscribe);
  mosquitto_message_v5_callback_set(c->mosq, onMessage);
  mosquitto_disconnect_v5_callback_set(c->mosq, onDisconnect);
  int rc = mosquitto_connect_bind_v5(c->mosq, opt.host, opt.port, 60, NULL, NULL);
  if (rc == MOSQ_ERR_SUCCESS && opt.thread_loop) rc = mosquitto_loop_start(c->mosq);
  return rc;
}

static void sleepUntil(uint64_t deadline_ns, bool (*done)(void)) {
  while (nowNs() < deadline_ns && !atomic_load(&failed) && !(done && done())) {
    struct timespec ts = {0, 2000000};  // 2 ms: the phase edges stay sharp enough
    nanosleep(&ts, NULL);
  }
}

static bool allReady(void) { return atomic_load(&ready) == nclients; }
static bool drained(void) { return atomic_load(&outstanding) == 0; }

static int compareU32(const void* a, const void* b) {
  uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return (x > y) - (x < y);
}

static double percentile(const uint32_t* sorted, size_t n, double q) {
  if (n == 0) return 0;
  size_t i = (size_t)(q * (double)(n - 1) + 0.5);
  return sorted[i];
}

static void report(double window_s, double client_cpu_us, double server_cpu_us) {
  size_t total = 0;
  uint64_t sent = 0, answered = 0, executed = 0;
  for (int k = 0; k < nclients; k++) {
    total += clients[k].lat_len;
    sent += clients[k].sent;
    answered += clients[k].answered;
    executed += clients[k].executed;
  }
  uint32_t* all = malloc((total ? total : 1) * sizeof *all);
  size_t at = 0;
  double sum = 0;
  for (int k = 0; k < nclients; k++) {
    memcpy(all + at, clients[k].lat_us, clients[k].lat_len * sizeof *all);
    at += clients[k].lat_len;
  }
  for (size_t i = 0; i < total; i++) sum += all[i];
  qsort(all, total, sizeof *all, compareU32);
  double rt = (double)total;
  char server[32] = "null";  // no --server-pid, or nothing measured
  if (server_cpu_us >= 0 && total) snprintf(server, sizeof server, "%.2f", server_cpu_us / rt);
  printf(
      "{\"system\":\"mosquitto\",\"protocol\":\"mqtt5\",\"qos\":1,\"loop\":\"%s\",\"threads\":%d,"
      "\"nodelay\":%s,\"users\":%d,\"devices\":%d,\"warmup_s\":%.3f,\"duration_s\":%.3f,"
      "\"round_trips\":%zu,\"rps\":%.1f,\"latency_us\":{\"p50\":%.0f,\"p90\":%.0f,\"p99\":%.0f,"
      "\"p999\":%.0f,\"max\":%.0f,\"mean\":%.1f},\"sent\":%llu,\"answered\":%llu,"
      "\"executed\":%llu,\"client_cpu_us_per_round_trip\":%.2f,"
      "\"server_cpu_us_per_round_trip\":%s}\n",
      opt.thread_loop ? "thread" : "poll", opt.thread_loop ? nclients : opt.threads,
      opt.nodelay ? "true" : "false", opt.users, opt.devices, opt.warmup_s, window_s, total,
      rt / window_s, percentile(all, total, 0.50), percentile(all, total, 0.90),
      percentile(all, total, 0.99), percentile(all, total, 0.999), total ? all[total - 1] : 0.0,
      total ? sum / rt : 0.0, (unsigned long long)sent, (unsigned long long)answered,
      (unsigned long long)executed, total ? client_cpu_us / rt : 0.0, server);
  free(all);
}

static int parseArgs(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    const char* a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--no-nodelay")) {
      opt.nodelay = false;
      continue;
    }
    if (!v) return -1;
    i++;
    if (!strcmp(a, "--host"))
      opt.host = v;
    else if (!strcmp(a, "--port"))
      opt.port = atoi(v);
    else if (!strcmp(a, "--users"))
      opt.users = atoi(v);
    else if (!strcmp(a, "--devices"))
      opt.devices = atoi(v);
    else if (!strcmp(a, "--threads"))
      opt.threads = atoi(v);
    else if (!strcmp(a, "--duration"))
      opt.duration_s = atof(v);
    else if (!strcmp(a, "--warmup"))
      opt.warmup_s = atof(v);
    else if (!strcmp(a, "--server-pid"))
      opt.server_pid = atoi(v);
    else if (!strcmp(a, "--creds"))
      opt.creds = v;
    else if (!strcmp(a, "--loop"))
      opt.thread_loop = !strcmp(v, "thread");
    else
      return -1;
  }
  bool ok = opt.port > 0 && opt.creds && opt.devices > 0 && opt.users >= opt.devices &&
            opt.users + opt.devices <= kMaxClients && opt.threads >= 1 && opt.duration_s > 0;
  return ok ? 0 : -1;
}

int main(int argc, char** argv) {
  if (parseArgs(argc, argv) != 0) {
    fprintf(stderr,
            "usage: mqtt_loadgen --port P --creds FILE [--host 127.0.0.1] [--users 10] "
            "[--devices 10] [--duration 8] [--warmup 1] [--loop poll|thread] [--threads 1] "
            "[--server-pid PID] [--no-nodelay]\n");
    return 2;
  }
  mosquitto_lib_init();
  setupClients();
  if (readCreds() != 0) {
    fprintf(stderr, "mqtt_loadgen: %s lacks an account\n", opt.creds);
    return 1;
  }
  for (int k = 0; k < nclients; k++) {
    int rc = connectClient(&clients[k]);
    if (rc != MOSQ_ERR_SUCCESS) {
      fail("connect", &clients[k], rc);
      return 1;
    }
  }
  pthread_t pollers[64];
  PollShare shares[64];
  int npollers = opt.thread_loop ? 0 : (opt.threads < 64 ? opt.threads : 64);
  opt.threads = opt.thread_loop ? opt.threads : npollers;
  for (int t = 0; t < npollers; t++) {
    shares[t].first = t;
    pthread_create(&pollers[t], NULL, pollLoop, &shares[t]);
  }

  sleepUntil(nowNs() + (uint64_t)kSetupTimeoutS * 1000000000u, allReady);
  if (!allReady()) fail("setup timed out or failed", NULL, 0);
  double window_s = 0, client_cpu = 0, server_cpu = -1;
  if (!atomic_load(&failed)) {
    atomic_store(&outstanding, opt.users);
    atomic_store(&phase, kWarmup);
    if (opt.thread_loop)
      for (int k = opt.devices; k < nclients; k++) sendCommand(&clients[k]);
    sleepUntil(nowNs() + (uint64_t)(opt.warmup_s * 1e9), NULL);
    double c0 = selfCpuUs(), s0 = opt.server_pid ? procCpuUs(opt.server_pid) : -1;
    uint64_t t0 = nowNs();
    atomic_store(&phase, kMeasure);
    sleepUntil(t0 + (uint64_t)(opt.duration_s * 1e9), NULL);
    atomic_store(&phase, kDrain);
    uint64_t t1 = nowNs();
    double c1 = selfCpuUs(), s1 = opt.server_pid ? procCpuUs(opt.server_pid) : -1;
    window_s = (double)(t1 - t0) / 1e9;
    client_cpu = c1 - c0;
    server_cpu = s0 >= 0 && s1 >= 0 ? s1 - s0 : -1;
    sleepUntil(t1 + (uint64_t)kDrainTimeoutS * 1000000000u, drained);
  }
  atomic_store(&phase, kDone);
  for (int t = 0; t < npollers; t++) pthread_join(pollers[t], NULL);
  for (int k = 0; k < nclients; k++) {
    mosquitto_disconnect(clients[k].mosq);
    if (opt.thread_loop) mosquitto_loop_stop(clients[k].mosq, false);
  }
  if (atomic_load(&failed)) return 1;
  report(window_s, client_cpu, server_cpu);
  if (atomic_load(&outstanding) != 0) {
    fprintf(stderr, "mqtt_loadgen: %d command(s) unanswered\n", atomic_load(&outstanding));
    return 1;
  }
  return 0;
}
