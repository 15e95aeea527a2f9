#ifndef itkGaussianKLDivergenceImageFilter_hxx
#define itkGaussianKLDivergenceImageFilter_hxx

#include "itkGaussianKLDivergenceImageFilter.h"
#include "voxelkl/SeriesComparisonArray.h"
#include "voxelkl/VarianceAccumulatorArray.h"

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
  const auto   time = TInputImage::ImageDimension - 1;
  if (m_ComputePairedMaps && reference != nullptr && generated != nullptr &&
      reference->GetLargestPossibleRegion().GetSize(time) != generated->GetLargestPossibleRegion().GetSize(time))
  {
    itkExceptionMacro(<< "paired maps need series of the same length: reference has "
                      << reference->GetLargestPossibleRegion().GetSize(time) << " time points, generated "
                      << generated->GetLargestPossibleRegion().GetSize(time));
  }
}

template <typename TInputImage, typename TOutputImage>
void
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::ProcessRow(const OutputIndexType & start,
                                                                       SizeValueType           length,
                                                                       const unsigned char *   inside)
{
  voxelkl::VarianceAccumulatorArray reference(m_ComputePairedMaps ? 0 : length);
  voxelkl::VarianceAccumulatorArray generated(m_ComputePairedMaps ? 0 : length);
  voxelkl::SeriesComparisonArray    comparison(m_ComputePairedMaps ? length : 0);
  const auto                        referenceRow = this->GetSeriesRow(0, start);
  const auto                        generatedRow = this->GetSeriesRow(1, start);
  if (m_ComputePairedMaps) // the lengths are equal: checked by VerifyInputInformation
  {
    for (SizeValueType t = 0; t < referenceRow.timePoints; ++t)
    {
      comparison.PushTimePoint(0, length, referenceRow.Values(t), generatedRow.Values(t), inside);
    }
  }
  else
  {
    for (SizeValueType t = 0; t < referenceRow.timePoints; ++t)
    {
      reference.PushTimePoint(0, length, referenceRow.Values(t), inside);
    }
    for (SizeValueType t = 0; t < generatedRow.timePoints; ++t)
    {
      generated.PushTimePoint(0, length, generatedRow.Values(t), inside);
    }
  }

  OutputImageType *      divergenceImage = this->GetDivergenceOutput();
  StatusImageType *      statusImage = this->GetStatusOutput();
  SampleCountImageType * skippedImage = this->GetNonFiniteSampleCountOutput();
  auto *                 divergence = divergenceImage->GetBufferPointer() + divergenceImage->ComputeOffset(start);
  auto *                 status = statusImage->GetBufferPointer() + statusImage->ComputeOffset(start);
  auto *                 skipped = skippedImage->GetBufferPointer() + skippedImage->ComputeOffset(start);
  auto                   row = [this, &start](unsigned int output) {
    OutputImageType * image = this->GetOutput(output);
    return image->GetBufferPointer() + image->ComputeOffset(start);
  };
  auto * meanSquaredError = row(3);
  auto * correlation = row(4);
  auto * meanDifference = row(5);
  auto * varianceLogRatio = row(6);
  auto * pairCount = this->GetPairCountOutput()->GetBufferPointer() + this->GetPairCountOutput()->ComputeOffset(start);
  using OutputPixelType = typename OutputImageType::PixelType;
  for (SizeValueType x = 0; x < length; ++x)
  {
    if (inside[x] == 0)
    {
      divergence[x] = 0;
      status[x] = static_cast<unsigned char>(voxelkl::VoxelStatus::OutsideMask);
      skipped[x] = 0;
      meanSquaredError[x] = correlation[x] = meanDifference[x] = varianceLogRatio[x] = 0;
      pairCount[x] = 0;
      continue;
    }
    const auto referenceMoments = m_ComputePairedMaps ? comparison.Reference(x) : reference.Get(x);
    const auto generatedMoments = m_ComputePairedMaps ? comparison.Generated(x) : generated.Get(x);
    const auto result = voxelkl::GaussianVoxelDivergence(
      referenceMoments, generatedMoments, this->GetDirection(), this->GetVarianceFloor());
    divergence[x] = static_cast<typename OutputImageType::PixelType>(result.value);
    status[x] = static_cast<unsigned char>(result.status);
    skipped[x] = static_cast<std::uint32_t>(referenceMoments.Skipped() + generatedMoments.Skipped());
    meanDifference[x] = static_cast<OutputPixelType>(generatedMoments.Mean() - referenceMoments.Mean());
    varianceLogRatio[x] = static_cast<OutputPixelType>(
      voxelkl::VarianceLogRatio(referenceMoments, generatedMoments, this->GetVarianceFloor()));
    const voxelkl::PairedMoments paired = m_ComputePairedMaps ? comparison.Pairs(x) : voxelkl::PairedMoments{};
    meanSquaredError[x] = static_cast<OutputPixelType>(paired.MeanSquaredError());
    correlation[x] = static_cast<OutputPixelType>(paired.Correlation(m_UndefinedCorrelation));
    pairCount[x] = static_cast<std::uint32_t>(paired.count);
  }
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
