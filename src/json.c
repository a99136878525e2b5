/* json.c: see json.h. */
#include "json.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *p, *end;
	int depth;
} jparser;

static void skip_ws(jparser *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int hex4(const char *p, const char *end, uint32_t *v)
{
	if (end - p < 4)
		return 0;
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t)(c - 'A' + 10);
		else
			return 0;
	}
	return 1;
}

static char *parse_string(jparser *j)
{
	if (j->p >= j->end || *j->p != '"')
		return NULL;
	j->p++;
	gal_buf b = GAL_BUF_INIT;
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;
		if (c != '\\') {
			gal_buf_putc(&b, c);
			continue;
		}
		if (j->p >= j->end)
			break;
		c = *j->p++;
		switch (c) {
		case 'n': gal_buf_putc(&b, '\n'); break;
		case 't': gal_buf_putc(&b, '\t'); break;
		case 'r': gal_buf_putc(&b, '\r'); break;
		case 'b': gal_buf_putc(&b, '\b'); break;
		case 'f': gal_buf_putc(&b, '\f'); break;
		case 'u': {
			uint32_t cp, lo;
			if (!hex4(j->p, j->end, &cp))
				goto fail;
			j->p += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' &&
			    hex4(j->p + 2, j->end, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				j->p += 6;
			}
			char u[4];
			gal_buf_put(&b, u, (size_t)gal_utf8_encode(cp, u));
			break;
		}
		default: gal_buf_putc(&b, c); break;
		}
	}
	if (j->p >= j->end)
		goto fail;
	j->p++;
	return gal_buf_detach(&b);
fail:
	gal_buf_free(&b);
	return NULL;
}

static gal_json *parse_value(jparser *j);

static gal_json *new_value(gal_json_type t)
{
	gal_json *v = calloc(1, sizeof *v);
	if (v)
		v->type = t;
	return v;
}

static void add_child(gal_json *parent, gal_json *c)
{
	if (parent->last)
		parent->last->next = c;
	else
		parent->child = c;
	parent->last = c;
}

static gal_json *parse_container(jparser *j, int object)
{
	if (++j->depth > GAL_JSON_MAX_DEPTH)
		return NULL;
	gal_json *v = new_value(object ? GAL_JSON_OBJECT : GAL_JSON_ARRAY);
	if (!v)
		return NULL;
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == (object ? '}' : ']')) {
		j->p++;
		j->depth--;
		return v;
	}
	for (;;) {
		char *key = NULL;
		skip_ws(j);
		if (object) {
			if (!(key = parse_string(j)))
				goto fail;
			skip_ws(j);
			if (j->p >= j->end || *j->p != ':') {
				free(key);
				goto fail;
			}
			j->p++;
		}
		gal_json *c = parse_value(j);
		if (!c) {
			free(key);
			goto fail;
		}
		c->key = key;
		add_child(v, c);
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == (object ? '}' : ']')) {
			j->p++;
			break;
		}
		goto fail;
	}
	j->depth--;
	return v;
fail:
	gal_json_free(v);
	return NULL;
}

static gal_json *parse_value(jparser *j)
{
	skip_ws(j);
	if (j->p >= j->end)
		return NULL;
	char c = *j->p;
	if (c == '{' || c == '[')
		return parse_container(j, c == '{');
	if (c == '"') {
		char *s = parse_string(j);
		gal_json *v = s ? new_value(GAL_JSON_STRING) : NULL;
		if (!v) {
			free(s);
			return NULL;
		}
		v->str = s;
		return v;
	}
	static const struct {
		const char *word;
		gal_json_type t;
		int b;
	} words[] = {{"true", GAL_JSON_BOOL, 1}, {"false", GAL_JSON_BOOL, 0}, {"null", GAL_JSON_NULL, 0}};
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i].word);
		if ((size_t)(j->end - j->p) >= n && !memcmp(j->p, words[i].word, n)) {
			j->p += n;
			gal_json *v = new_value(words[i].t);
			if (v)
				v->boolean = words[i].b;
			return v;
		}
	}
	const char *start = j->p;
	while (j->p < j->end && (strchr("+-.eE", *j->p) || (*j->p >= '0' && *j->p <= '9')))
		j->p++;
	if (j->p == start)
		return NULL;
	gal_json *v = new_value(GAL_JSON_NUMBER);
	if (v && !(v->str = strndup(start, (size_t)(j->p - start)))) {
		free(v);
		return NULL;
	}
	return v;
}

gal_json *gal_json_parse(const char *s, size_t n)
{
	jparser j = {s, s + n, 0};
	gal_json *v = parse_value(&j);
	skip_ws(&j);
	/* tolerate a trailing semicolon, which some CMSs emit */
	if (j.p < j.end && *j.p == ';')
		j.p++;
	skip_ws(&j);
	if (v && j.p != j.end) {
		gal_json_free(v);
		return NULL;
	}
	return v;
}

void gal_json_free(gal_json *v)
{
	while (v) {
		gal_json *next = v->next;
		gal_json_free(v->child);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

const gal_json *gal_json_get(const gal_json *v, const char *key)
{
	if (!v || v->type != GAL_JSON_OBJECT)
		return NULL;
	for (const gal_json *c = v->child; c; c = c->next)
		if (c->key && !strcmp(c->key, key))
			return c;
	return NULL;
}

const char *gal_json_str(const gal_json *v) { return v && v->type == GAL_JSON_STRING ? v->str : NULL; }
