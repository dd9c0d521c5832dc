/* The control socket on libuv: a Unix stream listener, one uv_pipe_t per
 * client, writes queued with a per-client cap, and the core's one timer.
 * Memory is freed only in close callbacks (libuv rules). */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl/core.h"

struct ctl_server {
	struct ctl_core core;
	uv_loop_t *loop;
	uv_pipe_t listener;
	uv_timer_t timer;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int (*authorize)(void *ctx, int fd, struct ctl_peer *peer);
	void *authorize_ctx;
	size_t out_max;
	unsigned handles;      /* open uv handles, clients included */
	int closing;
	void (*close_cb)(void *arg);
	void *close_arg;
	char rbuf[16384];      /* one read at a time, fed to the client's line buffer */
};

struct ctl_client {
	uv_pipe_t pipe;
	uv_shutdown_t shutdown;
	struct ctl_server *srv;
	struct ctl_conn conn;
};

struct ctl_wreq {
	uv_write_t req;
	size_t len;
	char data[];
};

static void client_closed(uv_handle_t *h);

static void maybe_free(struct ctl_server *s)
{
	if (!s->closing || s->handles)
		return;
	void (*cb)(void *) = s->close_cb;
	void *arg = s->close_arg;
	ctl_core_fini(&s->core);
	free(s);
	if (cb)
		cb(arg);
}

/* ---- core ops ---------------------------------------------------------------- */

static uint64_t srv_now_ms(void *ctx)
{
	struct ctl_server *s = ctx;
	return uv_now(s->loop);
}

static void on_timer(uv_timer_t *t)
{
	struct ctl_server *s = t->data;
	ctl_core_timer(&s->core);
}

static void srv_timer_arm(void *ctx, uint64_t delay_ms)
{
	struct ctl_server *s = ctx;
	if (!s->closing)
		uv_timer_start(&s->timer, on_timer, delay_ms, 0);
}

/* ---- clients ----------------------------------------------------------------- */

static void on_write(uv_write_t *req, int status)
{
	free(req->data);
}

static int cl_send(struct ctl_conn *c, const char *buf, size_t len)
{
	struct ctl_client *cl = c->owner;
	uv_stream_t *st = (uv_stream_t *)&cl->pipe;

	if (uv_stream_get_write_queue_size(st) + len > cl->srv->out_max)
		return -ENOBUFS;
	struct ctl_wreq *w = malloc(sizeof(*w) + len);
	if (!w)
		return -ENOMEM;
	memcpy(w->data, buf, len);
	w->len = len;
	w->req.data = w;
	uv_buf_t b = uv_buf_init(w->data, (unsigned)len);
	int rc = uv_write(&w->req, st, &b, 1, on_write);
	if (rc < 0) {
		free(w);
		return rc;
	}
	return 0;
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
	struct ctl_client *cl = req->data;
	if (!uv_is_closing((uv_handle_t *)&cl->pipe))
		uv_close((uv_handle_t *)&cl->pipe, client_closed);
}

static void cl_close(struct ctl_conn *c, int flush)
{
	struct ctl_client *cl = c->owner;
	uv_handle_t *h = (uv_handle_t *)&cl->pipe;

	if (uv_is_closing(h))
		return;
	uv_read_stop((uv_stream_t *)&cl->pipe);
	cl->shutdown.data = cl;
	if (flush && uv_shutdown(&cl->shutdown, (uv_stream_t *)&cl->pipe, on_shutdown) == 0)
		return;
	uv_close(h, client_closed);
}

static const struct ctl_conn_ops client_ops = { .send = cl_send, .close = cl_close };

static void client_closed(uv_handle_t *h)
{
	struct ctl_client *cl = h->data;
	struct ctl_server *s = cl->srv;

	ctl_conn_detach(&cl->conn);
	free(cl);
	s->handles--;
	maybe_free(s);
}

static void server_handle_closed(uv_handle_t *h)
{
	struct ctl_server *s = h->data;

	s->handles--;
	maybe_free(s);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct ctl_client *cl = h->data;
	*buf = uv_buf_init(cl->srv->rbuf, sizeof(cl->srv->rbuf));
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
	struct ctl_client *cl = st->data;

	if (nread > 0) {
		ctl_conn_feed(&cl->conn, buf->base, (size_t)nread);
		ctl_wipe(buf->base, (size_t)nread);
	} else if (nread == UV_EOF) {
		ctl_conn_eof(&cl->conn);
	} else if (nread < 0) {
		if (!cl->conn.closing) {
			cl->conn.closing = 1;
			cl_close(&cl->conn, 0);
		}
	}
}

static void on_connection(uv_stream_t *server, int status)
{
	struct ctl_server *s = server->data;
	struct ctl_peer peer = { .uid = (uid_t)-1, .gid = (gid_t)-1, .pid = -1 };

	if (status < 0 || s->closing)
		return;
	struct ctl_client *cl = calloc(1, sizeof(*cl));
	if (!cl)
		return;
	cl->srv = s;
	cl->conn.owner = cl;
	if (uv_pipe_init(s->loop, &cl->pipe, 0) != 0) {
		free(cl);
		return;
	}
	cl->pipe.data = cl;
	s->handles++;
	if (uv_accept(server, (uv_stream_t *)&cl->pipe) != 0) {
		uv_close((uv_handle_t *)&cl->pipe, client_closed);
		return;
	}
	uv_os_fd_t fd = -1;
	int may = -1;
	if (uv_fileno((uv_handle_t *)&cl->pipe, &fd) == 0) {
		if (s->authorize)
			may = s->authorize(s->authorize_ctx, fd, &peer);
		else if (ctl_peer_get(fd, &peer) == 0)
			may = ctl_peer_may_control(&peer, s->core.group);
	}
	ctl_conn_attach(&s->core, &cl->conn, &client_ops, &peer, may > 0);
	if (may < 0) {
		log_warn("ctl", "connection refused: peer credentials unknown");
		ctl_conn_refuse(&cl->conn, PETREL_E_PERMISSION_DENIED, "peer credentials unknown");
		return;
	}
	if (s->core.n_conns > CTL_CLIENTS_MAX) {
		log_warn("ctl", "connection from pid %d refused: %u clients already", (int)peer.pid,
			 CTL_CLIENTS_MAX);
		ctl_conn_refuse(&cl->conn, PETREL_E_BUSY, "too many control connections");
		return;
	}
	log_debug("ctl", "client pid %d uid %u gid %u connected (%s)", (int)peer.pid,
		  (unsigned)peer.uid, (unsigned)peer.gid, may > 0 ? "control" : "read-only");
	if (uv_read_start((uv_stream_t *)&cl->pipe, on_alloc, on_read) != 0) {
		cl->conn.closing = 1;
		cl_close(&cl->conn, 0);
	}
}

/* ---- the socket file ----------------------------------------------------------- */

/* A socket file left by a petreld that died is removed; a live one is not. */
static int clear_stale(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	int e = errno;
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	if (e != ECONNREFUSED)
		return -e;
	return unlink(path) == 0 ? 0 : -errno;
}

static void make_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	memcpy(dir, path, strlen(path) + 1);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	/* petreld runs with umask 077: set the mode the group needs to reach
	 * the socket explicitly. */
	if (mkdir(dir, 0755) == 0) {
		if (chmod(dir, 0755) != 0)
			log_warn("ctl", "%s: chmod 0755: %s", dir, uv_strerror(-errno));
		log_info("ctl", "created %s", dir);
	}
}

/* root:petrel 0660 (PRODUCT.md), set between bind and listen so no one
 * can connect while the mode is still the umask's. */
static int set_owner_mode(const char *path, const char *group)
{
	struct group gr, *grp = NULL;
	char buf[8192];

	if (getgrnam_r(group, &gr, buf, sizeof(buf), &grp) == 0 && grp) {
		if (geteuid() == 0 && chown(path, 0, grp->gr_gid) != 0)
			return -errno;
	} else {
		log_info("ctl", "no group '%s': only root may use %s", group, path);
	}
	return chmod(path, PETREL_CTL_SOCKET_MODE) == 0 ? 0 : -errno;
}

int ctl_server_open(struct ctl_server **out, uv_loop_t *loop, const struct ctl_server_config *cfg)
{
	const char *path = cfg->path ? cfg->path : PETREL_CTL_SOCKET_PATH;
	int rc;

	*out = NULL;
	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path) || !path[0])
		return -ENAMETOOLONG;
	struct ctl_server *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	memcpy(s->path, path, strlen(path) + 1);
	s->authorize = cfg->authorize;
	s->authorize_ctx = cfg->authorize_ctx;
	s->out_max = cfg->client_out_max_len ? cfg->client_out_max_len : CTL_CLIENT_OUT_MAX_LEN;
	struct ctl_core_ops ops = { .now_ms = srv_now_ms, .timer_arm = srv_timer_arm, .ctx = s };
	if ((rc = ctl_core_init(&s->core, cfg, &ops)) != 0) {
		free(s);
		return rc;
	}
	make_parent(path);
	if ((rc = clear_stale(path)) != 0) {
		log_err("ctl", "%s: %s", path, rc == -EADDRINUSE ? "another petreld is listening" : uv_strerror(rc));
		ctl_core_fini(&s->core);
		free(s);
		return rc;
	}
	uv_pipe_init(loop, &s->listener, 0);
	uv_timer_init(loop, &s->timer);
	s->listener.data = s;
	s->timer.data = s;
	s->handles = 2;
	if ((rc = uv_pipe_bind(&s->listener, path)) != 0 ||
	    (rc = set_owner_mode(path, s->core.group)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 16, on_connection)) != 0) {
		log_err("ctl", "%s: %s", path, uv_strerror(rc));
		unlink(path);
		s->path[0] = '\0';
		ctl_server_close(s, NULL, NULL);
		return rc;
	}
	log_info("ctl", "listening on %s", path);
	*out = s;
	return 0;
}

void ctl_server_close(struct ctl_server *s, void (*close_cb)(void *arg), void *arg)
{
	if (!s || s->closing)
		return;
	s->closing = 1;
	s->close_cb = close_cb;
	s->close_arg = arg;
	if (s->path[0])
		unlink(s->path);
	for (struct ctl_conn *c = s->core.conns; c; c = c->next) {
		struct ctl_client *cl = c->owner;
		c->closing = 1;
		if (!uv_is_closing((uv_handle_t *)&cl->pipe))
			uv_close((uv_handle_t *)&cl->pipe, client_closed);
	}
	uv_close((uv_handle_t *)&s->listener, server_handle_closed);
	uv_close((uv_handle_t *)&s->timer, server_handle_closed);
}

void ctl_server_emit_state(struct ctl_server *s) { if (!s->closing) ctl_core_emit_state(&s->core); }
void ctl_server_emit_path(struct ctl_server *s, const struct ctl_path_event *ev)
{
	if (!s->closing)
		ctl_core_emit_path(&s->core, ev);
}
void ctl_server_emit_stats(struct ctl_server *s, const struct ctl_stats_event *ev)
{
	if (!s->closing)
		ctl_core_emit_stats(&s->core, ev);
}
void ctl_server_emit_log(void *server, enum pt_log_level level, const char *subsys, const char *line)
{
	struct ctl_server *s = server;
	if (!s->closing)
		ctl_core_emit_log(&s->core, level, subsys, line);
}
int ctl_server_attention_ask(struct ctl_server *s, const struct ctl_attention *a,
			     ctl_attention_cb cb, void *arg, uint64_t *id)
{
	return s->closing ? -ECANCELED : ctl_core_attention_ask(&s->core, a, cb, arg, id);
}
int ctl_server_attention_cancel(struct ctl_server *s, uint64_t id)
{
	return ctl_core_attention_cancel(&s->core, id);
}
