#!/usr/bin/env bash
# Installs the Debian packages the tests and the local demo use (mosquitto, mosquitto-clients, openssl) when missing.
# Needs root (or sudo) and apt; otherwise prints the exact command and fails.
set -euo pipefail
need=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing ${need[*]} (Debian packages used by the tests and the demo)…" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "apt-get not found: install ${need[*]} with your package manager." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The tests and the demo start their own brokers on free ports: the packaged service is not wanted.
($sudo systemctl disable --now mosquitto >/dev/null 2>&1 || $sudo service mosquitto stop >/dev/null 2>&1) || true
