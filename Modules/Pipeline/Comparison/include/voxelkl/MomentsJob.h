// The voxel-wise moment maps of a series on disk, end to end.
#ifndef voxelkl_MomentsJob_h
#define voxelkl_MomentsJob_h

#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/MomentsMeasure.h"
#include "voxelkl/SeriesInfo.h"

#include "itkImage.h"

#include <array>
#include <memory>
#include <vector>

namespace voxelkl
{

struct MomentsJob
{
  SeriesInfo       series;
  Mask             mask;
  ExecutionOptions execution{};
  /** Also return every voxel's accumulators (MomentMaps::state), to save them for a merge. */
  bool saveState{ false };
};

struct MomentMaps
{
  /** Indexed by MomentMap: mean, variance, standard deviation, skewness, excess kurtosis, count. */
  std::array<itk::Image<float, 3>::Pointer, MomentMapCount> maps;
  std::uint64_t                                             nonFiniteSamples{ 0 };
  ExecutionReport                                           report;
  std::shared_ptr<MeasureState>                             state; ///< with MomentsJob::saveState
};

/** The moment maps of a saved or merged state (0 outside the mask's flags, if any). */
MomentMaps
FinishMoments(const MeasureState & state, const SpatialGrid & grid, const std::vector<unsigned char> & inside);

/** Computes the moment maps, reading the series once (see ComputeKLMaps). */
MomentMaps
ComputeMoments(const MomentsJob & job);

} // namespace voxelkl

#endif
