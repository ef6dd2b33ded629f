"""Draw charts on the server as SVG: no script, no inline style, nothing fetched.

Pages embed the markup directly. Colours and fonts are SVG presentation attributes (the
pages' Content-Security-Policy forbids inline ``style``); every bar carries a ``<title>``
with its exact figure, so the numbers are readable without the picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")
#: At most this many series are drawn; the rest are summed into one "other" series.
MAX_SERIES = len(PALETTE)


@dataclass(frozen=True, slots=True)
class Series:
    """One stacked series: its name and one value per bucket."""

    name: str
    values: tuple[int, ...]

    @property
    def total(self) -> int:
        """Return the sum over all buckets."""
        return sum(self.values)


@dataclass(frozen=True, slots=True)
class StackedBars:
    """A bar per time bucket, each stacked from the series' values in that bucket."""

    title: str
    buckets: tuple[str, ...]
    series: tuple[Series, ...]

    @classmethod
    def from_counts(cls, title: str, buckets: Sequence[str],
                    counts: Mapping[str, Mapping[str, int]], *,
                    other: str = "other") -> StackedBars:
        """Build from ``counts[series][bucket]``; largest series first, the tail as ``other``.

        Buckets missing from a series count zero; counts outside ``buckets`` are dropped.
        """
        ordered = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        rows = [Series(name, tuple(int(values.get(b, 0)) for b in buckets))
                for name, values in ordered]
        if len(rows) > MAX_SERIES:
            head, tail = rows[:MAX_SERIES - 1], rows[MAX_SERIES - 1:]
            summed = tuple(sum(s.values[i] for s in tail) for i in range(len(buckets)))
            rows = [*head, Series(other, summed)]
        return cls(title=title, buckets=tuple(buckets), series=tuple(rows))

    @property
    def totals(self) -> tuple[int, ...]:
        """Return each bucket's stacked total."""
        return tuple(sum(s.values[i] for s in self.series) for i in range(len(self.buckets)))

    @property
    def total(self) -> int:
        """Return the sum over every series and bucket."""
        return sum(self.totals)


def render_stacked_bars(chart: StackedBars, *, chart_id: str, empty_text: str,
                        width: int = 640, plot_height: int = 180) -> Markup:
    """Return the chart as an accessible ``<svg>`` element (safe to embed as is)."""
    left, right, top, axis = 44, 12, 12, 34
    legend_rows = max(1, (len(chart.series) + 2) // 3)
    height = top + plot_height + axis + 18 * legend_rows + 8
    plot_width = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'id="{escape(chart_id)}" aria-labelledby="{escape(chart_id)}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<title id="{escape(chart_id)}-title">{escape(chart.title)}</title>',
    ]
    peak = max(chart.totals, default=0)
    if not chart.buckets or peak == 0:
        parts.append(f'<text x="{width // 2}" y="{top + plot_height // 2}" '
                     f'text-anchor="middle" fill="#555555">{escape(empty_text)}</text>')
        parts.append("</svg>")
        return Markup("".join(parts))  # noqa: S704 - every text above was escaped
    scale_top = _nice_ceiling(peak)
    parts.extend(_axis(left, top, plot_width, plot_height, scale_top))
    slot = plot_width / len(chart.buckets)
    bar = max(1.0, slot * 0.7)
    label_every = max(1, round(len(chart.buckets) / 8))
    for index, bucket in enumerate(chart.buckets):
        x = left + index * slot + (slot - bar) / 2
        base: float = top + plot_height
        for colour, series in zip(PALETTE, chart.series, strict=False):
            value = series.values[index]
            if not value:
                continue
            h = plot_height * value / scale_top
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}" data-series="{escape(series.name)}" '
                f'data-bucket="{escape(bucket)}" data-value="{value}">'
                f'<title>{escape(bucket)} · {escape(series.name)}: {value}</title></rect>')
        if index % label_every == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{top + plot_height + 14}" '
                         f'text-anchor="middle" fill="#333333">{escape(_short(bucket))}</text>')
    parts.extend(_legend(chart.series, left, top + plot_height + axis))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above was escaped


def _axis(left: int, top: int, width: int, height: int, scale_top: int) -> Iterable[str]:
    """Yield the baseline, gridlines and y labels (0, half, top)."""
    fractions = (0.0, 0.5, 1.0) if scale_top % 2 == 0 else (0.0, 1.0)
    for fraction in fractions:
        y = top + height - height * fraction
        value = round(scale_top * fraction)
        colour = "#999999" if fraction == 0 else "#dddddd"
        yield (f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
               f'stroke="{colour}" stroke-width="1"/>')
        yield (f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
               f'fill="#333333">{value}</text>')


def _legend(series: Sequence[Series], left: int, top: int) -> Iterable[str]:
    """Yield a three-column legend: swatch, name and total of each series."""
    for index, (colour, row) in enumerate(zip(PALETTE, series, strict=False)):
        x = left + (index % 3) * 196
        y = top + (index // 3) * 18
        yield f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colour}"/>'
        yield (f'<text x="{x + 14}" y="{y + 9}" fill="#222222" class="legend">'
               f'{escape(_clip(row.name))} ({row.total})</text>')


def _nice_ceiling(value: int) -> int:
    """Round ``value`` up to 1, 2, 4, 6 or 8 times a power of ten (whole half-way lines)."""
    magnitude = 1
    while True:
        for step in (1, 2, 4, 6, 8):
            if value <= step * magnitude:
                return step * magnitude
        magnitude *= 10


def _short(bucket: str) -> str:
    """Shorten an ISO bucket label for the axis (2025-03-01 → 03-01)."""
    return bucket[5:] if len(bucket) == 10 and bucket[4] == "-" else bucket


def _clip(text: str, limit: int = 26) -> str:
    """Keep legend names to one column's width."""
    return text if len(text) <= limit else text[:limit - 1] + "…"
