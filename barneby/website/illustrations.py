"""Illustrations for the demo website, drawn with Pillow (nothing fetched from anywhere).

Each one is a calm scene of simple shapes: a sky, hills, houses and round
figures, in colours picked from a seed so the same theme always gets the
same picture.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 675
SKIES = ["#dbeafe", "#fde68a", "#fce7f3", "#dcfce7", "#e0e7ff", "#ffedd5"]
HILLS = ["#86efac", "#4ade80", "#a3e635", "#34d399", "#bef264"]
HOUSES = ["#f87171", "#fb923c", "#60a5fa", "#f472b6", "#facc15", "#a78bfa"]
PEOPLE = ["#7c2d12", "#92400e", "#1e3a8a", "#831843", "#365314", "#3f3f46"]


def draw(seed: int, *, figures: int = 3, houses: int = 2) -> bytes:
    """A PNG of WIDTH x HEIGHT for ``seed``."""
    rng = random.Random(seed)  # noqa: S311  (pictures, not secrets)
    image = Image.new("RGB", (WIDTH, HEIGHT), rng.choice(SKIES))
    pen = ImageDraw.Draw(image)
    sun_x = rng.randint(100, WIDTH - 100)
    pen.ellipse((sun_x - 60, 60, sun_x + 60, 180), fill="#fbbf24")
    for layer in range(3):
        top = 380 + layer * 70 + rng.randint(-30, 30)
        pen.ellipse((-300 + rng.randint(-100, 100), top, WIDTH + 300, HEIGHT + 600), fill=rng.choice(HILLS))
    ground = 520
    for n in range(houses):
        x = 120 + n * (WIDTH - 300) // max(houses, 1) + rng.randint(0, 80)
        w, h = rng.randint(160, 220), rng.randint(120, 160)
        pen.rectangle((x, ground - h, x + w, ground), fill=rng.choice(HOUSES))
        pen.polygon([(x - 20, ground - h), (x + w // 2, ground - h - 90), (x + w + 20, ground - h)], fill="#7f1d1d")
        pen.rectangle((x + w // 2 - 22, ground - 70, x + w // 2 + 22, ground), fill="#451a03")
        pen.rectangle((x + 20, ground - h + 25, x + 60, ground - h + 65), fill="#fef9c3")
    for n in range(figures):
        x = 200 + n * (WIDTH - 400) // max(figures, 1) + rng.randint(0, 60)
        size = rng.choice([0.6, 0.8, 1.0])
        head = int(34 * size)
        body = int(110 * size)
        colour = rng.choice(PEOPLE)
        base = 640
        pen.ellipse((x - head, base - body - 2 * head, x + head, base - body), fill="#fcd9b6")
        pen.rounded_rectangle((x - head - 10, base - body, x + head + 10, base), radius=20, fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
