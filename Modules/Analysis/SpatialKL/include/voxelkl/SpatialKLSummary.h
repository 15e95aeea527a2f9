// The outputs of a spatial KL job: the per-volume table (TSV) and the JSON summary, with
// MindAligner's combined loss when a weight is given.
#ifndef voxelkl_SpatialKLSummary_h
#define voxelkl_SpatialKLSummary_h

#include "voxelkl/SampleSummary.h"
#include "voxelkl/SpatialKLJob.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace voxelkl
{

struct SpatialKLStatistics
{
  SampleSummary kl;                ///< over the volumes with a defined KL (the mean is the loss term)
  std::size_t   emptyVolumes{ 0 }; ///< volumes with no voxel finite in both series (KL NaN)
  std::uint64_t voxels{ 0 };       ///< voxel pairs compared, over all volumes
  std::uint64_t dropped{ 0 };      ///< voxel pairs of the mask left out (non-finite)
  double        globalMSE{ 0.0 };  ///< of the input values
  double        lossMSE{ 0.0 };    ///< of the values the softmax sees (standardized, before the temperature)
};

SpatialKLStatistics
ComputeSpatialKLStatistics(const SpatialKLJob & job, const SpatialKLResult & result);

/** MindAligner's training loss: MSE + lambda * mean spatial KL. */
struct CombinedLoss
{
  double mse{ 0.0 };
  double spatialKL{ 0.0 };
  double lambda{ 0.0 };
  double total{ 0.0 };
};

CombinedLoss
MakeCombinedLoss(const SpatialKLStatistics & statistics, double lambda);

/** The summary document; "loss" only when lambda is given. */
nlohmann::json
MakeSpatialKLSummary(const SpatialKLJob &          job,
                     const SpatialKLResult &       result,
                     const SpatialKLStatistics &   statistics,
                     const std::optional<double> & lambda);

/** Writes the table: a header line `volume<TAB>kl`, then one line per volume pair (volume
 * index from 0, KL in nats with every digit a double needs: "nan" for an empty volume).
 * path is where to write (a staged temporary), displayName the target, for messages. */
void
WriteSpatialKLTable(const SpatialKLResult & result, const std::string & path, const std::string & displayName);

} // namespace voxelkl

#endif
