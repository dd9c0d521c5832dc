/* JSON-RPC 2.0 envelope (https://www.jsonrpc.org/specification): check the
 * bytes of a line, parse it, validate the request object, and build the
 * response, error and notification lines. Order of checks (STYLE.md): bytes,
 * JSON syntax, envelope members, method, then the method's params. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/core.h"

int ctl_error_set(struct ctl_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return code;
}

/* RFC 3629 4: the well-formed UTF-8 byte sequences. Returns the sequence
 * length at s[0..n), or 0 if ill-formed. */
size_t ctl_utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

int ctl_rpc_check_bytes(const char *line, size_t len, struct ctl_error *err)
{
	const unsigned char *s = (const unsigned char *)line;
	int in_str = 0;

	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		size_t n = ctl_utf8_seq(s + i, len - i);

		if (n == 0)
			return ctl_error_set(err, PETREL_E_PARSE, "invalid UTF-8 at byte %zu", i + 1);
		/* RFC 8259 7: control characters are escaped inside strings;
		 * outside, only space, tab, CR and LF are whitespace. */
		if (c < 0x20 && (in_str || (c != '\t' && c != '\r')))
			return ctl_error_set(err, PETREL_E_PARSE,
					     "control character 0x%02x at byte %zu", c, i + 1);
		if (in_str && c == '\\') {
			/* C strings end at NUL: a "\u0000" would silently cut a value. */
			if (len - i >= 6 && s[i + 1] == 'u' && memcmp(s + i + 2, "0000", 4) == 0)
				return ctl_error_set(err, PETREL_E_PARSE,
						     "\\u0000 at byte %zu is not allowed", i + 1);
			/* Skip the escaped byte unless the loop must still check it. */
			i += len - i >= 2 && s[i + 1] >= 0x20 && s[i + 1] < 0x80 ? 2 : 1;
			continue;
		}
		if (c == '"')
			in_str = !in_str;
		i += n;
	}
	return 0;
}

static const char *const envelope_keys[] = { "jsonrpc", "id", "method", "params", NULL };

static int has_duplicate(const cJSON *obj, const cJSON **dup)
{
	for (const cJSON *a = obj->child; a; a = a->next)
		for (const cJSON *b = a->next; b; b = b->next)
			if (a->string && b->string && strcmp(a->string, b->string) == 0) {
				*dup = b;
				return 1;
			}
	return 0;
}

static int valid_id(const cJSON *id)
{
	if (cJSON_IsString(id))
		return strlen(id->valuestring) <= CTL_ID_MAX_LEN;
	if (cJSON_IsNumber(id)) {
		/* Integers exact in a double (JSON-RPC: SHOULD NOT have fractions). */
		double d = id->valuedouble;
		return isfinite(d) && d == floor(d) && fabs(d) <= 9007199254740992.0;
	}
	return 0;
}

int ctl_rpc_parse(const char *line, size_t len, struct ctl_req *req, struct ctl_error *err)
{
	const char *end = NULL;
	const cJSON *dup = NULL;
	int rc;

	memset(req, 0, sizeof(*req));
	if ((rc = ctl_rpc_check_bytes(line, len, err)) != 0)
		return rc;
	req->root = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (!req->root) {
		size_t at = end && end >= line && (size_t)(end - line) <= len ? (size_t)(end - line) : len;
		if (at >= len)
			return ctl_error_set(err, PETREL_E_PARSE, "invalid JSON: unexpected end of line");
		return ctl_error_set(err, PETREL_E_PARSE, "invalid JSON at byte %zu", at + 1);
	}
	while (end && (size_t)(end - line) < len && (*end == ' ' || *end == '\t' || *end == '\r'))
		end++;
	if (end && (size_t)(end - line) < len)
		return ctl_error_set(err, PETREL_E_PARSE,
				     "data after the JSON value at byte %zu (one request per line)",
				     (size_t)(end - line) + 1);

	cJSON *root = req->root;
	if (cJSON_IsArray(root))
		return ctl_error_set(err, PETREL_E_INVALID_REQUEST,
				     "batch requests are not supported: send one request object per line");
	if (!cJSON_IsObject(root))
		return ctl_error_set(err, PETREL_E_INVALID_REQUEST, "a request must be a JSON object");
	if (has_duplicate(root, &dup))
		return ctl_error_set(err, PETREL_E_INVALID_REQUEST, "member '%.40s' appears twice",
				     dup->string);

	const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (!id)
		return ctl_error_set(err, PETREL_E_INVALID_REQUEST,
				     "'id' is required: petreld answers every request and takes no notifications");
	if (!valid_id(id))
		return ctl_error_set(err, PETREL_E_INVALID_REQUEST,
				     "'id' must be a string of at most %u bytes or an integer", CTL_ID_MAX_LEN);
	req->id = id;

	for (const cJSON *m = root->child; m; m = m->next) {
		int known = 0;
		for (unsigned i = 0; envelope_keys[i]; i++)
			known |= strcmp(m->string, envelope_keys[i]) == 0;
		if (!known)
			return ctl_error_set(err, PETREL_E_INVALID_REQUEST, "unexpected member '%.40s'",
					     m->string);
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "jsonrpc");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0)
		return ctl_error_set(err, PETREL_E_INVALID_REQUEST, "'jsonrpc' must be \"2.0\"");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(root, "method");
	if (!cJSON_IsString(m))
		return ctl_error_set(err, PETREL_E_INVALID_REQUEST, "'method' must be a string");
	unsigned i;
	for (i = 0; i < PETREL_M_COUNT_; i++)
		if (strcmp(m->valuestring, ctl_method_name((enum petrel_ctl_method)i)) == 0)
			break;
	if (i == PETREL_M_COUNT_)
		return ctl_error_set(err, PETREL_E_METHOD_NOT_FOUND, "no method '%.60s'", m->valuestring);
	req->method = (enum petrel_ctl_method)i;

	const cJSON *p = cJSON_GetObjectItemCaseSensitive(root, "params");
	if (p && !cJSON_IsObject(p))
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS,
				     "'params' must be an object (parameters by name)");
	if (p && has_duplicate(p, &dup))
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "parameter '%.40s' appears twice",
				     dup->string);
	req->params = p;
	return 0;
}

int ctl_rpc_params_only(const cJSON *params, const char *const *allowed, struct ctl_error *err)
{
	if (!params)
		return 0;
	for (const cJSON *m = params->child; m; m = m->next) {
		int known = 0;
		for (unsigned i = 0; allowed && allowed[i]; i++)
			known |= strcmp(m->string, allowed[i]) == 0;
		if (!known)
			return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "unknown parameter '%.40s'",
					     m->string);
	}
	return 0;
}

int ctl_rpc_param_str(const cJSON *params, const char *key, int required, size_t max_len,
		      const char **out, struct ctl_error *err)
{
	const cJSON *v = params ? cJSON_GetObjectItemCaseSensitive(params, key) : NULL;

	*out = NULL;
	if (!v || cJSON_IsNull(v)) {
		if (required)
			return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "missing parameter '%s'", key);
		return 0;
	}
	if (!cJSON_IsString(v))
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "'%s' must be a string", key);
	size_t n = strlen(v->valuestring);
	if (n == 0 || n > max_len)
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "'%s' must be 1 to %zu bytes", key,
				     max_len);
	*out = v->valuestring;
	return 0;
}

int ctl_rpc_param_u64(const cJSON *params, const char *key, uint64_t *out, struct ctl_error *err)
{
	const cJSON *v = params ? cJSON_GetObjectItemCaseSensitive(params, key) : NULL;

	if (!v)
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "missing parameter '%s'", key);
	double d = cJSON_IsNumber(v) ? v->valuedouble : -1;
	if (!isfinite(d) || d < 1 || d != floor(d) || d > 9007199254740992.0)
		return ctl_error_set(err, PETREL_E_INVALID_PARAMS, "'%s' must be a positive integer", key);
	*out = (uint64_t)d;
	return 0;
}

static char *to_line(cJSON *obj, size_t *len)
{
	char *s = obj ? cJSON_PrintUnformatted(obj) : NULL;
	cJSON_Delete(obj);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*len = n + 1;
	return line;
}

/* The request's id, to echo. cJSON prints large integers with 15 digits
 * (9007199254740991 as 9.00719925474099e+15): numbers, all integers below
 * 2^53 by valid_id(), are printed exactly here. */
static cJSON *id_copy(const cJSON *id)
{
	if (!cJSON_IsNumber(id))
		return cJSON_Duplicate(id, 1);
	char buf[32];
	snprintf(buf, sizeof(buf), "%.0f", id->valuedouble);
	return cJSON_CreateRaw(buf);
}

static cJSON *envelope(const cJSON *id)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "jsonrpc", "2.0");
	if (id)
		cJSON_AddItemToObject(o, "id", id_copy(id));
	return o;
}

char *ctl_rpc_result(const cJSON *id, cJSON *result, size_t *len)
{
	cJSON *o = envelope(id);

	if (!o || !result) {
		cJSON_Delete(o);
		cJSON_Delete(result);
		return NULL;
	}
	cJSON_AddItemToObject(o, "result", result);
	return to_line(o, len);
}

char *ctl_rpc_error(const cJSON *id, const struct ctl_error *err, size_t *len)
{
	cJSON *o = envelope(NULL);

	if (!o)
		return NULL;
	/* JSON-RPC 5: id is null when it could not be detected. */
	cJSON_AddItemToObject(o, "id", id ? id_copy(id) : cJSON_CreateNull());
	cJSON *e = cJSON_AddObjectToObject(o, "error");
	if (e) {
		cJSON_AddNumberToObject(e, "code", err->code);
		ctl_json_add_text(e, "message", err->message);
		cJSON *data = cJSON_AddObjectToObject(e, "data");
		if (data)
			cJSON_AddStringToObject(data, "name", ctl_error_name(err->code));
	}
	return to_line(o, len);
}

static const char *const event_names[] = {
#define X(c, s) s,
	PETREL_CTL_EVENTS(X)
#undef X
};

char *ctl_rpc_notification(enum petrel_ctl_event ev, cJSON *params, size_t *len)
{
	cJSON *o = envelope(NULL);

	if (!o || !params || (unsigned)ev >= PETREL_EV_COUNT_) {
		cJSON_Delete(o);
		cJSON_Delete(params);
		return NULL;
	}
	cJSON_AddStringToObject(o, "method", event_names[ev]);
	cJSON_AddItemToObject(o, "params", params);
	return to_line(o, len);
}
