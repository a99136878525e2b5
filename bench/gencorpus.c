/*
 * gencorpus.c: a deterministic benchmark corpus of news pages and wire stories (bench/run builds and runs it).
 *
 *   gencorpus [-s SEED] [-n N] [-k html|nitf|both] [-b] OUTDIR
 *
 * Writes N documents of each kind: OUTDIR/html/NNNNN.html (a news page as a CMS renders it: scripts and styles
 * in the head, a navigation bar with dozens of links, a cookie banner, the article with headline, byline, date,
 * lead figure, paragraphs, subheadings, lists, a quotation, sometimes a table; inline promos, a share bar, a "most
 * read" sidebar, a comment section and a footer of link columns) and OUTDIR/nitf/NNNNN.xml (a NITF 3.6 wire
 * story with its head, docdata, hedline, byline, dateline, paragraphs, subheadings, sometimes a list, table or
 * block quote, and a tagline). Sizes vary as real ones do: most stories are 300 to 1,200 words, a few are long
 * reads of several thousand, and page furniture adds 20 to 80 kB of markup to every HTML page.
 *
 * The text is made of English words with some names in other scripts and typographic punctuation (curly quotes,
 * dashes, accented letters), so UTF-8 decoding is exercised. The same seed gives the same bytes on every machine
 * (a fixed xorshift generator, no time, no locale). With -b, every 50th document of each kind is broken (empty,
 * truncated, binary, NITF without <body>), for batch tests.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static unsigned pick(unsigned n) { return next() % n; }

static const char *const words[] = {
    "the",      "council",   "said",       "on",        "Tuesday",    "that",      "plans",     "for",
    "a",        "new",       "bridge",     "over",      "river",      "would",     "cost",      "more",
    "than",     "expected",  "and",        "take",      "two",        "years",     "longer",    "to",
    "build",    "officials", "warned",     "residents", "of",         "delays",    "in",        "city",
    "budget",   "while",     "opposition", "members",   "called",     "it",        "a",         "failure",
    "planning", "engineers", "from",       "state",     "agency",     "found",     "cracks",    "steel",
    "beams",    "last",      "spring",     "report",    "shows",      "traffic",   "has",       "doubled",
    "since",    "old",       "crossing",   "was",       "closed",     "heavy",     "trucks",    "mayor",
    "told",     "reporters", "outside",    "hall",      "after",      "vote",      "which",     "passed",
    "by",       "narrow",    "margin",     "six",       "votes",      "five",      "critics",   "say",
    "contract", "should",    "have",       "been",      "tendered",   "again",     "company",   "declined",
    "comment",  "but",       "statement",  "its",       "website",    "says",      "work",      "will",
    "begin",    "next",      "month",      "as",        "planned",    "schools",   "nearby",    "are",
    "worried",  "about",     "noise",      "dust",      "during",     "construction", "parents", "petition",
    "signed",   "thousand",  "people",     "asks",      "safer",      "routes",    "children",  "walk",
    "every",    "day",       "police",     "estimate",  "accidents",  "fell",      "percent",   "year",
    "because",  "speed",     "limit",      "lowered",   "thirty",     "kilometres","per",       "hour",
    "economists", "expect",  "growth",     "slow",      "region",     "third",     "quarter",   "exports",
    "weaker",   "demand",    "abroad",     "central",   "bank",       "kept",      "interest",  "rates",
    "unchanged", "inflation", "remains",   "above",     "target",     "prices",    "food",      "energy",
    "rose",     "sharply",   "winter",     "households", "spend",     "less",      "on",        "travel",
};
enum { NWORDS = sizeof words / sizeof *words };

static const char *const names[] = {"Maria Lopez", "John Carter", "Aiko Tanaka", "Olumide Adeyemi", "Zoë Müller",
				    "François Dubois", "Søren Kierkegaard", "Li Wei", "Ana Sofía Pérez",
				    "Dmitri Ivanov", "Priya Nair", "Łukasz Nowak"};
static const char *const places[] = {"BERLIN", "LAGOS", "MONTRÉAL", "SÃO PAULO", "OSLO", "KYIV", "NAIROBI",
				     "MUMBAI", "LIMA", "REYKJAVÍK"};
static const char *const sections[] = {"Politics", "Business", "World", "Science", "Sport", "Culture", "Local"};
static const char *const quoted[] = {"“We will not accept this,”", "“It is a good day for the city,”",
				     "“Nobody saw this coming — not even us,”", "“The numbers don’t add up,”",
				     "“Café owners are already feeling it,”"};

typedef struct {
	char *p;
	size_t n, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			perror("gencorpus");
			exit(1);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

static void pf(buf *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	put(b, tmp, n < 0 ? 0 : (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* A sentence of 8-25 words: capitalised, sometimes with a comma, a quotation or a name, ending in a full stop. */
static void sentence(buf *b)
{
	unsigned n = 8 + pick(18);
	if (pick(8) == 0) {
		pf(b, "%s said %s. ", quoted[pick(sizeof quoted / sizeof *quoted)], names[pick(sizeof names / sizeof *names)]);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const char *w = words[pick(NWORDS)];
		if (i == 0)
			pf(b, "%c%s", w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0], w + 1);
		else if (pick(40) == 0)
			pf(b, " %s", names[pick(sizeof names / sizeof *names)]);
		else
			pf(b, " %s", w);
		if (i + 1 < n && pick(12) == 0)
			puts_(b, ",");
		if (i + 1 < n && pick(60) == 0)
			puts_(b, " &amp;");
	}
	puts_(b, pick(15) == 0 ? "? " : ". ");
}

static void paragraph_text(buf *b)
{
	unsigned n = 2 + pick(5);
	for (unsigned i = 0; i < n; i++)
		sentence(b);
	b->n--; /* the last space */
	b->p[b->n] = '\0';
}

static void title(buf *b, unsigned words_n)
{
	for (unsigned i = 0; i < words_n; i++) {
		const char *w = words[pick(NWORDS)];
		pf(b, "%s%c%s", i ? " " : "", i == 0 && w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0], w + 1);
	}
}

/* Words of body text: most stories 300-1,200 words, one in ten a long read. */
static unsigned story_paragraphs(void)
{
	unsigned r = pick(100);
	return r < 10 ? 4 + pick(4) : r < 90 ? 8 + pick(20) : 40 + pick(120);
}

static void link_list(buf *b, const char *cls, unsigned n, int titles)
{
	pf(b, "<ul class=\"%s\">", cls);
	for (unsigned i = 0; i < n; i++) {
		pf(b, "<li><a href=\"/%s/%u\">", sections[pick(7)], pick(100000));
		if (titles)
			title(b, 5 + pick(6));
		else
			puts_(b, sections[pick(7)]);
		puts_(b, "</a></li>");
	}
	puts_(b, "</ul>\n");
}

static void html_page(buf *b, unsigned id)
{
	unsigned tpl = pick(4);
	buf t = {0};
	title(&t, 6 + pick(8));
	const char *sec = sections[pick(7)];
	const char *author = names[pick(sizeof names / sizeof *names)];
	unsigned day = 1 + pick(28), month = 1 + pick(12);
	pf(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%s | The Daily Example</title>\n",
	   t.p);
	pf(b, "<meta property=\"og:title\" content=\"%s\">\n<meta name=\"description\" content=\"", t.p);
	sentence(b);
	pf(b, "\">\n<meta property=\"article:published_time\" content=\"2026-%02u-%02uT%02u:%02u:00Z\">\n", month, day,
	   pick(24), pick(60));
	pf(b, "<link rel=\"canonical\" href=\"https://news.example.org/%s/%u\">\n", sec, id);
	/* the weight of a real page's head: style and script */
	puts_(b, "<style>");
	for (unsigned i = 0, n = 40 + pick(80); i < n; i++)
		pf(b, ".c%u{margin:%upx;padding:%upx;color:#%06x}", i, pick(40), pick(20), pick(0xFFFFFF));
	puts_(b, "</style>\n<script>window.dataLayer=window.dataLayer||[];");
	for (unsigned i = 0, n = 20 + pick(60); i < n; i++)
		pf(b, "function f%u(a,b){return a<b?a+%u:b-%u}", i, pick(100), pick(100));
	puts_(b, "</script>\n<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",");
	pf(b, "\"headline\":\"%s\",\"author\":{\"@type\":\"Person\",\"name\":\"%s\"},\"datePublished\":\"2026-%02u-%02u\"}</script>\n",
	   t.p, author, month, day);
	puts_(b, "</head>\n<body class=\"single post-template\">\n");
	puts_(b, "<div id=\"cookie-consent\" class=\"cookie-banner\"><p>We use cookies to improve your experience. "
		 "<button>Accept all</button> <a href=\"/privacy\">Privacy policy</a></p></div>\n");
	puts_(b, "<header class=\"site-header\"><a class=\"logo\" href=\"/\">The Daily Example</a><nav class=\"main-nav\">");
	link_list(b, "menu", 20 + pick(40), 0);
	puts_(b, "</nav></header>\n");
	puts_(b, tpl == 0 ? "<main><article class=\"post\">" : tpl == 1 ? "<div class=\"content-wrap\"><div class=\"story-body\">"
				  : tpl == 2 ? "<main id=\"main\"><div class=\"article\" itemprop=\"articleBody\">"
					     : "<div id=\"page\"><div class=\"entry-content\">");
	pf(b, "\n<div class=\"kicker\">%s</div><h1>%s</h1>\n<p class=\"byline\">By <a rel=\"author\" href=\"/author/%u\">%s</a></p>"
	      "<time datetime=\"2026-%02u-%02u\">%u/%u/2026</time>\n",
	   sec, t.p, pick(1000), author, month, day, month, day);
	pf(b, "<figure><img src=\"/img/%u.jpg\" alt=\"", id);
	title(b, 4);
	puts_(b, "\"><figcaption>");
	sentence(b);
	pf(b, "<span class=\"credit\">Photo: %s</span></figcaption></figure>\n", names[pick(12)]);
	unsigned np = story_paragraphs();
	for (unsigned i = 0; i < np; i++) {
		if (i == 0)
			pf(b, "<p><strong>%s</strong> — ", places[pick(10)]);
		else
			puts_(b, "<p>");
		paragraph_text(b);
		if (pick(4) == 0) {
			puts_(b, " See <a href=\"https://example.com/report\">the <em>full</em> report</a>.");
		}
		puts_(b, "</p>\n");
		if (i == 3 && np > 6)
			puts_(b, "<div class=\"inline-promo related\"><h4>Read more</h4><ul><li><a href=\"/x\">Other story "
				 "about the budget</a></li><li><a href=\"/y\">Another story</a></li></ul></div>\n");
		if (i % 7 == 5) {
			puts_(b, "<h2>");
			title(b, 3 + pick(5));
			puts_(b, "</h2>\n");
		}
		if (i % 11 == 8) {
			int ordered = pick(2);
			puts_(b, ordered ? "<ol>" : "<ul>");
			for (unsigned k = 0, n = 3 + pick(4); k < n; k++) {
				puts_(b, "<li>");
				sentence(b);
				puts_(b, "</li>");
			}
			puts_(b, ordered ? "</ol>\n" : "</ul>\n");
		}
		if (i % 13 == 9) {
			puts_(b, "<blockquote><p>");
			paragraph_text(b);
			pf(b, "</p><footer>— %s</footer></blockquote>\n", names[pick(12)]);
		}
		if (i % 17 == 12) {
			puts_(b, "<table><thead><tr><th>District</th><th>Votes</th><th>Share</th></tr></thead><tbody>");
			for (unsigned k = 0, n = 4 + pick(8); k < n; k++)
				pf(b, "<tr><td>%s</td><td>%u</td><td>%u.%u %%</td></tr>", places[pick(10)], pick(90000),
				   pick(100), pick(10));
			puts_(b, "</tbody></table>\n");
		}
	}
	puts_(b, "<div class=\"share-bar\"><a href=\"#\">Share on Facebook</a> <a href=\"#\">Share on X</a> "
		 "<a href=\"#\">Email</a></div>\n");
	puts_(b, "<div class=\"newsletter-signup\"><p>Get the morning briefing in your inbox. Subscribe to our "
		 "newsletter.</p><form><input type=\"email\"><button>Sign up</button></form></div>\n");
	puts_(b, tpl == 0 ? "</article>" : "</div>");
	puts_(b, "<aside class=\"sidebar\"><h3>Most read</h3>");
	link_list(b, "most-read", 5 + pick(6), 1);
	puts_(b, "</aside>\n");
	puts_(b, "<section class=\"comments\" id=\"comments\"><h3>Comments</h3>");
	for (unsigned i = 0, n = pick(30); i < n; i++) {
		pf(b, "<div class=\"comment\"><span class=\"comment-author\">%s</span><p>", names[pick(12)]);
		sentence(b);
		puts_(b, "</p></div>\n");
	}
	puts_(b, "</section>\n");
	puts_(b, tpl == 0 ? "</main>" : "</div>");
	puts_(b, "\n<footer class=\"site-footer\">");
	for (int c = 0; c < 4; c++)
		link_list(b, "footer-links", 8 + pick(8), 0);
	puts_(b, "<p>© 2026 The Daily Example. All rights reserved.</p></footer>\n");
	puts_(b, "<script>(function(){var s=document.createElement('script');s.src='/ads.js';document.body.appendChild(s)})();</script>\n");
	puts_(b, "</body></html>\n");
	free(t.p);
}

static void nitf_story(buf *b, unsigned id)
{
	buf t = {0};
	title(&t, 6 + pick(8));
	const char *author = names[pick(sizeof names / sizeof *names)];
	unsigned day = 1 + pick(28), month = 1 + pick(12);
	pf(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<nitf xmlns=\"http://iptc.org/std/NITF/2006-10-18/\" "
	      "version=\"-//IPTC//DTD NITF 3.6//EN\">\n<head>\n<title>%s</title>\n", t.p);
	pf(b, "<meta name=\"source\" content=\"Example Wire\"/>\n<tobject tobject.type=\"news\"><tobject.subject "
	      "tobject.subject.refnum=\"04000000\" tobject.subject.type=\"Economy\"/></tobject>\n");
	pf(b, "<docdata>\n<doc-id id-string=\"EXW-2026-%05u\"/>\n<urgency ed-urg=\"%u\"/>\n"
	      "<date.issue norm=\"2026%02u%02uT%02u%02u00Z\"/>\n<du-key key=\"story-%u\"/>\n"
	      "<doc.copyright holder=\"Example Wire\" year=\"2026\"/>\n<key-list><keyword key=\"%s\"/><keyword key=\"%s\"/></key-list>\n"
	      "</docdata>\n<pubdata type=\"web\" position.section=\"%s\"/>\n</head>\n<body>\n<body.head>\n",
	   id, 1 + pick(8), month, day, pick(24), pick(60), id, words[pick(NWORDS)], words[pick(NWORDS)], sections[pick(7)]);
	pf(b, "<hedline><hl1>%s</hl1><hl2>", t.p);
	sentence(b);
	pf(b, "</hl2></hedline>\n<byline>By <person>%s</person>, <byttl>Example Wire</byttl></byline>\n", author);
	pf(b, "<dateline><location><city>%s</city></location>, <story.date norm=\"2026%02u%02uT000000Z\">%u/%u</story.date></dateline>\n",
	   places[pick(10)], month, day, month, day);
	puts_(b, "<abstract><p>");
	sentence(b);
	puts_(b, "</p></abstract>\n</body.head>\n<body.content>\n");
	unsigned np = story_paragraphs();
	for (unsigned i = 0; i < np; i++) {
		puts_(b, "<p>");
		paragraph_text(b);
		if (pick(6) == 0)
			puts_(b, " Shares of <org>Example Corp</org> fell <num>3.2</num> percent.");
		puts_(b, "</p>\n");
		if (i % 7 == 5) {
			puts_(b, "<hl2>");
			title(b, 3 + pick(5));
			puts_(b, "</hl2>\n");
		}
		if (i % 11 == 8) {
			puts_(b, "<ul>");
			for (unsigned k = 0, n = 3 + pick(4); k < n; k++) {
				puts_(b, "<li>");
				sentence(b);
				puts_(b, "</li>");
			}
			puts_(b, "</ul>\n");
		}
		if (i % 13 == 9) {
			puts_(b, "<block><p>");
			paragraph_text(b);
			puts_(b, "</p></block>\n");
		}
		if (i % 17 == 12) {
			puts_(b, "<table><tr><th>Region</th><th>Change</th></tr>");
			for (unsigned k = 0, n = 4 + pick(6); k < n; k++)
				pf(b, "<tr><td>%s</td><td>%u.%u</td></tr>", places[pick(10)], pick(20), pick(10));
			puts_(b, "</table>\n");
		}
	}
	pf(b, "</body.content>\n<body.end>\n<tagline>Reporting by %s; editing by %s</tagline>\n</body.end>\n</body>\n</nitf>\n",
	   author, names[pick(12)]);
	free(t.p);
}

/* Every 50th document, with -b: a broken one of four kinds. */
static void breakit(buf *b, unsigned id, int xml)
{
	switch ((id / 50) % 4) {
	case 0: b->n = 0; break;                           /* empty */
	case 1: b->n = b->n / 3; break;                    /* truncated */
	case 2:                                            /* binary */
		b->n = 0;
		for (int i = 0; i < 2048; i++) {
			char c = (char)pick(256);
			put(b, &c, 1);
		}
		break;
	case 3:
		if (xml) { /* no body */
			b->n = 0;
			puts_(b, "<?xml version=\"1.0\"?>\n<nitf><head><title>No body</title></head></nitf>\n");
		} else
			b->n = 0;
		break;
	}
}

static void write_file(const char *path, const buf *b)
{
	FILE *fp = fopen(path, "wb");
	if (!fp || fwrite(b->p ? b->p : "", 1, b->n, fp) != b->n || fclose(fp)) {
		fprintf(stderr, "gencorpus: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	unsigned n = 200, seed = 1;
	int html = 1, nitf = 1, broken = 0, c;
	while ((c = getopt(argc, argv, "s:n:k:b")) != -1) {
		switch (c) {
		case 's': seed = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'k':
			html = strcmp(optarg, "nitf") != 0;
			nitf = strcmp(optarg, "html") != 0;
			break;
		case 'b': broken = 1; break;
		default: fprintf(stderr, "usage: gencorpus [-s SEED] [-n N] [-k html|nitf|both] [-b] OUTDIR\n"); return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: gencorpus [-s SEED] [-n N] [-k html|nitf|both] [-b] OUTDIR\n");
		return 2;
	}
	const char *out = argv[optind];
	char path[4096];
	mkdir(out, 0777);
	for (int kind = 0; kind < 2; kind++) {
		if (!(kind ? nitf : html))
			continue;
		rng = 0x9E3779B97F4A7C15u ^ ((uint64_t)seed << 32) ^ (uint64_t)(kind + 1);
		snprintf(path, sizeof path, "%s/%s", out, kind ? "nitf" : "html");
		mkdir(path, 0777);
		for (unsigned i = 0; i < n; i++) {
			buf b = {0};
			if (kind)
				nitf_story(&b, i);
			else
				html_page(&b, i);
			if (broken && i % 50 == 49)
				breakit(&b, i, kind);
			snprintf(path, sizeof path, "%s/%s/%05u.%s", out, kind ? "nitf" : "html", i, kind ? "xml" : "html");
			write_file(path, &b);
			free(b.p);
		}
	}
	return 0;
}
