#include "voxelkl/HtmlReport.h"
#include "voxelkl/KLSummary.h"

#include "voxelkl/CommandDescription.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ImageGrid.h"
#include "voxelkl/ReportColors.h"
#include "voxelkl/ReportEncoding.h"
#include "voxelkl/ReportPlots.h"
#include "voxelkl/ReportSlices.h"
#include "voxelkl/ReportViewer.h"
#include "voxelkl/SampleSummary.h"
#include "voxelkl/TableText.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace voxelkl
{
namespace
{
/** How a kind of map is presented. */
struct MapStyle
{
  const char * title;
  const char * units;
  const char * meaning;
};

MapStyle
StyleOf(MapKind kind)
{
  switch (kind)
  {
    case MapKind::KL:
      return { "Gaussian KL divergence",
               "nats",
               "Closed form between the Gaussians fitted to each voxel's two series" };
    case MapKind::KnnKL:
      return { "k-NN KL divergence", "nats", "k-nearest-neighbour estimate from the samples (sees skew and tails)" };
    case MapKind::HistogramKL:
      return { "Histogram KL divergence", "nats", "Plug-in estimate on bins shared by the two series" };
    case MapKind::MeanSquaredError:
      return { "Mean squared error", "squared intensity", "Mean over time of (generated - reference)^2" };
    case MapKind::Correlation:
      return { "Correlation", "Pearson r", "Pearson r over time between the paired series" };
    case MapKind::MeanDifference:
      return { "Mean difference", "intensity", "mean_generated - mean_reference" };
    case MapKind::VarianceLogRatio:
      return { "Variance log ratio",
               "ln(var_gen / var_ref)",
               "ln(var_generated / var_reference): below 0 where the generated signal is flattened" };
    case MapKind::Other:
      return { "", "value", "" };
  }
  return { "", "", "" };
}

std::string
H(std::string_view text)
{
  return EscapeHtml(text);
}

std::string
Number(double value)
{
  return FormatLabelNumber(value);
}

// A count with thousands separators.
std::string
Count(std::uint64_t value)
{
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3)
  {
    digits.insert(static_cast<std::size_t>(i), ",");
  }
  return digits;
}

// The shortest text that reads back to the same double, for data attributes.
std::string
Exact(double value)
{
  return fmt::format("{}", value);
}

// ---- summaries -------------------------------------------------------------------------

// The fields of a summary the page shows; numbers may be null (JSON's NaN).
enum class FieldType
{
  Any,
  Text,
  Number,
  Object
};
struct SummaryField
{
  const char * name;
  FieldType    type;
};
const std::vector<SummaryField> &
KLSummaryFields()
{
  static const std::vector<SummaryField> fields{
    { "version", FieldType::Text },
    { "inputs", FieldType::Object },
    { "options", FieldType::Object },
    { "options.estimator", FieldType::Text },
    { "options.direction", FieldType::Text },
    { "divergence", FieldType::Text },
    { "voxels.total", FieldType::Number },
    { "voxels.inMask", FieldType::Number },
    { "voxels.valid", FieldType::Number },
    { "voxels.constant", FieldType::Number },
    { "voxels.floored", FieldType::Number },
    { "voxels.noSamples", FieldType::Number },
    { "skippedNonFiniteSamples", FieldType::Number },
    { "kl.count", FieldType::Number },
    { "kl.mean", FieldType::Number },
    { "kl.std", FieldType::Number },
    { "kl.min", FieldType::Number },
    { "kl.p5", FieldType::Number },
    { "kl.median", FieldType::Number },
    { "kl.p95", FieldType::Number },
    { "kl.max", FieldType::Number },
  };
  return fields;
}
const std::vector<SummaryField> &
SpatialSummaryFields()
{
  static const std::vector<SummaryField> fields{
    { "version", FieldType::Text },
    { "inputs", FieldType::Object },
    { "options", FieldType::Object },
    { "options.direction", FieldType::Text },
    { "options.standardize", FieldType::Text },
    { "options.temperature", FieldType::Number },
    { "divergence", FieldType::Text },
    { "voxels.inMask", FieldType::Number },
    { "volumes.count", FieldType::Number },
    { "volumes.withKL", FieldType::Number },
    { "spatialKL.count", FieldType::Number },
    { "spatialKL.mean", FieldType::Number },
    { "spatialKL.median", FieldType::Number },
    { "spatialKL.min", FieldType::Number },
    { "spatialKL.max", FieldType::Number },
    { "globalMSE", FieldType::Number },
  };
  return fields;
}

void
CheckSummary(const nlohmann::json & document, const std::string & source, bool spatial)
{
  if (!document.is_object() || !document.contains("tool") || !document["tool"].is_string())
  {
    throw InputError(source, "not a VoxelKL summary (no 'tool' field)");
  }
  const std::string tool = document["tool"].get<std::string>();
  const bool ok = spatial ? tool == "SpatialKLDivergence" : tool == "VoxelKLDivergence" || tool == "VoxelKLMerge";
  if (!ok)
  {
    throw InputError(source,
                     fmt::format("a summary of '{}' where one of {} is expected",
                                 tool.substr(0, 40),
                                 spatial ? "SpatialKLDivergence" : "VoxelKLDivergence or VoxelKLMerge"));
  }
  for (const SummaryField & field : spatial ? SpatialSummaryFields() : KLSummaryFields())
  {
    const nlohmann::json * node = FindField(document, field.name);
    if (node == nullptr)
    {
      throw InputError(source, fmt::format("no field '{}': not a complete {} summary", field.name, tool));
    }
    const bool right = field.type == FieldType::Any || (field.type == FieldType::Text && node->is_string()) ||
                       (field.type == FieldType::Number && (node->is_number() || node->is_null())) ||
                       (field.type == FieldType::Object && node->is_object());
    if (!right)
    {
      throw InputError(source,
                       fmt::format("field '{}' is {}, expected {}",
                                   field.name,
                                   node->type_name(),
                                   field.type == FieldType::Text     ? "text"
                                   : field.type == FieldType::Number ? "a number"
                                                                     : "an object"));
    }
  }
}

double
NumberField(const nlohmann::json & document, const std::string & field)
{
  const nlohmann::json * node = FindField(document, field);
  return node != nullptr && node->is_number() ? node->get<double>() : std::nan("");
}

std::uint64_t
CountField(const nlohmann::json & document, const std::string & field)
{
  const double value = NumberField(document, field);
  return std::isfinite(value) && value >= 0 ? static_cast<std::uint64_t>(value) : 0;
}

std::string
TextOf(const nlohmann::json & value)
{
  if (value.is_string())
  {
    return value.get<std::string>();
  }
  if (value.is_number_float())
  {
    return Number(value.get<double>());
  }
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---- grids ---------------------------------------------------------------------------------

// nibabel's axis codes: the RAS direction each index axis mostly points to.
std::string
AxisCodes(const SpatialGrid & grid, bool & oblique)
{
  std::string codes;
  oblique = false;
  for (int c = 0; c < 3; ++c)
  {
    // Column c of the direction in RAS.
    const double ras[3] = { -grid.direction[c], -grid.direction[3 + c], grid.direction[6 + c] };
    int          best = 0;
    for (int r = 1; r < 3; ++r)
    {
      if (std::abs(ras[r]) > std::abs(ras[best]))
      {
        best = r;
      }
    }
    oblique = oblique || std::abs(std::abs(ras[best]) - 1.0) > 1e-3;
    static const char positive[] = { 'R', 'A', 'S' };
    static const char negative[] = { 'L', 'P', 'I' };
    codes += ras[best] >= 0 ? positive[best] : negative[best];
  }
  return codes;
}

std::string
DescribeMapGrid(const SpatialGrid & grid)
{
  bool              oblique = false;
  const std::string codes = AxisCodes(grid, oblique);
  return fmt::format("{} x {} x {} voxels of {} x {} x {} mm; axes {}{}; first voxel at RAS ({}, {}, {}) mm",
                     grid.size[0],
                     grid.size[1],
                     grid.size[2],
                     Number(grid.spacing[0]),
                     Number(grid.spacing[1]),
                     Number(grid.spacing[2]),
                     codes,
                     oblique ? " (oblique)" : "",
                     Number(-grid.origin[0]),
                     Number(-grid.origin[1]),
                     Number(grid.origin[2]));
}

std::string
DescribeSeriesJson(const nlohmann::json & series)
{
  std::string text;
  if (series.contains("paths") && series["paths"].is_array())
  {
    std::vector<std::string> paths;
    for (const auto & path : series["paths"])
    {
      paths.push_back(TextOf(path));
    }
    text +=
      paths.size() == 1 ? paths.front() : fmt::format("{} files: {} ... {}", paths.size(), paths.front(), paths.back());
  }
  if (series.contains("timePoints"))
  {
    text += fmt::format("; {} time points", TextOf(series["timePoints"]));
  }
  if (series.contains("voxelType"))
  {
    text += fmt::format(", {}", TextOf(series["voxelType"]));
  }
  if (series.contains("grid") && series["grid"].is_object())
  {
    const auto & grid = series["grid"];
    if (grid.contains("size") && grid.contains("spacing"))
    {
      text += "; grid " + TextOf(grid["size"]) + " of " + TextOf(grid["spacing"]) + " mm";
    }
  }
  return text.empty() ? TextOf(series) : text;
}

// ---- the page ------------------------------------------------------------------------------

const char * Style = R"CSS(
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #222; background: #fafafa; }
header { background: #263238; color: #fff; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header p { margin: 4px 0 0; color: #cfd8dc; font-size: 13px; }
nav { background: #37474f; padding: 6px 24px; position: sticky; top: 0; z-index: 2; }
nav a { color: #eceff1; margin-right: 16px; text-decoration: none; font-size: 13px; }
main { padding: 8px 24px 40px; max-width: 1400px; }
section { background: #fff; border: 1px solid #e0e0e0; border-radius: 6px; padding: 8px 18px 16px; margin: 16px 0; }
h2 { font-size: 18px; margin: 10px 0; }
h3 { font-size: 16px; margin: 18px 0 4px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #e6e6e6; padding: 3px 10px 3px 0; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.note { color: #555; font-size: 13px; }
.warning { background: #fff3e0; border-left: 4px solid #ef6c00; padding: 4px 10px; margin: 4px 0; }
.mosaic { display: flex; flex-wrap: wrap; gap: 6px; align-items: flex-start; background: #000; padding: 8px; border-radius: 4px; }
.tile { margin: 0; color: #ddd; font-size: 11px; text-align: center; }
.frame { position: relative; line-height: 0; }
.frame img { image-rendering: pixelated; display: block; }
.frame span { position: absolute; color: #ffeb3b; font: bold 11px/1 sans-serif; }
.frame .l { left: 2px; top: 50%; } .frame .r { right: 2px; top: 50%; }
.frame .t { top: 2px; left: 50%; } .frame .b { bottom: 2px; left: 50%; }
.tile figcaption { padding-top: 2px; }
figure { margin: 0; }
.plots { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; margin: 8px 0 12px; }
.plots figure { max-width: 380px; }
svg text { font: 11px sans-serif; fill: #333; }
svg text.units { fill: #666; }
.viewer-frame { position: relative; width: 100%; height: 560px; background: #000; }
#voxelkl-viewer-canvas { position: absolute; inset: 0; width: 100%; height: 100%; display: block; }
.viewer-controls { margin: 6px 0; display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.viewer-controls button { font-size: 13px; }
#voxelkl-viewer-location { font-family: monospace; font-size: 12px; color: #333; }
)CSS";

// The page's own error log, before anything else runs: the self-check reports it.
const char * ErrorRecorder =
  "window.voxelklErrors=[];"
  "addEventListener('error',function(e){voxelklErrors.push(String(e.message||('failed to load '+((e.target&&(e.target."
  "src||e.target.href))||e.type))));},true);"
  "addEventListener('unhandledrejection',function(e){voxelklErrors.push('unhandled rejection: '+String(e.reason));});";

// After the page and the viewer: what the page itself found (every image decoded, the
// viewer's state, errors), as JSON in #voxelkl-self-check.
const char * SelfCheck = R"JS(
(function () {
  var out = document.getElementById('voxelkl-self-check');
  function finish(viewer) {
    var images = Array.prototype.slice.call(document.images);
    var decoded = images.filter(function (image) { return image.complete && image.naturalWidth > 0; }).length;
    out.textContent = JSON.stringify({ images: images.length, decoded: decoded, viewer: viewer, errors: window.voxelklErrors });
    out.setAttribute('data-done', '1');
  }
  window.addEventListener('load', function () {
    var viewer = window.voxelklViewer;
    if (!viewer) { finish({ state: document.getElementById('voxelkl-viewer-canvas') ? 'failed: the viewer did not start' : 'absent' }); return; }
    viewer.then(finish, function (error) { finish({ state: 'failed: ' + String(error && error.message || error) }); });
  });
})();
)JS";

struct Tile
{
  SlicePlane                plane;
  std::vector<std::int64_t> voxels;
};

struct PreparedMap
{
  const ReportMap *          map{ nullptr };
  std::string                key; ///< unique id within the page
  std::string                title;
  std::string                units;
  bool                       diverging{ false };
  std::vector<unsigned char> shown; ///< empty: every finite value
  std::size_t                shownCount{ 0 };
  DisplayRange               range;
  Histogram                  histogram;
  SampleSummary              summary;
  std::vector<std::string>   tiles;        ///< PNG data URIs, one per tile
  std::string                viewerVolume; ///< base64 of the .nii.gz
};

// The voxels a map is shown for: its valid flags, else the mask; with a finite value.
std::vector<unsigned char>
ShownVoxels(const ReportMap & map, const std::vector<unsigned char> & mask)
{
  const std::size_t                  voxels = map.image->GetLargestPossibleRegion().GetNumberOfPixels();
  const float *                      values = map.image->GetBufferPointer();
  const std::vector<unsigned char> & base = map.valid.empty() ? mask : map.valid;
  std::vector<unsigned char>         shown(voxels, 0);
  for (std::size_t v = 0; v < voxels; ++v)
  {
    shown[v] = (base.empty() || base[v] != 0) && std::isfinite(values[v]) ? 1 : 0;
  }
  return shown;
}

std::string
MapKey(const std::string & name, std::size_t index)
{
  std::string key;
  for (const char c : name)
  {
    key += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  }
  return fmt::format("map-{}-{}", index, key);
}

class Page
{
public:
  void
  operator+=(const std::string & html)
  {
    m_Html += html;
  }
  std::string &
  Html()
  {
    return m_Html;
  }

private:
  std::string m_Html;
};

std::string
DefinitionRows(const std::vector<std::pair<std::string, std::string>> & rows)
{
  std::string html = "<table>";
  for (const auto & [name, value] : rows)
  {
    html += "<tr><th>" + H(name) + "</th><td>" + H(value) + "</td></tr>";
  }
  return html + "</table>";
}

// The notes every reader of a KL map should see: floored voxels, skipped samples, the
// estimator's biases, atlas coverage; then the run's own warnings.
std::vector<std::string>
SummaryNotes(const nlohmann::json & summary)
{
  std::vector<std::string> notes;
  const std::uint64_t      floored = CountField(summary, "voxels.floored");
  const std::uint64_t      noSamples = CountField(summary, "voxels.noSamples");
  const std::uint64_t      skipped = CountField(summary, "skippedNonFiniteSamples");
  const std::uint64_t      valid = CountField(summary, "voxels.valid");
  if (floored > 0)
  {
    notes.push_back(fmt::format("{} voxels of the mask had a variance below the floor (raised to it): they are left "
                                "out of the statistics and shown as not valid.",
                                Count(floored)));
  }
  if (noSamples > 0)
  {
    notes.push_back(fmt::format("{} voxels of the mask had too few finite samples for the estimator (written as 0, not "
                                "valid).",
                                Count(noSamples)));
  }
  if (skipped > 0)
  {
    notes.push_back(fmt::format("{} non-finite samples (NaN, inf) were skipped.", Count(skipped)));
  }
  if (valid == 0)
  {
    notes.push_back("No voxel is valid: the maps have nothing to show.");
  }
  const std::string estimator = summary["options"].value("estimator", "");
  if (estimator == "knn")
  {
    notes.push_back("k-NN estimates near 0 can be slightly negative (the estimator is nearly unbiased, not positive), "
                    "and are biased low where the first distribution has mass where the second has almost none (e.g. "
                    "KL(reference || generated) of a flattened generated signal); --direction reverse does not suffer "
                    "from this.");
  }
  else if (estimator == "histogram")
  {
    notes.push_back("Histogram estimates carry the plug-in bias of their bins, about (K - 1) / 2T for K bins and T "
                    "samples, and smear sharp edges; they are biased low where the first distribution has mass where "
                    "the second has almost none.");
  }
  else if (estimator == "gaussian")
  {
    notes.push_back("The Gaussian KL compares means and variances only: a generated signal with the right mean and "
                    "variance but the wrong shape (tails, skew) scores about 0 (--estimator knn sees the shape).");
  }
  if (const nlohmann::json * coverage = FindField(summary, "regions.coverage.warning");
      coverage && coverage->is_string())
  {
    notes.push_back("Atlas: " + coverage->get<std::string>());
  }
  if (const nlohmann::json * warnings = FindField(summary, "warnings"); warnings && warnings->is_array())
  {
    for (const auto & warning : *warnings)
    {
      notes.push_back("Warning of the run: " + TextOf(warning));
    }
  }
  return notes;
}

std::string
StatisticsTable(const nlohmann::json & statistics)
{
  std::string         html = "<table><tr>";
  static const char * names[] = { "count", "mean", "std", "min", "p5", "p25", "median", "p75", "p95", "max" };
  for (const char * name : names)
  {
    html += fmt::format("<th>{}</th>", name);
  }
  html += "</tr><tr>";
  for (const char * name : names)
  {
    const nlohmann::json * value = FindField(statistics, name);
    html += "<td class=\"n\">" + (value ? H(TextOf(*value)) : std::string("")) + "</td>";
  }
  return html + "</tr></table>";
}

void
WriteOverview(Page & page, const ReportContent & content, const SpatialGrid * grid)
{
  page += "<section id=\"overview\"><h2>Inputs, options and counts</h2>";
  std::vector<std::pair<std::string, std::string>> inputs;
  if (content.summary)
  {
    const nlohmann::json & summary = *content.summary;
    inputs.emplace_back("summary", content.summarySource);
    // The run's inputs: the series first, in the order of the comparison.
    std::vector<std::string> names;
    for (const char * name : { "reference", "generated" })
    {
      if (summary["inputs"].contains(name))
      {
        names.push_back(name);
      }
    }
    for (const auto & item : summary["inputs"].items())
    {
      if (item.key() != "reference" && item.key() != "generated")
      {
        names.push_back(item.key());
      }
    }
    for (const std::string & name : names)
    {
      const nlohmann::json & value = summary["inputs"][name];
      if (!value.is_null())
      {
        inputs.emplace_back("run's " + name, value.is_object() ? DescribeSeriesJson(value) : TextOf(value));
      }
    }
  }
  if (content.anatomy)
  {
    inputs.emplace_back("underlay (reference mean)", content.anatomySource);
  }
  for (const ReportMap & map : content.maps)
  {
    inputs.emplace_back("map " + map.name, map.source);
  }
  if (!content.maskSource.empty())
  {
    inputs.emplace_back("mask", content.maskSource);
  }
  if (content.regions)
  {
    inputs.emplace_back("region table", content.regionsSource);
  }
  if (content.spatialSummary)
  {
    inputs.emplace_back("spatial KL summary", content.spatialSummarySource);
  }
  if (content.spatial)
  {
    inputs.emplace_back("per-volume spatial KL", content.spatial->source);
  }
  if (content.cohort)
  {
    inputs.emplace_back("cohort table", content.cohort->source);
  }
  if (grid != nullptr)
  {
    inputs.emplace_back("grid of the maps", DescribeMapGrid(*grid));
  }
  page += "<h3>Inputs</h3>" + DefinitionRows(inputs);
  if (content.summary)
  {
    const nlohmann::json &                           summary = *content.summary;
    std::vector<std::pair<std::string, std::string>> options;
    for (const auto & [name, value] : summary["options"].items())
    {
      options.emplace_back(name, TextOf(value));
    }
    page += "<h3>Options</h3>" + DefinitionRows(options);
    page += "<h3>Voxels</h3>" +
            DefinitionRows(
              { { "in the grid", Count(CountField(summary, "voxels.total")) },
                { "in the mask", Count(CountField(summary, "voxels.inMask")) },
                { "valid (the statistics are over these)", Count(CountField(summary, "voxels.valid")) },
                { "constant (the same constant in both series: KL 0)", Count(CountField(summary, "voxels.constant")) },
                { "floored (a variance raised to the floor)", Count(CountField(summary, "voxels.floored")) },
                { "without enough samples", Count(CountField(summary, "voxels.noSamples")) },
                { "non-finite samples skipped", Count(CountField(summary, "skippedNonFiniteSamples")) } });
    page += "<h3>" + H(TextOf(summary["divergence"])) + " over valid voxels (" +
            H(summary.value("units", std::string("nats"))) + ")</h3>" + StatisticsTable(summary["kl"]);
    if (summary.contains("fidelity") && summary["fidelity"].is_object())
    {
      for (const auto & [name, statistics] : summary["fidelity"].items())
      {
        page += "<h3>" + H(name) + " over the same voxels</h3>" + StatisticsTable(statistics);
      }
    }
    if (const double mse = NumberField(summary, "globalMSE"); std::isfinite(mse))
    {
      page += "<p>Global MSE over the mask and all paired time points: " + H(Number(mse)) + "</p>";
    }
    for (const std::string & note : SummaryNotes(summary))
    {
      page += "<p class=\"warning\">" + H(note) + "</p>";
    }
  }
  for (const std::string & warning : content.warnings)
  {
    page += "<p class=\"warning\">" + H(warning) + "</p>";
  }
  if (!content.settings.empty())
  {
    page += "<h3>Report settings</h3>" + DefinitionRows(content.settings);
  }
  page += "</section>";
}

void
WriteMaps(Page &                           page,
          const ReportContent &            content,
          const std::vector<PreparedMap> & maps,
          const std::vector<Tile> &        tiles,
          const DisplayRange &             anatomyRange,
          std::size_t                      scale)
{
  page += "<section id=\"maps\"><h2>Maps</h2>";
  page +=
    "<p class=\"note\">Each map in colour (opacity 0.75, fading out towards the low end of a sequential map "
    "and towards 0 for a signed one, as its colour bar shows) over the reference's mean image in grey (its p2-p98 "
    "over " +
    std::string(content.mask.empty() ? "the nonzero voxels" : "the mask") + ": " + H(Number(anatomyRange.low)) +
    " to " + H(Number(anatomyRange.high)) +
    "), in the neurological convention: the subject's left (L) on the left. Positions are RAS millimetres (x "
    "to the right, y anterior, z superior). The colour range of a map is robust: its 2nd to 98th percentiles "
    "over the voxels it is shown for (symmetric about 0 for signed maps); values beyond are drawn in the end "
    "colours. " +
    std::string(content.mask.empty() ? "" : "The mask's outline is green. ") +
    "Voxels that are not valid are "
    "not coloured.</p>";
  for (const PreparedMap & prepared : maps)
  {
    const ReportMap & map = *prepared.map;
    page += fmt::format("<article class=\"map\" id=\"{}\" data-map=\"{}\">", prepared.key, H(map.name));
    page += "<h3>" + H(prepared.title) + "</h3>";
    const MapStyle style = StyleOf(map.kind);
    page += "<p class=\"note\">" + H(std::string(style.meaning).empty() ? "" : std::string(style.meaning) + ". ") +
            "From " + H(map.source) + "; shown for " + H(Count(prepared.shownCount)) + " voxels (" +
            H(map.validMeaning.empty() ? (content.mask.empty() ? "every voxel with a finite value"
                                                               : "the voxels of the mask with a finite value")
                                       : map.validMeaning) +
            ").</p>";
    std::string rangeText;
    if (prepared.range.count == 0)
    {
      rangeText = "No value to show.";
    }
    else if (prepared.range.symmetric)
    {
      rangeText = fmt::format("Colour range: symmetric about 0, &plusmn;{} = max(|p2|, |p98|) of {} values (p2 = {}, "
                              "p98 = {}).",
                              H(Number(prepared.range.high)),
                              H(Count(prepared.range.count)),
                              H(Number(prepared.range.p2)),
                              H(Number(prepared.range.p98)));
    }
    else
    {
      rangeText = fmt::format("Colour range: p2 = {} to p98 = {} of {} values.",
                              H(Number(prepared.range.p2)),
                              H(Number(prepared.range.p98)),
                              H(Count(prepared.range.count)));
    }
    const ColorMap colors = prepared.diverging ? ColorMap::Diverging() : ColorMap::Hot();
    page += fmt::format("<div class=\"plots\"><figure class=\"colorbar\" data-low=\"{}\" data-high=\"{}\" "
                        "data-p2=\"{}\" data-p98=\"{}\" data-count=\"{}\">{}<figcaption class=\"note\">{}</figcaption>"
                        "</figure>",
                        Exact(prepared.range.low),
                        Exact(prepared.range.high),
                        Exact(prepared.range.p2),
                        Exact(prepared.range.p98),
                        prepared.range.count,
                        ColorBarSvg(prepared.range, colors, prepared.units, prepared.key + "-gradient"),
                        rangeText);
    page += fmt::format(
      "<figure class=\"histogram\" data-total=\"{}\">{}<figcaption class=\"note\">Histogram of the {} values: {} "
      "bins over the colour range, {} below it, {} above it. Mean {}, median {}, min {}, max {}.</figcaption></figure>"
      "</div>",
      prepared.histogram.Total(),
      HistogramSvg(prepared.histogram, colors, prepared.units),
      H(Count(prepared.histogram.Total())),
      prepared.histogram.counts.size(),
      H(Count(prepared.histogram.below)),
      H(Count(prepared.histogram.above)),
      H(Number(prepared.summary.mean)),
      H(Number(prepared.summary.median)),
      H(Number(prepared.summary.min)),
      H(Number(prepared.summary.max)));
    page += "<div class=\"mosaic\">";
    for (std::size_t t = 0; t < tiles.size(); ++t)
    {
      const SlicePlane & plane = tiles[t].plane;
      const ViewLetters  letters = LettersOf(plane.view);
      const std::string  position = fmt::format("{} = {} mm", AxisName(plane.view), Number(plane.position));
      page += fmt::format(
        "<figure class=\"tile\" data-view=\"{}\" data-position=\"{}\" data-top-left=\"{},{},{}\" data-step=\"{}\">"
        "<div class=\"frame\"><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"{}, {} {}\">"
        "<span class=\"l\">{}</span><span class=\"r\">{}</span><span class=\"t\">{}</span><span class=\"b\">{}</span>"
        "</div><figcaption>{} {}</figcaption></figure>",
        ToString(plane.view),
        Exact(plane.position),
        Exact(plane.topLeft[0]),
        Exact(plane.topLeft[1]),
        Exact(plane.topLeft[2]),
        Exact(std::abs(plane.right[0] + plane.right[1] + plane.right[2])),
        prepared.tiles[t],
        plane.width * scale,
        plane.height * scale,
        H(map.name),
        ToString(plane.view),
        H(position),
        letters.left,
        letters.right,
        letters.top,
        letters.bottom,
        ToString(plane.view),
        H(position));
    }
    page += "</div></article>";
  }
  page += "</section>";
}

void
WriteRegions(Page & page, const RegionTable & table, const std::string & source)
{
  page += "<section id=\"regions\"><h2>Regions</h2>";
  std::size_t column = 0;
  const auto  kl = std::find(table.mapNames.begin(), table.mapNames.end(), "kl");
  if (kl != table.mapNames.end())
  {
    column = static_cast<std::size_t>(kl - table.mapNames.begin());
  }
  if (table.mapNames.empty())
  {
    page += "<p class=\"note\">The region table " + H(source) + " has no map.</p></section>";
    return;
  }
  const std::string   mapName = table.mapNames[column];
  std::vector<BoxRow> rows;
  for (const RegionRow & row : table.rows)
  {
    const SampleSummary & s = row.maps[column];
    if (s.count > 0)
    {
      rows.push_back({ row.name, s.count, s.p5, s.p25, s.median, s.p75, s.p95 });
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const BoxRow & a, const BoxRow & b) { return a.median > b.median; });
  const std::size_t shown = std::min<std::size_t>(rows.size(), 20);
  rows.resize(shown);
  page += fmt::format("<p class=\"note\">The {} regions (of {} with values) with the highest median {} in {}: box "
                      "p25 to p75, whiskers p5 to p95, the median in red.</p>",
                      shown,
                      std::count_if(table.rows.begin(),
                                    table.rows.end(),
                                    [&](const RegionRow & row) { return row.maps[column].count > 0; }),
                      H(mapName),
                      H(source));
  page += "<div data-regions=\"" + std::to_string(shown) + "\">" + BoxChartSvg(rows, mapName) + "</div>";
  if (table.consideredVoxels > 0)
  {
    const std::string warning = CoverageWarning(table);
    if (!warning.empty())
    {
      page += "<p class=\"warning\">" + H(warning) + "</p>";
    }
  }
  page += "</section>";
}

void
WriteSpatial(Page & page, const ReportContent & content)
{
  page += "<section id=\"spatial\"><h2>Spatial (softmax) KL per volume</h2>";
  if (content.spatialSummary)
  {
    const nlohmann::json &                           summary = *content.spatialSummary;
    std::vector<std::pair<std::string, std::string>> rows{
      { "divergence", TextOf(summary["divergence"]) },
      { "standardize", TextOf(summary["options"]["standardize"]) },
      { "temperature", TextOf(summary["options"]["temperature"]) },
      { "volumes (with a KL)",
        TextOf(summary["volumes"]["count"]) + " (" + TextOf(summary["volumes"]["withKL"]) + ")" },
      { "voxels in the mask", TextOf(summary["voxels"]["inMask"]) },
      { "mean spatial KL (the loss term)", Number(NumberField(summary, "spatialKL.mean")) },
      { "global MSE", Number(NumberField(summary, "globalMSE")) },
    };
    if (const nlohmann::json * loss = FindField(summary, "loss"); loss && loss->is_object())
    {
      rows.emplace_back("MindAligner's loss",
                        fmt::format("{} = {} + {} x {}",
                                    Number(NumberField(*loss, "total")),
                                    Number(NumberField(*loss, "mse")),
                                    Number(NumberField(*loss, "lambda")),
                                    Number(NumberField(*loss, "spatialKL"))));
    }
    for (const auto & [name, value] : summary["inputs"].items())
    {
      if (!value.is_null())
      {
        rows.emplace_back("input " + name, value.is_object() ? DescribeSeriesJson(value) : TextOf(value));
      }
    }
    page += DefinitionRows(rows) + "<h3>Over volumes (nats)</h3>" + StatisticsTable(summary["spatialKL"]);
  }
  if (content.spatial)
  {
    const SpatialSeries & series = *content.spatial;
    page += fmt::format("<figure data-volumes=\"{}\">{}<figcaption class=\"note\">KL of each volume pair (nats) from "
                        "{}; gaps: volumes without a KL.</figcaption></figure>",
                        series.kl.size(),
                        SeriesPlotSvg(series.kl, "volume", "spatial KL (nats)"),
                        H(series.source));
    if (!series.mse.empty())
    {
      page += "<figure>" + SeriesPlotSvg(series.mse, "volume", "MSE") +
              "<figcaption class=\"note\">Mean squared error of each volume pair over the voxels of its "
              "softmax.</figcaption></figure>";
    }
  }
  page += "</section>";
}

void
WriteCohort(Page & page, const TextTable & table)
{
  page += "<section id=\"cohort\"><h2>Cohort</h2>";
  auto columnOf = [&](const std::string & name) -> std::optional<std::size_t> {
    const auto found = std::find(table.columns.begin(), table.columns.end(), name);
    return found == table.columns.end()
             ? std::nullopt
             : std::optional<std::size_t>(static_cast<std::size_t>(found - table.columns.begin()));
  };
  const auto  subject = columnOf("subject");
  const auto  model = columnOf("model");
  auto        measure = columnOf("meanKL");
  std::string measureName = "meanKL";
  if (!measure)
  {
    measure = columnOf("spatialKL");
    measureName = "spatialKL";
  }
  auto cell = [](const std::vector<std::string> & row, std::optional<std::size_t> column) -> std::string {
    return column && *column < row.size() ? row[*column] : std::string();
  };
  if (measure)
  {
    std::vector<std::string>           groups;
    std::map<std::string, std::size_t> groupIndex;
    std::vector<DotRow>                rows;
    std::map<std::string, std::size_t> rowIndex;
    for (const auto & row : table.rows)
    {
      const std::string group = cell(row, model) == "n/a" ? "" : cell(row, model);
      if (!groupIndex.count(group))
      {
        groupIndex[group] = groups.size();
        groups.push_back(group);
      }
      const std::string who = cell(row, subject);
      if (!rowIndex.count(who))
      {
        rowIndex[who] = rows.size();
        rows.push_back({ who, {} });
      }
      const auto value = ParseTableNumber(cell(row, measure));
      rows[rowIndex[who]].dots.emplace_back(groupIndex[group], value ? *value : std::nan(""));
    }
    page += fmt::format("<p class=\"note\">{} of each subject (one row per subject{}), from {}.</p>",
                        H(measureName),
                        groups.size() > 1 ? ", a dot per model" : "",
                        H(table.source));
    page +=
      "<div data-subjects=\"" + std::to_string(rows.size()) + "\">" + DotChartSvg(rows, groups, measureName) + "</div>";
  }
  page += "<h3>Table</h3><div style=\"overflow-x:auto\"><table><tr>";
  for (const std::string & column : table.columns)
  {
    page += "<th>" + H(column) + "</th>";
  }
  page += "</tr>";
  for (const auto & row : table.rows)
  {
    page += "<tr>";
    for (std::size_t c = 0; c < table.columns.size(); ++c)
    {
      const std::string value = c < row.size() ? row[c] : std::string();
      page += std::string(ParseTableNumber(value) ? "<td class=\"n\">" : "<td>") + H(value) + "</td>";
    }
    page += "</tr>";
  }
  page += "</table></div></section>";
}

nlohmann::json
ColorMapJson(const ColorMap & colors)
{
  nlohmann::json r = nlohmann::json::array();
  nlohmann::json g = nlohmann::json::array();
  nlohmann::json b = nlohmann::json::array();
  nlohmann::json a = nlohmann::json::array();
  nlohmann::json i = nlohmann::json::array();
  for (int k = 0; k < 256; ++k)
  {
    r.push_back(colors.Table()[k].r);
    g.push_back(colors.Table()[k].g);
    b.push_back(colors.Table()[k].b);
    a.push_back(colors.Alpha()[k]);
    i.push_back(k);
  }
  return { { "name", "voxelkl-" + colors.Name() },
           { "table", { { "R", r }, { "G", g }, { "B", b }, { "A", a }, { "I", i } } } };
}

void
WriteViewer(Page &                           page,
            const std::vector<PreparedMap> & maps,
            const std::string &              anatomyVolume,
            const DisplayRange &             anatomyRange)
{
  page += "<section id=\"viewer\"><h2>Viewer</h2>";
  if (!HasViewerBundle())
  {
    page += "<p class=\"warning\" id=\"voxelkl-viewer-status\">The interactive viewer is not in this report: this "
            "VoxelKL was built without its NiiVue bundle (it is built when npm is found, CMake option "
            "VOXELKL_REPORT_VIEWER). The mosaics above show the same maps.</p></section>";
    return;
  }
  nlohmann::json data;
  data["opacity"] = 0.75;
  data["anatomy"] = { { "base64", anatomyVolume }, { "low", anatomyRange.low }, { "high", anatomyRange.high } };
  data["colormaps"] = { ColorMapJson(ColorMap::Hot()), ColorMapJson(ColorMap::Diverging()) };
  data["maps"] = nlohmann::json::array();
  std::string options;
  for (std::size_t m = 0; m < maps.size(); ++m)
  {
    const PreparedMap & map = maps[m];
    // NiiVue shows codes 1..255 from cal_min to cal_max; code 0 (not valid) is below it.
    data["maps"].push_back({ { "name", map.map->name },
                             { "title", map.title },
                             { "base64", map.viewerVolume },
                             { "colormap", map.diverging ? "voxelkl-diverging" : "voxelkl-hot" },
                             { "low", map.range.low },
                             { "high", map.range.high } });
    options += fmt::format("<option value=\"{}\">{}</option>", m, H(map.title));
  }
  page += "<p class=\"note\">NiiVue " + H(std::string(ViewerBundleVersion())) +
          " (BSD-2-Clause), inlined in this page. Click or drag in a slice to move the crosshair; arrow keys and the "
          "mouse wheel step through slices. The maps are stored for the viewer as 8-bit codes over their colour "
          "range (values beyond it take its end colours; exact values are in the NIfTI maps); the underlay over its "
          "grey range.</p>";
  page += "<div class=\"viewer-controls\"><label>Map <select id=\"voxelkl-viewer-map\">" + options +
          "</select></label>"
          "<button type=\"button\" data-slice-type=\"AXIAL\">Axial</button>"
          "<button type=\"button\" data-slice-type=\"CORONAL\">Coronal</button>"
          "<button type=\"button\" data-slice-type=\"SAGITTAL\">Sagittal</button>"
          "<button type=\"button\" data-slice-type=\"MULTIPLANAR\">All three</button>"
          "<span id=\"voxelkl-viewer-location\"></span></div>";
  // NiiVue sizes its canvas to the canvas' parent: a frame of fixed height.
  page += "<div class=\"viewer-frame\"><canvas id=\"voxelkl-viewer-canvas\"></canvas></div>";
  page += "<p class=\"note\" id=\"voxelkl-viewer-status\">Starting the viewer...</p>";
  page += "<script type=\"application/json\" id=\"voxelkl-viewer-data\">" + ScriptJson(data) + "</script>";
  page += "<script type=\"module\">" + std::string(ViewerBundle()) + "</script>";
  page += "<script type=\"module\">" + std::string(ViewerScript()) + "</script>";
  page += "</section>";
}

std::string
DefaultTitle(const ReportContent & content)
{
  if (!content.title.empty())
  {
    return content.title;
  }
  auto name = [](const nlohmann::json & summary, const char * series) -> std::string {
    const nlohmann::json * paths = FindField(summary, std::string("inputs.") + series + ".paths");
    if (paths && paths->is_array() && !paths->empty())
    {
      std::string path = TextOf(paths->front());
      const auto  slash = path.find_last_of('/');
      return slash == std::string::npos ? path : path.substr(slash + 1);
    }
    return "";
  };
  for (const auto * summary : { &content.summary, &content.spatialSummary })
  {
    if (*summary)
    {
      const std::string reference = name(**summary, "reference");
      const std::string generated = name(**summary, "generated");
      if (!reference.empty() && !generated.empty())
      {
        return generated + " vs " + reference;
      }
    }
  }
  if (content.cohort)
  {
    return "cohort " + content.cohort->source;
  }
  if (!content.maps.empty())
  {
    return content.maps.front().source;
  }
  return "VoxelKL";
}

} // namespace

MapKind
MapKindOf(const std::string & name)
{
  static const std::map<std::string, MapKind> kinds{ { "kl", MapKind::KL },
                                                     { "knn", MapKind::KnnKL },
                                                     { "histogram", MapKind::HistogramKL },
                                                     { "mse", MapKind::MeanSquaredError },
                                                     { "correlation", MapKind::Correlation },
                                                     { "meanDifference", MapKind::MeanDifference },
                                                     { "varianceLogRatio", MapKind::VarianceLogRatio } };
  const auto                                  found = kinds.find(name);
  return found == kinds.end() ? MapKind::Other : found->second;
}

bool
IsDiverging(MapKind kind)
{
  return kind == MapKind::Correlation || kind == MapKind::MeanDifference || kind == MapKind::VarianceLogRatio;
}

void
CheckReportContent(const ReportContent & content)
{
  if (!content.maps.empty() && !content.anatomy)
  {
    throw InputError(content.maps.front().source,
                     "a map needs the reference's mean image to be drawn over (--reference or --anatomy)");
  }
  if (content.anatomy)
  {
    const SpatialGrid     grid = ImageGrid(content.anatomy);
    std::set<std::string> names;
    for (const ReportMap & map : content.maps)
    {
      RequireSameGrid(content.anatomySource, grid, map.source, ImageGrid(map.image));
      if (!map.valid.empty() && map.valid.size() != grid.VoxelCount())
      {
        throw std::invalid_argument("ReportMap::valid of another size than the map");
      }
      if (!names.insert(map.name).second)
      {
        throw InputError(map.source, "a second map named '" + map.name + "'");
      }
    }
    if (!content.mask.empty() && content.mask.size() != grid.VoxelCount())
    {
      throw InputError(content.maskSource, "the mask is not on the grid of " + content.anatomySource);
    }
  }
  if (content.summary)
  {
    CheckSummary(*content.summary, content.summarySource, false);
  }
  if (content.spatialSummary)
  {
    CheckSummary(*content.spatialSummary, content.spatialSummarySource, true);
    if (content.spatial)
    {
      const std::uint64_t volumes = CountField(*content.spatialSummary, "volumes.count");
      if (volumes != content.spatial->kl.size())
      {
        throw InputError(content.spatial->source + " and " + content.spatialSummarySource +
                         " do not match: " + std::to_string(content.spatial->kl.size()) + " volumes in the table, " +
                         std::to_string(volumes) + " in the summary");
      }
    }
  }
  if (content.cohort && std::find(content.cohort->columns.begin(), content.cohort->columns.end(), "subject") ==
                          content.cohort->columns.end())
  {
    throw InputError(content.cohort->source, "no 'subject' column: not a VoxelKLCohort table");
  }
  if (content.axialSlices == 0 || content.axialSlices > 64)
  {
    throw UsageError(fmt::format("the number of axial slices must be between 1 and 64, not {}", content.axialSlices));
  }
}

std::string
MakeHtmlReport(const ReportContent & content)
{
  CheckReportContent(content);

  // The planes of the mosaics: axial slices over the extent of the mask (else of the first
  // map's voxels, else of the grid), one sagittal and one coronal through its centre.
  std::vector<Tile>            tiles;
  std::vector<PreparedMap>     maps(content.maps.size());
  DisplayRange                 anatomyRange;
  std::string                  anatomyVolume;
  std::unique_ptr<SpatialGrid> grid;
  std::size_t                  scale = 1;
  if (content.anatomy)
  {
    grid = std::make_unique<SpatialGrid>(ImageGrid(content.anatomy));
    const GridGeometry  geometry(*grid);
    const std::size_t   voxels = grid->VoxelCount();
    const float *       anatomy = content.anatomy->GetBufferPointer();
    std::vector<double> grey;
    for (std::size_t v = 0; v < voxels; ++v)
    {
      const bool inside = content.mask.empty() ? anatomy[v] != 0.0f : content.mask[v] != 0;
      if (inside && std::isfinite(anatomy[v]))
      {
        grey.push_back(anatomy[v]);
      }
    }
    anatomyRange = RobustRange(std::move(grey), false);
    for (std::size_t m = 0; m < content.maps.size(); ++m)
    {
      maps[m].map = &content.maps[m];
      maps[m].shown = ShownVoxels(content.maps[m], content.mask);
    }
    const std::vector<unsigned char> & extent = !content.mask.empty() ? content.mask
                                                : !maps.empty()       ? maps.front().shown
                                                                      : content.mask;
    const RasBox                       box = VoxelCentreBox(geometry, extent);
    for (const double position : SlicePositions(geometry, box, SliceView::Axial, content.axialSlices))
    {
      tiles.push_back({ MakePlane(geometry, SliceView::Axial, position), {} });
    }
    for (const SliceView view : { SliceView::Sagittal, SliceView::Coronal })
    {
      for (const double position : SlicePositions(geometry, box, view, 1))
      {
        tiles.push_back({ MakePlane(geometry, view, position), {} });
      }
    }
    for (Tile & tile : tiles)
    {
      tile.voxels = SampleVoxels(geometry, tile.plane);
    }
    const std::size_t widest = std::max(tiles.front().plane.width, tiles.front().plane.height);
    scale = std::clamp<std::size_t>((170 + widest / 2) / widest, 1, 8);
    if (HasViewerBundle() && !maps.empty())
    {
      anatomyVolume = EncodeBase64(ViewerNifti(QuantiseAnatomy(anatomy, voxels, anatomyRange), *grid));
    }
  }

  // Each map: its values, range, histogram, tiles and viewer volume, in parallel.
  tbb::parallel_for(std::size_t{ 0 }, maps.size(), [&](std::size_t m) {
    PreparedMap &     prepared = maps[m];
    const ReportMap & map = *prepared.map;
    const MapStyle    style = StyleOf(map.kind);
    prepared.key = MapKey(map.name, m);
    prepared.title = map.kind == MapKind::Other ? map.name : fmt::format("{} ({})", style.title, map.name);
    prepared.units = style.units;
    prepared.diverging = IsDiverging(map.kind);
    const float *       values = map.image->GetBufferPointer();
    std::vector<double> shownValues;
    for (std::size_t v = 0; v < prepared.shown.size(); ++v)
    {
      if (prepared.shown[v])
      {
        shownValues.push_back(values[v]);
      }
    }
    prepared.shownCount = shownValues.size();
    prepared.range = RobustRange(shownValues, prepared.diverging);
    prepared.histogram = ComputeHistogram(shownValues, prepared.range, 40);
    prepared.summary = Summarize(std::move(shownValues));
    const ColorMap colors = prepared.diverging ? ColorMap::Diverging() : ColorMap::Hot();
    SliceLayer     layer{ values, &prepared.shown, prepared.range, &colors, 0.75 };
    prepared.tiles.resize(tiles.size());
    tbb::parallel_for(std::size_t{ 0 }, tiles.size(), [&](std::size_t t) {
      const RgbImage image = RenderSlice(tiles[t].voxels,
                                         tiles[t].plane,
                                         content.anatomy->GetBufferPointer(),
                                         anatomyRange,
                                         &layer,
                                         content.mask.empty() ? nullptr : &content.mask);
      prepared.tiles[t] = DataUri("image/png", EncodePng(image));
    });
    if (HasViewerBundle())
    {
      prepared.viewerVolume =
        EncodeBase64(ViewerNifti(QuantiseMap(values, prepared.shown.size(), prepared.shown, prepared.range), *grid));
    }
  });

  Page              page;
  const std::string title = DefaultTitle(content);
  page += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          // Nothing may leave the page: images and volumes are data, scripts and styles inline.
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data: blob:; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src data: blob:; font-src data:\">"
          "<meta name=\"generator\" content=\"VoxelKL " +
          H(ProjectVersion()) + "\"><title>VoxelKL report: " + H(title) + "</title><script>" + ErrorRecorder +
          "</script><style>" + Style + "</style></head><body>";
  page += "<header><h1>VoxelKL report: " + H(title) + "</h1><p>Written by " + H(content.tool) + ", VoxelKL " +
          H(ProjectVersion()) + ". Everything is in this file; it opens offline.</p></header><nav>";
  page += "<a href=\"#overview\">Inputs</a>";
  if (!maps.empty())
  {
    page += "<a href=\"#maps\">Maps</a>";
  }
  if (content.regions)
  {
    page += "<a href=\"#regions\">Regions</a>";
  }
  if (content.spatial || content.spatialSummary)
  {
    page += "<a href=\"#spatial\">Spatial KL</a>";
  }
  if (content.cohort)
  {
    page += "<a href=\"#cohort\">Cohort</a>";
  }
  if (!maps.empty())
  {
    page += "<a href=\"#viewer\">Viewer</a>";
  }
  page += "</nav><main>";
  WriteOverview(page, content, grid.get());
  if (!maps.empty())
  {
    WriteMaps(page, content, maps, tiles, anatomyRange, scale);
  }
  if (content.regions)
  {
    WriteRegions(page, *content.regions, content.regionsSource);
  }
  if (content.spatial || content.spatialSummary)
  {
    WriteSpatial(page, content);
  }
  if (content.cohort)
  {
    WriteCohort(page, *content.cohort);
  }
  if (!maps.empty())
  {
    WriteViewer(page, maps, anatomyVolume, anatomyRange);
  }
  page += "</main><pre id=\"voxelkl-self-check\" hidden></pre><script>" + std::string(SelfCheck) +
          "</script></body></html>\n";
  return std::move(page.Html());
}

TextTable
ParseTextTable(const std::string & text, const std::string & source)
{
  TextTable table;
  table.source = source;
  std::size_t start = 0;
  std::size_t line = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0)
  {
    start = 3;
  }
  while (start < text.size())
  {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos)
    {
      end = text.size();
    }
    ++line;
    const std::string_view content(text.data() + start, end - start);
    start = end + 1;
    if (content.empty() || content == "\r")
    {
      continue;
    }
    std::vector<std::string> cells = SplitTableLine(content);
    if (table.columns.empty())
    {
      table.columns = std::move(cells);
      continue;
    }
    if (cells.size() > table.columns.size())
    {
      throw InputError(fmt::format("{}:{}", source, line),
                       fmt::format("{} cells, but the header names {} columns", cells.size(), table.columns.size()));
    }
    table.rows.push_back(std::move(cells));
  }
  if (table.columns.empty())
  {
    throw InputError(source, "an empty table (no header row)");
  }
  return table;
}

SpatialSeries
ParseSpatialTable(const std::string & text, const std::string & source)
{
  const TextTable table = ParseTextTable(text, source);
  if (table.columns.size() < 2 || table.columns[0] != "volume" || table.columns[1] != "kl" ||
      (table.columns.size() > 2 && table.columns[2] != "mse") || table.columns.size() > 3)
  {
    throw InputError(source, "not a SpatialKLDivergence table: the header must be 'volume<TAB>kl' (and 'mse')");
  }
  SpatialSeries series;
  series.source = source;
  const bool withMse = table.columns.size() == 3;
  for (std::size_t r = 0; r < table.rows.size(); ++r)
  {
    const auto & row = table.rows[r];
    const auto   where = fmt::format("{}: row {}", source, r + 1);
    if (row.size() != table.columns.size() || ParseTableCount(row[0]) != std::optional<unsigned long long>(r))
    {
      throw InputError(where, fmt::format("expected volume {} and {} cells", r, table.columns.size()));
    }
    auto value = [&](const std::string & cell) {
      if (cell == "nan")
      {
        return std::nan("");
      }
      const auto number = ParseTableNumber(cell);
      if (!number)
      {
        throw InputError(where, "'" + cell.substr(0, 40) + "' is not a number");
      }
      return *number;
    };
    series.kl.push_back(value(row[1]));
    if (withMse)
    {
      series.mse.push_back(value(row[2]));
    }
  }
  return series;
}

} // namespace voxelkl
