// The voxel-wise Gaussian KL map of two series on disk, end to end.
#ifndef voxelkl_GaussianKLJob_h
#define voxelkl_GaussianKLJob_h

#include "voxelkl/ExecutionOptions.h"
#include "voxelkl/GaussianKL.h"
#include "voxelkl/MaskLoader.h"
#include "voxelkl/SeriesInfo.h"
#include "voxelkl/VoxelDivergence.h"

#include "itkImage.h"

#include <cstdint>

namespace voxelkl
{

struct GaussianKLJob
{
  SeriesInfo       reference;
  SeriesInfo       generated;
  Mask             mask;
  KLDirection      direction{ KLDirection::Forward };
  VarianceFloor    floor{};
  ExecutionOptions execution{};
};

struct GaussianKLMaps
{
  itk::Image<float, 3>::Pointer         divergence;       ///< nats
  itk::Image<unsigned char, 3>::Pointer status;           ///< VoxelStatus per voxel
  itk::Image<std::uint32_t, 3>::Pointer nonFiniteSamples; ///< both series together
  ExecutionReport                       report;
};

/** Checks the grids (InputError naming both files), then computes the maps, reading each
 * series once: volume by volume when it can, else through itk::GaussianKLDivergenceImageFilter
 * in tiles. Identical results for any thread count, tile count and read mode. */
GaussianKLMaps
ComputeGaussianKL(const GaussianKLJob & job);

} // namespace voxelkl

#endif
