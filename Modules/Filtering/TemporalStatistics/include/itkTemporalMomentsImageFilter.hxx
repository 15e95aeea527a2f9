#ifndef itkTemporalMomentsImageFilter_hxx
#define itkTemporalMomentsImageFilter_hxx

#include "itkTemporalMomentsImageFilter.h"

#include "voxelkl/AccumulatorVector.h"

namespace itk
{

template <typename TInputImage, typename TOutputImage>
TemporalMomentsImageFilter<TInputImage, TOutputImage>::TemporalMomentsImageFilter()
{
  this->SetNumberOfRequiredInputs(1);
  const auto maps = static_cast<unsigned int>(MomentMap::NumberOfMaps);
  this->SetNumberOfRequiredOutputs(maps);
  for (unsigned int n = 1; n < maps; ++n)
  {
    this->SetNthOutput(n, this->MakeOutput(n));
  }
}

template <typename TInputImage, typename TOutputImage>
void
TemporalMomentsImageFilter<TInputImage, TOutputImage>::ProcessRow(const OutputIndexType & start,
                                                                  SizeValueType           length,
                                                                  const unsigned char *   inside)
{
  const auto                                             row = this->GetSeriesRow(0, start);
  voxelkl::AccumulatorVector<voxelkl::MomentAccumulator> accumulators(length);
  for (SizeValueType t = 0; t < row.timePoints; ++t)
  {
    accumulators.PushTimePoint(0, length, row.Values(t), inside);
  }
  for (unsigned int n = 0; n < static_cast<unsigned int>(MomentMap::NumberOfMaps); ++n)
  {
    OutputImageType * output = this->GetOutput(n);
    auto *            values = output->GetBufferPointer() + output->ComputeOffset(start);
    for (SizeValueType x = 0; x < length; ++x)
    {
      values[x] = static_cast<typename OutputImageType::PixelType>(
        inside[x] != 0 ? voxelkl::MomentMapValue(accumulators.Get(x), static_cast<MomentMap>(n)) : 0.0);
    }
  }
}

} // namespace itk

#endif
