#!/bin/sh
# charset-fixtures.sh: writes fixtures/charset-*/variants/ from each folder's UTF-8 input with iconv(1): the same
# article in other encodings, with and without labels, with wrong labels. tests/runtest_charset.c reads every
# variant and wants the folder's expected.txt and expected.native from each (and NAME.stderr, or nothing, on
# standard error; NAME.args are extra arguments). Run it from anywhere after changing an input, then commit what it
# wrote. See docs/charsets.md.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# html FOLDER NAME LABEL ENCODING [bom]
#   LABEL replaces the input's <meta charset="utf-8">: a charset value, "http:VALUE" for <meta http-equiv> with a
#   Content-Type, "raw:MARKUP" for markup as given, "-" for nothing. ENCODING is what iconv writes; "bom" starts
#   the file with ENCODING's byte order mark.
html() {
	dir=fixtures/$1/variants
	mkdir -p "$dir"
	case $3 in
	-) sed 's|<meta charset="utf-8">||' ;;
	http:*) sed "s|<meta charset=\"utf-8\">|<meta http-equiv=\"Content-Type\" content=\"text/html; charset=${3#http:}\">|" ;;
	raw:*) sed "s|<meta charset=\"utf-8\">|${3#raw:}|" ;;
	*) sed "s|<meta charset=\"utf-8\">|<meta charset=\"$3\">|" ;;
	esac <"fixtures/$1/input.html" >"$tmp"
	{
		if [ "${5:-}" = bom ]; then printf '\357\273\277' | iconv -f UTF-8 -t "$4"; fi
		iconv -f UTF-8 -t "$4" "$tmp"
	} >"$dir/$2.html"
}

# xml FOLDER NAME DECLARED ENCODING [bom]: the same for XML; DECLARED replaces the declaration's "UTF-8" ("-":
# no declaration at all)
xml() {
	dir=fixtures/$1/variants
	mkdir -p "$dir"
	if [ "$3" = - ]; then
		sed '1{/^<?xml /d}' "fixtures/$1/input.xml"
	else
		sed "1s|encoding=\"UTF-8\"|encoding=\"$3\"|" "fixtures/$1/input.xml"
	fi >"$tmp"
	{
		if [ "${5:-}" = bom ]; then printf '\357\273\277' | iconv -f UTF-8 -t "$4"; fi
		iconv -f UTF-8 -t "$4" "$tmp"
	} >"$dir/$2.xml"
}

# args FOLDER NAME ARGS: extra command-line arguments for one variant
args() { printf '%s\n' "$3" >"fixtures/$1/variants/$2.args"; }
# warns FOLDER NAME FILE-EXTENSION MESSAGE: the warning a variant must give
warns() { printf 'galley: warning: %s.%s: %s\n' "$2" "$3" "$4" >"fixtures/$1/variants/$2.stderr"; }

rm -rf fixtures/charset-*/variants

# Latin, the repertoire ISO-8859-1 and ISO-8859-15 share
f=charset-latin1
html $f utf8-unlabelled - UTF-8
html $f utf8-bom utf-8 UTF-8 bom
html $f utf16le-bom utf-16 UTF-16LE bom
html $f utf16be-bom utf-16be UTF-16BE bom
html $f iso-8859-1 iso-8859-1 ISO-8859-1
html $f iso-8859-1-http-equiv http:ISO-8859-1 ISO-8859-1
html $f iso-8859-1-unlabelled - ISO-8859-1
html $f iso-8859-1-from-charset - ISO-8859-1
args $f iso-8859-1-from-charset "--from-charset latin1"
html $f iso-8859-1-override-wrong-label koi8-r ISO-8859-1
args $f iso-8859-1-override-wrong-label "--from-charset iso-8859-1"
html $f iso-8859-1-labelled-x-user-defined x-user-defined ISO-8859-1
html $f iso-8859-15 iso-8859-15 ISO-8859-15
html $f windows-1252 windows-1252 CP1252
# wrong labels a browser (or galley) sees through
html $f utf8-labelled-iso-8859-1 iso-8859-1 UTF-8
warns $f utf8-labelled-iso-8859-1 html "HTML: declared iso-8859-1, but the bytes are UTF-8"
html $f utf8-labelled-utf-16 utf-16 UTF-8
html $f utf8-bom-labelled-windows-1251 windows-1251 UTF-8 bom
html $f utf16le-bom-labelled-iso-8859-1 iso-8859-1 UTF-16LE bom

# windows-1252: curly quotes, dashes, the euro sign, as wire feeds send them under a Latin-1 label
f=charset-cp1252
html $f utf8-bom utf-8 UTF-8 bom
html $f utf16le-bom utf-16le UTF-16LE bom
html $f utf16be-bom utf-16be UTF-16BE bom
html $f windows-1252 windows-1252 CP1252
html $f windows-1252-labelled-iso-8859-1 iso-8859-1 CP1252
html $f windows-1252-labelled-us-ascii us-ascii CP1252
html $f windows-1252-labelled-latin1-http-equiv http:latin1 CP1252
html $f windows-1252-unlabelled - CP1252
html $f windows-1252-from-charset - CP1252
args $f windows-1252-from-charset "--from-charset cp1252"
html $f windows-1252-meta-in-comment 'raw:<!-- <meta charset="koi8-r"> --><meta charset="windows-1252">' CP1252
html $f windows-1252-meta-in-attribute 'raw:<link title="<meta charset=koi8-r>"><meta charset="windows-1252">' CP1252
html $f windows-1252-content-without-pragma \
	'raw:<meta name="x-encoding-note" content="charset=koi8-r"><meta charset="windows-1252">' CP1252
html $f windows-1252-unknown-label-first 'raw:<meta charset="no-such-label"><META CHARSET=WINDOWS-1252>' CP1252
html $f windows-1252-pragma-after-content \
	"raw:<meta content=\"text/html; charset='windows-1252'\" http-equiv=\"content-type\">" CP1252
html $f utf8-labelled-windows-1252 windows-1252 UTF-8
warns $f utf8-labelled-windows-1252 html "HTML: declared windows-1252, but the bytes are UTF-8"

# ISO-8859-15's own letters (euro sign, Œ, Š, Ž, Ÿ), also in windows-1252
f=charset-latin9
html $f iso-8859-15 iso-8859-15 ISO-8859-15
html $f iso-8859-15-l9 l9 ISO-8859-15
html $f iso-8859-15-from-charset-iconv-name - ISO-8859-15
args $f iso-8859-15-from-charset-iconv-name "--from-charset LATIN-9"
html $f windows-1252 windows-1252 CP1252
html $f utf16be-bom utf-16be UTF-16BE bom

# Cyrillic
f=charset-cyrillic
html $f koi8-r koi8-r KOI8-R
html $f koi8-r-http-equiv http:KOI8-R KOI8-R
html $f koi8-r-from-charset - KOI8-R
args $f koi8-r-from-charset "--from-charset koi8-r"
html $f koi8-r-override-wrong-label windows-1251 KOI8-R
args $f koi8-r-override-wrong-label "--from-charset koi8-r"
html $f koi8-u koi8-u KOI8-U
html $f windows-1251 windows-1251 CP1251
html $f iso-8859-5 iso-8859-5 ISO-8859-5
html $f ibm866 ibm866 IBM866
html $f x-mac-cyrillic x-mac-cyrillic MAC-CYRILLIC
html $f utf16le-bom utf-16 UTF-16LE bom

# Japanese: browsers' Shift_JIS is Microsoft's (CP932), which keeps ASCII as ASCII
f=charset-japanese
html $f shift_jis shift_jis CP932
html $f shift_jis-windows-31j windows-31j CP932
html $f shift_jis-from-charset - CP932
args $f shift_jis-from-charset "--from-charset sjis"
html $f euc-jp euc-jp EUC-JP
html $f iso-2022-jp iso-2022-jp ISO-2022-JP
html $f utf16be-bom utf-16be UTF-16BE bom

# Chinese: GB18030 (with a four-byte sequence), read the same under the GBK and GB2312 labels; Big5
f=charset-chinese
html $f gb18030 gb18030 GB18030
html $f gb18030-labelled-gbk gbk GB18030
html $f gb18030-labelled-gb2312 gb2312 GB18030
html $f gb18030-from-charset - GB18030
args $f gb18030-from-charset "--from-charset gb18030"
html $f utf16le-bom utf-16 UTF-16LE bom
f=charset-big5
html $f big5 big5 BIG5-HKSCS
html $f big5-hkscs big5-hkscs BIG5-HKSCS
html $f big5-from-charset - BIG5-HKSCS
args $f big5-from-charset "--from-charset big5"
html $f utf16be-bom utf-16be UTF-16BE bom

# Korean
f=charset-korean
html $f euc-kr euc-kr CP949
html $f euc-kr-ks_c_5601-1987 ks_c_5601-1987 CP949
html $f euc-kr-windows-949 windows-949 CP949
html $f euc-kr-from-charset - CP949
args $f euc-kr-from-charset "--from-charset euc-kr"
html $f utf16le-bom utf-16le UTF-16LE bom

# NITF (XML rules: byte order mark, UTF-16 signature, declaration, UTF-8)
f=charset-nitf
xml $f windows-1252 windows-1252 CP1252
xml $f windows-1252-declared-iso-8859-1 ISO-8859-1 CP1252
xml $f utf16le-bom UTF-16 UTF-16LE bom
xml $f utf16be-bom UTF-16 UTF-16BE bom
xml $f utf16le-no-bom UTF-16 UTF-16LE
xml $f utf16be-no-bom UTF-16 UTF-16BE
xml $f utf8-bom UTF-8 UTF-8 bom
xml $f utf8-declared-iso-8859-1 ISO-8859-1 UTF-8
warns $f utf8-declared-iso-8859-1 xml "NITF: declared ISO-8859-1, but the bytes are UTF-8"
xml $f utf8-bom-declared-koi8-r KOI8-R UTF-8 bom
xml $f no-declaration-from-charset - CP1252
args $f no-declaration-from-charset "--from-charset windows-1252"
# everything outside ASCII as character references
sed '1s|encoding="UTF-8"|encoding="US-ASCII"|' fixtures/$f/input.xml |
	perl -CS -pe 's/([^\x00-\x7f])/sprintf("&#x%X;", ord($1))/ge' >fixtures/$f/variants/us-ascii-charrefs.xml
