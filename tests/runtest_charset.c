/* runtest_charset.c: the character set tests (docs/charsets.md), included by runtest.c.
 * - charset_variants: every file in a fixture's variants/ folder (written by tests/charset-fixtures.sh: the same
 *   article in other encodings, labelled, unlabelled, mislabelled) gives that fixture's expected.txt and
 *   expected.native, and NAME.stderr (or nothing) on standard error;
 * - unit_charset: labels, the prescans, decoding (maximal subparts, buffer boundaries, truncation, --strict), the
 *   encoder (writes cut anywhere, errors with their place, transliteration, character references), NFC (the quick
 *   check against utf8proc for every assigned code point) and threads;
 * - charset_clean_tree: every string of every fixture's tree, from every reader, is NFC and free of controls;
 * - charset_cli_tests: the options, exit codes and messages, translit without a locale, round trips through
 *   ISO-8859-1 text and through NITF in other encodings (validated by xmllint). */

#include "../src/charset.h"

#include <iconv.h>
#include <pthread.h>
#include <utf8proc.h>

/* defined further down in runtest.c */
static void nitf_validate(const char *what, const char *file);
static int split_args(char *s, char **argv, int max);
static const char *find_input(const char *dir, char *buf, size_t size);
static void galley_run(const char *cwd, const char *const *pre, char **extra, int nextra, const char *const *post,
                       result *r);

/* ------------------------------------------------------------------ helpers */

typedef struct {
	char msg[1024]; /* the last warning (or the error), formatted */
	int n;          /* warnings */
} cs_log;

static void cs_warn(void *ud, const gal_error *w)
{
	cs_log *l = ud;
	l->n++;
	gal_error_format(w, l->msg, sizeof l->msg);
}

/* gal_decode with its warnings in *log; the error's message there too. */
static int cs_decode(const char *data, size_t len, gal_sniff_mode mode, const char *override, int strict, char **out,
                     size_t *n, cs_log *log, long *line)
{
	gal_options opts = GAL_OPTIONS_INIT;
	memset(log, 0, sizeof *log);
	opts.warn = cs_warn;
	opts.warn_data = log;
	opts.charset.strict = strict;
	gal_error err;
	memset(&err, 0, sizeof err);
	*out = NULL;
	*n = 0;
	int rc = gal_decode(data, len, mode, override, &opts, "T", NULL, out, n, NULL, &err);
	if (rc)
		snprintf(log->msg, sizeof log->msg, "%s", err.message);
	if (line)
		*line = err.line;
	return rc;
}

/* iconv(3) of a whole buffer, for building test inputs; NULL if it fails. */
static char *cs_iconv(const char *to, const char *from, const char *s, size_t n, size_t *outlen)
{
	iconv_t cd = iconv_open(to, from);
	if (cd == (iconv_t)-1)
		return NULL;
	size_t cap = n * 4 + 16, left = n, oleft = cap;
	char *out = malloc(cap), *o = out, *in = (char *)s;
	size_t r = out ? iconv(cd, &in, &left, &o, &oleft) : (size_t)-1;
	if (r != (size_t)-1)
		r = iconv(cd, NULL, NULL, &o, &oleft);
	iconv_close(cd);
	if (r == (size_t)-1) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)(o - out);
	return out;
}

static const char *fffd = "\xef\xbf\xbd";

/* ------------------------------------------------------------------ labels and prescans */

static void unit_charset_labels(void)
{
	static const struct {
		const char *label, *name;
	} labels[] = {{"latin1", "windows-1252"},
	              {" ISO-8859-1\t", "windows-1252"},
	              {"US-ASCII", "windows-1252"},
	              {"iso_8859-1:1987", "windows-1252"},
	              {"ansi_x3.4-1968", "windows-1252"},
	              {"utf8", "UTF-8"},
	              {"unicode-1-1-utf-8", "UTF-8"},
	              {"x-sjis", "Shift_JIS"},
	              {"windows-31j", "Shift_JIS"},
	              {"gb2312", "GBK"},
	              {"chinese", "GBK"},
	              {"GB18030", "gb18030"},
	              {"ks_c_5601-1987", "EUC-KR"},
	              {"big5-hkscs", "Big5"},
	              {"unicode", "UTF-16LE"},
	              {"utf-16", "UTF-16LE"},
	              {"ucs-2", "UTF-16LE"},
	              {"unicodefffe", "UTF-16BE"},
	              {"iso-8859-9", "windows-1254"},
	              {"tis-620", "windows-874"},
	              {"l9", "ISO-8859-15"},
	              {"koi", "KOI8-R"},
	              {"koi8-ru", "KOI8-U"},
	              {"mac", "macintosh"},
	              {"logical", "ISO-8859-8-I"},
	              {"x-user-defined", "x-user-defined"},
	              {"dos-874", "windows-874"},
	              {"cp866", "IBM866"},
	              {"x-mac-ukrainian", "x-mac-cyrillic"},
	              {"iso-2022-kr", "ISO-2022-KR"},
	              {"latin9", NULL},
	              {"utf-7", NULL},
	              {"", NULL},
	              {"iso-8859-1x", NULL},
	              {"hz-gb-2312", NULL}};
	for (size_t i = 0; i < sizeof labels / sizeof *labels; i++) {
		const char *got = gal_charset_canonical(labels[i].label);
		CHECK(labels[i].name ? got && !strcmp(got, labels[i].name) : !got, "label '%s': '%s', want '%s'",
		      labels[i].label, got ? got : "(none)", labels[i].name ? labels[i].name : "(none)");
	}
	/* every encoding of the table opens in this system's iconv and keeps ASCII as it is (one label each) */
	static const char *const one_each[] = {
	    "utf-8",        "windows-1252", "x-user-defined", "ibm866",         "iso-8859-2",   "iso-8859-3",
	    "iso-8859-4",   "iso-8859-5",   "iso-8859-6",     "iso-8859-7",     "iso-8859-8",   "iso-8859-8-i",
	    "iso-8859-10",  "iso-8859-13",  "iso-8859-14",    "iso-8859-15",    "iso-8859-16",  "koi8-r",
	    "koi8-u",       "macintosh",    "windows-874",    "windows-1250",   "windows-1251", "windows-1253",
	    "windows-1254", "windows-1255", "windows-1256",   "windows-1257",   "windows-1258", "x-mac-cyrillic",
	    "gbk",          "gb18030",      "big5",           "euc-jp",         "iso-2022-jp",  "shift_jis",
	    "euc-kr",       "iso-2022-kr",  "iso-2022-cn",    "iso-2022-cn-ext"};
	const char *ascii = "<p>Plain ASCII, 1-2-3 [ok] ~\\ {x}</p>\n";
	for (size_t i = 0; i < sizeof one_each / sizeof *one_each; i++) {
		char *out;
		size_t n;
		cs_log log;
		int rc = cs_decode(ascii, strlen(ascii), GAL_SNIFF_HTML, one_each[i], 0, &out, &n, &log, NULL);
		CHECK(rc == 0 && out && !strcmp(out, ascii) && !log.n, "%s decodes ASCII as ASCII (%d): '%s' %s",
		      one_each[i], rc, out ? out : "", log.msg);
		free(out);
		CHECK(gal_charset_check_input(one_each[i], NULL) == GAL_OK, "%s: a known input label", one_each[i]);
	}
	CHECK(gal_charset_check_input("LATIN-9", NULL) == GAL_OK && gal_charset_check_input("CP437", NULL) == GAL_OK,
	      "names only iconv knows are accepted for input");
	gal_error err;
	CHECK(gal_charset_check_input("no-such-charset", &err) == GAL_ECHARSET &&
	          !strcmp(err.message, "unknown character set 'no-such-charset'"),
	      "unknown input charset: %s", err.message);
	CHECK(gal_charset_check_output("latin1", NULL) == GAL_OK &&
	          gal_charset_check_output("shift_jis", NULL) == GAL_OK &&
	          gal_charset_check_output("utf-8", NULL) == GAL_OK &&
	          gal_charset_check_output("UTF-16", NULL) == GAL_OK,
	      "output charsets");
	CHECK(gal_charset_check_output("x-user-defined", &err) == GAL_ECHARSET &&
	          !strcmp(err.message, "cannot write the character set 'x-user-defined'"),
	      "x-user-defined cannot be written: %s", err.message);
	CHECK(gal_charset_is_utf8(" UTF8 ") && gal_charset_is_utf8("unicode-1-1-utf-8") &&
	          !gal_charset_is_utf8("utf-16") && !gal_charset_is_utf8(NULL),
	      "UTF-8 labels");
	CHECK(gal_charset_wide("utf-16") && gal_charset_wide("UTF-32LE") && gal_charset_wide("unicodefffe") &&
	          !gal_charset_wide("latin1") && !gal_charset_wide(NULL),
	      "wide encodings");
	static const struct {
		const char *label, *xml;
		int bom;
	} names[] = {{"latin1", "LATIN1", 0},
	             {"iso-8859-1", "ISO-8859-1", 0},
	             {"shift_jis", "Shift_JIS", 0},
	             {"x-sjis", "Shift_JIS", 0},
	             {"koi8-r", "KOI8-R", 0},
	             {"latin2", "ISO-8859-2", 0},
	             {"unicodefffe", "UTF-16BE", 1},
	             {"utf-16le", "UTF-16LE", 1},
	             {"utf-16", "UTF-16", 0},
	             {"cp437", "CP437", 0},
	             {"windows-1252", "WINDOWS-1252", 0},
	             {"gb2312", "GBK", 0}};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char buf[64];
		gal_charset_xml_name(names[i].label, buf, sizeof buf);
		CHECK(!strcmp(buf, names[i].xml) && gal_charset_needs_bom(names[i].label) == names[i].bom,
		      "XML name of '%s': '%s' (want '%s'), BOM %d", names[i].label, buf, names[i].xml,
		      gal_charset_needs_bom(names[i].label));
	}
}

static void unit_charset_sniff(void)
{
	char pad[1200];
	memset(pad, ' ', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	char late[1400];
	snprintf(late, sizeof late, "<p>%s</p><meta charset=koi8-r><p>\xc1", pad);
	static const char koi_a[] = "\xd0\xb0"; /* KOI8-R 0xC1 is а */
	static const char cp_a[] = "\xc3\x81";  /* windows-1252 0xC1 is Á */
	const struct {
		const char *in, *want_tail, *what;
		gal_sniff_mode mode;
		const char *override;
	} cases[] = {
	    {"<meta charset=\"koi8-r\"><p>\xc1", koi_a, "meta charset", GAL_SNIFF_HTML, NULL},
	    {"<META CHARSET=KOI8-R><p>\xc1", koi_a, "upper case, unquoted", GAL_SNIFF_HTML, NULL},
	    {"<meta charset=' koi8-r '><p>\xc1", koi_a, "label with spaces", GAL_SNIFF_HTML, NULL},
	    {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"><p>\xc1", koi_a, "http-equiv",
	     GAL_SNIFF_HTML, NULL},
	    {"<meta content='text/html;charset=\"koi8-r\"' http-equiv=content-type><p>\xc1", koi_a,
	     "content before http-equiv, quoted charset", GAL_SNIFF_HTML, NULL},
	    {"<meta content=\"text/html; charset=koi8-r\"><p>\xc1", cp_a, "content without http-equiv: ignored",
	     GAL_SNIFF_HTML, NULL},
	    {"<meta name=\"x\" content=\"charset=koi8-r\"><p>\xc1", cp_a, "a name= meta: ignored", GAL_SNIFF_HTML,
	     NULL},
	    {"<!-- <meta charset=koi8-r> --><p>\xc1", cp_a, "meta in a comment: ignored", GAL_SNIFF_HTML, NULL},
	    {"<div title=\"<meta charset=koi8-r>\"><p>\xc1", cp_a, "meta in an attribute value: ignored",
	     GAL_SNIFF_HTML, NULL},
	    {late, cp_a, "meta after 1024 bytes: ignored", GAL_SNIFF_HTML, NULL},
	    {"<meta charset=no-such><meta charset=koi8-r><p>\xc1", koi_a, "unknown label, then a known one",
	     GAL_SNIFF_HTML, NULL},
	    {"<meta charset=x-user-defined><p>\xc1", cp_a, "x-user-defined in a meta means windows-1252",
	     GAL_SNIFF_HTML, NULL},
	    {"<meta charset=utf-16><p>\xd0\xb0", koi_a, "a UTF-16 label on ASCII bytes means UTF-8", GAL_SNIFF_HTML,
	     NULL},
	    {"\xef\xbb\xbf<meta charset=koi8-r><p>\xd0\xb0", koi_a, "UTF-8 BOM over the meta", GAL_SNIFF_HTML, NULL},
	    {"<meta charset=windows-1251><p>\xc1", koi_a, "override over the meta", GAL_SNIFF_HTML, "koi8-r"},
	    {"\xef\xbb\xbf<p>\xd0\xb0", koi_a, "override's own BOM skipped", GAL_SNIFF_HTML, "utf-8"},
	    {"\xef\xbb\xbf<p>", "\xc3\xaf\xc2\xbb\xc2\xbf<p>", "another encoding's BOM is text under an override",
	     GAL_SNIFF_HTML, "windows-1252"},
	    {"<p>\xc1", cp_a, "no label, not UTF-8: windows-1252", GAL_SNIFF_HTML, NULL},
	    {"<p>\xd0\xb0", koi_a, "no label, valid UTF-8: UTF-8", GAL_SNIFF_HTML, NULL},
	    {"<?xml version=\"1.0\" encoding=\"koi8-r\"?><p>\xc1", koi_a, "XML declaration", GAL_SNIFF_XML, NULL},
	    {"<?xml version='1.0' encoding='KOI8-R'?><p>\xc1", koi_a, "XML declaration, single quotes", GAL_SNIFF_XML,
	     NULL},
	    {"<?xml version=\"1.0\" encoding=\"UTF-16\"?><p>\xd0\xb0", koi_a, "UTF-16 declared on ASCII bytes: UTF-8",
	     GAL_SNIFF_XML, NULL},
	    {"<?xml version=\"1.0\"?><p>\xd0\xb0", koi_a, "XML without encoding: UTF-8", GAL_SNIFF_XML, NULL},
	    {"<?xml version=\"1.0\" encoding=\"ISO-8859-5\"?><p>\xd0", koi_a, "ISO-8859-5 declared", GAL_SNIFF_XML,
	     NULL},
	    {"<meta charset=koi8-r><p>\xd0\xb0", koi_a, "XML ignores <meta>", GAL_SNIFF_XML, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *out;
		size_t n;
		cs_log log;
		cs_decode(cases[i].in, strlen(cases[i].in), cases[i].mode, cases[i].override, 0, &out, &n, &log, NULL);
		size_t k = strlen(cases[i].want_tail);
		CHECK(out && n >= k && !memcmp(out + n - k, cases[i].want_tail, k), "prescan: %s: got '%s'",
		      cases[i].what, out ? out : "(null)");
		free(out);
	}
	/* UTF-16 XML without a byte order mark (XML 1.0 appendix F) */
	const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><p>\xd0\xb0</p>";
	for (int be = 0; be < 2; be++) {
		size_t n16, n;
		char *u16 = cs_iconv(be ? "UTF-16BE" : "UTF-16LE", "UTF-8", doc, strlen(doc), &n16), *out = NULL;
		cs_log log;
		if (u16)
			cs_decode(u16, n16, GAL_SNIFF_XML, NULL, 0, &out, &n, &log, NULL);
		CHECK(out && !strcmp(out, doc), "UTF-16%s XML without a BOM: '%s'", be ? "BE" : "LE",
		      out ? out : "(null)");
		free(u16);
		free(out);
	}
	/* an XML label nobody knows: a warning, read as UTF-8 */
	char *out;
	size_t n;
	cs_log log;
	const char *bogus = "<?xml version=\"1.0\" encoding=\"bogus-9\"?><p>\xd0\xb0</p>";
	cs_decode(bogus, strlen(bogus), GAL_SNIFF_XML, NULL, 0, &out, &n, &log, NULL);
	CHECK(out && !strcmp(out, bogus) && log.n == 1 &&
	          strstr(log.msg, "unknown encoding 'bogus-9' in the XML declaration; reading as UTF-8"),
	      "unknown XML encoding: %s", log.msg);
	free(out);
	/* an override nobody knows is an error */
	int rc = cs_decode("x", 1, GAL_SNIFF_HTML, "bogus-9", 0, &out, &n, &log, NULL);
	CHECK(rc == GAL_ECHARSET && !out && !strcmp(log.msg, "unknown character set 'bogus-9'"), "unknown override: %s",
	      log.msg);
}

/* ------------------------------------------------------------------ decoding */

static void unit_charset_decode(void)
{
	/* invalid UTF-8: one U+FFFD per maximal subpart, as browsers do */
	static const struct {
		const char *in, *want;
		int bad;
	} u8[] = {
	    {"\x80", "\xef\xbf\xbd", 1},
	    {"\xc3", "\xef\xbf\xbd", 1},
	    {"\xe2\x82", "\xef\xbf\xbd", 1},
	    {"\xe2\x82x", "\xef\xbf\xbdx", 1},
	    {"\xf0\x9f\x98", "\xef\xbf\xbd", 1},
	    {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3},
	    {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 2},
	    {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 4},
	    {"\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 3},
	    {"\xf8\x88\x80\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 5},
	    {"a\xe2\x82\xac\xf0\x9f\x8c\xa7\xf4\x8f\xbf\xbfz", "a\xe2\x82\xac\xf0\x9f\x8c\xa7\xf4\x8f\xbf\xbfz", 0},
	    /* controls but tab, LF and CR are dropped (C0, DEL, C1); the tree drops CR later */
	    {"a\x01"
	     "b\x7f"
	     "c\xc2\x85"
	     "d\tx\r\ny\x1b",
	     "abcd\tx\r\ny", 0},
	};
	for (size_t i = 0; i < sizeof u8 / sizeof *u8; i++) {
		char *out;
		size_t n;
		cs_log log;
		int rc = cs_decode(u8[i].in, strlen(u8[i].in), GAL_SNIFF_HTML, "utf-8", 0, &out, &n, &log, NULL);
		char want_warn[64];
		snprintf(want_warn, sizeof want_warn, "%d bad byte sequence", u8[i].bad);
		CHECK(rc == 0 && out && !strcmp(out, u8[i].want) && log.n == (u8[i].bad > 0) &&
		          (!u8[i].bad || strstr(log.msg, want_warn)),
		      "UTF-8 case %zu: '%s' (%d warnings: %s)", i, out ? out : "", log.n, log.msg);
		free(out);
	}
	/* the warning: count, first offset (after a BOM: counted from the file's start), and line */
	char *out;
	size_t n;
	cs_log log;
	long line = 0;
	const char *bad = "\xef\xbb\xbfline 1\nline 2\r\nline 3 \xff and \xfe\n";
	cs_decode(bad, strlen(bad), GAL_SNIFF_HTML, NULL, 0, &out, &n, &log, NULL);
	CHECK(log.n == 1 &&
	          !strcmp(log.msg, "T: invalid UTF-8: 2 bad byte sequences replaced with U+FFFD, the first at byte 25"),
	      "invalid UTF-8 warning: %s", log.msg);
	free(out);
	int rc = cs_decode(bad, strlen(bad), GAL_SNIFF_HTML, NULL, 1, &out, &n, &log, &line);
	CHECK(rc == GAL_ECHARSET && !out && line == 3 &&
	          !strcmp(log.msg, "invalid UTF-8 at byte 25 (2 invalid sequences in all)"),
	      "--strict: an error at line %ld: %s", line, log.msg);
	rc = cs_decode("ok \xd0\xb0", 5, GAL_SNIFF_HTML, NULL, 1, &out, &n, &log, NULL);
	CHECK(rc == 0 && out && !strcmp(out, "ok \xd0\xb0"), "--strict: valid input passes");
	free(out);
	/* windows-1252: every byte decodes; the five it leaves undefined are C1 controls, which are dropped */
	rc = cs_decode("\x80\x81\x8d\x8f\x90\x9d\x9f\xff", 8, GAL_SNIFF_HTML, "windows-1252", 1, &out, &n, &log, NULL);
	CHECK(rc == 0 && out && !strcmp(out, "\xe2\x82\xac\xc5\xb8\xc3\xbf") && !log.n,
	      "windows-1252 by table: '%s' %s", out ? out : "", log.msg);
	free(out);
	rc = cs_decode("a\x80\xff", 3, GAL_SNIFF_HTML, "x-user-defined", 0, &out, &n, &log, NULL);
	CHECK(rc == 0 && out && !strcmp(out, "a\xef\x9e\x80\xef\x9f\xbf"), "x-user-defined: '%s'", out ? out : "");
	free(out);
	/* iconv encodings: a truncated sequence at the end is one U+FFFD; UTF-16 errors skip whole code units */
	static const struct {
		const char *label, *in, *want;
		size_t len;
		int bad;
	} legacy[] = {
	    {"shift_jis", "a\x82", "a\xef\xbf\xbd", 2, 1},
	    {"shift_jis", "\x81 b", "\xef\xbf\xbd b", 3, 1},
	    {"gb18030", "\x81\x30\x81", "\xef\xbf\xbd", 3, 1},
	    {"utf-16le",
	     "a\0\0\xd8"
	     "b\0",
	     "a\xef\xbf\xbd"
	     "b",
	     6, 1},
	    {"utf-16le",
	     "a\0\0\xdc"
	     "b\0x",
	     "a\xef\xbf\xbd"
	     "b\xef\xbf\xbd",
	     7, 2},
	    {"utf-16be", "\0a\xd8\x3c\xdf\x27", "a\xf0\x9f\x8c\xa7", 6, 0},
	    {"utf-16be", "\0a\xd8\x3c", "a\xef\xbf\xbd", 4, 1},
	    {"euc-jp", "\xa4\xa2\xa4", "\xe3\x81\x82\xef\xbf\xbd", 3, 1},
	};
	for (size_t i = 0; i < sizeof legacy / sizeof *legacy; i++) {
		rc = cs_decode(legacy[i].in, legacy[i].len, GAL_SNIFF_HTML, legacy[i].label, 0, &out, &n, &log, NULL);
		char want_warn[64];
		snprintf(want_warn, sizeof want_warn, ": %d bad byte sequence", legacy[i].bad);
		CHECK(rc == 0 && out && n == strlen(legacy[i].want) && !memcmp(out, legacy[i].want, n) &&
		          log.n == (legacy[i].bad > 0) && (!legacy[i].bad || strstr(log.msg, want_warn)),
		      "%s case %zu: '%s' (%s)", legacy[i].label, i, out ? out : "", log.msg);
		free(out);
	}
}

/* Long inputs: the iconv loop's 4096-byte output buffer fills at every alignment of multi-byte characters. */
static void unit_charset_long(void)
{
	static const struct {
		const char *label, *iconv_name, *sample, *invalid;
	} cases[] = {
	    {"utf-16le", "UTF-16LE",
	     "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x8c\xa7"
	     "a",
	     "\x00\xdc"},
	    {"utf-16be", "UTF-16BE",
	     "\xc3\xa9\xe4\xb8\xad\xf0\x9f\x8c\xa7"
	     "a",
	     "\xdc\x00"},
	    {"shift_jis", "CP932", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad", NULL},
	    {"gb18030", "GB18030", "\xe4\xb8\xad\xe6\x96\x87\xf0\x9f\x8c\xa7\xc3\xa9", "\xff"},
	    {"euc-jp", "EUC-JP", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", NULL},
	    {"koi8-r", "KOI8-R", "\xd0\x9f\xd0\xbe\xd0\xb4\xd1\x8a\xd1\x91\xd0\xbc", NULL},
	    {"iso-2022-jp", "ISO-2022-JP", "\xe6\x97\xa5\xe6\x9c\xac abc", NULL},
	    {"big5", "BIG5-HKSCS", "\xe8\x87\xba\xe5\x8c\x97", NULL},
	    {"euc-kr", "CP949", "\xeb\xb6\x80\xec\x82\xb0", NULL},
	};
	for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
		for (int prefix = 0; prefix < 4; prefix++) {
			/* lines of the sample with 0-4 ASCII bytes after it, so that characters straddle every position
			 */
			gal_buf want = GAL_BUF_INIT, enc = GAL_BUF_INIT, want_bad = GAL_BUF_INIT,
			        enc_bad = GAL_BUF_INIT;
			for (int k = 0; k < prefix; k++)
				gal_buf_putc(&want, 'x');
			int ok = 1;
			for (int i = 0; i < 700 && ok; i++) {
				char line[64];
				snprintf(line, sizeof line, "%s%.*s\n", cases[c].sample, i % 5, "aaaa");
				size_t ln;
				char *e = cs_iconv(cases[c].iconv_name, "UTF-8", line, strlen(line), &ln);
				ok = e != NULL;
				if (!e)
					break;
				if (i == 0 && prefix) { /* the prefix, encoded on its own */
					size_t pn;
					char *p = cs_iconv(cases[c].iconv_name, "UTF-8", want.data, want.len, &pn);
					if (p) {
						gal_buf_put(&enc, p, pn);
						gal_buf_put(&enc_bad, p, pn);
						gal_buf_put(&want_bad, want.data, want.len);
					}
					free(p);
				}
				gal_buf_puts(&want, line);
				gal_buf_put(&enc, e, ln);
				gal_buf_puts(&want_bad, line);
				gal_buf_put(&enc_bad, e, ln);
				/* an invalid unit after every 61st line: at many places relative to the buffer */
				if (cases[c].invalid && i % 61 == 60) {
					gal_buf_put(&enc_bad, cases[c].invalid, cases[c].label[0] == 'u' ? 2 : 1);
					gal_buf_puts(&want_bad, fffd);
				}
				free(e);
			}
			char *out;
			size_t n;
			cs_log log;
			int rc =
			    ok ? cs_decode(enc.data, enc.len, GAL_SNIFF_HTML, cases[c].label, 0, &out, &n, &log, NULL)
			       : -1;
			CHECK(rc == 0 && n == want.len && !memcmp(out, want.data, n) && !log.n,
			      "%s, %d bytes (prefix %d): decoded text differs (%zu bytes, want %zu; %s)",
			      cases[c].label, (int)enc.len, prefix, n, want.len, log.msg);
			if (!rc)
				free(out);
			if (cases[c].invalid && ok) {
				rc = cs_decode(enc_bad.data, enc_bad.len, GAL_SNIFF_HTML, cases[c].label, 0, &out, &n,
				               &log, NULL);
				CHECK(rc == 0 && n == want_bad.len && !memcmp(out, want_bad.data, n) && log.n == 1 &&
				          strstr(log.msg, ": 11 bad byte sequences"),
				      "%s with invalid units (prefix %d): %s", cases[c].label, prefix, log.msg);
				if (!rc)
					free(out);
			}
			gal_buf_free(&want);
			gal_buf_free(&enc);
			gal_buf_free(&want_bad);
			gal_buf_free(&enc_bad);
		}
	}
}

/* ------------------------------------------------------------------ encoding */

/* UTF-8 through an encoder, written `chunk` bytes at a time. The encoded bytes (NULL on failure), *rc and err. */
static char *cs_encode(const char *utf8, size_t n, const char *label, gal_encode_mode mode, size_t chunk,
                       size_t *outlen, int *rc, gal_error *err)
{
	gal_sink *buf = gal_sink_new_buffer();
	gal_encoder *e;
	gal_sink *es;
	memset(err, 0, sizeof *err);
	*rc = gal_encoder_new(buf, label, mode, "T", &e, &es, err);
	char *copy = NULL;
	if (!*rc) {
		for (size_t i = 0; i < n; i += chunk)
			gal_sink_write(es, utf8 + i, chunk < n - i ? chunk : n - i);
		*rc = gal_encoder_finish(e, GAL_OK, err);
		gal_encoder_free(e);
		const char *d = gal_sink_data(buf, outlen);
		if (!*rc && (copy = malloc(*outlen + 1)))
			memcpy(copy, d, *outlen);
		else
			CHECK(*outlen == 0, "a failed conversion writes nothing (%zu bytes written)", *outlen);
	}
	gal_sink_free(buf);
	return copy;
}

static void unit_charset_encode(void)
{
	static const size_t chunks[] = {1, 2, 3, 5, 7, 4095, 4096, 4097, 1u << 20};
	/* Japanese to Shift_JIS, cut anywhere: what iconv makes of the whole */
	gal_buf ja = GAL_BUF_INIT;
	for (int i = 0; i < 900; i++)
		gal_buf_printf(&ja, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e%.*s\xe3\x81\xae\n", i % 4, "abc");
	size_t wn;
	char *want = cs_iconv("CP932", "UTF-8", ja.data, ja.len, &wn);
	for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		size_t n;
		int rc;
		gal_error err;
		char *got = cs_encode(ja.data, ja.len, "shift_jis", GAL_ENCODE_STRICT, chunks[i], &n, &rc, &err);
		CHECK(got && want && n == wn && !memcmp(got, want, n), "Shift_JIS in writes of %zu bytes (%d): %s",
		      chunks[i], rc, err.message);
		free(got);
	}
	free(want);
	/* ISO-2022-JP is stateful: the encoder's end returns it to ASCII, so it reads back whole */
	gal_buf_puts(&ja, "\xe6\x97\xa5\xe6\x9c\xac"); /* no newline after the last kanji */
	size_t n, bn;
	int rc;
	gal_error err;
	char *got = cs_encode(ja.data, ja.len, "iso-2022-jp", GAL_ENCODE_STRICT, 3, &n, &rc, &err);
	char *back = got ? cs_iconv("UTF-8", "ISO-2022-JP", got, n, &bn) : NULL;
	CHECK(back && bn == ja.len && !memcmp(back, ja.data, bn) && n >= 3 && !memcmp(got + n - 3, "\x1b(B", 3),
	      "ISO-2022-JP ends in ASCII and reads back (%d): %s", rc, err.message);
	free(got);
	free(back);
	gal_buf_free(&ja);

	/* character references for what ISO-8859-1 cannot hold, cut anywhere */
	const char *mixed = "Caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x8c\xa7 \xe2\x80\x9cq\xe2\x80\x9d \xc3\xbf\n";
	gal_buf in = GAL_BUF_INIT, exp = GAL_BUF_INIT;
	for (int i = 0; i < 700; i++) {
		gal_buf_puts(&in, mixed);
		gal_buf_puts(&exp, "Caf\xe9 &#x4E2D; &#x1F327; &#x201C;q&#x201D; \xff\n");
	}
	for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		got = cs_encode(in.data, in.len, "iso-8859-1", GAL_ENCODE_CHARREF, chunks[i], &n, &rc, &err);
		CHECK(got && n == exp.len && !memcmp(got, exp.data, n),
		      "character references in writes of %zu bytes (%d): %s", chunks[i], rc, err.message);
		free(got);
	}
	/* in UTF-16 the references are UTF-16 too */
	got = cs_encode("a\xe4\xb8\xad", 4, "utf-16le", GAL_ENCODE_CHARREF, 1, &n, &rc, &err);
	CHECK(got && n == 4 && !memcmp(got, "a\0\x2d\x4e", 4), "UTF-16LE holds everything");
	free(got);
	got = cs_encode("\xe4\xb8\xad", 3, "us-ascii", GAL_ENCODE_CHARREF, 2, &n, &rc, &err);
	CHECK(got && n == 8 && !memcmp(got, "&#x4E2D;", 8), "US-ASCII references");
	free(got);
	gal_buf_free(&in);
	gal_buf_free(&exp);

	/* strict: the first character that cannot be written, with its line and column in characters */
	const char *text = "line one\nsecond caf\xc3\xa9\nthird \xe2\x80\x9cquote\xe2\x80\x9d \xe4\xb8\xad\n";
	for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
		got = cs_encode(text, strlen(text), "ISO-8859-1", GAL_ENCODE_STRICT, chunks[i], &n, &rc, &err);
		CHECK(!got && rc == GAL_ECHARSET &&
		          !strcmp(err.message,
		                  "U+201C (\xe2\x80\x9c) at line 3, column 7 of the output cannot be written in "
		                  "ISO-8859-1 (--translit approximates it)"),
		      "strict error in writes of %zu bytes: %s", chunks[i], err.message);
		free(got);
	}
	got = cs_encode("ab\n\xcc\x81", 5, "latin1", GAL_ENCODE_STRICT, 1, &n, &rc, &err);
	CHECK(!got && rc == GAL_ECHARSET &&
	          strstr(err.message, "U+0301 at line 2, column 1 of the output cannot be written in LATIN1"),
	      "a combining mark is named without itself: %s", err.message);
	/* transliteration, with a UTF-8 locale of the conversion's own whatever the process runs with */
	const char *curly = "Caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d \xe2\x80\x98s\xe2\x80\x99 \xe2\x80\x93 \xe2\x80\x94 "
	                    "\xe2\x80\xa6 \xe2\x82\xac \xc5\x92 \xc3\x9f \xe4\xb8\xad\n";
	static const char ascii[] = "Cafe \"q\" 's' - -- ... EUR OE ss ?\n",
	                  latin1[] = "Caf\xe9 \"q\" 's' - -- ... EUR OE \xdf ?\n";
	got = cs_encode(curly, strlen(curly), "ascii", GAL_ENCODE_TRANSLIT, 4, &n, &rc, &err);
	CHECK(got && n == sizeof ascii - 1 && !memcmp(got, ascii, n), "ASCII//TRANSLIT: '%.*s' %s", (int)n,
	      got ? got : "", err.message);
	free(got);
	got = cs_encode(curly, strlen(curly), "ISO-8859-1", GAL_ENCODE_TRANSLIT, 1, &n, &rc, &err);
	CHECK(got && n == sizeof latin1 - 1 && !memcmp(got, latin1, n), "ISO-8859-1//TRANSLIT: '%.*s'", (int)n,
	      got ? got : "");
	free(got);
	/* invalid UTF-8 from a writer (the tree API takes any bytes): named, or '?' */
	got = cs_encode("a\xff"
	                "b",
	                3, "latin1", GAL_ENCODE_STRICT, 1, &n, &rc, &err);
	CHECK(!got && rc == GAL_ECHARSET && !strcmp(err.message, "invalid UTF-8 in the output at line 1, column 2"),
	      "invalid UTF-8 given to the encoder: %s", err.message);
	got = cs_encode("a\xc3", 2, "latin1", GAL_ENCODE_STRICT, 1, &n, &rc, &err);
	CHECK(!got && rc == GAL_ECHARSET && strstr(err.message, "invalid UTF-8"), "a cut character at the end: %s",
	      err.message);
	got = cs_encode("a\xc3"
	                "b\xc3",
	                4, "latin1", GAL_ENCODE_TRANSLIT, 1, &n, &rc, &err);
	CHECK(got && n == 4 && !memcmp(got, "a?b?", 4), "cut characters transliterated as '?': '%.*s'", (int)n,
	      got ? got : "");
	free(got);
	got = cs_encode("x", 1, "x-user-defined", GAL_ENCODE_STRICT, 1, &n, &rc, &err);
	CHECK(!got && rc == GAL_ECHARSET && !strcmp(err.message, "cannot write the character set 'x-user-defined'"),
	      "an encoding nothing writes: %s", err.message);
}

/* ------------------------------------------------------------------ NFC and controls */

static void unit_charset_nfc(void)
{
	/* the quick check never calls a string NFC that is not: every assigned code point on its own and after a
	 * letter */
	size_t bad = 0, checked = 0;
	uint32_t first_bad = 0;
	for (uint32_t cp = 0x300; cp <= 0x10FFFF; cp++) {
		if ((cp >= 0xD800 && cp <= 0xDFFF) || gal_nfc_unsafe(cp))
			continue;
		if (utf8proc_category((utf8proc_int32_t)cp) == UTF8PROC_CATEGORY_CN)
			continue;
		char s[8] = "a";
		int k = gal_utf8_encode(cp, s + 1);
		for (int from = 0; from < 2; from++) {
			utf8proc_uint8_t *nfc = NULL;
			utf8proc_ssize_t r = utf8proc_map((const utf8proc_uint8_t *)s + from, k + 1 - from, &nfc,
			                                  UTF8PROC_STABLE | UTF8PROC_COMPOSE);
			if (r != k + 1 - from || memcmp(nfc, s + from, (size_t)r)) {
				if (!bad++)
					first_bad = cp;
			}
			free(nfc);
		}
		checked++;
	}
	CHECK(bad == 0 && checked > 100000, "NFC quick check: %zu of %zu code points wrongly called NFC (first U+%04X)",
	      bad, checked, (unsigned)first_bad);
	static const uint32_t unsafe[] = {0x301, 0x344, 0x958, 0x212B, 0x2126, 0x1161, 0x11A8, 0x3099, 0x0B3E, 0x0F73};
	for (size_t i = 0; i < sizeof unsafe / sizeof *unsafe; i++)
		CHECK(gal_nfc_unsafe(unsafe[i]), "U+%04X needs normalisation", (unsigned)unsafe[i]);
	static const struct {
		const char *in, *want; /* want NULL: clean already */
		int flags;
	} cases[] = {
	    {"plain ASCII\twith tab\nand newline", NULL, 0},
	    {"a \xc2\x85 b \x01\x02 c", "a b c", GAL_CLEAN_COLLAPSE},
	    {"a \xc2\x85 b", "a  b", 0},
	    {"a\xcc\x81\xcc\xa3 is \xe1\xba\xa1\xcc\x81", "\xe1\xba\xa1\xcc\x81 is \xe1\xba\xa1\xcc\x81", 0},
	    {"\xe1\xba\xa1\xcc\x81 \xd8\xa8\xd9\x91", NULL, 0},
	    {"caf\xc3\xa9 \xe4\xb8\xad \xed\x95\x9c \xd0\xb9", NULL, 0},
	    {"cafe\xcc\x81", "caf\xc3\xa9", 0},
	    {"cafe\xcc\x81", NULL, GAL_CLEAN_KEEP_FORM},
	    {"a\x01"
	     "b\x7f"
	     "c\xc2\x85"
	     "d\xc2\x9f"
	     "e",
	     "abcde", GAL_CLEAN_KEEP_FORM},
	    {"one\r\ntwo\rthree\n", "one\ntwo\nthree\n", 0},
	    {"\xe2\x84\xab\xe2\x84\xa6", "\xc3\x85\xce\xa9", 0},
	    {"\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "\xed\x95\x9c", 0},
	    {"x\r\x01"
	     "e\xcc\x81",
	     "x\n\xc3\xa9", 0},
	    {"\xc2\xa0\xc2\xa9", NULL, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *out = NULL;
		size_t n = 0;
		int r = gal_text_clean(cases[i].in, strlen(cases[i].in), cases[i].flags, &out, &n);
		CHECK(cases[i].want ? r > 0 && out && n == strlen(cases[i].want) && !strcmp(out, cases[i].want)
		                    : r == 0,
		      "clean case %zu: %d '%s'", i, r, out ? out : "");
		free(out);
	}
}

/* Every string of a tree is clean: gal_text_clean has nothing to change. */
static int tree_clean_ok(gal_node *root, const char *what)
{
	int bad = 0;
#define CLEAN(s, keep)                                                                                                 \
	do {                                                                                                           \
		char *t_;                                                                                              \
		size_t n_;                                                                                             \
		if ((s) && gal_text_clean((s), strlen(s), (keep), &t_, &n_) > 0) {                                     \
			if (!bad++)                                                                                    \
				fail("%s: a string of the tree is not clean: '%s'", what, (s));                        \
			free(t_);                                                                                      \
		}                                                                                                      \
	} while (0)
	gal_iter *it = gal_iter_new(root);
	for (gal_event ev; (ev = gal_iter_next(it)) != GAL_EVENT_DONE;) {
		gal_node *n = gal_iter_node(it);
		if (ev != GAL_EVENT_ENTER)
			continue;
		CLEAN(gal_node_literal(n), 0);
		CLEAN(n->s1, n->type == GAL_NODE_LINK || n->type == GAL_NODE_FIGURE ? GAL_CLEAN_KEEP_FORM : 0);
		CLEAN(n->s2, 0);
		CLEAN(n->s3, 0);
		const gal_meta *m = gal_node_meta_const(n);
		if (m) {
			const char *const fields[] = {
			    m->headline, m->deck,     m->dateline_place, m->dateline_date, m->issued,      m->modified,
			    m->section,  m->language, m->source,         m->copyright,     m->abstract,    m->tagline,
			    m->released, m->expires,  m->rights,         m->series,        m->bibliography};
			for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
				CLEAN(fields[i], 0);
			CLEAN(m->id, GAL_CLEAN_KEEP_FORM);
			CLEAN(m->url, GAL_CLEAN_KEEP_FORM);
			for (size_t i = 0; i < m->nbylines; i++) {
				CLEAN(m->bylines[i].name, 0);
				CLEAN(m->bylines[i].title, 0);
			}
			for (size_t i = 0; i < m->keywords.count; i++)
				CLEAN(m->keywords.items[i], 0);
			for (size_t i = 0; i < m->notes.count; i++)
				CLEAN(m->notes.items[i], 0);
			for (size_t i = 0; i < m->nsubjects; i++)
				CLEAN(m->subjects[i].name, 0);
			for (size_t i = 0; i < m->nprops; i++)
				CLEAN(m->props[i].value, 0);
		}
		const gal_docmeta *d = gal_node_docmeta_const(n);
		if (d) {
			CLEAN(d->title, 0);
			CLEAN(d->creator, 0);
			CLEAN(d->date, 0);
			CLEAN(d->language, 0);
		}
		if (n->type == GAL_NODE_TEXT && !n->len && !bad++)
			fail("%s: an empty text node", what);
	}
#undef CLEAN
	gal_iter_free(it);
	return !bad;
}

/* Every fixture, read in process by its reader (HTML, NITF, EPUB), has a clean tree. */
static void charset_clean_tree(const char *root, int depth)
{
	char *names[4096];
	size_t n = sorted_entries(root, names, 4096);
	for (size_t i = 0; i < n; i++) {
		char path[4200], buf[256];
		snprintf(path, sizeof path, "%s/%s", root, names[i]);
		struct stat st;
		const char *input;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if ((input = find_input(path, buf, sizeof buf)) && (!only || strstr(path, only))) {
				char file[4400];
				snprintf(file, sizeof file, "%s/%s", path, input);
				size_t len;
				char *data = read_file(file, &len);
				gal_options opts = GAL_OPTIONS_INIT;
				opts.no_extract = strstr(path, "nfc") != NULL;
				const gal_format *fmt = gal_format_for_path(input);
				gal_node *doc = NULL;
				gal_error err;
				if (data && fmt && gal_read(fmt, data, len, &opts, &doc, &err) == GAL_OK)
					CHECK(tree_clean_ok(doc, path), "%s: the tree is NFC without controls", path);
				gal_node_free(doc);
				free(data);
			} else if (!input && depth < 3)
				charset_clean_tree(path, depth + 1);
		}
		free(names[i]);
	}
}

/* ------------------------------------------------------------------ threads */

typedef struct {
	const char *data;
	size_t len;
	char *out;
	size_t out_len;
	int rc;
} cs_job;

/* Decoding, NFC and transliterated encoding on several threads at once give what one thread gives. */
static void *cs_thread(void *arg)
{
	cs_job *j = arg;
	for (int round = 0; round < 8 && !j->rc; round++) {
		gal_options opts = GAL_OPTIONS_INIT;
		opts.charset.to = "ascii";
		opts.charset.translit = 1;
		gal_node *doc = NULL;
		gal_error err;
		j->rc = gal_read(gal_format_find("html"), j->data, j->len, &opts, &doc, &err);
		gal_sink *s = gal_sink_new_buffer();
		if (!j->rc)
			j->rc = gal_write(gal_format_find("text"), doc, s, &opts, &err);
		size_t n;
		const char *d = gal_sink_data(s, &n);
		if (!j->rc && round == 0 && (j->out = malloc(n + 1))) {
			memcpy(j->out, d, n);
			j->out_len = n;
		} else if (!j->rc && (n != j->out_len || memcmp(d, j->out, n)))
			j->rc = -100;
		gal_sink_free(s);
		gal_node_free(doc);
	}
	return NULL;
}

static void unit_charset_threads(void)
{
	size_t len;
	char *data = read_file("fixtures/charset-cp1252/variants/windows-1252-labelled-iso-8859-1.html", &len);
	if (!data) {
		fail("threads: fixture missing");
		return;
	}
	enum { N = 4 };
	cs_job jobs[N];
	pthread_t t[N];
	for (int i = 0; i < N; i++) {
		jobs[i] = (cs_job){data, len, NULL, 0, 0};
		if (pthread_create(&t[i], NULL, cs_thread, &jobs[i]))
			jobs[i].rc = -200;
	}
	for (int i = 0; i < N; i++)
		if (jobs[i].rc != -200)
			pthread_join(t[i], NULL);
	int same = 1;
	for (int i = 0; i < N; i++)
		same &= jobs[i].rc == 0 && jobs[i].out_len == jobs[0].out_len &&
		        !memcmp(jobs[i].out, jobs[0].out, jobs[0].out_len);
	CHECK(same && jobs[0].out &&
	          strstr(jobs[0].out, "\"We've waited long enough,\" said councillor Renee Angstrom"),
	      "threads: conversions agree and transliterate (%d): %.200s", jobs[0].rc, jobs[0].out ? jobs[0].out : "");
	for (int i = 0; i < N; i++)
		free(jobs[i].out);
	free(data);
}

static void unit_charset(void)
{
	unit_charset_labels();
	unit_charset_sniff();
	unit_charset_decode();
	unit_charset_long();
	unit_charset_encode();
	unit_charset_nfc();
	unit_charset_threads();
	/* EPUB output is UTF-8 by definition: the library refuses another encoding */
	gal_options opts = GAL_OPTIONS_INIT;
	opts.charset.to = "latin1";
	gal_node *doc = gal_node_new(GAL_NODE_DOCUMENT);
	gal_node_append(doc, gal_node_new(GAL_NODE_ARTICLE));
	gal_sink *s = gal_sink_new_buffer();
	gal_error err;
	int rc = gal_write(gal_format_find("epub"), doc, s, &opts, &err);
	size_t n;
	gal_sink_data(s, &n);
	CHECK(rc == GAL_EFORMAT && n == 0 &&
	          !strcmp(err.message, "epub is always UTF-8: it cannot be written in latin1"),
	      "gal_write refuses EPUB in latin1: %s", err.message);
	gal_sink_free(s);
	gal_node_free(doc);
}

/* ------------------------------------------------------------------ the fixture variants */

static void charset_variant(const char *dir, const char *file, const char *txt, size_t txt_len, const char *native,
                            size_t native_len)
{
	char vdir[4300], path[4700], base[256];
	snprintf(vdir, sizeof vdir, "%s/variants", dir);
	snprintf(base, sizeof base, "%.*s", (int)(strrchr(file, '.') - file), file);
	snprintf(path, sizeof path, "%s/%s.args", vdir, base);
	char *args = read_file(path, NULL);
	char *extra[16];
	int nextra = args ? split_args(args, extra, 16) : 0;
	snprintf(path, sizeof path, "%s/%s.stderr", vdir, base);
	size_t want_err_len = 0;
	char *want_err = read_file(path, &want_err_len);
	static const char *const fmts[] = {"text", "native"};
	for (int f = 0; f < 2; f++) {
		const char *want = f ? native : txt;
		size_t want_len = f ? native_len : txt_len;
		if (!want)
			continue;
		const char *pre[] = {"-t", fmts[f], NULL}, *post[] = {file, NULL};
		result r;
		galley_run(vdir, pre, extra, nextra, post, &r);
		int same = r.status == 0 && r.out_len == want_len && !memcmp(r.out, want, want_len);
		if (!same) {
			snprintf(path, sizeof path, "%s/%s.%s.got", vdir, base, fmts[f]);
			write_file(path, r.out, r.out_len);
		}
		CHECK(same, "%s/%s: -t %s differs from the UTF-8 original (exit %d; see %s): %s", vdir, file, fmts[f],
		      r.status, path, r.err);
		CHECK(r.err_len == want_err_len && (!want_err_len || !memcmp(r.err, want_err, want_err_len)),
		      "%s/%s: stderr '%s', want '%s'", vdir, file, r.err, want_err ? want_err : "");
		result_free(&r);
	}
	free(args);
	free(want_err);
}

/* fixtures/<case>/variants/: each file is the case's article in another encoding or with another label */
static void charset_variants(const char *root)
{
	char *names[4096];
	size_t n = sorted_entries(root, names, 4096);
	int cases = 0, folders = 0;
	for (size_t i = 0; i < n; i++) {
		char dir[4096], vdir[4200];
		snprintf(dir, sizeof dir, "%s/%.255s", root, names[i]);
		snprintf(vdir, sizeof vdir, "%s/variants", dir);
		DIR *v = (!only || strstr(dir, only)) ? opendir(vdir) : NULL;
		free(names[i]);
		if (!v)
			continue;
		char *files[256];
		size_t nf = 0;
		for (struct dirent *e; (e = readdir(v)) && nf < 256;)
			if (e->d_name[0] != '.' && !strstr(e->d_name, ".args") && !strstr(e->d_name, ".stderr") &&
			    !strstr(e->d_name, ".got") && strrchr(e->d_name, '.'))
				files[nf++] = strdup(e->d_name);
		closedir(v);
		qsort(files, nf, sizeof *files, cmp_str);
		char path[4400];
		size_t txt_len, native_len;
		snprintf(path, sizeof path, "%s/expected.txt", dir);
		char *txt = read_file(path, &txt_len);
		snprintf(path, sizeof path, "%s/expected.native", dir);
		char *native = read_file(path, &native_len);
		if (!txt)
			fail("%s: variants/ without expected.txt", dir);
		for (size_t k = 0; k < nf; k++) {
			if (txt)
				charset_variant(dir, files[k], txt, txt_len, native, native_len);
			free(files[k]);
		}
		cases += (int)nf;
		folders++;
		free(txt);
		free(native);
	}
	if (folders)
		printf("charset variants: %d files in %d folders, each the same article as its UTF-8 original\n", cases,
		       folders);
	/* a lost variants/ folder must not pass as zero comparisons */
	if (!only)
		CHECK(folders >= 9 && cases >= 77, "charset variants: %d files in %d folders, want at least 77 in 9", cases,
		      folders);
}

/* ------------------------------------------------------------------ command line */

static void charset_cli_tests(void)
{
	char dir[] = "/tmp/galley-charsetXXXXXX";
	if (!mkdtemp(dir)) {
		fail("mkdtemp");
		return;
	}
	char cmd[32768], fx[4096];
	result r;
	const char *g = galley_abs;
	if (!realpath("fixtures", fx)) {
		fail("fixtures folder");
		return;
	}

	SH("'%s' --help", g);
	CHECK(r.status == 0 && strstr(r.out, "--from-charset NAME") && strstr(r.out, "--to-charset NAME") &&
	          strstr(r.out, "--translit") && strstr(r.out, "--strict"),
	      "--help lists the charset options: %s", r.out);
	result_free(&r);
	/* usage errors: exit 2, one line, nothing written */
	SH("printf '<p>x</p>' > a.html; '%s' --from-charset nope a.html", g);
	CHECK(r.status == 2 && r.out_len == 0 &&
	          !strcmp(r.err, "galley: --from-charset: unknown character set 'nope'\n"),
	      "unknown --from-charset (%d): %s", r.status, r.err);
	result_free(&r);
	SH("'%s' --to-charset x-user-defined a.html", g);
	CHECK(r.status == 2 &&
	          !strcmp(r.err, "galley: --to-charset: cannot write the character set 'x-user-defined'\n"),
	      "unwritable --to-charset (%d): %s", r.status, r.err);
	result_free(&r);
	SH("'%s' --to-charset latin1 -o book.epub a.html; echo \" $?\"; test ! -e book.epub && echo none", g);
	CHECK(!strcmp(r.out, " 2\nnone\n") && !strcmp(r.err, "galley: --to-charset: epub output is always UTF-8\n"),
	      "--to-charset with EPUB: %s %s", r.out, r.err);
	result_free(&r);
	SH("SOURCE_DATE_EPOCH=0 '%s' --to-charset UTF-8 -o book.epub a.html && test -s book.epub && echo written", g);
	CHECK(r.status == 0 && !strcmp(r.out, "written\n"), "--to-charset UTF-8 with EPUB is fine: %s", r.err);
	result_free(&r);

	/* --strict: one line with the line and byte offset, nothing written */
	SH("printf '<p>ok</p>\\n<p>caf\\351</p>' > bad.html; '%s' --strict --from-charset utf-8 bad.html -o out.txt; "
	   "echo \" $?\"; test ! -e out.txt && echo none",
	   g);
	CHECK(!strcmp(r.out, " 1\nnone\n") &&
	          !strcmp(r.err, "galley: bad.html:2: HTML: invalid UTF-8 at byte 16 (1 invalid sequence in all)\n"),
	      "--strict: %s %s", r.out, r.err);
	result_free(&r);
	SH("'%s' --from-charset utf-8 bad.html", g);
	CHECK(r.status == 0 && !strcmp(r.out, "ok\n\ncaf\xef\xbf\xbd\n") &&
	          !strcmp(r.err,
	                  "galley: warning: bad.html:2: HTML: invalid UTF-8: 1 bad byte sequence replaced with U+FFFD, "
	                  "the first at byte 16\n"),
	      "without --strict: U+FFFD and a warning: %s %s", r.out, r.err);
	result_free(&r);

	/* an unwritable character: an error naming it and its place, no output anywhere */
	SH("printf '<p>Caf\\303\\251</p><p>\\342\\200\\234Quoted\\342\\200\\235</p>' > q.html; "
	   "'%s' --to-charset ISO-8859-1 q.html; echo \" $?\"; '%s' --to-charset ISO-8859-1 q.html -o q.txt; "
	   "test ! -e q.txt && echo none",
	   g, g);
	CHECK(!strcmp(r.out, " 1\nnone\n") &&
	          !strcmp(r.err,
	                  "galley: text: U+201C (\xe2\x80\x9c) at line 3, column 1 of the output cannot be written in "
	                  "ISO-8859-1 (--translit approximates it)\n"
	                  "galley: text: U+201C (\xe2\x80\x9c) at line 3, column 1 of the output cannot be written in "
	                  "ISO-8859-1 (--translit approximates it)\n"),
	      "unwritable character: %s %s", r.out, r.err);
	result_free(&r);
	SH("'%s' -t md --to-charset ascii q.html", g);
	CHECK(r.status == 1 && r.out_len == 0 &&
	          strstr(r.err, "galley: markdown: U+00E9 (\xc3\xa9) at line 1, column 4"),
	      "Markdown too: %s", r.err);
	result_free(&r);
	/* transliteration needs no locale: CI runs with none, or with LANG=C */
	static const char *const envs[] = {"env -i", "env -i LANG=C", "env -i LC_ALL=C",
	                                   "env -i LC_ALL=POSIX LANG=C.UTF-8"};
	for (size_t i = 0; i < sizeof envs / sizeof *envs; i++) {
		SH("%s '%s' --to-charset ascii --translit q.html", envs[i], g);
		CHECK(r.status == 0 && !strcmp(r.out, "Cafe\n\n\"Quoted\"\n"), "--translit under '%s': '%s' %s",
		      envs[i], r.out, r.err);
		result_free(&r);
	}

	/* round trip: UTF-8 -> ISO-8859-1 -> UTF-8 is the same text (an article that fits in Latin-1) */
	SH("'%s' '%s/charset-latin1/input.html' > a.txt && '%s' --to-charset ISO-8859-1 '%s/charset-latin1/input.html' "
	   "> l1.txt "
	   "&& iconv -f ISO-8859-1 -t UTF-8 l1.txt | cmp - a.txt && ! cmp -s l1.txt a.txt && echo same",
	   g, fx, g, fx);
	CHECK(r.status == 0 && !strcmp(r.out, "same\n"), "Latin-1 round trip: %s %s", r.out, r.err);
	result_free(&r);
	/* and with --translit: only what Latin-1 lacks changes, as iconv approximates it */
	SH("'%s' '%s/charset-cp1252/input.html' > orig.txt && '%s' --to-charset ISO-8859-1 --translit "
	   "'%s/charset-cp1252/input.html' | iconv -f ISO-8859-1 -t UTF-8",
	   g, fx, g, fx);
	size_t orig_len;
	char path[4300];
	snprintf(path, sizeof path, "%s/orig.txt", dir);
	char *orig = read_file(path, &orig_len);
	if (orig) {
		/* what the glibc translit tables make of the characters Latin-1 lacks */
		static const char *const map[][2] = {
		    {"\xe2\x80\x9c", "\""},   {"\xe2\x80\x9d", "\""}, {"\xe2\x80\x98", "'"},   {"\xe2\x80\x99", "'"},
		    {"\xe2\x80\x93", "-"},    {"\xe2\x80\x94", "--"}, {"\xe2\x80\xa6", "..."}, {"\xe2\x82\xac", "EUR"},
		    {"\xe2\x84\xa2", "(TM)"}, {"\xc5\x92", "OE"},     {"\xc5\xa0", "S"},       {"\xc5\xb8", "Y"},
		    {"\xc5\xbd", "Z"},        {"\xe2\x80\xa2", "o"},  {"\xe2\x80\xa0", "+"},   {"\xe2\x80\xb0", "?"}};
		gal_buf want = GAL_BUF_INIT;
		for (size_t i = 0; i < orig_len;) {
			size_t k;
			for (k = 0; k < sizeof map / sizeof *map; k++)
				if (!strncmp(orig + i, map[k][0], strlen(map[k][0])))
					break;
			if (k < sizeof map / sizeof *map) {
				gal_buf_puts(&want, map[k][1]);
				i += strlen(map[k][0]);
			} else
				gal_buf_putc(&want, orig[i++]);
		}
		/* wrapping was decided on the UTF-8 text: compare word by word */
		char *a = gal_collapse_ws(want.data ? want.data : ""), *b = gal_collapse_ws(r.out ? r.out : "");
		CHECK(r.status == 0 && a && b && !strcmp(a, b), "translit round trip:\n--- want\n%s\n--- got\n%s", a,
		      b);
		free(a);
		free(b);
		gal_buf_free(&want);
	} else
		fail("translit round trip: no original");
	free(orig);
	result_free(&r);

	/* NITF in other encodings: valid, and read back to the original's text; ISO-8859-1 holds little of these
	 * articles, so most of their text travels as character references */
	static const struct {
		const char *article, *enc;
	} nitf[] = {{"charset-latin1/input.html", "ISO-8859-1"},    {"charset-latin1/input.html", "us-ascii"},
	            {"charset-latin1/input.html", "utf-16be"},      {"charset-cp1252/input.html", "ISO-8859-1"},
	            {"charset-cp1252/input.html", "windows-1252"},  {"charset-cp1252/input.html", "utf-16"},
	            {"charset-cyrillic/input.html", "ISO-8859-1"},  {"charset-cyrillic/input.html", "koi8-r"},
	            {"charset-japanese/input.html", "ISO-8859-1"},  {"charset-japanese/input.html", "shift_jis"},
	            {"charset-japanese/input.html", "iso-2022-jp"}, {"charset-chinese/input.html", "gb18030"},
	            {"charset-chinese/input.html", "euc-kr"},       {"charset-korean/input.html", "euc-kr"},
	            {"charset-nitf/input.xml", "ISO-8859-1"},       {"charset-nitf/input.xml", "us-ascii"},
	            {"charset-nitf/input.xml", "utf-16le"}};
	for (size_t i = 0; i < sizeof nitf / sizeof *nitf; i++) {
		const char *enc = nitf[i].enc, *art = nitf[i].article;
		SH("'%s' -t nitf --to-charset %s '%s/%s' -o story.xml && '%s' story.xml > via.txt && '%s' '%s/%s' > "
		   "direct.txt "
		   "&& cmp direct.txt via.txt && head -c 120 story.xml | iconv -f %s -t UTF-8 | head -1",
		   g, enc, fx, art, g, g, fx, art, strncmp(enc, "utf-16", 6) ? enc : "UTF-16");
		char decl[128], want[200], what[256];
		gal_charset_xml_name(enc, decl, sizeof decl);
		snprintf(want, sizeof want, "<?xml version=\"1.0\" encoding=\"%s\"?>\n", decl);
		CHECK(r.status == 0 && strstr(r.out, want), "NITF in %s from %s: the same text, declared (%d): %s %s",
		      enc, art, r.status, r.out, r.err);
		result_free(&r);
		snprintf(cmd, sizeof cmd, "%s/story.xml", dir);
		snprintf(what, sizeof what, "NITF in %s from %s", enc, art);
		nitf_validate(what, cmd);
	}
	SH("'%s' -t nitf --to-charset ISO-8859-1 '%s/charset-japanese/input.html' | grep -c '&#x'", g, fx);
	CHECK(r.status == 0 && atoi(r.out) >= 5, "Japanese in ISO-8859-1 NITF is character references: %s", r.out);
	result_free(&r);

	/* UTF-16 without a byte order mark is not binary when the user names it */
	SH("iconv -f UTF-8 -t UTF-16LE '%s/charset-japanese/input.html' > nobom.html; '%s' nobom.html; echo \" $?\"",
	   fx, g);
	CHECK(strstr(r.err, "binary data") && strstr(r.out, " 1\n"), "UTF-16 without a BOM looks binary: %s", r.err);
	result_free(&r);
	SH("'%s' --from-charset utf-16le nobom.html | cmp - '%s/charset-japanese/expected.txt' && echo same", g, fx);
	CHECK(r.status == 0 && !strcmp(r.out, "same\n"), "--from-charset utf-16le reads it: %s %s", r.out, r.err);
	result_free(&r);
	/* -v reports the control characters dropped */
	SH("printf '<p>a\\001b\\033c, in a line long enough not to look binary</p>' > ctl.html; '%s' -v ctl.html", g);
	CHECK(r.status == 0 && !strcmp(r.out, "abc, in a line long enough not to look binary\n") &&
	          strstr(r.err, "galley: warning: ctl.html: HTML: 2 control characters dropped, the first at byte 4\n"),
	      "-v: dropped controls: %s", r.err);
	result_free(&r);

	SH("rm -rf '%s'", dir);
	result_free(&r);
}
