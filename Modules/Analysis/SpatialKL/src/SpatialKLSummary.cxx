#include "voxelkl/SpatialKLSummary.h"

#include "voxelkl/CommandDescription.h"
#include "voxelkl/Errors.h"
#include "voxelkl/KLSummary.h"
#include "voxelkl/OutputTransaction.h"

#include <fmt/format.h>

#include <cmath>

namespace voxelkl
{

SpatialKLStatistics
ComputeSpatialKLStatistics(const SpatialKLJob & job, const SpatialKLResult & result)
{
  SpatialKLStatistics statistics;
  std::vector<double> values;
  values.reserve(result.volumes.size());
  for (const SpatialKLVolume & volume : result.volumes)
  {
    statistics.voxels += volume.voxels;
    statistics.dropped += volume.dropped;
    if (std::isnan(volume.kl))
    {
      ++statistics.emptyVolumes;
    }
    else
    {
      values.push_back(volume.kl);
    }
  }
  statistics.kl = Summarize(std::move(values));
  statistics.globalMSE = GlobalMeanSquaredError(result, false);
  statistics.lossMSE = GlobalMeanSquaredError(result, job.standardize != Standardization::None);
  return statistics;
}

CombinedLoss
MakeCombinedLoss(const SpatialKLStatistics & statistics, double lambda)
{
  CombinedLoss loss;
  loss.mse = statistics.lossMSE;
  loss.spatialKL = statistics.kl.mean;
  loss.lambda = lambda;
  loss.total = loss.mse + lambda * loss.spatialKL;
  return loss;
}

namespace
{
nlohmann::json
Number(double value) // JSON has no NaN or inf
{
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

const char *
Meaning(KLDirection direction)
{
  switch (direction)
  {
    case KLDirection::Forward:
      return "KL(softmax(reference) || softmax(generated)) over the voxels of each volume";
    case KLDirection::Reverse:
      return "KL(softmax(generated) || softmax(reference)) over the voxels of each volume (MindAligner's order)";
    case KLDirection::Symmetric:
      break;
  }
  return "KL(softmax(reference) || softmax(generated)) + KL(softmax(generated) || softmax(reference)) over the voxels "
         "of each volume";
}

const char *
LossValues(Standardization standardization)
{
  switch (standardization)
  {
    case Standardization::None:
      return "input values";
    case Standardization::Voxel:
      return "voxel z-scores";
    case Standardization::Volume:
      return "volume z-scores";
  }
  return "input values";
}
} // namespace

nlohmann::json
MakeSpatialKLSummary(const SpatialKLJob &          job,
                     const SpatialKLResult &       result,
                     const SpatialKLStatistics &   statistics,
                     const std::optional<double> & lambda)
{
  nlohmann::json inputs = { { "reference", DescribeSeries(job.reference) },
                            { "generated", DescribeSeries(job.generated) },
                            { "mask",
                              job.mask.path.empty() ? nlohmann::json(nullptr) : nlohmann::json(job.mask.path) } };
  nlohmann::json options = {
    { "direction", ToString(job.direction) }, { "standardize", ToString(job.standardize) },
    { "temperature", job.temperature },       { "lambda", lambda ? nlohmann::json(*lambda) : nlohmann::json(nullptr) },
    { "threads", result.report.threads },     { "readMode", result.report.readMode },
    { "chunkVoxels", SpatialKLChunkVoxels }
  };
  nlohmann::json voxels = { { "total", result.voxels },
                            { "inMask", result.inMask },
                            { "compared", statistics.voxels },
                            { "droppedNonFinite", statistics.dropped } };
  if (job.standardize == Standardization::Voxel)
  {
    voxels["constantReference"] = result.constantReferenceVoxels;
    voxels["constantGenerated"] = result.constantGeneratedVoxels;
  }
  nlohmann::json volumes = { { "count", result.volumes.size() },
                             { "withKL", statistics.kl.count },
                             { "empty", statistics.emptyVolumes } };
  nlohmann::json spatialKL = ToJson(statistics.kl);
  for (auto & [key, value] : spatialKL.items())
  {
    if (value.is_number_float())
    {
      value = Number(value.get<double>());
    }
  }
  nlohmann::json document = { { "tool", "SpatialKLDivergence" },
                              { "version", ProjectVersion() },
                              { "inputs", inputs },
                              { "options", options },
                              { "units", "nats" },
                              { "divergence", Meaning(job.direction) },
                              { "voxels", voxels },
                              { "volumes", volumes },
                              { "spatialKL", spatialKL },
                              { "spatialKLOver", "volumes with at least one voxel finite in both series" },
                              { "globalMSE", statistics.globalMSE },
                              { "globalMSEOf", "input values" } };
  if (job.standardize != Standardization::None)
  {
    document["standardizedMSE"] = statistics.lossMSE;
  }
  if (lambda)
  {
    const CombinedLoss loss = MakeCombinedLoss(statistics, *lambda);
    document["loss"] = { { "mse", loss.mse },
                         { "mseOf", LossValues(job.standardize) },
                         { "spatialKL", Number(loss.spatialKL) },
                         { "lambda", loss.lambda },
                         { "total", Number(loss.total) },
                         { "formula", "mse + lambda * spatialKL (MindAligner)" } };
  }
  return document;
}

void
WriteSpatialKLTable(const SpatialKLResult & result, const std::string & path, const std::string & displayName)
{
  std::string text = "volume\tkl\n";
  for (std::size_t t = 0; t < result.volumes.size(); ++t)
  {
    text += fmt::format("{}\t{}\n", t, result.volumes[t].kl);
  }
  WriteFileDurably(path, text, displayName);
}

} // namespace voxelkl
