/* Human output: aligned and short. --json prints petreld's JSON instead. */
#include <string.h>
#include <time.h>

#include "cli.h"

const char *fmt_str(const cJSON *obj, const char *key, const char *dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : dflt;
}

static double num(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* IEC units, one decimal: "512 B", "1.5 KiB", "3.2 GiB". */
void fmt_bytes(char *out, size_t out_len, double bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned u = 0;

	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, out_len, "%.0f B", bytes);
	else
		snprintf(out, out_len, "%.1f %s", bytes, units[u]);
}

static void fmt_time(char *out, size_t out_len, const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	struct tm tm;

	if (!cJSON_IsNumber(v) || v->valuedouble <= 0) {
		snprintf(out, out_len, "-");
		return;
	}
	time_t t = (time_t)v->valuedouble;
	if (!localtime_r(&t, &tm) || !strftime(out, out_len, "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(out, out_len, "%.0f", v->valuedouble);
}

static const char *path_human(const char *p)
{
	if (strcmp(p, "udp") == 0)
		return "UDP";
	if (strcmp(p, "tcp") == 0)
		return "TCP (RFC 9329)";
	if (strcmp(p, "raw") == 0)
		return "raw ESP (IP protocol 50)";
	return "-";
}

#define ROW(f, label, ...) (fprintf(f, "  %-15s ", label ":"), fprintf(f, __VA_ARGS__), fputc('\n', f))

void fmt_profile_status(FILE *f, const cJSON *p)
{
	const char *state = fmt_str(p, "state", "?");
	char a[64], b[64];

	if (strcmp(state, "disconnected") == 0) {
		const char *err = fmt_str(p, "error", NULL);
		fprintf(f, "%s: disconnected%s%s%s\n", fmt_str(p, "name", "?"), err ? " (last error: " : "",
			err ? err : "", err ? ")" : "");
		return;
	}
	fprintf(f, "%s: %s\n", fmt_str(p, "name", "?"), state);
	const char *remote = fmt_str(p, "remote", NULL);
	if (remote)
		ROW(f, "gateway", "%s (%s)", fmt_str(p, "gateway", "?"), remote);
	else
		ROW(f, "gateway", "%s", fmt_str(p, "gateway", "?"));
	fmt_time(a, sizeof(a), p, "since");
	ROW(f, "since", "%s", a);
	const cJSON *vips = cJSON_GetObjectItemCaseSensitive(p, "vips");
	fprintf(f, "  %-15s ", "virtual IPs:");
	int n = 0;
	const cJSON *v;
	cJSON_ArrayForEach(v, vips)
		if (cJSON_IsString(v))
			fprintf(f, "%s%s", n++ ? ", " : "", v->valuestring);
	fprintf(f, "%s\n", n ? "" : "-");
	ROW(f, "IKE", "%s", path_human(fmt_str(p, "ike", "none")));
	ROW(f, "ESP", "%s", path_human(fmt_str(p, "esp", "none")));
	const char *algs = fmt_str(p, "ike_sa", NULL);
	if (algs)
		ROW(f, "IKE SA", "%s", algs);
	const char *why = fmt_str(p, "path_reason", NULL);
	if (why)
		ROW(f, "path", "%s", why);
	const char *change = fmt_str(p, "last_change", NULL);
	if (change) {
		const char *how = fmt_str(p, "recovered_by", NULL), *doing = fmt_str(p, "recovering", NULL);
		fmt_time(a, sizeof(a), p, "last_change_at");
		if (doing)
			ROW(f, "last change", "%s (%s); recovering: %s", change, a, doing);
		else if (how)
			ROW(f, "last change", "%s (%s); recovered by %s in %.0f ms", change, a, how,
			    num(p, "recovery_ms"));
		else
			ROW(f, "last change", "%s (%s)", change, a);
	}
	fmt_bytes(a, sizeof(a), num(p, "bytes_in"));
	fmt_bytes(b, sizeof(b), num(p, "bytes_out"));
	ROW(f, "traffic", "%s in, %s out (%.0f/%.0f packets)", a, b, num(p, "packets_in"),
	    num(p, "packets_out"));
	fmt_time(a, sizeof(a), p, "last_handshake");
	ROW(f, "last handshake", "%s", a);
	const char *err = fmt_str(p, "error", NULL);
	if (err)
		ROW(f, "last error", "%s", err);
}

static void fmt_attention_line(FILE *f, const cJSON *a)
{
	const char *status = fmt_str(a, "status", "pending");

	if (strcmp(status, "pending") == 0)
		fprintf(f, "%s asks for a %s (attention %.0f): %s\n", fmt_str(a, "profile", "?"),
			fmt_str(a, "kind", "?"), num(a, "id"), fmt_str(a, "prompt", ""));
	else
		fprintf(f, "attention %.0f for %s %s\n", num(a, "id"), fmt_str(a, "profile", "?"), status);
}

void fmt_status(FILE *f, const cJSON *state)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(state, "profiles");
	const cJSON *p;
	int n = 0;

	cJSON_ArrayForEach(p, ps) {
		if (n++)
			fputc('\n', f);
		fmt_profile_status(f, p);
	}
	if (!n)
		fprintf(f, "no profiles configured\n");
	const cJSON *as = cJSON_GetObjectItemCaseSensitive(state, "attention");
	cJSON_ArrayForEach(p, as) {
		fputc('\n', f);
		fmt_attention_line(f, p);
	}
}

void fmt_profiles(FILE *f, const cJSON *result)
{
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(result, "profiles");
	const cJSON *p;
	int w[4] = { 7, 5, 7, 4 };
	static const char *const keys[] = { "name", "state", "gateway", "auth" };

	if (cJSON_GetArraySize(ps) == 0) {
		fprintf(f, "no profiles configured\n");
		return;
	}
	cJSON_ArrayForEach(p, ps)
		for (int i = 0; i < 4; i++) {
			int l = (int)strlen(fmt_str(p, keys[i], "-"));
			if (l > w[i])
				w[i] = l < 60 ? l : 60;
		}
	fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", w[0], "PROFILE", w[1], "STATE", w[2], "GATEWAY",
		w[3], "AUTH", "TRANSPORT");
	cJSON_ArrayForEach(p, ps)
		fprintf(f, "%-*s  %-*s  %-*s  %-*s  %s\n", w[0], fmt_str(p, "name", "-"), w[1],
			fmt_str(p, "state", "-"), w[2], fmt_str(p, "gateway", "-"), w[3],
			fmt_str(p, "auth", "-"), fmt_str(p, "transport", "-"));
}

/* One line per event. */
void fmt_event(FILE *f, const cJSON *note)
{
	const char *ev = fmt_str(note, "method", "?");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(note, "params");
	char a[64], b[64];

	if (strcmp(ev, "state") == 0) {
		const cJSON *x;
		int n = 0;
		fprintf(f, "state:");
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "profiles"))
			fprintf(f, "%s %s %s", n++ ? "," : "", fmt_str(x, "name", "?"), fmt_str(x, "state", "?"));
		if (!n)
			fprintf(f, " no profiles");
		int na = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(p, "attention"));
		if (na)
			fprintf(f, "; %d attention request%s pending", na, na == 1 ? "" : "s");
		fputc('\n', f);
	} else if (strcmp(ev, "path") == 0) {
		const char *why = fmt_str(p, "reason", NULL);
		fprintf(f, "path: %s: IKE %s, ESP %s%s%s%s\n", fmt_str(p, "profile", "?"),
			path_human(fmt_str(p, "ike", "none")), path_human(fmt_str(p, "esp", "none")),
			why ? " (" : "", why ? why : "", why ? ")" : "");
	} else if (strcmp(ev, "stats") == 0) {
		fmt_bytes(a, sizeof(a), num(p, "bytes_in"));
		fmt_bytes(b, sizeof(b), num(p, "bytes_out"));
		fprintf(f, "stats: %s: %s in, %s out\n", fmt_str(p, "profile", "?"), a, b);
	} else if (strcmp(ev, "log") == 0) {
		fprintf(f, "log: %s %s: %s\n", fmt_str(p, "level", "?"), fmt_str(p, "subsys", "?"),
			fmt_str(p, "message", ""));
	} else if (strcmp(ev, "attention") == 0) {
		fprintf(f, "attention: ");
		fmt_attention_line(f, p);
	} else {
		fprintf(f, "%s: (unknown event)\n", ev);
	}
}
