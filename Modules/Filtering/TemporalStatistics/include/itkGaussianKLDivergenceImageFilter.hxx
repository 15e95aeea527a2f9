#ifndef itkGaussianKLDivergenceImageFilter_hxx
#define itkGaussianKLDivergenceImageFilter_hxx

#include "itkGaussianKLDivergenceImageFilter.h"
#include "voxelkl/ComparisonMeasure.h"

#include <algorithm>

namespace itk
{

template <typename TInputImage, typename TOutputImage>
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::GaussianKLDivergenceImageFilter()
{
  this->SetNumberOfRequiredOutputs(8);
  for (unsigned int n = 1; n < 8; ++n)
  {
    this->SetNthOutput(n, this->MakeOutput(n));
  }
}

template <typename TInputImage, typename TOutputImage>
ProcessObject::DataObjectPointer
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::MakeOutput(
  ProcessObject::DataObjectPointerArraySizeType index)
{
  switch (index)
  {
    case 1:
      return StatusImageType::New().GetPointer();
    case 2:
    case 7:
      return SampleCountImageType::New().GetPointer();
    default:
      return Superclass::MakeOutput(index);
  }
}

template <typename TInputImage, typename TOutputImage>
void
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::VerifyInputInformation() ITKv5_CONST
{
  Superclass::VerifyInputInformation();
  const auto * reference = this->GetInput(0);
  const auto * generated = this->GetInput(1);
  using Traits = typename Superclass::SeriesTraits;
  if (m_ComputePairedMaps && reference != nullptr && generated != nullptr &&
      Traits::TimePoints(*reference) != Traits::TimePoints(*generated))
  {
    itkExceptionMacro(<< "paired maps need series of the same length: reference has " << Traits::TimePoints(*reference)
                      << " time points, generated " << Traits::TimePoints(*generated));
  }
}

template <typename TInputImage, typename TOutputImage>
void
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::ProcessRow(const OutputIndexType & start,
                                                                       SizeValueType           length,
                                                                       const unsigned char *   inside)
{
  // The measure the executables run, on this row's values in the input buffers.
  const voxelkl::ComparisonSettings settings{
    this->GetDivergenceDirection(), this->GetVarianceFloor(), m_ComputePairedMaps, m_UndefinedCorrelation
  };
  voxelkl::GaussianComparison comparison(settings, length);
  // Paired: the lengths are equal, checked by VerifyInputInformation.
  this->AccumulateRow(comparison, start, length, inside);
  voxelkl::ComparisonRow<typename OutputImageType::PixelType> row;
  row.kl = this->At(this->GetKLOutput(), start);
  row.status = this->At(this->GetStatusOutput(), start);
  row.nonFiniteSamples = this->At(this->GetNonFiniteSampleCountOutput(), start);
  row.meanSquaredError = this->At(this->GetMeanSquaredErrorOutput(), start);
  row.correlation = this->At(this->GetCorrelationOutput(), start);
  row.meanDifference = this->At(this->GetMeanDifferenceOutput(), start);
  row.varianceLogRatio = this->At(this->GetVarianceLogRatioOutput(), start);
  row.pairCount = this->At(this->GetPairCountOutput(), start);
  comparison.Finish(0, length, inside, row);
}

template <typename TInputImage, typename TOutputImage>
void
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "ComputePairedMaps: " << m_ComputePairedMaps << std::endl;
  os << indent << "UndefinedCorrelation: " << m_UndefinedCorrelation << std::endl;
}

} // namespace itk

#endif
