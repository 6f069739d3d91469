// Kernel SCTP (RFC 9260) one-to-one sockets for Node: socket creation, bindx, listen, connectx,
// socket options, and batched I/O with stream and PPID (sendmmsg/recvmmsg). Everything else
// (the first read of each readable event, queued writes, close) is done by libuv on the
// descriptor, which treats it as TCP. Only plain syscalls and the uapi header are used, so no
// lksctp-tools headers or library are needed to build it.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>
#include <linux/sctp.h>
#include <node_api.h>

#ifndef SOL_SCTP
#define SOL_SCTP 132
#endif
#define MAX_ADDRS 16
#define DIAMETER_PPID 46

typedef union {
  struct sockaddr sa;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
} any_addr;

// ---- errors: thrown as Error with .errno and .syscall; the TS wrapper turns them into messages ----

static napi_value errno_error(napi_env env, const char *syscall, int err) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", syscall, strerror(err));
  napi_value m, e, n, s;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &m);
  napi_create_error(env, NULL, m, &e);
  napi_create_int32(env, err, &n);
  napi_set_named_property(env, e, "errno", n);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, e, "syscall", s);
  return e;
}

static napi_value throw_errno(napi_env env, const char *syscall, int err) {
  napi_throw(env, errno_error(env, syscall, err));
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

// ---- argument helpers ----

static int get_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

/** Packs a JS array of IP literals into consecutive sockaddrs (the bindx/connectx format). */
static int pack_addrs(napi_env env, napi_value arr, int port, char *buf, size_t *len, int *count, int *any_v6) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok || n == 0 || n > MAX_ADDRS) return 0;
  size_t off = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    char ip[64];
    size_t iplen = 0;
    napi_get_element(env, arr, i, &item);
    if (napi_get_value_string_utf8(env, item, ip, sizeof ip, &iplen) != napi_ok) return 0;
    struct sockaddr_in v4;
    struct sockaddr_in6 v6;
    memset(&v4, 0, sizeof v4);
    memset(&v6, 0, sizeof v6);
    if (inet_pton(AF_INET, ip, &v4.sin_addr) == 1) {
      v4.sin_family = AF_INET;
      v4.sin_port = htons((uint16_t)port);
      memcpy(buf + off, &v4, sizeof v4);
      off += sizeof v4;
    } else if (inet_pton(AF_INET6, ip, &v6.sin6_addr) == 1) {
      v6.sin6_family = AF_INET6;
      v6.sin6_port = htons((uint16_t)port);
      memcpy(buf + off, &v6, sizeof v6);
      off += sizeof v6;
      *any_v6 = 1;
    } else {
      return 0;
    }
  }
  *len = off;
  *count = (int)n;
  return 1;
}

static napi_value addr_to_js(napi_env env, const struct sockaddr *sa) {
  char ip[INET6_ADDRSTRLEN] = "";
  int port = 0;
  const char *family = "IPv4";
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
    port = ntohs(a->sin_port);
  } else if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
    port = ntohs(a->sin6_port);
    family = "IPv6";
  }
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_string_utf8(env, ip, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "address", v);
  napi_create_int32(env, port, &v);
  napi_set_named_property(env, o, "port", v);
  napi_create_string_utf8(env, family, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, "family", v);
  return o;
}

// ---- socket set-up shared by listen and connect ----

/** One-to-one socket with the Diameter options: streams, no Nagle, PPID 46 on plain writes. */
static int make_socket(int family, int streams, const char **failed) {
  int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
  if (fd < 0) {
    *failed = "socket";
    return -1;
  }
  struct sctp_initmsg init;
  memset(&init, 0, sizeof init);
  init.sinit_num_ostreams = (uint16_t)streams;
  init.sinit_max_instreams = (uint16_t)streams;
  int one = 1;
  struct sctp_sndinfo snd;
  memset(&snd, 0, sizeof snd);
  snd.snd_ppid = htonl(DIAMETER_PPID);  // opaque to the kernel: network order on the wire
  if (setsockopt(fd, SOL_SCTP, SCTP_INITMSG, &init, sizeof init) < 0) {
    *failed = "setsockopt(SCTP_INITMSG)";
  } else if (setsockopt(fd, SOL_SCTP, SCTP_NODELAY, &one, sizeof one) < 0) {
    *failed = "setsockopt(SCTP_NODELAY)";
  } else if (setsockopt(fd, SOL_SCTP, SCTP_DEFAULT_SNDINFO, &snd, sizeof snd) < 0) {
    *failed = "setsockopt(SCTP_DEFAULT_SNDINFO)";
  } else {
    return fd;
  }
  int e = errno;
  close(fd);
  errno = e;
  return -1;
}

/** Binds one address with bind(2), several with SCTP_SOCKOPT_BINDX_ADD (sctp_bindx). */
static int bind_addrs(int fd, char *buf, size_t len, int count, const char **failed) {
  if (count == 1) {
    if (bind(fd, (struct sockaddr *)buf, (socklen_t)len) < 0) {
      *failed = "bind";
      return -1;
    }
    return 0;
  }
  if (setsockopt(fd, SOL_SCTP, SCTP_SOCKOPT_BINDX_ADD, buf, (socklen_t)len) < 0) {
    *failed = "sctp_bindx";
    return -1;
  }
  return 0;
}

// available(): undefined when the kernel has SCTP, else the errno of socket()
static napi_value js_available(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value r;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
  if (fd >= 0) {
    close(fd);
    napi_get_undefined(env, &r);
  } else {
    napi_create_int32(env, errno, &r);
  }
  return r;
}

// listen(addresses: string[], port, streams, backlog) -> fd
static napi_value js_listen(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t port, streams, backlog;
  if (argc < 4 || !get_int(env, argv[1], &port) || !get_int(env, argv[2], &streams) || !get_int(env, argv[3], &backlog))
    return throw_type(env, "listen(addresses, port, streams, backlog)");
  char buf[MAX_ADDRS * sizeof(struct sockaddr_in6)];
  size_t len = 0;
  int count = 0, v6 = 0;
  if (!pack_addrs(env, argv[0], port, buf, &len, &count, &v6)) return throw_type(env, "listen: addresses must be 1 to 16 IP literals");
  const char *failed = NULL;
  int fd = make_socket(v6 ? AF_INET6 : AF_INET, streams, &failed);
  if (fd < 0) return throw_errno(env, failed, errno);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind_addrs(fd, buf, len, count, &failed) < 0 || (listen(fd, backlog) < 0 && (failed = "listen"))) {
    int e = errno;
    close(fd);
    return throw_errno(env, failed, e);
  }
  napi_value r;
  napi_create_int32(env, fd, &r);
  return r;
}

// connect(addresses: string[], port, localAddresses: string[], streams, timeoutMs) -> Promise<fd>
typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int fd;
  char addrs[MAX_ADDRS * sizeof(struct sockaddr_in6)];
  size_t len;
  int err;
  const char *failed;
} connect_job;

static void connect_execute(napi_env env, void *data) {
  (void)env;
  connect_job *j = data;
  // Blocking connectx in a worker thread; SO_SNDTIMEO bounds the wait for the association.
  if (setsockopt(j->fd, SOL_SCTP, SCTP_SOCKOPT_CONNECTX, j->addrs, (socklen_t)j->len) < 0) {
    j->err = errno == EAGAIN ? ETIMEDOUT : errno;  // a timed-out wait reports EAGAIN/EINPROGRESS
    if (j->err == EINPROGRESS) j->err = ETIMEDOUT;
    j->failed = "sctp_connectx";
  }
}

static void connect_complete(napi_env env, napi_status status, void *data) {
  connect_job *j = data;
  napi_value r;
  if (status != napi_ok && j->err == 0) j->err = ECANCELED;
  if (j->err == 0) {
    struct timeval none = {0, 0};
    setsockopt(j->fd, SOL_SOCKET, SO_SNDTIMEO, &none, sizeof none);
    napi_create_int32(env, j->fd, &r);
    napi_resolve_deferred(env, j->deferred, r);
  } else {
    close(j->fd);
    napi_reject_deferred(env, j->deferred, errno_error(env, j->failed ? j->failed : "sctp_connectx", j->err));
  }
  napi_delete_async_work(env, j->work);
  free(j);
}

static napi_value js_connect(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t port, streams, timeout_ms;
  if (argc < 5 || !get_int(env, argv[1], &port) || !get_int(env, argv[3], &streams) || !get_int(env, argv[4], &timeout_ms))
    return throw_type(env, "connect(addresses, port, localAddresses, streams, timeoutMs)");
  connect_job *j = calloc(1, sizeof *j);
  if (!j) return throw_errno(env, "calloc", ENOMEM);
  int count = 0, v6 = 0;
  if (!pack_addrs(env, argv[0], port, j->addrs, &j->len, &count, &v6)) {
    free(j);
    return throw_type(env, "connect: addresses must be 1 to 16 IP literals");
  }
  char local[MAX_ADDRS * sizeof(struct sockaddr_in6)];
  size_t llen = 0;
  int lcount = 0, lv6 = 0;
  uint32_t nlocal = 0;
  napi_get_array_length(env, argv[2], &nlocal);
  if (nlocal > 0 && !pack_addrs(env, argv[2], 0, local, &llen, &lcount, &lv6)) {
    free(j);
    return throw_type(env, "connect: localAddresses must be IP literals");
  }
  const char *failed = NULL;
  j->fd = make_socket(v6 || lv6 ? AF_INET6 : AF_INET, streams, &failed);
  if (j->fd < 0) {
    int e = errno;
    free(j);
    return throw_errno(env, failed, e);
  }
  struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(j->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (lcount > 0 && bind_addrs(j->fd, local, llen, lcount, &failed) < 0) {
    int e = errno;
    close(j->fd);
    free(j);
    return throw_errno(env, failed, e);
  }
  napi_value promise, name;
  napi_create_promise(env, &j->deferred, &promise);
  napi_create_string_utf8(env, "sctp_connectx", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, NULL, name, connect_execute, connect_complete, j, &j->work);
  napi_queue_async_work(env, j->work);
  return promise;
}

// setup(fd): options for an accepted socket (SCTP_NODELAY is not inherited from the listener)
static napi_value js_setup(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || !get_int(env, argv[0], &fd)) return throw_type(env, "setup(fd)");
  int one = 1;
  struct sctp_sndinfo snd;
  memset(&snd, 0, sizeof snd);
  snd.snd_ppid = htonl(DIAMETER_PPID);
  if (setsockopt(fd, SOL_SCTP, SCTP_NODELAY, &one, sizeof one) < 0) return throw_errno(env, "setsockopt(SCTP_NODELAY)", errno);
  if (setsockopt(fd, SOL_SCTP, SCTP_DEFAULT_SNDINFO, &snd, sizeof snd) < 0) return throw_errno(env, "setsockopt(SCTP_DEFAULT_SNDINFO)", errno);
  return NULL;
}

// status(fd) -> {state, inStreams, outStreams, primary, peerAddresses, localAddresses, nodelay}
static napi_value addrs_to_js(napi_env env, int fd, int optname) {
  char buf[sizeof(struct sctp_getaddrs) + MAX_ADDRS * sizeof(struct sockaddr_in6)];
  struct sctp_getaddrs *ga = (struct sctp_getaddrs *)buf;
  memset(buf, 0, sizeof buf);
  socklen_t len = sizeof buf;
  napi_value arr;
  napi_create_array(env, &arr);
  if (getsockopt(fd, SOL_SCTP, optname, buf, &len) < 0) return arr;
  char *p = (char *)ga->addrs;
  for (uint32_t i = 0; i < ga->addr_num && i < MAX_ADDRS; i++) {
    struct sockaddr *sa = (struct sockaddr *)p;
    napi_set_element(env, arr, i, addr_to_js(env, sa));
    p += sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
  }
  return arr;
}

static napi_value js_status(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || !get_int(env, argv[0], &fd)) return throw_type(env, "status(fd)");
  struct sctp_status st;
  memset(&st, 0, sizeof st);
  socklen_t len = sizeof st;
  if (getsockopt(fd, SOL_SCTP, SCTP_STATUS, &st, &len) < 0) return throw_errno(env, "getsockopt(SCTP_STATUS)", errno);
  int nodelay = 0;
  socklen_t nlen = sizeof nodelay;
  getsockopt(fd, SOL_SCTP, SCTP_NODELAY, &nodelay, &nlen);
  napi_value o, v;
  napi_create_object(env, &o);
  napi_create_int32(env, st.sstat_state, &v);
  napi_set_named_property(env, o, "state", v);
  napi_create_int32(env, st.sstat_instrms, &v);
  napi_set_named_property(env, o, "inStreams", v);
  napi_create_int32(env, st.sstat_outstrms, &v);
  napi_set_named_property(env, o, "outStreams", v);
  napi_set_named_property(env, o, "primary", addr_to_js(env, (struct sockaddr *)&st.sstat_primary.spinfo_address));
  napi_get_boolean(env, nodelay != 0, &v);
  napi_set_named_property(env, o, "nodelay", v);
  napi_set_named_property(env, o, "peerAddresses", addrs_to_js(env, fd, SCTP_GET_PEER_ADDRS));
  napi_set_named_property(env, o, "localAddresses", addrs_to_js(env, fd, SCTP_GET_LOCAL_ADDRS));
  return o;
}

// send(fd, buffer, stream) -> bytes sent, or -errno (EAGAIN: the caller queues it instead)
static napi_value js_send(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, stream;
  void *data = NULL;
  size_t len = 0;
  if (argc < 3 || !get_int(env, argv[0], &fd) || napi_get_buffer_info(env, argv[1], &data, &len) != napi_ok || !get_int(env, argv[2], &stream))
    return throw_type(env, "send(fd, buffer, stream)");
  struct iovec iov = {data, len};
  char cbuf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
  memset(cbuf, 0, sizeof cbuf);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = IPPROTO_SCTP;
  c->cmsg_type = SCTP_SNDINFO;
  c->cmsg_len = CMSG_LEN(sizeof(struct sctp_sndinfo));
  struct sctp_sndinfo *snd = (struct sctp_sndinfo *)CMSG_DATA(c);
  snd->snd_sid = (uint16_t)stream;
  snd->snd_ppid = htonl(DIAMETER_PPID);
  ssize_t n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  napi_value r;
  napi_create_int64(env, n < 0 ? -(int64_t)errno : (int64_t)n, &r);
  return r;
}

// ---- batched I/O: one syscall for many SCTP messages ----
// An SCTP message is one Diameter message in both directions (freeDiameter, among others, parses
// each SCTP message as exactly one Diameter message), so batching is by sendmmsg/recvmmsg, never
// by concatenating messages. Each syscall is costly where the kernel is far (User-Mode Linux:
// ptrace), and a one-to-one socket returns at most one message per read.
#define BATCH 64
#define SNDINFO_SPACE CMSG_SPACE(sizeof(struct sctp_sndinfo))

// sendMany(fd, buffers: Buffer[], streams: number[]) -> messages sent (each buffer is one SCTP
// message on its stream, PPID 46), or -errno when none was (EAGAIN: the caller queues them).
static napi_value js_send_many(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  uint32_t n = 0, ns = 0;
  if (argc < 3 || !get_int(env, argv[0], &fd) || napi_get_array_length(env, argv[1], &n) != napi_ok ||
      napi_get_array_length(env, argv[2], &ns) != napi_ok || ns < n)
    return throw_type(env, "sendMany(fd, buffers, streams)");
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  char cbuf[BATCH][SNDINFO_SPACE];
  uint32_t sent = 0;
  int64_t result = 0;
  while (sent < n) {
    uint32_t k = n - sent < BATCH ? n - sent : BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * k);
    memset(cbuf, 0, SNDINFO_SPACE * k);
    for (uint32_t i = 0; i < k; i++) {
      napi_value b, sv;
      int32_t stream = 0;
      void *data = NULL;
      size_t len = 0;
      napi_get_element(env, argv[1], sent + i, &b);
      napi_get_element(env, argv[2], sent + i, &sv);
      if (napi_get_buffer_info(env, b, &data, &len) != napi_ok || !get_int(env, sv, &stream))
        return throw_type(env, "sendMany: buffers must be Buffers and streams numbers");
      iov[i].iov_base = data;
      iov[i].iov_len = len;
      struct msghdr *m = &msgs[i].msg_hdr;
      m->msg_iov = &iov[i];
      m->msg_iovlen = 1;
      m->msg_control = cbuf[i];
      m->msg_controllen = SNDINFO_SPACE;
      struct cmsghdr *c = CMSG_FIRSTHDR(m);
      c->cmsg_level = IPPROTO_SCTP;
      c->cmsg_type = SCTP_SNDINFO;
      c->cmsg_len = CMSG_LEN(sizeof(struct sctp_sndinfo));
      struct sctp_sndinfo *snd = (struct sctp_sndinfo *)CMSG_DATA(c);
      snd->snd_sid = (uint16_t)stream;
      snd->snd_ppid = htonl(DIAMETER_PPID);
    }
    int r = sendmmsg(fd, msgs, k, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (r < 0) {
      if (sent == 0) result = -(int64_t)errno;
      break;
    }
    sent += (uint32_t)r;
    if ((uint32_t)r < k) break;  // the kernel buffer filled up: the caller queues the rest
  }
  napi_value out;
  napi_create_int64(env, sent > 0 ? (int64_t)sent : result, &out);
  return out;
}

// recvMany(fd, into: Buffer) -> bytes: whatever SCTP messages are already queued, up to BATCH
// and the size of `into`, read with one non-blocking recvmmsg and laid end to end (the caller
// frames Diameter messages by their length). 0: nothing queued (or the peer shut down: the next
// libuv read sees that); -errno: the association failed.
static napi_value js_recv_many(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  char *into = NULL;
  size_t cap = 0;
  if (argc < 2 || !get_int(env, argv[0], &fd) || napi_get_buffer_info(env, argv[1], (void **)&into, &cap) != napi_ok || cap < BATCH)
    return throw_type(env, "recvMany(fd, buffer of at least 64 bytes)");
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  size_t slot = cap / BATCH;
  memset(msgs, 0, sizeof msgs);
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = into + (size_t)i * slot;
    iov[i].iov_len = slot;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  // A message longer than a slot continues in the next slot (SCTP keeps the rest for the next
  // recvmsg), so the slots, compacted, are the byte stream in order.
  int r = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
  int64_t total = 0;
  if (r < 0) {
    total = errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -(int64_t)errno;
  } else {
    for (int i = 0; i < r; i++) {
      size_t len = msgs[i].msg_len;
      if (len == 0) break;  // end of the association: left for libuv's next read
      if ((size_t)total != (size_t)i * slot) memmove(into + total, into + (size_t)i * slot, len);
      total += (int64_t)len;
    }
  }
  napi_value out;
  napi_create_int64(env, total, &out);
  return out;
}

// setPrimary(fd, address): prefer this peer address (tests; operators keep the kernel's choice)
static napi_value js_set_primary(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 2 || !get_int(env, argv[0], &fd)) return throw_type(env, "setPrimary(fd, address)");
  struct sctp_prim prim;
  memset(&prim, 0, sizeof prim);
  struct sockaddr_in6 peer;
  socklen_t plen = sizeof peer;
  if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0) return throw_errno(env, "getpeername", errno);
  int port = peer.sin6_family == AF_INET6 ? ntohs(peer.sin6_port) : ntohs(((struct sockaddr_in *)&peer)->sin_port);
  napi_value arr;
  napi_create_array_with_length(env, 1, &arr);
  napi_set_element(env, arr, 0, argv[1]);
  char buf[sizeof(struct sockaddr_in6)];
  size_t len = 0;
  int count = 0, v6 = 0;
  if (!pack_addrs(env, arr, port, buf, &len, &count, &v6)) return throw_type(env, "setPrimary: address must be an IP literal");
  memcpy(&prim.ssp_addr, buf, len);
  if (setsockopt(fd, SOL_SCTP, SCTP_PRIMARY_ADDR, &prim, sizeof prim) < 0) return throw_errno(env, "setsockopt(SCTP_PRIMARY_ADDR)", errno);
  return NULL;
}

// tunePaths(fd, hbIntervalMs, pathMaxRetrans): faster failover between the peer's addresses
static napi_value js_tune_paths(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, hb, pmr;
  if (argc < 3 || !get_int(env, argv[0], &fd) || !get_int(env, argv[1], &hb) || !get_int(env, argv[2], &pmr))
    return throw_type(env, "tunePaths(fd, hbIntervalMs, pathMaxRetrans)");
  struct sctp_paddrparams p;
  memset(&p, 0, sizeof p);
  p.spp_hbinterval = (uint32_t)hb;
  p.spp_pathmaxrxt = (uint16_t)pmr;
  p.spp_flags = SPP_HB_ENABLE;
  if (setsockopt(fd, SOL_SCTP, SCTP_PEER_ADDR_PARAMS, &p, sizeof p) < 0) return throw_errno(env, "setsockopt(SCTP_PEER_ADDR_PARAMS)", errno);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"available", NULL, js_available, NULL, NULL, NULL, napi_default, NULL},
      {"listen", NULL, js_listen, NULL, NULL, NULL, napi_default, NULL},
      {"connect", NULL, js_connect, NULL, NULL, NULL, napi_default, NULL},
      {"setup", NULL, js_setup, NULL, NULL, NULL, napi_default, NULL},
      {"status", NULL, js_status, NULL, NULL, NULL, napi_default, NULL},
      {"send", NULL, js_send, NULL, NULL, NULL, napi_default, NULL},
      {"sendMany", NULL, js_send_many, NULL, NULL, NULL, napi_default, NULL},
      {"recvMany", NULL, js_recv_many, NULL, NULL, NULL, napi_default, NULL},
      {"setPrimary", NULL, js_set_primary, NULL, NULL, NULL, napi_default, NULL},
      {"tunePaths", NULL, js_tune_paths, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
