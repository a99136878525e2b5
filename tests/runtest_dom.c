/* runtest_dom.c (included by runtest.c): the HTML reader's arena DOM (src/readers/html_dom.c) against the tree
 * libxml2's own builder makes of the same bytes with the same options. They must be the same node for node: type,
 * name, text, attributes, line. Run over every HTML input under fixtures/ in `make check`; `runtest --dom FILE...`
 * runs it over any files (the bench corpora, a fuzzer's corpus). */

#include "dom_compare.h"

/* Compares the two trees of one input; returns 1 when they are the same, else reports and returns 0. */
static int dom_compare(const char *name, const char *data, size_t len)
{
	char why[512];
	if (!dom_first_diff(data, len, why, sizeof why))
		return 1;
	fail("%s: arena DOM differs from libxml2's: %s", name, why);
	return 0;
}

static int dom_is_html(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm"));
}

/* Every .html / .htm file under root, at any depth. */
static void dom_fixtures(const char *root, int *files, int *same)
{
	char *names[4096];
	size_t n = sorted_entries(root, names, 4096);
	for (size_t i = 0; i < n; i++) {
		char path[4200];
		snprintf(path, sizeof path, "%s/%s", root, names[i]);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			dom_fixtures(path, files, same);
		else if (dom_is_html(names[i]) && (!only || strstr(path, only))) {
			size_t len;
			char *data = read_file(path, &len);
			if (data && len) {
				(*files)++;
				*same += dom_compare(path, data, len);
			}
			free(data);
		}
		free(names[i]);
	}
}

static void dom_err_fn(void *ctx, const char *msg, ...)
{
	(void)msg;
	(*(int *)ctx)++;
}

/* The reader silences libxml2's generic error messages while it parses, and gives the caller's handler back. */
static void dom_error_handler(void)
{
	int calls = 0;
	xmlSetGenericErrorFunc(&calls, dom_err_fn);
	gal_node *doc = NULL;
	gal_error err;
	memset(&err, 0, sizeof err);
	static const char page[] = "<p>a <b>b</i> &bogus; <x y=\"z\" y=\"w\">";
	int rc = gal_read(gal_format_find("html"), page, sizeof page - 1, NULL, &doc, &err);
	CHECK(rc == GAL_OK && xmlGenericError == dom_err_fn && xmlGenericErrorContext == &calls,
	      "the caller's libxml2 error handler is kept across gal_read");
	gal_node_free(doc);
	xmlSetGenericErrorFunc(NULL, NULL);
}

static void dom_skim_tests(void);
static void dom_soup_tests(void);

static void dom_tests(const char *fixtures)
{
	int files = 0, same = 0;
	dom_fixtures(fixtures, &files, &same);
	CHECK((only || files > 100) && same == files, "arena DOM = libxml2's DOM: %d of %d HTML files", same, files);
	/* shapes the fixtures may not have: a second top-level element with and without a doctype or a comment
	 * first, a namespace prefix, boolean attributes, text split by entities and comments, CDATA in script */
	static const char *const cases[] = {
	    "<html><body>a</body></html><p>after</p>",
	    "<!DOCTYPE html><html><body>a</body></html><p>after</p>text",
	    "<!-- c --><html><body>a</body></html><div>after</div>",
	    "<p>x</p></html><!DOCTYPE html><p>y</p>",
	    "<o:p>word</o:p><svg:rect x=1></svg:rect><x:>y</x:><:z>w</:z><a:b:c>v</a:b:c>",
	    "<input checked disabled value><option selected>o</option><td nowrap hidden>t</td>",
	    "<p>AT&amp;T &lt;b&gt; caf&eacute;<!-- c -->after<?pi x?>more</p>",
	    "<script>var a = '<p>';</script><script>b</script><style>p{}</style><textarea>t&amp;</textarea>",
	    "<html>\n <head>\n <title>t</title>\n </head>\n <body>\n <p> a </p>\n \n <b> </b> <i>x</i>\n </body>\n</html>",
	    "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><body>\n <p>a</p>\n <p>b</p>\n</body>",
	    "<table><tr><td>a<td>b</table><ul><li>1<li>2</ul><p>one<p>two<div>three</div>",
	    "just text",
	    "",
	    "<html><html lang=x><head><head><body><body class=y><p>z",
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char name[64];
		snprintf(name, sizeof name, "DOM case %zu", i);
		CHECK(dom_compare(name, cases[i], strlen(cases[i])), "%s", name);
	}
	dom_error_handler();
	static const char nul[] = "<p>a\0b</p><p>c</p>";
	CHECK(dom_compare("DOM case NUL", nul, sizeof nul - 1), "a NUL byte in text");
	dom_skim_tests();
	dom_soup_tests();
}

/* gal_dom_skim's rules, each pinned: the page and what it becomes (libxml2 2.9.14; with another libxml2 the page
 * stays as it is), and libxml2's tree of both the same but for the skimmed text. */
#define A100 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static void dom_skim_tests(void)
{
	static const char *const cases[][2] = {
	    {"<p>a</p><script>var x = 1;\n y();</script><p>b</p>", "<p>a</p><script>\n</script><p>b</p>"},
	    {"<style>p { color: red }</style><p>b</p>", "<style></style><p>b</p>"},
	    {"<SCRIPT\n>x\r\ny\nz</script\n>after", "<SCRIPT\n>\n\n</script\n>after"},
	    /* JSON-LD stays, also with a character reference that might spell its type */
	    {"<script type=\"application/ld+json\">{\"a\": 1}</script>", NULL},
	    {"<script TYPE = APPLICATION/LD+JSON >{}</script><script type=\"application&#47;ld+json\">{}</script>", NULL},
	    /* the first type attribute counts, as for libxml2 (a second one is dropped) */
	    {"<script type=\"text/javascript\" type=\"application/ld+json\">x</script>",
	     "<script type=\"text/javascript\" type=\"application/ld+json\"></script>"},
	    /* comments: up to the first "-->" or "--!>" after "<!--" */
	    {"<!-- <script>x</script> -->y", NULL},
	    {"<!--><script>x</script>-->y<script>z</script>", "<!--><script>x</script>-->y<script></script>"},
	    {"<!-- a --!><script>x</script>", "<!-- a --!><script></script>"},
	    {"<!-- never closed <script>x</script>", NULL},
	    /* quoted attribute values hold '>' and tags; bogus attributes do not quote */
	    {"<p title=\"a><script>x</script>\">y</p><style>s</style>", "<p title=\"a><script>x</script>\">y</p><style></style>"},
	    {"<p \"x><script>y</script>", "<p \"x><script></script>"},
	    {"<p title=\"never closed><script>x</script>", NULL},
	    {"</p title=\"<script>\">z<script>w</script>", "</p title=\"<script>\">z<script></script>"},
	    /* "</scriptx>" is an end tag of its own for libxml2, which goes on with the script: left alone */
	    {"<script>a</scriptx>b</script><style>c</style>", NULL},
	    /* <noscript> closes a script, <body> a style sheet, before their content: left alone */
	    {"<script><noscript>a</noscript>b</script>", NULL},
	    {"<style><body>a</style>", NULL},
	    {"<script></div>x</script>", NULL},
	    {"<script></script><script>x</script>", "<script></script><script></script>"},
	    {"<script/>x</script><script>y</script>", "<script/>x</script><script></script>"},
	    /* a doctype in the content: libxml2 reads "</" after it as text */
	    {"<p>x</p><!DOCTYPE html></s<script>a</script>", "<p>x</p><!DOCTYPE html></s<script></script>"},
	    {"<!DOCTYPE html></s<script>a</script>", "<!DOCTYPE html></s<script>a</script>"},
	    {"<!DOCTYPE html PUBLIC \"a>b\"><script>x</script>", NULL},
	    /* processing instructions end at '>'; "<?" without a name is dropped */
	    {"<?x <script>y</script>", NULL},
	    /* a page that is not all UTF-8 stays as it is: libxml2 reads the rest of a page as Latin-1 after such a
	     * byte, in a script or anywhere before one (found by fuzz_html) */
	    {"<style>\x8f</style>\xc3\xad<script>\xc3</script>x", NULL},
	    {"<d\xd0><script>\xc3\xa9</script><?\xc3>", NULL},
	    {"<style>\xc3\xad</style><script>ok</script>", "<style></style><script></script>"},
	    {"<? <script>y</script>", "<? <script></script>"},
	    /* inline drawings: the content of an <svg> holding only tags libxml2 does not know */
	    {"<p>a<svg viewBox=\"0 0 1 1\"><path d=\"M0 0h1\"/><g fill=red><circle r=1></circle></g></svg>b</p>",
	     "<p>a<svg viewBox=\"0 0 1 1\"></svg>b</p>"},
	    {"<svg>\n<path d=\"a>b</svg>\"\n/>\n</svg>x", "<svg>\n\n\n</svg>x"},
	    {"<svg><g><path d=1><rect></svg><p>x", "<svg></svg><p>x"},
	    {"<svg><g><path></g><circle/></svg>", "<svg></svg>"},
	    {"<SVG><Path/><LinearGradient id=g></lineargradient></SVG>y", "<SVG></SVG>y"},
	    {"<svg><!-- <p> --><text>1 < 2 &amp; 3</text></ x></svg>", "<svg></svg>"},
	    {"<div><svg class=icon><use href=\"#a\"></use></svg><span>t</span></div>", "<div><svg class=icon></svg><span>t</span></div>"},
	    /* left alone: a tag libxml2 knows (it may close elements outside), an end tag of an element not opened
	     * inside, a processing instruction, no end; a nested drawing is skimmed on its own */
	    {"<p>a<svg><title>Share</title><path/></svg>b</p>", NULL},
	    {"<svg><a href=x><path/></a></svg>", NULL},
	    {"<svg><foreignObject><p>x</p></foreignObject></svg>", NULL},
	    {"<g><svg><path></g>x</svg>y", NULL},
	    {"<svg><path></svgx></svg>", NULL},
	    {"<svg><?pi?></svg>", NULL},
	    {"<svg><path/>", NULL},
	    {"<svg/><p>x</p>", NULL},
	    {"<svg><svg><path/></svg></svg>", "<svg><svg></svg></svg>"},
	    {"<svg><style>.a{}</style><path/></svg>", "<svg><style></style><path/></svg>"},
	    /* names of 100 characters or more, which libxml2 cuts at 100 and reads on from (found by review) */
	    {"<div><svg><g " A100 "-=\"x y></div><p>VISIBLE</p>\"></g></svg><p>after</p>", NULL},
	    {"<p " A100 "1=\"x><script>s\"><style>t</script>VISIBLE</style><p>after</p>", NULL},
	    {"<p><x" A100 "b=\"x><style>zz</style>\">t</x></p>", NULL},
	    {"<svg><title>t</title><rect/>\n<p>text</p><x" A100 "b=\"x><style>zz</style>\">VISIBLE</x>", NULL},
	    {"<p>a\0b</p><script>x</script>", NULL},
	};
	int v2914 = atoi(xmlParserVersion) == 20914;
	if (!v2914)
		printf("note: libxml2 %s is not 2.9.14: the skimmer is off, pages are parsed whole\n", xmlParserVersion);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *in = cases[i][0], *want = v2914 && cases[i][1] ? cases[i][1] : in;
		size_t len = strlen(in);
		if (i == sizeof cases / sizeof *cases - 1)
			len = sizeof "<p>a\0b</p><script>x</script>" - 1; /* the one with a NUL byte */
		char out[512];
		size_t n = gal_dom_skim(in, len, out);
		char name[64];
		snprintf(name, sizeof name, "skim case %zu", i);
		CHECK(n == (i == sizeof cases / sizeof *cases - 1 ? len : strlen(want)) && !memcmp(out, want, n),
		      "%s: skimmed as expected (%.*s)", name, (int)n, out);
		CHECK(dom_compare(name, in, len), "%s: same tree", name);
	}
}

/* Random tag soup from a fixed seed: pieces of markup the skimmer must follow as libxml2 does (drawings, scripts,
 * comments, quotes holding '>', end tags opened elsewhere), strung together; every page's trees must agree. */
static void dom_soup_tests(void)
{
	static const char *const piece[] = {
	    "<svg>", "<svg viewBox=\"0 0 2 2\">", "</svg>", "<SVG>", "</svg >", "<path d=\"M0 0>1\">", "<path/>", "</path>",
	    "<g>", "</g>", "<G class=x>", "<use href=\"#a\"></use>", "<text>1 < 2 &amp;</text>", "<rect x=1/>",
	    "<circle r=1>", "</circle>", "<defs>", "</defs>", "<title>t</title>", "<title>", "<a href=x>", "</a>",
	    "<foreignObject>", "</foreignObject>", "<svgx>", "</svgx>", "<path a=b/>", "<path d='a\"b'>", "<p>", "</p>",
	    "<div>", "</div>", "<span>", "</span>", "<b>", "</b>", "<li>", "<ul>", "</ul>", "<table><tr><td>", "</table>",
	    "<style>s{}</style>", "<script>x<y</script>", "<script type=\"application/ld+json\">{}</script>",
	    "<!-- c -->", "<!-- <svg> -->", "<?pi x?>", "</ x>", "< 3", "text ", "&lt;", "\n", "<p title=\"<svg>\">",
	    "<noscript>", "</noscript>", "<textarea>", "</textarea>", "<body>", "<head>", "<html>", "<br>", "<img src=x>",
	};
	enum { NPIECES = sizeof piece / sizeof *piece, PAGES = 600 };
	uint32_t seed = 20261207u;
	int same = 0;
	char page[4096], name[48];
	for (int n = 0; n < PAGES; n++) {
		size_t len = 0;
		seed = seed * 1664525u + 1013904223u;
		for (int k = 3 + (int)(seed >> 26); k > 0; k--) {
			seed = seed * 1664525u + 1013904223u;
			const char *p = piece[(seed >> 8) % NPIECES];
			size_t pl = strlen(p);
			if (len + pl >= sizeof page)
				break;
			memcpy(page + len, p, pl);
			len += pl;
		}
		snprintf(name, sizeof name, "tag soup %d", n);
		same += dom_compare(name, page, len);
	}
	CHECK(same == PAGES, "arena DOM = libxml2's DOM, skimmed or not: %d of %d random tag soups", same, PAGES);
}

/* runtest --dom FILE...: the comparison over any files, with a summary. */
static int dom_files(int argc, char **argv)
{
	int files = 0, same = 0;
	for (int i = 0; i < argc; i++) {
		size_t len;
		char *data = read_file(argv[i], &len);
		if (data && len) {
			files++;
			same += dom_compare(argv[i], data, len);
		}
		free(data);
	}
	printf("arena DOM = libxml2's DOM: %d of %d files\n", same, files);
	return same == files ? 0 : 1;
}
