#ifndef itkNonparametricKLDivergenceImageFilter_hxx
#define itkNonparametricKLDivergenceImageFilter_hxx

#include "itkNonparametricKLDivergenceImageFilter.h"
#include "voxelkl/VarianceAccumulatorArray.h"

#include <algorithm>

namespace itk
{

template <typename TInputImage, typename TOutputImage>
NonparametricKLDivergenceImageFilter<TInputImage, TOutputImage>::NonparametricKLDivergenceImageFilter()
{
  this->SetNumberOfRequiredOutputs(3);
  for (unsigned int n = 1; n < 3; ++n)
  {
    this->SetNthOutput(n, this->MakeOutput(n));
  }
}

template <typename TInputImage, typename TOutputImage>
ProcessObject::DataObjectPointer
NonparametricKLDivergenceImageFilter<TInputImage, TOutputImage>::MakeOutput(
  ProcessObject::DataObjectPointerArraySizeType index)
{
  switch (index)
  {
    case 1:
      return StatusImageType::New().GetPointer();
    case 2:
      return WindowImageType::New().GetPointer();
    default:
      return Superclass::MakeOutput(index);
  }
}

template <typename TInputImage, typename TOutputImage>
void
NonparametricKLDivergenceImageFilter<TInputImage, TOutputImage>::VerifyPreconditions() ITKv5_CONST
{
  Superclass::VerifyPreconditions();
  if (m_EstimatorSettings.estimator == voxelkl::KLEstimator::Gaussian)
  {
    itkExceptionMacro(<< "the Gaussian KL is GaussianKLDivergenceImageFilter's: choose knn or histogram");
  }
  if (m_EstimatorSettings.neighbours < 1 || !(m_EstimatorSettings.pseudocount > 0.0))
  {
    itkExceptionMacro(<< "invalid estimator settings: " << m_EstimatorSettings.Describe());
  }
}

template <typename TInputImage, typename TOutputImage>
void
NonparametricKLDivergenceImageFilter<TInputImage, TOutputImage>::ProcessRow(const OutputIndexType & start,
                                                                            SizeValueType           length,
                                                                            const unsigned char *   inside)
{
  // The Gaussian fit first: it decides where a density exists (see the class comment).
  voxelkl::VarianceAccumulatorArray reference(length);
  voxelkl::VarianceAccumulatorArray generated(length);
  const auto                        referenceRow = this->GetSeriesRow(0, start);
  const auto                        generatedRow = this->GetSeriesRow(1, start);
  for (SizeValueType t = 0; t < referenceRow.timePoints; ++t)
  {
    reference.PushTimePoint(0, length, referenceRow.Values(t), inside);
  }
  for (SizeValueType t = 0; t < generatedRow.timePoints; ++t)
  {
    generated.PushTimePoint(0, length, generatedRow.Values(t), inside);
  }

  auto * divergence =
    this->GetDivergenceOutput()->GetBufferPointer() + this->GetDivergenceOutput()->ComputeOffset(start);
  auto * status = this->GetStatusOutput()->GetBufferPointer() + this->GetStatusOutput()->ComputeOffset(start);
  auto * window =
    this->GetTheilerWindowOutput()->GetBufferPointer() + this->GetTheilerWindowOutput()->ComputeOffset(start);
  // The voxel's index in the whole grid seeds its dequantisation jitter.
  const auto &  largest = this->GetOutput()->GetLargestPossibleRegion();
  std::uint64_t rowIndex = 0;
  for (int i = static_cast<int>(OutputImageDimension) - 1; i >= 0; --i)
  {
    rowIndex = rowIndex * largest.GetSize(i) + static_cast<std::uint64_t>(start[i] - largest.GetIndex(i));
  }
  voxelkl::NonparametricVoxelKL estimator(m_EstimatorSettings);
  for (SizeValueType x = 0; x < length; ++x)
  {
    window[x] = 0;
    if (inside[x] == 0)
    {
      divergence[x] = 0;
      status[x] = static_cast<unsigned char>(voxelkl::VoxelStatus::OutsideMask);
      continue;
    }
    const auto gaussian = voxelkl::GaussianVoxelDivergence(
      reference.Get(x), generated.Get(x), this->GetDirection(), this->GetVarianceFloor());
    status[x] = static_cast<unsigned char>(gaussian.status);
    divergence[x] = static_cast<typename OutputImageType::PixelType>(gaussian.value);
    if (gaussian.status != voxelkl::VoxelStatus::Valid)
    {
      continue;
    }
    estimator.Load(
      0, referenceRow.first + x, referenceRow.timeStride, referenceRow.timePoints, m_ReferenceQuantisationStep);
    estimator.Load(
      1, generatedRow.first + x, generatedRow.timeStride, generatedRow.timePoints, m_GeneratedQuantisationStep);
    const auto result = estimator.Estimate(this->GetDirection(), rowIndex + x);
    divergence[x] = static_cast<typename OutputImageType::PixelType>(result.enough ? result.value : 0.0);
    if (!result.enough)
    {
      status[x] = static_cast<unsigned char>(voxelkl::VoxelStatus::NoSamples);
    }
    if (m_EstimatorSettings.estimator == voxelkl::KLEstimator::NearestNeighbour)
    {
      window[x] = static_cast<std::uint16_t>(std::min(result.window, 65535u));
    }
  }
}

template <typename TInputImage, typename TOutputImage>
void
NonparametricKLDivergenceImageFilter<TInputImage, TOutputImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "Estimator: " << m_EstimatorSettings.Describe() << std::endl;
  os << indent << "ReferenceQuantisationStep: " << m_ReferenceQuantisationStep << std::endl;
  os << indent << "GeneratedQuantisationStep: " << m_GeneratedQuantisationStep << std::endl;
}

} // namespace itk

#endif
