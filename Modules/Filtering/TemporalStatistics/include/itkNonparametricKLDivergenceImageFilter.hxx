#ifndef itkNonparametricKLDivergenceImageFilter_hxx
#define itkNonparametricKLDivergenceImageFilter_hxx

#include "itkNonparametricKLDivergenceImageFilter.h"
#include "voxelkl/ComparisonMeasure.h"

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
  const voxelkl::ComparisonSettings settings{ this->GetDivergenceDirection(), this->GetVarianceFloor(), false, 0.0 };
  voxelkl::GaussianComparison       comparison(settings, length);
  this->AccumulateRow(comparison, start, length, inside);
  voxelkl::ComparisonRow<typename OutputImageType::PixelType> row;
  row.kl = this->At(this->GetKLOutput(), start);
  row.status = this->At(this->GetStatusOutput(), start);
  std::uint16_t * window = this->At(this->GetTheilerWindowOutput(), start);
  std::fill(window, window + length, std::uint16_t{ 0 });
  if (m_EstimatorSettings.estimator == voxelkl::KLEstimator::NearestNeighbour)
  {
    row.theilerWindow = window;
  }
  comparison.Finish(0, length, inside, row);

  // Then the estimate, by the executables' code. The voxel's index in the whole grid seeds
  // its dequantisation jitter.
  const auto &  largest = this->GetOutput()->GetLargestPossibleRegion();
  std::uint64_t rowIndex = 0;
  for (int i = static_cast<int>(OutputImageDimension) - 1; i >= 0; --i)
  {
    rowIndex = rowIndex * largest.GetSize(i) + static_cast<std::uint64_t>(start[i] - largest.GetIndex(i));
  }
  const auto                    referenceRow = this->GetSeriesRow(0, start);
  const auto                    generatedRow = this->GetSeriesRow(1, start);
  voxelkl::NonparametricVoxelKL estimator(m_EstimatorSettings);
  for (SizeValueType x = 0; x < length; ++x)
  {
    voxelkl::FinishNonparametricVoxel(row,
                                      x,
                                      estimator,
                                      this->GetDivergenceDirection(),
                                      rowIndex + x,
                                      referenceRow.Voxel(x),
                                      referenceRow.timeStride,
                                      referenceRow.timePoints,
                                      m_ReferenceQuantisationStep,
                                      generatedRow.Voxel(x),
                                      generatedRow.timeStride,
                                      generatedRow.timePoints,
                                      m_GeneratedQuantisationStep);
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
