#!/usr/bin/env bash
# Regenerate the committed raster icons from resources/icons/accessdesk.svg (needs ImageMagick).
# The PNG/ICO files are committed so that building the bundle needs no image tools.
set -euo pipefail
cd "$(dirname "$0")/.."
svg=resources/icons/accessdesk.svg
convert -background none -density 384 "$svg" -resize 256x256 resources/icons/accessdesk-256.png
convert -background none -density 384 "$svg" -resize 48x48 resources/icons/accessdesk-48.png
convert -background none -density 384 "$svg" -define icon:auto-resize=256,64,48,32,16 \
    installer/accessdesk.ico
