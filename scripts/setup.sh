#!/usr/bin/env bash
# Installs what pasip needs to build, run and test, and only what is missing:
# Debian packages with apt-get, npm packages with `npm ci` from the committed lock file.
# Idempotent: a second run installs nothing and takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libboost-dev liburiparser-dev libsqlite3-dev libpq-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libsodium-dev libssl-dev libqrencode-dev libkainjow-mustache-dev libexpected-dev libstemmer-dev
  libcurl4-openssl-dev python3-aiosmtpd
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-contrib
  chromium fonts-dejavu-core ca-certificates git
)
# `scripts/setup.sh --fuzz` also installs clang and its libFuzzer runtime (make fuzz).
if [ "${1:-}" = "--fuzz" ]; then packages+=(clang libclang-rt-14-dev); fi
# Node.js may come from elsewhere than Debian (a newer build): only ask for it when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installation des paquets Debian manquants : ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# PostgreSQL refuses to run as root: the tests start their throwaway server as this user.
if [ "$(id -u)" -eq 0 ] && ! id pasip-test >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin pasip-test
fi

# npm packages (htmx, CSS, Playwright, axe-core): only when the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.pasip-lock; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.pasip-lock
fi
