// The plots of a report as inline SVG: colour bars, histograms, the per-region chart, the
// per-volume series and the cohort's per-subject chart. Every text they hold is escaped.
#ifndef voxelkl_ReportPlots_h
#define voxelkl_ReportPlots_h

#include "voxelkl/ReportColors.h"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace voxelkl
{

/** A number for a label: 4 significant digits ("0.01234", "1.235e+05", "-0.5"). */
std::string
FormatLabelNumber(double value);

/** Counts of values in equal bins over a display range, plus those below and above it:
 * bin i holds low + i w <= v < low + (i + 1) w (the last bin also v = high), w = (high -
 * low) / bins. Every finite value is counted once: Total() is their number. */
struct Histogram
{
  double                   low{ 0.0 };
  double                   high{ 1.0 };
  std::vector<std::size_t> counts;
  std::size_t              below{ 0 };
  std::size_t              above{ 0 };

  std::size_t
  Total() const;
};

Histogram
ComputeHistogram(const std::vector<double> & values, const DisplayRange & range, std::size_t bins);

/** A horizontal colour bar of the range with its ends (and 0 for a symmetric range) labelled;
 * id: of its gradient, unique within the page. */
std::string
ColorBarSvg(const DisplayRange & range, const ColorMap & colors, const std::string & units, const std::string & id);

/** Bars of the histogram coloured as the map, the values below and above the range as two
 * bars of their own at the ends; each bar carries its count (data-count). */
std::string
HistogramSvg(const Histogram & histogram, const ColorMap & colors, const std::string & units);

/** One row of the per-region chart. */
struct BoxRow
{
  std::string name;
  std::size_t count{ 0 };
  double      p5{ 0.0 };
  double      p25{ 0.0 };
  double      median{ 0.0 };
  double      p75{ 0.0 };
  double      p95{ 0.0 };
};

/** Rows of boxes (p25 to p75) with whiskers (p5 to p95) and the median, in the given order. */
std::string
BoxChartSvg(const std::vector<BoxRow> & rows, const std::string & axisLabel);

/** A value per index (volume), joined by a line; NaN leaves a gap. */
std::string
SeriesPlotSvg(const std::vector<double> & values, const std::string & xLabel, const std::string & yLabel);

/** The cohort's chart: one row per subject, a dot per group (model) at its value. */
struct DotRow
{
  std::string                                 label;
  std::vector<std::pair<std::size_t, double>> dots; ///< (group index, value); NaN: none
};
std::string
DotChartSvg(const std::vector<DotRow> & rows, const std::vector<std::string> & groups, const std::string & axisLabel);

} // namespace voxelkl

#endif
