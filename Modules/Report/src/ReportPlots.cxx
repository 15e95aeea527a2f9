#include "voxelkl/ReportPlots.h"

#include "voxelkl/ReportEncoding.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace voxelkl
{
namespace
{
std::string
Hex(const Rgb & c)
{
  return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b);
}

// Coordinates with two decimals.
std::string
F(double value)
{
  return fmt::format("{:.2f}", value);
}

std::string
Text(double x, double y, const std::string & text, const char * anchor = "start", const std::string & extra = "")
{
  return fmt::format(
    R"(<text x="{}" y="{}" text-anchor="{}"{}>{}</text>)", F(x), F(y), anchor, extra, EscapeHtml(text));
}

std::string
Open(double width, double height, const std::string & cssClass, const std::string & label)
{
  return fmt::format(R"(<svg class="{}" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" )"
                     R"(viewBox="0 0 {} {}" role="img" aria-label="{}">)",
                     cssClass,
                     F(width),
                     F(height),
                     F(width),
                     F(height),
                     EscapeHtml(label));
}

// Round tick values covering [low, high], about `wanted` of them.
std::vector<double>
Ticks(double low, double high, int wanted)
{
  std::vector<double> ticks;
  if (!(high > low) || !std::isfinite(low) || !std::isfinite(high))
  {
    ticks.push_back(low);
    return ticks;
  }
  const double raw = (high - low) / wanted;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double       step = magnitude;
  for (const double factor : { 1.0, 2.0, 2.5, 5.0, 10.0 })
  {
    step = factor * magnitude;
    if (step >= raw)
    {
      break;
    }
  }
  for (double t = std::ceil(low / step) * step; t <= high + step * 1e-9; t += step)
  {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}
} // namespace

std::string
FormatLabelNumber(double value)
{
  if (std::isnan(value))
  {
    return "n/a";
  }
  return fmt::format("{:.4g}", value);
}

std::size_t
Histogram::Total() const
{
  std::size_t total = below + above;
  for (const std::size_t count : counts)
  {
    total += count;
  }
  return total;
}

Histogram
ComputeHistogram(const std::vector<double> & values, const DisplayRange & range, std::size_t bins)
{
  Histogram histogram;
  histogram.low = range.low;
  histogram.high = range.high;
  histogram.counts.assign(std::max<std::size_t>(bins, 1), 0);
  const double width = (range.high - range.low) / histogram.counts.size();
  for (const double v : values)
  {
    if (!std::isfinite(v))
    {
      continue;
    }
    if (v < range.low)
    {
      ++histogram.below;
    }
    else if (v > range.high)
    {
      ++histogram.above;
    }
    else
    {
      const auto bin = static_cast<std::size_t>((v - range.low) / width);
      ++histogram.counts[std::min(bin, histogram.counts.size() - 1)];
    }
  }
  return histogram;
}

std::string
ColorBarSvg(const DisplayRange & range, const ColorMap & colors, const std::string & units, const std::string & id)
{
  const double width = 260;
  const double height = 52;
  const double left = 10;
  const double barWidth = width - 2 * left;
  std::string  svg = Open(width,
                         height,
                         "colorbar",
                         "colour bar from " + FormatLabelNumber(range.low) + " to " + FormatLabelNumber(range.high));
  svg += fmt::format(R"(<defs><linearGradient id="{}" x1="0" x2="1" y1="0" y2="0">)", id);
  for (int i = 0; i <= 16; ++i)
  {
    const std::size_t entry = ColorMap::Entry(i / 16.0);
    svg += fmt::format(R"(<stop offset="{}" stop-color="{}" stop-opacity="{}"/>)",
                       F(i / 16.0),
                       Hex(colors.Table()[entry]),
                       F(colors.Alpha()[entry] / 255.0));
  }
  svg += "</linearGradient></defs>";
  // Over mid grey, as over the anatomy: where the colour map fades out, the grey shows.
  svg += fmt::format(R"(<rect x="{}" y="4" width="{}" height="14" fill="#808080"/>)", F(left), F(barWidth));
  svg += fmt::format(
    R"svg(<rect x="{}" y="4" width="{}" height="14" fill="url(#{})" stroke="#555"/>)svg", F(left), F(barWidth), id);
  auto at = [&](double value) { return left + range.Fraction(value) * barWidth; };
  std::vector<std::pair<double, const char *>> labels{ { range.low, "start" }, { range.high, "end" } };
  if (range.symmetric)
  {
    labels.insert(labels.begin() + 1, { 0.0, "middle" });
  }
  for (const auto & [value, anchor] : labels)
  {
    svg += fmt::format(R"(<line x1="{0}" x2="{0}" y1="18" y2="22" stroke="#555"/>)", F(at(value)));
    svg += Text(at(value), 34, FormatLabelNumber(value), anchor);
  }
  if (!units.empty())
  {
    svg += Text(width / 2, 48, units, "middle", R"( class="units")");
  }
  return svg + "</svg>";
}

std::string
HistogramSvg(const Histogram & histogram, const ColorMap & colors, const std::string & units)
{
  const double      width = 360;
  const double      height = 170;
  const double      left = 46;
  const double      right = 10;
  const double      top = 10;
  const double      bottom = 40;
  const double      plotWidth = width - left - right;
  const double      plotHeight = height - top - bottom;
  const std::size_t bins = histogram.counts.size();
  // Two narrow bars for the values outside the range, then the bins.
  const double outside = 10;
  const double gap = 4;
  const double binWidth = (plotWidth - 2 * (outside + gap)) / bins;
  std::size_t  largest = std::max(histogram.below, histogram.above);
  for (const std::size_t count : histogram.counts)
  {
    largest = std::max(largest, count);
  }
  // Counts on a log scale: a KL map is mostly near 0 with a long tail, which a linear scale
  // would flatten to nothing.
  const double top10 = std::log10(1.0 + static_cast<double>(std::max<std::size_t>(largest, 1)));
  auto barHeight = [&](std::size_t count) { return std::log10(1.0 + static_cast<double>(count)) / top10 * plotHeight; };
  std::string svg = Open(width,
                         height,
                         "histogram",
                         fmt::format("histogram of {} values, {} below and {} above the colour range",
                                     histogram.Total(),
                                     histogram.below,
                                     histogram.above));
  auto        bar = [&](double x, double w, std::size_t count, const std::string & fill, const std::string & what) {
    const double h = barHeight(count);
    return fmt::format(
      R"svg(<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-count="{}"><title>{}: {}</title></rect>)svg",
      F(x),
      F(top + plotHeight - h),
      F(std::max(w - 0.5, 0.5)),
      F(h),
      fill,
      count,
      EscapeHtml(what),
      count);
  };
  svg += bar(left, outside, histogram.below, "#888", "below " + FormatLabelNumber(histogram.low));
  const double binsLeft = left + outside + gap;
  const double w = (histogram.high - histogram.low) / bins;
  for (std::size_t i = 0; i < bins; ++i)
  {
    const double from = histogram.low + i * w;
    svg += bar(binsLeft + i * binWidth,
               binWidth,
               histogram.counts[i],
               Hex(colors.At((i + 0.5) / bins)),
               FormatLabelNumber(from) + " to " + FormatLabelNumber(from + w));
  }
  svg += bar(
    binsLeft + bins * binWidth + gap, outside, histogram.above, "#888", "above " + FormatLabelNumber(histogram.high));
  // Axes: counts on the left (powers of 10), the range below.
  svg += fmt::format(
    R"svg(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="#555"/>)svg", F(left - 2), F(top), F(top + plotHeight));
  svg += fmt::format(R"svg(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#555"/>)svg",
                     F(left - 2),
                     F(width - right),
                     F(top + plotHeight));
  for (double tick = 10; tick <= static_cast<double>(largest); tick *= 10)
  {
    const double y = top + plotHeight - barHeight(static_cast<std::size_t>(tick));
    svg += Text(left - 5, y + 4, FormatLabelNumber(tick), "end");
  }
  svg += Text(left - 5, top + plotHeight + 4, "0", "end");
  svg += Text(binsLeft, top + plotHeight + 14, FormatLabelNumber(histogram.low), "start");
  svg += Text(binsLeft + bins * binWidth, top + plotHeight + 14, FormatLabelNumber(histogram.high), "end");
  svg += Text(left + plotWidth / 2,
              height - 6,
              (units.empty() ? std::string("value") : units) + "; count on a log scale",
              "middle",
              R"( class="units")");
  return svg + "</svg>";
}

std::string
BoxChartSvg(const std::vector<BoxRow> & rows, const std::string & axisLabel)
{
  const double rowHeight = 18;
  const double labelWidth = 190;
  const double width = 620;
  const double right = 20;
  const double top = 8;
  const double height = top + rows.size() * rowHeight + 40;
  double       low = 0.0;
  double       high = 0.0;
  for (const BoxRow & row : rows)
  {
    low = std::min(low, row.p5);
    high = std::max(high, row.p95);
  }
  if (!(high > low))
  {
    high = low + 1.0;
  }
  const double plotWidth = width - labelWidth - right;
  auto         x = [&](double value) { return labelWidth + (value - low) / (high - low) * plotWidth; };
  std::string  svg = Open(width, height, "regions", "per-region chart: " + axisLabel);
  for (std::size_t i = 0; i < rows.size(); ++i)
  {
    const BoxRow & row = rows[i];
    const double   y = top + i * rowHeight + rowHeight / 2;
    std::string    name = row.name;
    if (name.size() > 32)
    {
      name = name.substr(0, 31) + "\xE2\x80\xA6"; // may cut a UTF-8 sequence: EscapeHtml repairs it
    }
    svg += "<g class=\"region\">";
    svg += fmt::format("<title>{}: n = {}, p5 {}, p25 {}, median {}, p75 {}, p95 {}</title>",
                       EscapeHtml(row.name),
                       row.count,
                       FormatLabelNumber(row.p5),
                       FormatLabelNumber(row.p25),
                       FormatLabelNumber(row.median),
                       FormatLabelNumber(row.p75),
                       FormatLabelNumber(row.p95));
    svg += Text(labelWidth - 8, y + 4, name, "end");
    svg +=
      fmt::format(R"(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#444"/>)", F(x(row.p5)), F(x(row.p95)), F(y));
    svg += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#f4a582" stroke="#444"/>)",
                       F(x(row.p25)),
                       F(y - 5),
                       F(std::max(x(row.p75) - x(row.p25), 0.5)),
                       F(10));
    svg += fmt::format(R"(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="#b2182b" stroke-width="2"/>)",
                       F(x(row.median)),
                       F(y - 6),
                       F(y + 6));
    svg += "</g>";
  }
  const double axisY = top + rows.size() * rowHeight + 4;
  svg += fmt::format(
    R"(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#555"/>)", F(labelWidth), F(labelWidth + plotWidth), F(axisY));
  for (const double tick : Ticks(low, high, 6))
  {
    svg +=
      fmt::format(R"(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="#555"/>)", F(x(tick)), F(axisY), F(axisY + 4));
    svg += Text(x(tick), axisY + 16, FormatLabelNumber(tick), "middle");
  }
  svg += Text(labelWidth + plotWidth / 2, axisY + 32, axisLabel, "middle", R"( class="units")");
  return svg + "</svg>";
}

std::string
SeriesPlotSvg(const std::vector<double> & values, const std::string & xLabel, const std::string & yLabel)
{
  const double width = 620;
  const double height = 200;
  const double left = 56;
  const double right = 14;
  const double top = 10;
  const double bottom = 40;
  const double plotWidth = width - left - right;
  const double plotHeight = height - top - bottom;
  double       low = std::numeric_limits<double>::infinity();
  double       high = -std::numeric_limits<double>::infinity();
  for (const double v : values)
  {
    if (std::isfinite(v))
    {
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  if (!std::isfinite(low))
  {
    low = 0.0;
    high = 1.0;
  }
  if (!(high > low))
  {
    high = low + (low == 0.0 ? 1.0 : std::abs(low) * 0.1);
  }
  const double span = values.size() > 1 ? static_cast<double>(values.size() - 1) : 1.0;
  auto         x = [&](double i) { return left + i / span * plotWidth; };
  auto         y = [&](double v) { return top + plotHeight - (v - low) / (high - low) * plotHeight; };
  std::string  svg = Open(width, height, "series", yLabel + " by " + xLabel);
  std::string  path;
  bool         drawing = false;
  for (std::size_t i = 0; i < values.size(); ++i)
  {
    if (!std::isfinite(values[i]))
    {
      drawing = false;
      continue;
    }
    path += fmt::format("{}{} {} ", drawing ? "L" : "M", F(x(static_cast<double>(i))), F(y(values[i])));
    drawing = true;
  }
  svg += fmt::format(R"(<path d="{}" fill="none" stroke="#b2182b" stroke-width="1.5"/>)", path);
  if (values.size() == 1 && std::isfinite(values[0]))
  {
    svg += fmt::format(R"(<circle cx="{}" cy="{}" r="3" fill="#b2182b"/>)", F(x(0)), F(y(values[0])));
  }
  svg +=
    fmt::format(R"(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="#555"/>)", F(left), F(top), F(top + plotHeight));
  svg += fmt::format(
    R"(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#555"/>)", F(left), F(left + plotWidth), F(top + plotHeight));
  for (const double tick : Ticks(low, high, 4))
  {
    svg += Text(left - 5, y(tick) + 4, FormatLabelNumber(tick), "end");
  }
  for (const double tick : Ticks(0, span, 6))
  {
    svg += Text(x(tick), top + plotHeight + 14, FormatLabelNumber(tick), "middle");
  }
  svg += Text(left + plotWidth / 2, height - 6, xLabel, "middle", R"( class="units")");
  svg += Text(12,
              top + plotHeight / 2,
              yLabel,
              "middle",
              fmt::format(R"svg( class="units" transform="rotate(-90 12 {})")svg", F(top + plotHeight / 2)));
  return svg + "</svg>";
}

std::string
DotChartSvg(const std::vector<DotRow> & rows, const std::vector<std::string> & groups, const std::string & axisLabel)
{
  static const char * palette[] = { "#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214", "#35978f" };
  const double        rowHeight = 18;
  const double        labelWidth = 120;
  const double        width = 620;
  const double        right = 20;
  const double        top = 8 + (groups.size() > 1 ? 18 : 0);
  const double        height = top + rows.size() * rowHeight + 40;
  double              low = std::numeric_limits<double>::infinity();
  double              high = -std::numeric_limits<double>::infinity();
  for (const DotRow & row : rows)
  {
    for (const auto & dot : row.dots)
    {
      if (std::isfinite(dot.second))
      {
        low = std::min(low, dot.second);
        high = std::max(high, dot.second);
      }
    }
  }
  if (!std::isfinite(low))
  {
    low = 0.0;
    high = 1.0;
  }
  low = std::min(low, 0.0);
  if (!(high > low))
  {
    high = low + 1.0;
  }
  const double plotWidth = width - labelWidth - right;
  auto         x = [&](double value) { return labelWidth + (value - low) / (high - low) * plotWidth; };
  std::string  svg = Open(width, height, "cohort", "per-subject chart: " + axisLabel);
  if (groups.size() > 1)
  {
    double legendX = labelWidth;
    for (std::size_t g = 0; g < groups.size(); ++g)
    {
      svg += fmt::format(R"(<circle cx="{}" cy="12" r="4" fill="{}"/>)", F(legendX), palette[g % 6]);
      svg += Text(legendX + 8, 16, groups[g].empty() ? "(no model)" : groups[g]);
      legendX += 20 + 7.0 * std::min<std::size_t>(groups[g].size(), 24);
    }
  }
  for (std::size_t i = 0; i < rows.size(); ++i)
  {
    const double y = top + i * rowHeight + rowHeight / 2;
    svg += fmt::format(
      R"(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#ddd"/>)", F(labelWidth), F(labelWidth + plotWidth), F(y));
    svg += Text(labelWidth - 8, y + 4, rows[i].label, "end");
    for (const auto & [group, value] : rows[i].dots)
    {
      if (std::isfinite(value))
      {
        svg += fmt::format(R"(<circle cx="{}" cy="{}" r="4" fill="{}"><title>{}{}: {}</title></circle>)",
                           F(x(value)),
                           F(y),
                           palette[group % 6],
                           EscapeHtml(rows[i].label),
                           groups.size() > 1 ? EscapeHtml(", " + groups[group]) : "",
                           FormatLabelNumber(value));
      }
    }
  }
  const double axisY = top + rows.size() * rowHeight + 4;
  svg += fmt::format(
    R"(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}" stroke="#555"/>)", F(labelWidth), F(labelWidth + plotWidth), F(axisY));
  for (const double tick : Ticks(low, high, 6))
  {
    svg +=
      fmt::format(R"(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}" stroke="#555"/>)", F(x(tick)), F(axisY), F(axisY + 4));
    svg += Text(x(tick), axisY + 16, FormatLabelNumber(tick), "middle");
  }
  svg += Text(labelWidth + plotWidth / 2, axisY + 32, axisLabel, "middle", R"( class="units")");
  return svg + "</svg>";
}

} // namespace voxelkl
