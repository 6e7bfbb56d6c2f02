"""Draw the site's own images, committed in static/: the default share card of each
language (the card of pages without one of their own).

Run it again when the favicon, the colours or the card's design change:

    .venv/bin/python scripts/make_site_images.py
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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

    IMAGES.mkdir(exist_ok=True)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            tagline = translation.gettext("Regenerative medicine, Thailand")
            description = translation.gettext(
                "Clear information on osteoporosis, osteopenia and stem cell therapy"
            )
        card = cards.draw_card(description, label=tagline)
        data, _extension = cards.encode(card)
        (IMAGES / f"share-card-{code}.png").write_bytes(data)
    for path in sorted(IMAGES.iterdir()):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
