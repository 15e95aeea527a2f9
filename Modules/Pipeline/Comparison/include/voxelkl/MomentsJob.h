// The voxel-wise moment maps of a series on disk, end to end.
#ifndef voxelkl_MomentsJob_h
#define voxelkl_MomentsJob_h

#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/MomentsMeasure.h"
#include "voxelkl/SeriesInfo.h"

#include "itkImage.h"

#include <array>

namespace voxelkl
{

struct MomentsJob
{
  SeriesInfo       series;
  Mask             mask;
  ExecutionOptions execution{};
};

struct MomentMaps
{
  /** Indexed by MomentMap: mean, variance, standard deviation, skewness, excess kurtosis, count. */
  std::array<itk::Image<float, 3>::Pointer, MomentMapCount> maps;
  std::uint64_t                                             nonFiniteSamples{ 0 };
  ExecutionReport                                           report;
};

/** Computes the moment maps, reading the series once (see ComputeKLMaps). */
MomentMaps
ComputeMoments(const MomentsJob & job);

} // namespace voxelkl

#endif
