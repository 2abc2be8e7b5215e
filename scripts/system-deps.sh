#!/usr/bin/env bash
# Debian packages the tests and PDFs need: Chromium for the browser tests (Playwright drives
# /usr/bin/chromium; it cannot download its own browser here), poppler-utils (pdffonts,
# pdftotext), CJK fonts to embed in PDFs, gettext for translations. Installs only what is
# missing, so a prepared machine spends no time here.
set -euo pipefail
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=(chromium poppler-utils fonts-wqy-microhei fonts-arphic-gbsn00lp gettext)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
  echo "Missing Debian packages: ${missing[*]} (install them as root)" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" != 0 ] && SUDO=sudo
echo "Installing Debian packages: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
