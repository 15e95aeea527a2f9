#include "voxelkl/KLSummary.h"

#include <tbb/parallel_for.h>

#include <cmath>

namespace voxelkl
{

nlohmann::json
DescribeSeries(const SeriesInfo & series)
{
  nlohmann::json grid = { { "size", series.grid.size },
                          { "spacing", series.grid.spacing },
                          { "origin", series.grid.origin },
                          { "direction", series.grid.direction } };
  nlohmann::json description = { { "paths", series.files },
                                 { "format", series.format },
                                 { "grid", grid },
                                 { "timePoints", series.timePoints },
                                 { "voxelType", series.voxelType } };
  if (!series.runs.empty())
  {
    nlohmann::json runs = nlohmann::json::array();
    for (const SeriesInfo & run : series.runs)
    {
      runs.push_back(
        { { "path", run.files.front() }, { "timePoints", run.timePoints }, { "voxelType", run.voxelType } });
    }
    description["runs"] = runs;
  }
  return description;
}

nlohmann::json
ToJson(const SampleSummary & s)
{
  return { { "count", s.count }, { "mean", s.mean },     { "std", s.std }, { "min", s.min }, { "p5", s.p5 },
           { "p25", s.p25 },     { "median", s.median }, { "p75", s.p75 }, { "p95", s.p95 }, { "max", s.max } };
}

KLMapStatistics
ComputeKLMapStatistics(const KLMaps & maps)
{
  KLMapStatistics statistics;
  statistics.voxels = maps.divergence->GetLargestPossibleRegion().GetNumberOfPixels();
  const float *            divergence = maps.divergence->GetBufferPointer();
  const unsigned char *    status = maps.status->GetBufferPointer();
  const std::uint32_t *    skipped = maps.nonFiniteSamples->GetBufferPointer();
  std::vector<double>      values;
  std::vector<std::size_t> validVoxels;
  for (std::size_t v = 0; v < statistics.voxels; ++v)
  {
    statistics.skippedSamples += skipped[v];
    switch (static_cast<VoxelStatus>(status[v]))
    {
      case VoxelStatus::OutsideMask:
        continue;
      case VoxelStatus::Valid:
        ++statistics.valid;
        values.push_back(divergence[v]);
        validVoxels.push_back(v);
        break;
      case VoxelStatus::ConstantEqual:
        ++statistics.constant;
        break;
      case VoxelStatus::Floored:
        ++statistics.floored;
        break;
      case VoxelStatus::NoSamples:
        ++statistics.noSamples;
        break;
    }
    ++statistics.inMask;
  }
  statistics.kl = Summarize(std::move(values));
  // One summary per fidelity map, over the same valid voxels, in parallel.
  const auto named = FidelityMapsByName(maps);
  statistics.fidelity.resize(named.size());
  tbb::parallel_for(std::size_t{ 0 }, named.size(), [&](std::size_t m) {
    std::vector<double> fidelity;
    fidelity.reserve(validVoxels.size());
    const float * map = named[m].second->GetBufferPointer();
    for (const std::size_t v : validVoxels)
    {
      if (std::isfinite(map[v])) // an undefined correlation, when asked to be NaN
      {
        fidelity.push_back(map[v]);
      }
    }
    statistics.fidelity[m] = { named[m].first, Summarize(std::move(fidelity)) };
  });
  if (maps.theilerWindows)
  {
    std::vector<double> windows;
    windows.reserve(validVoxels.size());
    for (const std::size_t v : validVoxels)
    {
      windows.push_back(maps.theilerWindows->GetBufferPointer()[v]);
    }
    statistics.theilerWindows = Summarize(std::move(windows));
  }
  statistics.globalMeanSquaredError = GlobalMeanSquaredError(maps);
  if (maps.pairCounts)
  {
    const std::uint32_t * pairs = maps.pairCounts->GetBufferPointer();
    for (std::size_t v = 0; v < statistics.voxels; ++v)
    {
      statistics.pairs += pairs[v];
    }
  }
  return statistics;
}

std::vector<std::pair<std::string, MapPointer>>
FidelityMapsByName(const KLMaps & maps)
{
  std::vector<std::pair<std::string, MapPointer>> named;
  for (const auto & [name, map] : { std::pair{ "mse", maps.meanSquaredError },
                                    std::pair{ "correlation", maps.correlation },
                                    std::pair{ "meanDifference", maps.meanDifference },
                                    std::pair{ "varianceLogRatio", maps.varianceLogRatio } })
  {
    if (map)
    {
      named.emplace_back(name, map);
    }
  }
  return named;
}

const nlohmann::json *
FindField(const nlohmann::json & document, const std::string & field)
{
  const nlohmann::json * node = &document;
  std::size_t            start = 0;
  while (true)
  {
    const std::size_t dot = field.find('.', start);
    const std::string key = field.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object() || !node->contains(key))
    {
      return nullptr;
    }
    node = &(*node)[key];
    if (dot == std::string::npos)
    {
      return node;
    }
    start = dot + 1;
  }
}

nlohmann::json
MakeKLSummary(const KLMapJob & job, const KLMaps & maps, const KLMapStatistics & statistics)
{
  nlohmann::json fidelity = nlohmann::json::object();
  for (const auto & [name, summary] : statistics.fidelity)
  {
    fidelity[name] = ToJson(summary);
  }
  nlohmann::json inputs = { { "reference", DescribeSeries(job.reference) },
                            { "generated", DescribeSeries(job.generated) },
                            { "mask", job.mask.image ? nlohmann::json(job.mask.path) : nlohmann::json(nullptr) } };
  nlohmann::json options = { { "estimator", ToString(job.estimator.estimator) },
                             { "direction", ToString(job.direction) },
                             { "varianceFloor", job.floor.Describe() },
                             { "threads", maps.report.threads },
                             { "readMode", maps.report.readMode },
                             { "tiles", maps.report.tiles } };
  nlohmann::json voxels = { { "total", statistics.voxels },    { "inMask", statistics.inMask },
                            { "valid", statistics.valid },     { "constant", statistics.constant },
                            { "floored", statistics.floored }, { "noSamples", statistics.noSamples } };
  const char *   meaning = job.direction == KLDirection::Forward ? "KL(reference || generated)"
                           : job.direction == KLDirection::Reverse
                             ? "KL(generated || reference)"
                             : "KL(reference || generated) + KL(generated || reference)";
  nlohmann::json document = {
    { "tool", "VoxelKLDivergence" },
    { "version", VOXELKL_VERSION },
    { "inputs", inputs },
    { "options", options },
    { "units", "nats" },
    { "divergence", meaning },
    { "voxels", voxels },
    { "skippedNonFiniteSamples", statistics.skippedSamples },
    { "kl", ToJson(statistics.kl) },
    { "klOver",
      job.estimator.estimator == KLEstimator::Gaussian
        ? "valid voxels: in the mask, both variances above the floor"
        : "valid voxels: in the mask, both variances above the floor, enough finite samples" }
  };
  if (!job.reference.runs.empty() || !job.generated.runs.empty() || job.runs != RunsHandling::Concatenate)
  {
    // How the runs were pooled; a single file is one run.
    document["options"]["runs"] = ToString(job.runs);
  }
  if (job.estimator.estimator == KLEstimator::NearestNeighbour)
  {
    document["options"]["neighbours"] = job.estimator.neighbours;
    document["options"]["theilerWindow"] =
      job.estimator.theilerWindow < 0 ? nlohmann::json("automatic") : nlohmann::json(job.estimator.theilerWindow);
    if (statistics.theilerWindows.count > 0)
    {
      // The windows used, over the valid voxels.
      document["theilerWindow"] = ToJson(statistics.theilerWindows);
    }
  }
  if (job.estimator.estimator == KLEstimator::Histogram)
  {
    document["options"]["bins"] =
      job.estimator.bins == 0 ? nlohmann::json("Freedman-Diaconis") : nlohmann::json(job.estimator.bins);
    document["options"]["pseudocount"] = job.estimator.pseudocount;
  }
  if (job.estimator.estimator != KLEstimator::Gaussian)
  {
    document["options"]["dequantisation"] = { { "reference", job.reference.quantisationStep },
                                              { "generated", job.generated.quantisationStep } };
  }
  if (!statistics.fidelity.empty())
  {
    // Over the same valid voxels as the KL.
    document["fidelity"] = fidelity;
  }
  if (maps.meanSquaredError)
  {
    // MindAligner's reconstruction term: mean of (generated - reference)^2 over mask and time.
    document["globalMSE"] = statistics.globalMeanSquaredError;
    document["pairedSamples"] = statistics.pairs;
    document["options"]["undefinedCorrelation"] = job.fidelity.undefinedCorrelation;
  }
  return document;
}

} // namespace voxelkl
