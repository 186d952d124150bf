"""Charts as PNG at print resolution: the very SVG charts of :mod:`malpl.svgchart`, drawn
with Pillow, for documents whose readers cannot be trusted to show SVG (DOCX).

There is one chart definition, svgchart's; this module draws the few marks it writes
(``line``, ``polyline``, ``circle``, ``rect``, ``text``) in the styles of
:data:`malpl.svgchart.TEXT_STYLES`. Text reaches Pillow as the plain text the SVG holds
(already through :func:`malpl.text.visible`): it is drawn, never read as markup. The font
is the DejaVu Sans shipped with malpl, laid out without shaping libraries, so the same
chart gives the same bytes on every machine. A chart is drawn once, at its print size:
at 200 dpi a line's steps are a seventh of a millimetre, below what paper shows, and
drawing at twice the size and halving it (which smoothed them) took twice the time
(~11 ms of CPU a chart to ~6, which on a report of 1 800 charts is what malpl costs
beside pandoc).
"""

from __future__ import annotations

import functools
import itertools
import re
import struct
import zlib
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from malpl import svgchart

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

    from malpl.views import MeasureView, SummaryRow

DPI = 200
WIDTH_INCHES = 6.0
SCALE = DPI * WIDTH_INCHES / svgchart.WIDTH  # pixels per SVG unit
_FONTS = Path(__file__).resolve().parent / "fonts"
_SVG = "{http://www.w3.org/2000/svg}"
_VIEWBOX = re.compile(r'viewBox="0 0 (\d+) (\d+)"')
_SPACES = re.compile(" +")


def measure_svg(view: MeasureView) -> str:
    """The measure's chart as the HTML report shows it, to draw as PNG."""
    return str(svgchart.measure_chart(view, "c", view.name, "", styled=True))


def summary_svg(rows: list[SummaryRow], level: str, title: str) -> str:
    """The summary as the website shows it: one bar of the steps of ``level``."""
    return str(svgchart.bar_chart("c", title, "", [(level, [
        svgchart.Segment(r.label, r.count, r.color, r.symbol) for r in rows])], styled=True))


def size(svg: str) -> tuple[int, int]:
    """The PNG's size in pixels, known before it is drawn (the report lays it out first)."""
    found = _VIEWBOX.search(svg)
    if found is None:
        raise ValueError("not a chart of malpl.svgchart")
    return round(int(found[1]) * SCALE), round(int(found[2]) * SCALE)


def png(svg: str) -> bytes:
    """The chart ``svg`` (from :mod:`malpl.svgchart`) as an RGB PNG at 200 dpi."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", size(svg), "white")
    pen = ImageDraw.Draw(picture)
    for mark in ElementTree.fromstring(svg):
        _draw(pen, mark)
    return _encode(picture)


def _encode(picture: Image.Image) -> bytes:
    """An RGB picture as PNG, its rows unfiltered and deflated fast. Pillow's encoder
    tries five filters on every row, which takes twice as long for a file no smaller
    (and the DOCX deflates it once more). The rows are joined from views of the pixels,
    not copies of them."""
    width, _height = picture.size
    raw, stride = memoryview(picture.tobytes()), width * 3
    parts: list[bytes | memoryview] = []
    for at in range(0, len(raw), stride):
        parts += (b"\0", raw[at:at + stride])
    return png_file(picture.size, 8, 2, zlib.compress(b"".join(parts), 1))


def png_file(size: tuple[int, int], depth: int, colour: int, data: bytes,
             *extra: tuple[bytes, bytes]) -> bytes:
    """A PNG at 200 dpi of ``size`` pixels, its deflated rows ``data`` (``depth`` bits
    of PNG colour type ``colour``), with the ``extra`` chunks before them."""
    per_metre = round(DPI / 0.0254)
    head = struct.pack(">IIBBBBB", *size, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", head)
            + _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
            + b"".join(_chunk(kind, body) for kind, body in extra)
            + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _draw(pen: ImageDraw.ImageDraw, mark: ElementTree.Element) -> None:
    tag, get = mark.tag.removeprefix(_SVG), mark.get
    if tag == "line":
        classes = (get("class") or "").split()
        color, wide = svgchart.GRID if "grid" in classes else ("#000000", 1)
        _stroke(pen, [(_u(get("x1")), _u(get("y1"))), (_u(get("x2")), _u(get("y2")))],
                get("stroke") or color, float(get("stroke-width") or wide),
                get("stroke-dasharray"))
    elif tag == "polyline":
        points = [tuple(_u(v) for v in pair.split(",")) for pair in (get("points") or "").split()]
        _stroke(pen, points, get("stroke") or "#000000", float(get("stroke-width") or 1),
                get("stroke-dasharray"))
    elif tag == "circle":
        x, y, r = _u(get("cx")), _u(get("cy")), _u(get("r"))
        pen.ellipse((x - r, y - r, x + r, y + r), fill=get("fill"))
    elif tag == "rect":
        x, y = _u(get("x")), _u(get("y"))
        fill = None if get("fill") == "none" else get("fill")
        wide = round(float(get("stroke-width") or 0) * SCALE)
        pen.rectangle((x, y, x + _u(get("width")), y + _u(get("height"))), fill=fill,
                      outline=get("stroke") if wide else None, width=wide)
    elif tag == "text":
        _text(pen, mark)


def _u(value: str | None) -> float:
    """An SVG coordinate in pixels of the picture being drawn."""
    return float(value or 0) * SCALE


def _text(pen: ImageDraw.ImageDraw, mark: ElementTree.Element) -> None:
    """A text as SVG shows it: white space collapsed, anchored on its baseline."""
    text = _SPACES.sub(" ", (mark.text or "").replace("\n", " ").replace("\t", " ")).strip(" ")
    if not text:
        return
    style = next((svgchart.TEXT_STYLES[c] for c in (mark.get("class") or "").split()[::-1]
                  if c in svgchart.TEXT_STYLES), svgchart.TEXT_STYLES["tick"])
    points, bold, color = style
    anchor = {"end": "rs", "middle": "ms"}.get(mark.get("text-anchor") or "", "ls")
    pen.text((_u(mark.get("x")), _u(mark.get("y"))), text, font=_font(points, bold),
             fill=mark.get("fill") or color or "#333333", anchor=anchor)


@functools.lru_cache(maxsize=8)
def _font(points: int, bold: bool) -> ImageFont.FreeTypeFont:
    """DejaVu Sans at ``points`` SVG units, laid out glyph by glyph (no raqm, no fribidi):
    the text was made visible, so there is no direction to obey."""
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(_FONTS / name), round(points * SCALE),
                              layout_engine=ImageFont.Layout.BASIC)


def _stroke(pen: ImageDraw.ImageDraw, points: list, color: str, width: float,
            dash: str | None) -> None:
    """A line through ``points``, solid or in the SVG dash pattern ``dash``."""
    wide = max(1, round(width * SCALE))
    if not dash:
        pen.line(points, fill=color, width=wide, joint="curve" if len(points) > 2 else None)
        return
    pattern = [float(d) * SCALE for d in dash.split()]
    index, left, on = 0, pattern[0], True
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length, at = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5, 0.0
        while at < length:
            step = min(left, length - at)
            if on:
                a, b = at / length, (at + step) / length
                pen.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a),
                          (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)], fill=color, width=wide)
            at += step
            left -= step
            if left <= 1e-9:
                index = (index + 1) % len(pattern)
                left, on = pattern[index], not on
