"""The link-preview image (1200 x 630 PNG) WhatsApp and others show for a microsite link."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
RED = (179, 38, 30)
WHITE = (255, 255, 255)
CREAM = (250, 248, 247)


def render_preview(name: str, place: str | None, badge: str | None) -> bytes:
    """Name in large type, the village under it, and the verification line if any."""
    image = Image.new("RGB", (WIDTH, HEIGHT), RED)
    draw = ImageDraw.Draw(image)
    title = ImageFont.load_default(size=64)
    body = ImageFont.load_default(size=34)
    y = 90
    for line in textwrap.wrap(name, width=28)[:3]:
        draw.text((80, y), line, font=title, fill=WHITE)
        y += 80
    if place:
        for line in textwrap.wrap(place, width=55)[:2]:
            draw.text((80, y + 20), line, font=body, fill=CREAM)
            y += 44
    if badge:
        draw.rounded_rectangle(
            (80, HEIGHT - 150, 80 + 24 * len(badge) + 60, HEIGHT - 80), 30, fill=WHITE
        )
        draw.text((110, HEIGHT - 135), badge, font=body, fill=RED)
    draw.text((WIDTH - 230, HEIGHT - 70), "Guyub", font=body, fill=CREAM)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
