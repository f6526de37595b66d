"""Charts for the report: matplotlib figures rendered to inline SVG.

Why these settings: `svg.fonttype = none` keeps labels as <text>, so the browser shapes Arabic
(matplotlib draws isolated letters) and the page's Arabic font stack applies; a fixed
`svg.hashsalt` and no date make the same data give byte-identical SVG; element ids are prefixed
per chart so several SVGs can live in one page. pyplot is not used: no global state, no GUI
backend, safe in any process.
"""
from __future__ import annotations

import io
import re

RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "arpk-nlp",
    # measured with DejaVu Sans (it has Arabic glyphs, and ships with matplotlib); shown with the page's fonts
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#8a93a3",
    "axes.grid": True,
    "grid.color": "#e3e6ec",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "xtick.color": "#4a5262",
    "ytick.color": "#4a5262",
    "text.parse_math": False,  # an outlet called "$5 News" is text, not mathtext
}


def _ticks(categories: list[str], most: int = 36) -> tuple[list[int], list[str]]:
    """Every category's position, or every k-th one when there are too many to read (a long
    monthly axis): the first and the last are always labelled."""
    step = -(-len(categories) // most) if categories else 1
    pos = list(range(0, len(categories), step))
    if categories and pos[-1] != len(categories) - 1:
        if len(categories) - 1 - pos[-1] < step / 2 and len(pos) > 1:
            pos.pop()  # too close to the last one to be read beside it
        pos.append(len(categories) - 1)
    return pos, [categories[i] for i in pos]


def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def to_svg(fig, chart_id: str, alt: str) -> str:
    """The figure as an <svg> element for inlining: no XML prolog, ids prefixed with chart_id,
    a <title> for screen readers, sized by CSS."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m.group(1)}"', svg)
    svg = re.sub(r'<svg ([^>]*?)\swidth="[^"]*"\s+height="[^"]*"', r'<svg \1', svg, count=1)
    from html import escape

    svg = svg.replace(">", f' role="img" aria-label="{escape(alt)}"><title>{escape(alt)}</title>', 1)
    return svg.strip()


def stacked_bars(categories: list[str], series: dict[str, list[float]], colors: dict[str, str], *,
                 horizontal: bool = False, ylabel: str = "", size=(9.5, 3.6)):
    """Bars per category, stacked by series (series order = stacking order)."""
    import matplotlib

    with matplotlib.rc_context(RC):
        fig = _figure(*size)
        ax = fig.add_subplot()
        pos = list(range(len(categories)))
        base = [0.0] * len(categories)
        for name, values in series.items():
            if horizontal:
                ax.barh(pos, values, left=base, color=colors[name], height=0.7, linewidth=0)
            else:
                ax.bar(pos, values, bottom=base, color=colors[name], width=0.8, linewidth=0)
            base = [b + v for b, v in zip(base, values, strict=True)]
        if horizontal:
            ax.set_yticks(pos, categories)
            ax.invert_yaxis()
            ax.set_xlabel(ylabel)
            ax.grid(axis="y", visible=False)
        else:
            ax.set_xticks(*_ticks(categories), rotation=90 if len(categories) > 12 else 0)
            ax.set_ylabel(ylabel)
            ax.grid(axis="x", visible=False)
            ax.set_xlim(-0.6, len(categories) - 0.4)
    return fig


def lines(categories: list[str], series: dict[str, list[float]], colors: dict[str, str], *, ylabel: str = "",
          percent: bool = False, size=(9.5, 3.4), labels: dict[str, str] | None = None):
    """One line per series over the categories (periods); labels → an in-chart legend."""
    import matplotlib
    from matplotlib.ticker import PercentFormatter

    with matplotlib.rc_context(RC):
        fig = _figure(*size)
        ax = fig.add_subplot()
        pos = list(range(len(categories)))
        for name, values in series.items():
            ax.plot(pos, values, color=colors[name], linewidth=1.8, marker="o", markersize=3,
                    label=(labels or {}).get(name, name))
        ax.set_xticks(*_ticks(categories), rotation=90 if len(categories) > 12 else 0)
        ax.set_ylabel(ylabel)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.set_ylim(0, 1.02)
        else:
            ax.set_ylim(bottom=0)
        if labels:  # below the plot, so the plot keeps the page's width
            fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig


def heatmap(rows: list[str], cols: list[str], share: list[list[float | None]], counts: list[list[int]], *,
            colorbar_label: str = "", size=None, rotate: int = 0):
    """Cells coloured by share (0..1; None: no data, left blank), annotated with counts when
    the columns are few enough to read them."""
    import matplotlib
    from matplotlib.ticker import PercentFormatter

    with matplotlib.rc_context(RC):
        fig = _figure(*(size or (9.5, 0.36 * len(rows) + 1.4)))
        ax = fig.add_subplot()
        grid = [[float("nan") if v is None else v for v in row] for row in share]
        cmap = matplotlib.colormaps["Blues"].with_extremes(bad="#f4f6f9")
        im = ax.imshow(grid, cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        ax.set_xticks(*_ticks(cols), rotation=rotate, ha="right" if rotate else "center",
                      rotation_mode="anchor" if rotate else "default")
        ax.set_yticks(range(len(rows)), rows)
        ax.grid(False)
        if len(cols) <= 30:
            for i, row in enumerate(counts):
                for j, n in enumerate(row):
                    if n:
                        ax.text(j, i, str(n), ha="center", va="center", fontsize=7.5,
                                color="white" if (share[i][j] or 0) > 0.55 else "#1d2330")
        cb = fig.colorbar(im, ax=ax, fraction=0.025, pad=0.01)
        cb.set_label(colorbar_label, fontsize=8)
        cb.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    return fig


def sparkline(values: list[float], color: str = "#0b5cad", width: int = 120, height: int = 26) -> str:
    """A trend as a tiny inline SVG polyline. Drawn directly: a figure per table row would cost
    matplotlib a layout pass each, for a shape with no axes or text."""
    if not values:
        return ""
    top = max(values) or 1
    step = (width - 4) / max(len(values) - 1, 1)
    pts = [(2 + i * step, height - 2 - (height - 4) * v / top) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
    x, y = pts[-1]
    return (f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-hidden="true">'
            f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="1.3" stroke-linejoin="round"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{color}"/></svg>')
