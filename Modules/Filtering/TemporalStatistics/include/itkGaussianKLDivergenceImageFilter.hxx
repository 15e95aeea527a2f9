#ifndef itkGaussianKLDivergenceImageFilter_hxx
#define itkGaussianKLDivergenceImageFilter_hxx

#include "itkGaussianKLDivergenceImageFilter.h"
#include "voxelkl/VarianceAccumulatorArray.h"

namespace itk
{

template <typename TInputImage, typename TOutputImage>
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::GaussianKLDivergenceImageFilter()
{
  this->SetNumberOfRequiredInputs(2);
  this->SetNumberOfRequiredOutputs(3);
  this->SetNthOutput(1, this->MakeOutput(1));
  this->SetNthOutput(2, this->MakeOutput(2));
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
      return SampleCountImageType::New().GetPointer();
    default:
      return Superclass::MakeOutput(index);
  }
}

template <typename TInputImage, typename TOutputImage>
void
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::ProcessRow(const OutputIndexType & start,
                                                                       SizeValueType           length,
                                                                       const unsigned char *   inside)
{
  voxelkl::VarianceAccumulatorArray reference(length);
  voxelkl::VarianceAccumulatorArray generated(length);
  const auto                        referenceRow = this->GetSeriesRow(0, start);
  for (SizeValueType t = 0; t < referenceRow.timePoints; ++t)
  {
    reference.PushTimePoint(0, length, referenceRow.Values(t), inside);
  }
  const auto generatedRow = this->GetSeriesRow(1, start);
  for (SizeValueType t = 0; t < generatedRow.timePoints; ++t)
  {
    generated.PushTimePoint(0, length, generatedRow.Values(t), inside);
  }

  OutputImageType *      divergenceImage = this->GetDivergenceOutput();
  StatusImageType *      statusImage = this->GetStatusOutput();
  SampleCountImageType * skippedImage = this->GetNonFiniteSampleCountOutput();
  auto *                 divergence = divergenceImage->GetBufferPointer() + divergenceImage->ComputeOffset(start);
  auto *                 status = statusImage->GetBufferPointer() + statusImage->ComputeOffset(start);
  auto *                 skipped = skippedImage->GetBufferPointer() + skippedImage->ComputeOffset(start);
  for (SizeValueType x = 0; x < length; ++x)
  {
    if (inside[x] == 0)
    {
      divergence[x] = 0;
      status[x] = static_cast<unsigned char>(voxelkl::VoxelStatus::OutsideMask);
      skipped[x] = 0;
      continue;
    }
    const auto referenceMoments = reference.Get(x);
    const auto generatedMoments = generated.Get(x);
    const auto result =
      voxelkl::GaussianVoxelDivergence(referenceMoments, generatedMoments, m_Direction, m_VarianceFloor);
    divergence[x] = static_cast<typename OutputImageType::PixelType>(result.value);
    status[x] = static_cast<unsigned char>(result.status);
    skipped[x] = static_cast<std::uint32_t>(referenceMoments.Skipped() + generatedMoments.Skipped());
  }
}

template <typename TInputImage, typename TOutputImage>
void
GaussianKLDivergenceImageFilter<TInputImage, TOutputImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "Direction: " << voxelkl::ToString(m_Direction) << std::endl;
  os << indent << "VarianceFloor: " << m_VarianceFloor.Describe() << std::endl;
}

} // namespace itk

#endif
