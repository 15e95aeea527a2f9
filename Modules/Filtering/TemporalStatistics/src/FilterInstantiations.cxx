#include "voxelkl/FilterInstantiations.h"

template class itk::TemporalReductionImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
template class itk::TemporalReductionImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;
template class itk::TemporalMomentsImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
template class itk::TemporalMomentsImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;
template class itk::GaussianKLDivergenceImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
template class itk::GaussianKLDivergenceImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;
template class itk::NonparametricKLDivergenceImageFilter<voxelkl::FloatSeries, voxelkl::MapImage>;
template class itk::NonparametricKLDivergenceImageFilter<voxelkl::DoubleSeries, voxelkl::MapImage>;
