/* Fuzz target: the control socket's byte stream (trust boundary: any local
 * process that can connect). The input is one client's bytes, fed to the
 * protocol core (src/ctl/core.c) in chunks whose size the first byte picks,
 * with fake handlers, one pending attention request, and a subscribed
 * second client. Whatever the bytes: every line petreld writes is one JSON
 * object with "jsonrpc":"2.0", there is at most one response per input
 * line, and nothing leaks or crashes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ctl_core core;
static uint64_t fake_ms;
static unsigned responses;

static uint64_t f_now(void *ctx) { return fake_ms += 7; }
static void f_arm(void *ctx, uint64_t delay_ms) { }

static int f_send(struct ctl_conn *c, const char *buf, size_t len)
{
	if (len == 0 || buf[len - 1] != '\n' || memchr(buf, '\n', len - 1))
		abort();
	cJSON *j = cJSON_ParseWithLength(buf, len - 1);
	if (!j || !cJSON_IsObject(j))
		abort();
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "jsonrpc");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0)
		abort();
	if (cJSON_GetObjectItemCaseSensitive(j, "id") && c->owner == &core)
		responses++;
	cJSON_Delete(j);
	return 0;
}

static void f_close(struct ctl_conn *c, int flush) { }

static const struct ctl_conn_ops ops = { .send = f_send, .close = f_close };

static void f_attn(void *arg, uint64_t id, const char *value) { }

static int f_up(void *ctx, const char *profile, enum petrel_state *st, struct ctl_error *err)
{
	if (strcmp(profile, "work") != 0)
		return ctl_error_set(err, PETREL_E_NO_SUCH_PROFILE, "no profile named '%s'", profile);
	struct ctl_attention a = { .profile = profile, .kind = PETREL_ATTN_OTP, .prompt = "OTP" };
	ctl_core_attention_ask(&core, &a, f_attn, NULL, NULL);
	ctl_core_emit_state(&core);
	*st = PETREL_STATE_CONNECTING;
	return 0;
}

static int f_down(void *ctx, const char *profile, enum petrel_state *st, struct ctl_error *err)
{
	struct ctl_stats_event se = { .profile = "work", .bytes_in = 1 };
	ctl_core_emit_stats(&core, &se);
	ctl_core_emit_log(&core, PT_LOG_INFO, "fuzz", "down");
	*st = PETREL_STATE_DISCONNECTED;
	return profile ? 0 : ctl_error_set(err, PETREL_E_NOT_CONNECTED, "nothing is connected");
}

static int f_status(void *ctx, struct ctl_status *out, struct ctl_error *err)
{
	snprintf(out->profiles[0].name, sizeof(out->profiles[0].name), "work");
	out->profiles[0].n_vips = 1;
	snprintf(out->profiles[0].vips[0], sizeof(out->profiles[0].vips[0]), "203.0.113.5");
	out->n = 1;
	return 0;
}

static int f_profiles(void *ctx, struct ctl_profiles *out, struct ctl_error *err)
{
	out->n = 1;
	snprintf(out->profiles[0].name, sizeof(out->profiles[0].name), "work");
	return 0;
}

static int f_check(void *ctx, const char *path, struct conf_diags *out, struct ctl_error *err)
{
	out->n = 1;
	snprintf(out->items[0].file, sizeof(out->items[0].file), "%s", path);
	out->items[0].line = 1;
	out->items[0].col = 2;
	snprintf(out->items[0].msg, sizeof(out->items[0].msg), "bad");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_conn client, watcher; /* 64 KiB buffers each */
	struct ctl_server_config cfg = { .log_burst = 4 };
	struct ctl_core_ops cops = { .now_ms = f_now, .timer_arm = f_arm };
	struct ctl_peer peer = { .uid = 1000, .gid = 1000, .pid = 1 };

	if (size == 0)
		return 0;
	cfg.handlers = (struct ctl_handlers){ .up = f_up, .down = f_down, .status = f_status,
					       .profiles = f_profiles, .check = f_check };
	if (ctl_core_init(&core, &cfg, &cops) != 0)
		return 0;
	/* First byte: chunk size (low 4 bits, 0 = all at once) and whether
	 * this client may control (bit 4). */
	size_t chunk = data[0] & 15;
	int may = !(data[0] & 16);
	data++;
	size--;
	ctl_conn_attach(&core, &watcher, &ops, &peer, 1);
	watcher.owner = &watcher;
	watcher.subscribed = 1;
	ctl_conn_attach(&core, &client, &ops, &peer, may);
	client.owner = &core;
	responses = 0;
	struct ctl_attention a = { .profile = "work", .kind = PETREL_ATTN_PASSWORD, .prompt = "Password" };
	ctl_core_attention_ask(&core, &a, f_attn, NULL, NULL); /* id 1 */

	size_t newlines = 0;
	for (size_t i = 0; i < size; i++)
		newlines += data[i] == '\n';
	for (size_t off = 0; off < size;) {
		size_t n = chunk && chunk < size - off ? chunk : size - off;
		ctl_conn_feed(&client, (const char *)data + off, n);
		off += n;
	}
	ctl_conn_eof(&client);
	/* One response per line (a last line without '\n' counts), or one
	 * parse error for an over-long line. */
	if (responses > newlines + 1)
		abort();
	ctl_core_timer(&core);
	ctl_conn_detach(&client);
	ctl_conn_detach(&watcher);
	ctl_core_fini(&core);
	return 0;
}
