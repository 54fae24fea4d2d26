#!/usr/bin/env bash
# build-corpus.sh - regenerate the demo corpus in examples/corpus from Debian packages.
#
# This script records exactly how the committed corpus was produced. It is NOT run by CI
# or by the demo: the generated .txt files are committed. Run it on Debian 12 (bookworm)
# as root after installing the packages listed in PACKAGES (pass --install to do that).
#
#   bash examples/corpus/build-corpus.sh [--install]
#
# For every entry in the SOURCES table below it:
#   1. finds the Debian package that owns the path (dpkg -S) and its version (dpkg-query);
#   2. checks the licence evidence for the entry (a string that must appear in the
#      package's /usr/share/doc/<pkg>/copyright, in the raw source, or in the rendered page);
#   3. renders man pages to plain UTF-8 text (man -l | col -bx, 100 columns), or reads
#      plain text / source files as they are (gunzip first when the name ends in .gz);
#   4. cleans the text (see clean_text below): strict UTF-8, no NUL or other control
#      characters except tab and newline, trailing blanks removed, runs of blank lines
#      squeezed, e-mail addresses replaced by "[email removed]", and cut at a line
#      boundary to at most MAX_BYTES;
#   5. writes <dir>/<name>.txt and a row of SOURCES.md.
# It stops with an error when a path is missing, a licence check fails, a text is not
# valid UTF-8, a result is smaller than MIN_BYTES, or two entries produce the same text.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${HERE}"
MAX_BYTES=39000
MIN_BYTES=2048
PY=/usr/bin/python3

PACKAGES=(
  man-db groff-base bsdextrautils
  manpages-de manpages-fr manpages-es manpages-ru manpages-ja manpages-zh
  manpages-pl manpages-it manpages-pt-br manpages-uk
  git dpkg dpkg-dev grep sed tar gzip xz-utils psmisc ucf
  libpython3.11-minimal libpython3.11-stdlib
  zlib1g-dev liblzma-dev libexpat1-dev nettle-dev libpng-dev
  libjs-sphinxdoc
)

if [[ "${1:-}" == "--install" ]]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}"
fi

# SOURCES table: dir | output name | source path | kind (man|text) | licence | evidence
# evidence is one of
#   copyright:<string>  the string appears in /usr/share/doc/<pkg>/copyright
#   page:<string>       the string appears in the rendered text (licence stated in the page)
#   src:<string>        the string appears in the raw source file
# Translations from manpages-l10n (manpages-de/fr/es/ru/pl/it/pt-br/uk) are GPL-3+ as a
# whole per their copyright files. manpages-ja says each translated page carries the
# licence of the original, so only pages whose licence is stated in the page are used.
SOURCES=$(cat <<'EOF'
en|git-relnotes-2.39.0|/usr/share/doc/git/RelNotes/2.39.0.txt|text|GPL-2|copyright:License: GPL-2
en|git-relnotes-2.38.0|/usr/share/doc/git/RelNotes/2.38.0.txt|text|GPL-2|copyright:License: GPL-2
en|git-relnotes-2.37.0|/usr/share/doc/git/RelNotes/2.37.0.txt|text|GPL-2|copyright:License: GPL-2
en|git-relnotes-2.36.0|/usr/share/doc/git/RelNotes/2.36.0.txt|text|GPL-2|copyright:License: GPL-2
en|dpkg-spec-triggers|/usr/share/doc/dpkg/spec/triggers.txt|text|GPL-2+|copyright:License: GPL-2+
en|grep.1|/usr/share/man/man1/grep.1.gz|man|GPL-3+|copyright:License: GPL-3+
en|sed.1|/usr/share/man/man1/sed.1.gz|man|GPL-3+|copyright:License: GPL-3+
de|grep.1|/usr/share/man/de/man1/grep.1.gz|man|GPL-3+|copyright:License: GPL-3+
de|sed.1|/usr/share/man/de/man1/sed.1.gz|man|GPL-3+|copyright:License: GPL-3+
de|gzip.1|/usr/share/man/de/man1/gzip.1.gz|man|GPL-3+|copyright:License: GPL-3+
de|ls.1|/usr/share/man/de/man1/ls.1.gz|man|GPL-3+|copyright:License: GPL-3+
de|make.1|/usr/share/man/de/man1/make.1.gz|man|GPL-3+|copyright:License: GPL-3+
fr|grep.1|/usr/share/man/fr/man1/grep.1.gz|man|GPL-3+|copyright:License: GPL-3+
fr|sed.1|/usr/share/man/fr/man1/sed.1.gz|man|GPL-3+|copyright:License: GPL-3+
fr|diff.1|/usr/share/man/fr/man1/diff.1.gz|man|GPL-3+|copyright:License: GPL-3+
fr|ls.1|/usr/share/man/fr/man1/ls.1.gz|man|GPL-3+|copyright:License: GPL-3+
fr|date.1|/usr/share/man/fr/man1/date.1.gz|man|GPL-3+|copyright:License: GPL-3+
fr|time.1|/usr/share/man/fr/man1/time.1.gz|man|GPL-3+|copyright:License: GPL-3+
fr|du.1|/usr/share/man/fr/man1/du.1.gz|man|GPL-3+|copyright:License: GPL-3+
es|grep.1|/usr/share/man/es/man1/grep.1.gz|man|GPL-3+|copyright:License: GPL-3+
es|make.1|/usr/share/man/es/man1/make.1.gz|man|GPL-3+|copyright:License: GPL-3+
es|ls.1|/usr/share/man/es/man1/ls.1.gz|man|GPL-3+|copyright:License: GPL-3+
es|date.1|/usr/share/man/es/man1/date.1.gz|man|GPL-3+|copyright:License: GPL-3+
es|chmod.1|/usr/share/man/es/man1/chmod.1.gz|man|GPL-3+|copyright:License: GPL-3+
es|time.1|/usr/share/man/es/man1/time.1.gz|man|GPL-3+|copyright:License: GPL-3+
es|apropos.1|/usr/share/man/es/man1/apropos.1.gz|man|GPL-2+|copyright:License: GPL-2+
ru|man.1|/usr/share/man/ru/man1/man.1.gz|man|GPL-2+|copyright:License: GPL-2+
ru|ls.1|/usr/share/man/ru/man1/ls.1.gz|man|GPL-3+|copyright:License: GPL-3+
ru|fuser.1|/usr/share/man/ru/man1/fuser.1.gz|man|GPL-2+|copyright:License: GPL-2+
ru|apropos.1|/usr/share/man/ru/man1/apropos.1.gz|man|GPL-2+|copyright:License: GPL-2+
ru|whatis.1|/usr/share/man/ru/man1/whatis.1.gz|man|GPL-2+|copyright:License: GPL-2+
ru|pstree.1|/usr/share/man/ru/man1/pstree.1.gz|man|GPL-2+|copyright:License: GPL-2+
ja|tar.1|/usr/share/man/ja/man1/tar.1.gz|man|GPL-3+|src:either version 3 of the License, or
ja|ls.1|/usr/share/man/ja/man1/ls.1.gz|man|GPL-3+|page:GPLv3+
ja|sort.1|/usr/share/man/ja/man1/sort.1.gz|man|GPL-3+|page:GPLv3+
ja|date.1|/usr/share/man/ja/man1/date.1.gz|man|GPL-3+|page:GPLv3+
ja|chmod.1|/usr/share/man/ja/man1/chmod.1.gz|man|GPL-3+|page:GPLv3+
ja|du.1|/usr/share/man/ja/man1/du.1.gz|man|GPL-3+|page:GPLv3+
ja|df.1|/usr/share/man/ja/man1/df.1.gz|man|GPL-3+|page:GPLv3+
ja|apropos.1|/usr/share/man/ja/man1/apropos.1.gz|man|GPL-2+|copyright:License: GPL-2+
zh|grep.1|/usr/share/man/zh_CN/man1/grep.1.gz|man|GFDL-1.2+|copyright:License: GFDL-1.2+
zh|find.1|/usr/share/man/zh_CN/man1/find.1.gz|man|GFDL-1.2+|copyright:License: GFDL-1.2+
zh|tar.1|/usr/share/man/zh_CN/man1/tar.1.gz|man|GFDL-1.2+|copyright:License: GFDL-1.2+
zh|gzip.1|/usr/share/man/zh_CN/man1/gzip.1.gz|man|GFDL-1.2+|copyright:License: GFDL-1.2+
zh|diff.1|/usr/share/man/zh_CN/man1/diff.1.gz|man|GFDL-1.2+|copyright:License: GFDL-1.2+
zh|ls.1|/usr/share/man/zh_CN/man1/ls.1.gz|man|GFDL-1.2+|copyright:License: GFDL-1.2+
zh|sed.1|/usr/share/man/zh_CN/man1/sed.1.gz|man|GFDL-1.2+|copyright:License: GFDL-1.2+
pl|grep.1|/usr/share/man/pl/man1/grep.1.gz|man|GPL-3+|copyright:License: GPL-3+
pl|sed.1|/usr/share/man/pl/man1/sed.1.gz|man|GPL-3+|copyright:License: GPL-3+
pl|make.1|/usr/share/man/pl/man1/make.1.gz|man|GPL-3+|copyright:License: GPL-3+
pl|gzip.1|/usr/share/man/pl/man1/gzip.1.gz|man|GPL-3+|copyright:License: GPL-3+
pl|ls.1|/usr/share/man/pl/man1/ls.1.gz|man|GPL-3+|copyright:License: GPL-3+
it|bash.1|/usr/share/man/it/man1/bash.1.gz|man|GPL-3+|copyright:License: GPL-3+
it|man.1|/usr/share/man/it/man1/man.1.gz|man|GPL-2+|copyright:License: GPL-2+
it|time.1|/usr/share/man/it/man1/time.1.gz|man|GPL-3+|copyright:License: GPL-3+
it|apropos.1|/usr/share/man/it/man1/apropos.1.gz|man|GPL-2+|copyright:License: GPL-2+
pt|grep.1.pt_BR|/usr/share/man/pt_BR/man1/grep.1.gz|man|GPL-3+|copyright:License: GPL-3+
pt|ls.1.pt_BR|/usr/share/man/pt_BR/man1/ls.1.gz|man|GPL-3+|copyright:License: GPL-3+
pt|chmod.1.pt_BR|/usr/share/man/pt_BR/man1/chmod.1.gz|man|GPL-3+|copyright:License: GPL-3+
pt|man.1.pt_PT|/usr/share/man/pt/man1/man.1.gz|man|GPL-2+|copyright:License: GPL-2+
uk|grep.1|/usr/share/man/uk/man1/grep.1.gz|man|GPL-3+|copyright:License: GPL-3+
uk|diff.1|/usr/share/man/uk/man1/diff.1.gz|man|GPL-3+|copyright:License: GPL-3+
uk|ls.1|/usr/share/man/uk/man1/ls.1.gz|man|GPL-3+|copyright:License: GPL-3+
uk|date.1|/usr/share/man/uk/man1/date.1.gz|man|GPL-3+|copyright:License: GPL-3+
uk|sort.1|/usr/share/man/uk/man1/sort.1.gz|man|GPL-3+|copyright:License: GPL-3+
uk|fuser.1|/usr/share/man/uk/man1/fuser.1.gz|man|GPL-2+|copyright:License: GPL-2+
ko|man.1|/usr/share/man/ko/man1/man.1.gz|man|GPL-2+|copyright:License: GPL-2+
ko|xz.1|/usr/share/man/ko/man1/xz.1.gz|man|public-domain|copyright:License: PD
ko|fuser.1|/usr/share/man/ko/man1/fuser.1.gz|man|GPL-2+|copyright:License: GPL-2+
ko|apropos.1|/usr/share/man/ko/man1/apropos.1.gz|man|GPL-2+|copyright:License: GPL-2+
python|textwrap.py|/usr/lib/python3.11/textwrap.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
python|shlex.py|/usr/lib/python3.11/shlex.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
python|heapq.py|/usr/lib/python3.11/heapq.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
python|json-decoder.py|/usr/lib/python3.11/json/decoder.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
python|json-encoder.py|/usr/lib/python3.11/json/encoder.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
python|string.py|/usr/lib/python3.11/string.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
python|graphlib.py|/usr/lib/python3.11/graphlib.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
python|fnmatch.py|/usr/lib/python3.11/fnmatch.py|text|PSF-2.0|copyright:PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2
c|zlib-zpipe.c|/usr/share/doc/zlib1g-dev/examples/zpipe.c|text|Zlib|copyright:License: Zlib
c|zlib-gzappend.c|/usr/share/doc/zlib1g-dev/examples/gzappend.c|text|Zlib|copyright:License: Zlib
c|zlib-zran.c|/usr/share/doc/zlib1g-dev/examples/zran.c|text|Zlib|copyright:License: Zlib
c|liblzma-01_compress_easy.c|/usr/share/doc/liblzma-dev/examples/01_compress_easy.c|text|public-domain|src:has been put into the public domain
c|liblzma-02_decompress.c|/usr/share/doc/liblzma-dev/examples/02_decompress.c|text|public-domain|src:has been put into the public domain
c|expat-elements.c|/usr/share/doc/libexpat1-dev/examples/elements.c|text|MIT|copyright:License: MIT
c|expat-outline.c|/usr/share/doc/libexpat1-dev/examples/outline.c|text|MIT|copyright:License: MIT
c|nettle-rsa-encrypt.c|/usr/share/doc/nettle-dev/examples/rsa-encrypt.c|text|LGPL-3+ or GPL-2+|copyright:License: LGPL-3+ or GPL-2+
c|nettle-base64enc.c|/usr/share/doc/nettle-dev/examples/base64enc.c|text|LGPL-3+ or GPL-2+|copyright:License: LGPL-3+ or GPL-2+
shell|zgrep.sh|/bin/zgrep|text|GPL-3+|copyright:License: GPL-3+
shell|zdiff.sh|/bin/zdiff|text|GPL-3+|copyright:License: GPL-3+
shell|gzexe.sh|/bin/gzexe|text|GPL-3+|copyright:License: GPL-3+
shell|xzgrep.sh|/usr/bin/xzgrep|text|GPL-2+|src:GNU General Public License
shell|xzdiff.sh|/usr/bin/xzdiff|text|GPL-2+|src:GNU General Public License
shell|ucfr.sh|/usr/bin/ucfr|text|GPL-2|copyright:License: GPL-2
shell|dpkg-maintscript-helper.sh|/usr/bin/dpkg-maintscript-helper|text|GPL-2+|src:either version 2 of the License, or
javascript|sphinx-searchtools.js|/usr/share/javascript/sphinxdoc/1.0/searchtools.js|text|BSD-2-clause|copyright:License: BSD-2-clause
javascript|sphinx-doctools.js|/usr/share/javascript/sphinxdoc/1.0/doctools.js|text|BSD-2-clause|copyright:License: BSD-2-clause
javascript|sphinx-highlight.js|/usr/share/javascript/sphinxdoc/1.0/sphinx_highlight.js|text|BSD-2-clause|copyright:License: BSD-2-clause
javascript|gitweb.js|/usr/share/gitweb/static/gitweb.js|text|GPL-2+|copyright:Files: gitweb/static/js/*
EOF
)

# Licence texts shipped beside the corpus (LICENSES/ holds no corpus text).
LICENSE_FILES=(
  "GPL-2|/usr/share/common-licenses/GPL-2"
  "GPL-3|/usr/share/common-licenses/GPL-3"
  "LGPL-3|/usr/share/common-licenses/LGPL-3"
  "GFDL-1.2|/usr/share/common-licenses/GFDL-1.2"
  "python3.11.copyright|/usr/share/doc/libpython3.11-minimal/copyright"
  "zlib1g-dev.copyright|/usr/share/doc/zlib1g-dev/copyright"
  "libexpat1-dev.copyright|/usr/share/doc/libexpat1-dev/copyright"
  "libjs-sphinxdoc.copyright|/usr/share/doc/libjs-sphinxdoc/copyright"
)

# Renders one man page to plain UTF-8 text, 100 columns, no hyphenation or justification.
# A timeout guards against pages on which troff loops (zh_CN df.1 does, for one).
render_man() {
  LC_ALL=C.UTF-8 MANWIDTH=100 timeout 60 \
    man --no-hyphenation --no-justification -E UTF-8 -l "$1" 2>/dev/null \
    | LC_ALL=C.UTF-8 col -bx
}

read_text() {
  case "$1" in
    *.gz) gzip -dc -- "$1" ;;
    *) cat -- "$1" ;;
  esac
}

# Owning package of a path; with merged /usr, dpkg may know /bin/x rather than /usr/bin/x.
owner_of() {
  local p="$1" line
  line=$(dpkg -S "$p" 2>/dev/null | grep -v '^diversion' | head -n1 || true)
  if [[ -z "$line" && "$p" == /usr/* ]]; then
    line=$(dpkg -S "${p#/usr}" 2>/dev/null | grep -v '^diversion' | head -n1 || true)
  fi
  if [[ -z "$line" && "$p" != /usr/* ]]; then
    line=$(dpkg -S "/usr$p" 2>/dev/null | grep -v '^diversion' | head -n1 || true)
  fi
  [[ -n "$line" ]] || { echo "no package owns $p" >&2; return 1; }
  echo "${line%%:*}"
}

# clean_text OUTFILE: stdin -> cleaned, truncated text; prints "<full bytes> <kept bytes> <sha256>".
# (The helper is written to a file first because stdin carries the text.)
write_clean_helper() {
  cat > "$WORK/clean.py" <<'PYEOF'
import hashlib, re, sys
out, limit = sys.argv[1], int(sys.argv[2])
raw = sys.stdin.buffer.read()
text = raw.decode("utf-8")  # strict: invalid UTF-8 stops the build
text = text.replace("\r\n", "\n")
text = "".join(c for c in text if c in "\n\t" or not (ord(c) < 32 or ord(c) == 127))
text = re.sub(r"[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", "[email removed]", text)
lines = [l.rstrip() for l in text.split("\n")]
text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
data = text.encode("utf-8")
full = len(data)
if full > limit:
    cut = data.rfind(b"\n", 0, limit)
    data = data[: cut + 1]
data.decode("utf-8")
with open(out, "wb") as f:
    f.write(data)
print(full, len(data), hashlib.sha256(data).hexdigest())
PYEOF
}
clean_text() {
  "$PY" "$WORK/clean.py" "$1" "$MAX_BYTES"
}

check_evidence() {
  local evidence="$1" pkg="$2" src="$3" rendered="$4" needle
  needle="${evidence#*:}"
  case "$evidence" in
    copyright:*) grep -qF -- "$needle" "/usr/share/doc/$pkg/copyright" ;;
    page:*) grep -qF -- "$needle" "$rendered" ;;
    src:*) read_text "$src" > "$WORK/raw" && grep -qF -- "$needle" "$WORK/raw" ;;
    *) return 1 ;;
  esac
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROWS="$WORK/rows.tsv"
write_clean_helper
: > "$ROWS"
declare -A SEEN=()

# Start from a clean tree of generated files (only the dirs this script writes).
for d in $(printf '%s\n' "$SOURCES" | cut -d'|' -f1 | sort -u) LICENSES; do
  rm -rf -- "${OUT:?}/$d"
done

while IFS='|' read -r dir name src kind licence evidence; do
  [[ -n "$dir" ]] || continue
  [[ -e "$src" ]] || { echo "missing: $src" >&2; exit 1; }
  pkg=$(owner_of "$src")
  version=$(dpkg-query -W -f='${Version}' "$pkg")
  rendered="$WORK/rendered"
  if [[ "$kind" == man ]]; then render_man "$src" > "$rendered"; else read_text "$src" > "$rendered"; fi
  if ! check_evidence "$evidence" "$pkg" "$src" "$rendered"; then
    echo "licence evidence not found for $src ($pkg): $evidence" >&2; exit 1
  fi
  mkdir -p "$OUT/$dir"
  dest="$OUT/$dir/$name.txt"
  read -r full kept sha < <(clean_text "$dest" < "$rendered")
  if (( kept < MIN_BYTES )); then echo "too small ($kept bytes): $src" >&2; exit 1; fi
  if [[ -n "${SEEN[$sha]:-}" ]]; then echo "duplicate text: $src and ${SEEN[$sha]}" >&2; exit 1; fi
  SEEN[$sha]="$src"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$dir/$name.txt" "$kept" "$full" "$pkg" "$version" "$src" "$kind" "$licence" >> "$ROWS"
  echo "$dir/$name.txt $kept bytes ($pkg $version)"
done <<< "$SOURCES"

mkdir -p "$OUT/LICENSES"
for entry in "${LICENSE_FILES[@]}"; do
  cp -- "${entry#*|}" "$OUT/LICENSES/${entry%%|*}"
done

# Final checks over everything written: valid UTF-8, no NUL byte.
"$PY" - "$OUT" <<'PYEOF'
import pathlib, sys
root = pathlib.Path(sys.argv[1])
for p in sorted(root.glob("*/*.txt")):
    b = p.read_bytes()
    assert b"\x00" not in b, f"NUL byte in {p}"
    b.decode("utf-8")
print("utf-8 check ok")
PYEOF

# SOURCES.md
{
  echo "# Corpus sources"
  echo
  echo "Every file below was produced by \`build-corpus.sh\` from a Debian 12 (bookworm) package."
  echo "Columns: corpus file, its size in bytes, the Debian package and version it came from,"
  echo "the original path, how it was converted, and the licence."
  echo
  echo "Licences were read from \`/usr/share/doc/<package>/copyright\` (or, where the package's"
  echo "copyright file defers to each page, from the licence statement in the page or source itself)."
  echo "All of them permit redistribution: GPL-2, GPL-2+, GPL-3+, LGPL-3+ or GPL-2+, GFDL-1.2+,"
  echo "PSF-2.0, MIT, Zlib, BSD-2-clause, public domain. Full texts: \`LICENSES/\`, and"
  echo "\`/usr/share/common-licenses/\` on Debian."
  echo
  echo "Changes made to every text: man pages rendered to plain text (\`man -l\` at 100 columns,"
  echo "then \`col -bx\`); trailing blanks removed; runs of blank lines squeezed to one; e-mail"
  echo "addresses replaced by \`[email removed]\`; texts longer than $MAX_BYTES bytes cut at a line"
  echo "boundary (the \"full\" column gives the size before the cut)."
  echo
  echo "Translations from manpages-l10n (manpages-de, -fr, -es, -ru, -pl, -it, -pt-br, -uk) are"
  echo "GPL-3+ per those packages' copyright files. The manpages-ja copyright file says each page"
  echo "keeps the licence of its original, so only pages whose own text or source states GPL-3+ were"
  echo "taken. manpages-zh is GFDL-1.2+ (no invariant sections, no cover texts)."
  echo
  echo "| file | bytes | full | package | version | original path | conversion | licence |"
  echo "|---|---:|---:|---|---|---|---|---|"
  while IFS=$'\t' read -r file kept full pkg version src kind licence; do
    if [[ "$kind" == man ]]; then conv="man page rendered to text"; else conv="copied as text"; fi
    echo "| \`$file\` | $kept | $full | $pkg | $version | \`$src\` | $conv | $licence |"
  done < "$ROWS"
} > "$OUT/SOURCES.md"

total=$(awk -F'\t' '{s+=$2} END {print s}' "$ROWS")
count=$(wc -l < "$ROWS")
echo "wrote $count files, $total bytes"
awk -F'\t' '{split($1, a, "/"); s[a[1]]+=$2; n[a[1]]++} END {for (k in s) printf "  %-11s %8d bytes %3d files\n", k, s[k], n[k]}' "$ROWS" | sort
