#!/usr/bin/env bash
# Makes sure the system programs the tests use are installed: installs the missing ones with apt-get when this
# runs as root on Debian/Ubuntu, otherwise stops at once naming what is missing and how to install it.
# Each line of REQUIRED: <command> <Debian package>.
set -euo pipefail

REQUIRED=(
  "redis-server redis-server"
  "prometheus prometheus"
  "amtool prometheus-alertmanager"
  "prometheus-alertmanager prometheus-alertmanager"
  "dnsmasq dnsmasq-base"
  "openssl openssl"
  "curl curl"
  "prometheus-blackbox-exporter prometheus-blackbox-exporter"
  "chromium chromium"
)

missing_packages=()
missing_commands=()
for entry in "${REQUIRED[@]+"${REQUIRED[@]}"}"; do
  read -r cmd pkg <<<"$entry"
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ] && [ ! -x "/usr/bin/$cmd" ]; then
    missing_commands+=("$cmd")
    missing_packages+=("$pkg")
  fi
done

if [ ${#missing_packages[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "provision: installing ${missing_packages[*]} (for ${missing_commands[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
  exit 0
fi

echo "provision: the tests need ${missing_commands[*]}, which are not installed." >&2
echo "Install them with: sudo apt-get install -y ${missing_packages[*]}" >&2
exit 1
