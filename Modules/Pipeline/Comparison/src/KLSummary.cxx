#include "voxelkl/KLSummary.h"

namespace voxelkl
{

nlohmann::json
DescribeSeries(const SeriesInfo & series)
{
  nlohmann::json grid = { { "size", series.grid.size },
                          { "spacing", series.grid.spacing },
                          { "origin", series.grid.origin },
                          { "direction", series.grid.direction } };
  return { { "paths", series.files },
           { "format", series.format },
           { "grid", grid },
           { "timePoints", series.timePoints },
           { "voxelType", series.voxelType } };
}

nlohmann::json
ToJson(const SampleSummary & s)
{
  return { { "count", s.count }, { "mean", s.mean },     { "std", s.std }, { "min", s.min }, { "p5", s.p5 },
           { "p25", s.p25 },     { "median", s.median }, { "p75", s.p75 }, { "p95", s.p95 }, { "max", s.max } };
}

KLMapStatistics
ComputeKLMapStatistics(const GaussianKLMaps & maps)
{
  KLMapStatistics statistics;
  statistics.voxels = maps.divergence->GetLargestPossibleRegion().GetNumberOfPixels();
  const float *         divergence = maps.divergence->GetBufferPointer();
  const unsigned char * status = maps.status->GetBufferPointer();
  const std::uint32_t * skipped = maps.nonFiniteSamples->GetBufferPointer();
  std::vector<double>   values;
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
  return statistics;
}

nlohmann::json
MakeKLSummary(const GaussianKLJob & job, const GaussianKLMaps & maps, const KLMapStatistics & statistics)
{
  nlohmann::json inputs = { { "reference", DescribeSeries(job.reference) },
                            { "generated", DescribeSeries(job.generated) },
                            { "mask", job.mask.image ? nlohmann::json(job.mask.path) : nlohmann::json(nullptr) } };
  nlohmann::json options = { { "estimator", "gaussian" },
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
  return { { "tool", "VoxelKLDivergence" },
           { "version", VOXELKL_VERSION },
           { "inputs", inputs },
           { "options", options },
           { "units", "nats" },
           { "divergence", meaning },
           { "voxels", voxels },
           { "skippedNonFiniteSamples", statistics.skippedSamples },
           { "kl", ToJson(statistics.kl) },
           { "klOver", "valid voxels: in the mask, both variances above the floor" } };
}

} // namespace voxelkl
