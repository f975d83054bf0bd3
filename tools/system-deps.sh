#!/usr/bin/env bash
# System libraries that WeasyPrint loads at run time and that no PyPI package ships:
#   Pango (text layout: required) and HarfBuzz-Subset (font subsetting: without it WeasyPrint
#   falls back to fontTools, which is about 4x slower on our variable fonts).
# Installs only what is missing, from Debian's packages, when we are root; otherwise says what to
# install. Idempotent: when nothing is missing it does nothing, not even `apt-get update`.
set -u
need=()
have() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
have 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
have 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system libraries for WeasyPrint: ${need[*]} (apt-get update, then install)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The package lists first: on a fresh machine or container they are empty or out of date, and
  # an install from stale lists fails on versions the mirror no longer has.
  if ! apt-get update -qq >/dev/null; then
    echo "warning: apt-get update failed; trying the install with the lists there are" >&2
  fi
  apt-get install -y -qq "${need[@]}" >/dev/null \
    || echo "warning: could not install ${need[*]}; install them with your package manager" >&2
else
  echo "note: please install ${need[*]} with your package manager (needed by WeasyPrint)," >&2
  echo "      e.g. sudo apt-get update && sudo apt-get install ${need[*]}" >&2
fi
exit 0
