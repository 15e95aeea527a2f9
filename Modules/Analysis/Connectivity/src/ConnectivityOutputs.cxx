#include "voxelkl/ConnectivityOutputs.h"

#include "voxelkl/ImageGrid.h"
#include "voxelkl/KLSummary.h"
#include "voxelkl/RegionStatistics.h"
#include "voxelkl/SampleSummary.h"
#include "voxelkl/TableText.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace voxelkl
{
namespace
{

nlohmann::json
Optional(const std::optional<double> & value)
{
  return value && std::isfinite(*value) ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json
Grid(const SpatialGrid & grid)
{
  return {
    { "size", grid.size }, { "spacing", grid.spacing }, { "origin", grid.origin }, { "direction", grid.direction }
  };
}

const char *
SeriesText(const RegionOutcome & outcome)
{
  if (outcome.reference && outcome.generated)
  {
    return "both";
  }
  return outcome.reference ? "reference" : outcome.generated ? "generated" : "";
}

const char *
Meaning(KLDirection direction)
{
  switch (direction)
  {
    case KLDirection::Forward:
      return "KL(reference || generated)";
    case KLDirection::Reverse:
      return "KL(generated || reference)";
    case KLDirection::Symmetric:
      break;
  }
  return "KL(reference || generated) + KL(generated || reference)";
}

// The regions with a voxel in the mask (columns of the time series table).
std::vector<std::size_t>
RegionsWithVoxels(const ConnectivityResult & result)
{
  std::vector<std::size_t> regions;
  for (std::size_t r = 0; r < result.regions.RegionCount(); ++r)
  {
    if (result.regions.VoxelCount(r) > 0)
    {
      regions.push_back(r);
    }
  }
  return regions;
}

std::vector<TableColumn>
CorrelationColumns(const ConnectivityJob & job, const ConnectivityResult & result, bool reference)
{
  std::vector<TableColumn> columns{ { "label", "int", "0", "Atlas label of the row's region" },
                                    { "name", "string", "", "Name of the row's region" } };
  for (const std::size_t r : result.comparison.used)
  {
    const std::string name = TableCell(RegionName(job.names, result.regions.Label(r)));
    columns.push_back({ name,
                        "double",
                        "nan",
                        fmt::format("Pearson r between the mean time series of region {} ({}) and of the row's region, "
                                    "in the {} series",
                                    result.regions.Label(r),
                                    name,
                                    reference ? "reference" : "generated") });
  }
  return columns;
}

std::vector<TableColumn>
TimeSeriesColumns(const ConnectivityJob & job, const ConnectivityResult & result)
{
  std::vector<TableColumn> columns{
    { "series", "string", "", "reference or generated" },
    { "volume", "int", "0", "Time point of the series, from 0" },
    { "kept",
      "int",
      "0",
      "1 when the time point enters the series' connectivity, 0 when censored (a region without a "
      "finite voxel there)" }
  };
  for (const std::size_t r : RegionsWithVoxels(result))
  {
    const std::string name = TableCell(RegionName(job.names, result.regions.Label(r)));
    columns.push_back({ name,
                        "double",
                        "nan",
                        fmt::format("Mean of the finite values of region {} ({}) at the time point; n/a where it has "
                                    "none",
                                    result.regions.Label(r),
                                    name) });
  }
  return columns;
}

nlohmann::json
SeriesJson(const SeriesConnectivity & series)
{
  return { { "total", series.timePoints },
           { "used", series.timePoints - series.censored.size() },
           { "censored", series.censored } };
}

nlohmann::json
CovarianceJson(const SeriesConnectivity & series)
{
  return { { "shrinkage", series.covariance.shrinkage },
           { "mu", series.covariance.mu },
           { "delta2", series.covariance.delta2 },
           { "beta2", series.covariance.beta2 },
           { "logDeterminant", Optional(series.logDeterminant) } };
}

} // namespace

std::string
FormatCorrelationTable(const ConnectivityJob & job, const ConnectivityResult & result, bool reference)
{
  const ConnectivityComparison & comparison = result.comparison;
  const Matrix &                 r = reference ? comparison.reference.correlation : comparison.generated.correlation;
  std::string                    text = FormatTableHeader(CorrelationColumns(job, result, reference));
  for (std::size_t i = 0; i < comparison.used.size(); ++i)
  {
    const std::int32_t label = result.regions.Label(comparison.used[i]);
    text += fmt::format("{}\t{}", label, TableCell(RegionName(job.names, label)));
    for (std::size_t j = 0; j < comparison.used.size(); ++j)
    {
      text += '\t' + FormatTableNumber(r(i, j));
    }
    text += '\n';
  }
  return text;
}

std::string
FormatCorrelationSchema(const ConnectivityJob & job, const ConnectivityResult & result, bool reference)
{
  return FormatTableSchema(CorrelationColumns(job, result, reference));
}

std::string
FormatRegionTimeSeriesTable(const ConnectivityJob & job, const ConnectivityResult & result)
{
  const std::vector<std::size_t> regions = RegionsWithVoxels(result);
  std::string                    text = FormatTableHeader(TimeSeriesColumns(job, result));
  for (const bool reference : { true, false })
  {
    const RegionTimeSeries &         series = reference ? result.reference : result.generated;
    const std::vector<std::size_t> & censored =
      reference ? result.comparison.reference.censored : result.comparison.generated.censored;
    for (std::size_t t = 0; t < series.TimePoints(); ++t)
    {
      const bool kept = !std::binary_search(censored.begin(), censored.end(), t);
      text += fmt::format("{}\t{}\t{}", reference ? "reference" : "generated", t, kept ? 1 : 0);
      for (const std::size_t r : regions)
      {
        const double mean = series.Mean(t, r);
        text += '\t' + (std::isfinite(mean) ? FormatTableNumber(mean) : std::string("n/a"));
      }
      text += '\n';
    }
  }
  return text;
}

std::string
FormatRegionTimeSeriesSchema(const ConnectivityJob & job, const ConnectivityResult & result)
{
  return FormatTableSchema(TimeSeriesColumns(job, result));
}

itk::Image<float, 3>::Pointer
MakeProfileCorrelationMap(const ConnectivityJob & job, const ConnectivityResult & result)
{
  auto map = itk::Image<float, 3>::New();
  ApplyGrid(job.reference.grid, map);
  map->Allocate();
  map->FillBuffer(0.0f);
  float *                        out = map->GetBufferPointer();
  const ConnectivityComparison & comparison = result.comparison;
  for (std::size_t i = 0; i < comparison.used.size(); ++i)
  {
    if (!comparison.profileCorrelation[i])
    {
      continue;
    }
    const std::size_t   region = comparison.used[i];
    const float         value = static_cast<float>(*comparison.profileCorrelation[i]);
    const std::size_t * voxels = result.regions.Voxels(region);
    for (std::size_t k = 0; k < result.regions.VoxelCount(region); ++k)
    {
      out[voxels[k]] = value;
    }
  }
  return map;
}

AtlasCoverage
ConnectivityCoverage(const ConnectivityJob & job)
{
  AtlasCoverage coverage;
  for (std::size_t v = 0; v < job.labels.labels.size(); ++v)
  {
    if (job.mask.inside.empty() || job.mask.inside[v] != 0)
    {
      ++coverage.considered;
      coverage.labelled += job.labels.labels[v] != 0 ? 1 : 0;
    }
  }
  coverage.warning = CoverageWarning(coverage.labelled, coverage.considered, "the connectivity matrices describe");
  return coverage;
}

nlohmann::json
MakeConnectivitySummary(const ConnectivityJob & job, const ConnectivityResult & result)
{
  const ConnectivityComparison & comparison = result.comparison;
  nlohmann::json                 inputs = {
                    { "reference", DescribeSeries(job.reference) },
                    { "generated", DescribeSeries(job.generated) },
                    { "mask", job.mask.path.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.mask.path) },
                    { "labels",
                      { { "path", job.labels.path },
                        { "grid", Grid(job.labels.atlasGrid) },
                        { "resampled", job.labels.resampled },
                        { "labels", job.labels.atlasLabels.size() },
                        { "labelsOnGrid", job.labels.keptLabels } } },
                    { "labelNames", job.namesPath.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.namesPath) },
  };
  nlohmann::json options = { { "direction", ToString(job.direction) },
                             { "fisherZClamp", FisherZClamp },
                             { "covariance", "Ledoit-Wolf (2004) shrinkage of the ML covariance (divide by T)" },
                             { "threads", result.report.threads },
                             { "readMode", result.report.readMode },
                             { "chunkVoxels", RegionChunkVoxels } };

  // Regions: each label of the atlas, what became of it, and the counts by reason.
  std::size_t         noVoxel = 0;
  std::size_t         noFinite[2] = { 0, 0 }, constant[2] = { 0, 0 }, noFiniteTotal = 0, constantTotal = 0;
  nlohmann::json      list = nlohmann::json::array();
  std::vector<double> profiles;
  std::size_t         undefinedProfiles = 0;
  for (std::size_t r = 0; r < comparison.regions.size(); ++r)
  {
    const RegionOutcome & outcome = comparison.regions[r];
    const std::int32_t    label = result.regions.Label(r);
    nlohmann::json        row = { { "label", label },
                                  { "name", RegionName(job.names, label) },
                                  { "voxels", result.regions.VoxelCount(r) },
                                  { "status", ToString(outcome.status) } };
    switch (outcome.status)
    {
      case RegionStatus::Used:
      {
        const auto where = std::lower_bound(comparison.used.begin(), comparison.used.end(), r);
        const auto profile = comparison.profileCorrelation[static_cast<std::size_t>(where - comparison.used.begin())];
        row["profileCorrelation"] = Optional(profile);
        if (profile)
        {
          profiles.push_back(*profile);
        }
        else
        {
          ++undefinedProfiles;
        }
        break;
      }
      case RegionStatus::NoVoxel:
        ++noVoxel;
        break;
      case RegionStatus::NoFiniteValue:
      case RegionStatus::Constant:
      {
        const bool isConstant = outcome.status == RegionStatus::Constant;
        (isConstant ? constantTotal : noFiniteTotal) += 1;
        (isConstant ? constant : noFinite)[0] += outcome.reference ? 1 : 0;
        (isConstant ? constant : noFinite)[1] += outcome.generated ? 1 : 0;
        row["series"] = SeriesText(outcome);
        break;
      }
    }
    list.push_back(row);
  }
  const AtlasCoverage coverage = ConnectivityCoverage(job);
  nlohmann::json      coverageJson = { { "consideredVoxels", coverage.considered },
                                       { "labelledVoxels", coverage.labelled } };
  if (!coverage.warning.empty())
  {
    coverageJson["warning"] = coverage.warning;
  }
  nlohmann::json regions = {
    { "coverage", coverageJson },
    { "atlas", comparison.regions.size() },
    { "used", comparison.used.size() },
    { "excluded", comparison.regions.size() - comparison.used.size() },
    { "noVoxelInMask", noVoxel },
    { "noFiniteValue", { { "total", noFiniteTotal }, { "reference", noFinite[0] }, { "generated", noFinite[1] } } },
    { "constant", { { "total", constantTotal }, { "reference", constant[0] }, { "generated", constant[1] } } },
    { "regions", list },
  };
  const SampleSummary profileSummary = Summarize(profiles);
  nlohmann::json      connectivity = {
         { "pairs", comparison.pairs },
         { "matrixSimilarity", Optional(comparison.matrixSimilarity) },
         { "matrixSimilarityOf", "Pearson r between the Fisher z values of the two matrices' upper triangles" },
         { "meanSquaredZDifference", comparison.meanSquaredZDifference },
         { "profileCorrelation", profiles.empty() ? nlohmann::json(nullptr) : ToJson(profileSummary) },
         { "profileCorrelationOf",
           "per region, Pearson r between its rows of Fisher z values in the two matrices (diagonal left out)" },
         { "undefinedProfiles", undefinedProfiles },
  };
  nlohmann::json gaussian = {
    { "direction", ToString(job.direction) },
    { "divergence", Meaning(job.direction) },
    { "value", Optional(comparison.GaussianDivergence(job.direction)) },
    { "forward", Optional(comparison.forwardKL) },
    { "reverse", Optional(comparison.reverseKL) },
    { "units", "nats" },
    { "dimensions", comparison.used.size() },
    { "reference", CovarianceJson(comparison.reference) },
    { "generated", CovarianceJson(comparison.generated) },
    { "of", "multivariate Gaussians with the mean and the Ledoit-Wolf covariance of each series' region time series" },
  };
  return { { "tool", "ConnectivityAgreement" },
           { "version", VOXELKL_VERSION },
           { "inputs", inputs },
           { "options", options },
           { "pairing",
             "none: the two series may differ in length; no time point of one is compared with a time "
             "point of the other" },
           { "timePoints",
             { { "reference", SeriesJson(comparison.reference) }, { "generated", SeriesJson(comparison.generated) } } },
           { "nonFiniteSamples",
             { { "reference", result.referenceNonFinite }, { "generated", result.generatedNonFinite } } },
           { "regions", regions },
           { "connectivity", connectivity },
           { "gaussianKL", gaussian } };
}

} // namespace voxelkl
