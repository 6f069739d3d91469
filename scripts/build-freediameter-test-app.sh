#!/usr/bin/env bash
# Builds freeDiameter's test_app extension (the request generator / answering server that Debian does
# not package) from Debian's own freediameter source package, so that it loads into the installed
# freeDiameterd, and installs it at a fixed path outside the repository. Recipe and reasons:
# shared/specs/freediameter-peer.md. Does nothing when the extension is already there.
#
#   FD_TEST_APP   where to install it (default /var/cache/diamond/test_app.fdx; the tests read the same)
#   FD_BUILD_DIR  scratch directory to build in (default: a fresh mktemp dir, removed afterwards)
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

dest="${FD_TEST_APP:-/var/cache/diamond/test_app.fdx}"
if [ -s "$dest" ]; then
  echo "test_app: $dest already built"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "test_app: needs root (apt-get); run as root or build by hand (see shared/specs/freediameter-peer.md)" >&2
  exit 1
fi
started=$(date +%s)

# 1. A deb-src entry for bookworm main on the machine's own mirror (only when none exists yet).
src_list=/etc/apt/sources.list.d/debian-src.sources
if ! grep -rqs '^Types:.*deb-src' /etc/apt/sources.list.d/ && ! grep -qs '^deb-src ' /etc/apt/sources.list; then
  uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  if [ -z "$uri" ]; then
    echo "test_app: found no Debian mirror in the apt sources to add a deb-src entry for" >&2
    exit 1
  fi
  printf 'Types: deb-src\nURIs: %s\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" >"$src_list"
  echo "test_app: added $src_list ($uri)"
fi

# 2. The daemon, its extensions and the build dependencies (apt-get skips what is installed).
apt-get update -qq
apt-get install -y -qq --no-install-recommends freediameterd freediameter-extensions \
  dpkg-dev cmake make gcc g++ libsctp-dev bison flex libidn11-dev libgcrypt20-dev libgnutls28-dev pkg-config >/dev/null

# 3. The source of the very version that is installed, so the extension matches the daemon's ABI.
scratch="${FD_BUILD_DIR:-}"
if [ -z "$scratch" ]; then
  scratch=$(mktemp -d /tmp/diamond-fd-build.XXXXXX)
  trap 'rm -rf "$scratch"' EXIT
fi
mkdir -p "$scratch"
cd "$scratch"
version=$(dpkg-query -W -f='${source:Version}' freediameterd)
echo "test_app: fetching freediameter $version source into $scratch"
apt-get source -qq "freediameter=$version" >/dev/null 2>&1 || apt-get source -qq freediameter >/dev/null
srcdir=$(find . -maxdepth 1 -type d -name 'freediameter-*' | head -n1)
[ -n "$srcdir" ] || { echo "test_app: apt-get source produced no freediameter-* directory" >&2; exit 1; }

# 4. Configure with test_app enabled and build that target only.
mkdir -p "$srcdir/build"
cd "$srcdir/build"
cmake .. -DBUILD_TEST_APP=ON -DDEFAULT_CONF_PATH=/etc/freeDiameter -DCMAKE_BUILD_TYPE=RelWithDebInfo >cmake.log 2>&1 \
  || { tail -n 40 cmake.log >&2; exit 1; }
make -j"$(nproc)" test_app >make.log 2>&1 || { tail -n 40 make.log >&2; exit 1; }
[ -s extensions/test_app.fdx ] || { echo "test_app: build finished without extensions/test_app.fdx" >&2; exit 1; }

# 5. Install atomically (a half-written .fdx must never look built).
mkdir -p "$(dirname "$dest")"
install -m 0644 extensions/test_app.fdx "$dest.tmp.$$"
mv -f "$dest.tmp.$$" "$dest"
echo "test_app: installed $dest (built in $(($(date +%s) - started)) s)"
