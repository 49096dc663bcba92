#!/usr/bin/env bash
# Draws the Keywright app icon (a white key on a blue rounded square) with ImageMagick
# and regenerates every size Tauri needs into icons/.
#   scripts/make-icon.sh          # needs ImageMagick (convert) and ui/node_modules
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# Background: diagonal blue gradient clipped to a rounded square with a 64 px margin.
convert -size 1024x1024 xc: -sparse-color barycentric '0,0 #3f78ea 1023,1023 #182a6e' grad.png
convert -size 1024x1024 xc:none -fill white -draw 'roundrectangle 64,64 959,959 210,210' mask.png
convert grad.png mask.png -alpha off -compose CopyOpacity -composite bg.png

# Key: ring bow, shaft, two bits; turned 45 degrees and centred.
convert -size 1024x1024 xc:none \
  -fill none -stroke white -strokewidth 84 -draw 'circle 330,512 330,660' \
  -stroke none -fill white -draw 'roundrectangle 455,478 850,546 12,12' \
  -draw 'roundrectangle 690,520 742,640 10,10' -draw 'roundrectangle 780,520 838,612 10,10' \
  -distort SRT '512,512 1 -45 512,512' -trim +repage \
  -background none -gravity center -extent 1024x1024 key.png
convert key.png \( +clone -background '#0a1440' -shadow 55x16+0+16 \) +swap \
  -background none -layers merge +repage -gravity center -crop 1024x1024+0+0 +repage keysh.png

# PNG32: forces RGBA (Tauri's build panics on a non-RGBA first icon).
convert bg.png keysh.png -gravity center -compose over -composite "PNG32:$root/icons/source.png"

cd "$root/ui"
npx --no-install tauri icon ../icons/source.png -o ../icons
# Desktop only for now: drop the mobile sets `tauri icon` also writes.
rm -rf "$root/icons/android" "$root/icons/ios"
