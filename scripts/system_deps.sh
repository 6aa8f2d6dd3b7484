#!/usr/bin/env bash
# Install the Debian packages the console needs, only those that are missing.
#   scripts/system_deps.sh runtime   what the checks read files with at run time (make run):
#                                    Tesseract and its French data (OCR of scans)
#   scripts/system_deps.sh test      the runtime part, plus what the tests need (make test):
#                                    Chromium, poppler-utils, emoji fonts
set -euo pipefail
part=${1:-test}
missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr)
[ -e /usr/share/tesseract-ocr/5/tessdata/fra.traineddata ] || ls /usr/share/tesseract-ocr/*/tessdata/fra.traineddata >/dev/null 2>&1 || missing+=(tesseract-ocr-fra)
if [ "$part" = test ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  # emoji glyphs (check verdict icons) in the headless browser's screenshots
  [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
elif [ "$part" != runtime ]; then
  echo "usage: $0 [runtime|test]" >&2
  exit 2
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installation des paquets Debian manquants : ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
