"""Make the share cards' fonts (articles/fonts/) from the site's own Sarabun files.

The site serves Sarabun as WOFF2 subsets (static/fonts/: Thai and Latin, regular and
bold). Pillow reads WOFF2 only when its FreeType was built with brotli, so the card
generator reads TrueType files instead: each weight's two subsets decompressed and
merged into one font, so that a title mixing Thai and Latin is laid out in one run.
The glyphs are the same as the pages'; the licence (SIL OFL 1.1) goes with them.

Run it again only when the files in static/fonts/ change:

    .venv/bin/python scripts/make_card_fonts.py

It needs fontTools and brotli (requirements-dev.txt); the site itself does not.
"""

import shutil
import sys
import tempfile
from pathlib import Path

from fontTools.merge import Merger
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "static" / "fonts"
TARGET = ROOT / "articles" / "fonts"
WEIGHTS = {"400": "Sarabun-Regular.ttf", "700": "Sarabun-Bold.ttf"}
SUBSETS = ("latin", "thai")


def make(weight, name, folder):
    parts = []
    for subset in SUBSETS:
        font = TTFont(SOURCE / f"sarabun-{subset}-{weight}-normal.woff2")
        font.flavor = None  # plain TrueType
        part = folder / f"{subset}-{weight}.ttf"
        font.save(part)
        parts.append(str(part))
    merged = Merger().merge(parts)
    merged.save(TARGET / name)
    return TARGET / name


def main():
    TARGET.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for weight, name in WEIGHTS.items():
            print(make(weight, name, Path(folder)).relative_to(ROOT))
    shutil.copyfile(SOURCE / "OFL.txt", TARGET / "OFL.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
