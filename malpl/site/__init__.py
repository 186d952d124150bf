"""``malpl site``: the goals as a static, accessible website (HTML, CSS and SVG only)."""

from malpl.site.render import render_site, write_site

__all__ = ["render_site", "write_site"]
