#!/usr/bin/env bash
# System libraries that WeasyPrint loads at run time and that no PyPI package ships:
#   Pango (text layout: required) and HarfBuzz-Subset (font subsetting: without it WeasyPrint
#   falls back to fontTools, which is about 4x slower on our variable fonts).
# Installs only what is missing, from Debian's packages, when we are root; otherwise says what to
# install. Idempotent: a second run does nothing.
set -u
need=()
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
have 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
have 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system libraries: ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "${need[@]}" >/dev/null 2>&1; } \
    || echo "warning: could not install ${need[*]}; install them with your package manager" >&2
else
  echo "note: please install ${need[*]} with your package manager (needed by WeasyPrint)" >&2
fi
exit 0
