// The filter types the executables use, compiled once in VoxelKLFilters (see
// src/FilterInstantiations.cxx) instead of in every translation unit that uses them.
#ifndef voxelkl_FilterInstantiations_h
#define voxelkl_FilterInstantiations_h

#include "itkGaussianKLDivergenceImageFilter.h"
#include "itkImage.h"
#include "itkNonparametricKLDivergenceImageFilter.h"
#include "itkTemporalMomentsImageFilter.h"

namespace voxelkl
{
/** Series are read as float unless their voxels need more (float64, 32-bit integers). */
using FloatSeries = itk::Image<float, 4>;
using DoubleSeries = itk::Image<double, 4>;
/** Maps are written as float32. */
using MapImage = itk::Image<float, 3>;
using MaskImage = itk::Image<unsigned char, 3>;
} // namespace voxelkl

extern template class itk::TemporalReductionImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
extern template class itk::TemporalReductionImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;
extern template class itk::TemporalMomentsImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
extern template class itk::TemporalMomentsImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;
extern template class itk::GaussianKLDivergenceImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
extern template class itk::GaussianKLDivergenceImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;
extern template class itk::NonparametricKLDivergenceImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
extern template class itk::NonparametricKLDivergenceImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;

#endif
