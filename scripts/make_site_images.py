"""Draw the site's own images, committed in static/: the home-screen icons of the web app
manifest and of iOS (from the favicon's design, static/favicon.svg), and the default
share card of each language (the card of pages without one of their own).

Run it again when the favicon, the colours or the card's design change:

    .venv/bin/python scripts/make_site_images.py
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "static" / "icons"
IMAGES = ROOT / "static" / "img"


def main():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genoma.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation

    from articles import cards
    from genoma.views import MANIFEST_ICONS

    ICONS.mkdir(exist_ok=True)
    IMAGES.mkdir(exist_ok=True)
    brand, white = (*cards.BRAND, 255), (*cards.WHITE, 255)
    # "any": the favicon's rounded square on a transparent ground. "maskable" and Apple's
    # touch icon fill their square (the system rounds or masks it): the ring stays well
    # inside the maskable safe zone, a circle of 80% of the side.
    for name, sizes, purpose in MANIFEST_ICONS:
        size = int(sizes.split("x")[0])
        icon = cards.draw_mark(size, brand, white, rounded=purpose == "any")
        icon.save(ICONS / name, optimize=True)
    touch = cards.draw_mark(180, brand, white, rounded=False).convert("RGB")
    touch.save(ICONS / "apple-touch-icon.png", optimize=True)

    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            tagline = translation.gettext("Regenerative medicine, Thailand")
            description = translation.gettext(
                "Clear information on osteoporosis, osteopenia and stem cell therapy"
            )
        card = cards.draw_card(description, label=tagline)
        data, _extension = cards.encode(card)
        (IMAGES / f"share-card-{code}.png").write_bytes(data)
    for path in sorted([*ICONS.iterdir(), *IMAGES.iterdir()]):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
