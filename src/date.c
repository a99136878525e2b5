/* date.c: dates as found in pages and wires, normalised to ISO 8601. */
#include "date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
				     "jul", "aug", "sep", "oct", "nov", "dec"};

static int month_of(const char *s)
{
	for (int i = 0; i < 12; i++)
		if (!gal_strncasecmp(s, months[i], 3))
			return i + 1;
	return 0;
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* A run of digits as a number, capped (atoi overflows on long runs). */
static int small_int(const char *p)
{
	int v = 0;
	for (; isdigit((unsigned char)*p); p++)
		if (v < 100000)
			v = v * 10 + (*p - '0');
	return v;
}

static int valid_ymd(int y, int m, int d) { return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31; }

/* Parses "hh:mm[:ss][.fff][Z|+hh:mm|+hhmm| GMT]" or "hhmmss[Z|+hhmm]" into an ISO time part. */
static int parse_time(const char *s, char *out, size_t size)
{
	int hh, mm, ss = 0;
	const char *p = s;
	if ((hh = digits(p, 2)) < 0)
		return 0;
	p += 2;
	int colon = *p == ':';
	if (colon)
		p++;
	if ((mm = digits(p, 2)) < 0)
		return 0;
	p += 2;
	if ((colon && *p == ':') || (!colon && isdigit((unsigned char)*p))) {
		if (colon)
			p++;
		if ((ss = digits(p, 2)) < 0)
			return 0;
		p += 2;
	}
	if (*p == '.' || *p == ',')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (hh > 24 || mm > 59 || ss > 60)
		return 0;
	while (*p == ' ')
		p++;
	char zone[16] = "";
	if (*p == 'Z' || *p == 'z' || !gal_strncasecmp(p, "GMT", 3) || !gal_strncasecmp(p, "UTC", 3)) {
		strcpy(zone, "Z");
	} else if (*p == '+' || *p == '-') {
		int zh = digits(p + 1, 2), zm = 0;
		if (zh < 0 || zh > 14)
			return 0;
		const char *q = p + 3; /* safe: digits() saw two digits before any NUL */
		if (*q == ':')
			q++;
		if (isdigit((unsigned char)*q))
			zm = digits(q, 2);
		if (zm < 0 || zm > 59)
			return 0;
		if (zh == 0 && zm == 0)
			strcpy(zone, "Z");
		else
			snprintf(zone, sizeof zone, "%c%02d:%02d", *p, zh, zm);
	}
	snprintf(out, size, "T%02d:%02d:%02d%s", hh, mm, ss, zone);
	return 1;
}

char *gal_date_normalize(const char *in)
{
	if (!in)
		return NULL;
	while (isspace((unsigned char)*in))
		in++;
	int y = 0, m = 0, d = 0;
	const char *rest = NULL;
	char tbuf[32] = "";
	/* ISO 8601: 2024-03-05, 2024-03-05T14:30:00Z, 2024-03-05 14:30 */
	if (digits(in, 4) >= 0 && in[4] == '-' && digits(in + 5, 2) >= 0 && in[7] == '-' && digits(in + 8, 2) >= 0) {
		y = digits(in, 4), m = digits(in + 5, 2), d = digits(in + 8, 2);
		rest = in + 10;
		if (*rest == 'T' || *rest == 't' || (*rest == ' ' && isdigit((unsigned char)rest[1])))
			if (!parse_time(rest + 1, tbuf, sizeof tbuf))
				tbuf[0] = '\0';
	}
	/* basic format, as NITF uses: 20240305T143000Z, 20240305T143000+0100, 20240305 */
	else if (digits(in, 8) >= 0 && (in[8] == '\0' || in[8] == 'T' || in[8] == 't' || isspace((unsigned char)in[8]))) {
		y = digits(in, 4), m = digits(in + 4, 2), d = digits(in + 6, 2);
		if (in[8] == 'T' || in[8] == 't')
			if (!parse_time(in + 9, tbuf, sizeof tbuf))
				tbuf[0] = '\0';
	} else {
		/* textual: "Tue, 05 Mar 2024 14:30:00 GMT", "March 5, 2024", "5 March 2024", "Mar. 5, 2024 2:30 PM" */
		const char *p = in;
		if (isalpha((unsigned char)*p) && !month_of(p)) { /* weekday */
			while (isalpha((unsigned char)*p))
				p++;
			while (*p == ',' || *p == ' ' || *p == '.')
				p++;
		}
		if (isdigit((unsigned char)*p)) {
			d = small_int(p);
			while (isdigit((unsigned char)*p))
				p++;
			while (*p == ' ' || *p == '.' || *p == '-')
				p++;
			if (!(m = month_of(p)))
				return NULL;
			while (isalpha((unsigned char)*p))
				p++;
		} else if ((m = month_of(p))) {
			while (isalpha((unsigned char)*p))
				p++;
			while (*p == ' ' || *p == '.')
				p++;
			if (!isdigit((unsigned char)*p))
				return NULL;
			d = small_int(p);
			while (isdigit((unsigned char)*p))
				p++;
			while (isalpha((unsigned char)*p)) /* 5th, 1st */
				p++;
		} else
			return NULL;
		while (*p == ',' || *p == ' ' || *p == '.' || *p == '-')
			p++;
		if (digits(p, 4) < 0)
			return NULL;
		y = digits(p, 4);
		p += 4;
		while (*p == ',' || *p == ' ')
			p++;
		if (isdigit((unsigned char)*p)) {
			/* h:mm with optional AM/PM */
			int hh = small_int(p);
			const char *q = p;
			while (isdigit((unsigned char)*q))
				q++;
			if (*q == ':' && digits(q + 1, 2) >= 0) {
				int mm = digits(q + 1, 2), ss = 0;
				q += 3;
				if (*q == ':' && digits(q + 1, 2) >= 0) {
					ss = digits(q + 1, 2);
					q += 3;
				}
				while (*q == ' ')
					q++;
				if (!gal_strncasecmp(q, "pm", 2) || !gal_strncasecmp(q, "p.m.", 4)) {
					if (hh < 12)
						hh += 12;
					q += 2;
				} else if (!gal_strncasecmp(q, "am", 2) || !gal_strncasecmp(q, "a.m.", 4)) {
					if (hh == 12)
						hh = 0;
					q += 2;
				}
				while (*q == ' ' || *q == '.')
					q++;
				char t[20];
				snprintf(t, sizeof t, "%02d:%02d:%02d", hh, mm, ss);
				char zone[16];
				snprintf(zone, sizeof zone, "%.6s", q);
				char full[40];
				snprintf(full, sizeof full, "%s%s%s", t, *zone ? " " : "", zone);
				if (hh > 23 || mm > 59 || !parse_time(full, tbuf, sizeof tbuf))
					tbuf[0] = '\0';
			}
		}
	}
	if (!valid_ymd(y, m, d))
		return NULL;
	char out[48];
	snprintf(out, sizeof out, "%04d-%02d-%02d%s", y, m, d, tbuf);
	return strdup(out);
}
