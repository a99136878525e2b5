/*
 * parseonly.c: the practical ceiling for any libxml2-based converter (bench/run builds and runs it).
 *
 *   parseonly [-x] [-r ROUNDS] FILE...
 *
 * For every file: reads it from disk, parses it with libxml2 (HTML parser; with -x the XML parser, as galley reads
 * NITF: no network, no entity substitution, no DTD loading) and frees the tree. Nothing else. galley must do all
 * of that too (plus its own work), so a converter's throughput divided by this program's is at most 1.
 * With -r, the whole list is processed ROUNDS times (for in-process timing without start-up cost).
 * Prints "files bytes" to stdout; exits 1 if a file cannot be read.
 */
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0)
		if ((n += got) == cap) {
			char *bigger = realloc(buf, cap *= 2);
			if (!bigger)
				free(buf);
			buf = bigger;
		}
	fclose(fp);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	int xml = 0, rounds = 1, c;
	while ((c = getopt(argc, argv, "xr:")) != -1) {
		if (c == 'x')
			xml = 1;
		else if (c == 'r' && (rounds = atoi(optarg)) >= 1)
			;
		else {
			fprintf(stderr, "usage: parseonly [-x] [-r ROUNDS] FILE...\n");
			return 2;
		}
	}
	xmlInitParser();
	size_t files = 0, bytes = 0;
	for (int r = 0; r < rounds; r++)
		for (int i = optind; i < argc; i++) {
			size_t len;
			char *data = slurp(argv[i], &len);
			if (!data) {
				fprintf(stderr, "parseonly: cannot read %s\n", argv[i]);
				return 1;
			}
			xmlDocPtr doc = xml ? xmlReadMemory(data, (int)len, NULL, NULL,
							    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
					    : htmlReadMemory(data, (int)len, NULL, NULL,
							     HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
								     HTML_PARSE_NOWARNING | HTML_PARSE_COMPACT);
			xmlFreeDoc(doc);
			free(data);
			files++;
			bytes += len;
		}
	printf("%zu %zu\n", files, bytes);
	return 0;
}
