// The JSON summary of a KL map: inputs, options, voxel counts and the map's distribution.
#ifndef voxelkl_KLSummary_h
#define voxelkl_KLSummary_h

#include "voxelkl/KLMapJob.h"
#include "voxelkl/SampleSummary.h"

#include <nlohmann/json.hpp>

namespace voxelkl
{

/** Paths, grid, time points and voxel type of a series. */
nlohmann::json
DescribeSeries(const SeriesInfo & series);

/** Distribution statistics as a JSON object (count, mean, std, min, p5, ..., max). */
nlohmann::json
ToJson(const SampleSummary & summary);

/** Voxel counts by status and the distribution of the KL over valid voxels. */
struct KLMapStatistics
{
  std::size_t   voxels{ 0 };
  std::size_t   inMask{ 0 };
  std::size_t   valid{ 0 };
  std::size_t   constant{ 0 }; ///< the same constant in both series: KL 0
  std::size_t   floored{ 0 };  ///< a variance raised to the floor
  std::size_t   noSamples{ 0 };
  std::uint64_t skippedSamples{ 0 };
  SampleSummary kl; ///< over valid voxels only
  /** The fidelity maps computed (name -> summary over the same valid voxels). */
  std::vector<std::pair<std::string, SampleSummary>> fidelity;
  double                                             globalMeanSquaredError{ 0.0 };
  SampleSummary                                      theilerWindows; ///< k-NN: the windows used over valid voxels
  double                                             pairs{ 0.0 };
};

/** The fidelity maps of a result by the names of their options and summaries. */
std::vector<std::pair<std::string, MapPointer>>
FidelityMapsByName(const KLMaps & maps);

KLMapStatistics
ComputeKLMapStatistics(const KLMaps & maps);

/** A field of a summary by its dotted name ("kl.median"), or null when it is missing: for
 * the tools that read summaries (cohort tables, reports). */
const nlohmann::json *
FindField(const nlohmann::json & document, const std::string & field);

/** The whole summary document. */
nlohmann::json
MakeKLSummary(const KLMapJob & job, const KLMaps & maps, const KLMapStatistics & statistics);

} // namespace voxelkl

#endif
