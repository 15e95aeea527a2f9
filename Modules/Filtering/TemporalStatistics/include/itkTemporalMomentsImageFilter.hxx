#ifndef itkTemporalMomentsImageFilter_hxx
#define itkTemporalMomentsImageFilter_hxx

#include "itkTemporalMomentsImageFilter.h"

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
  // The measure the executables run, on this row's values in the input buffer.
  const auto                                        row = this->GetSeriesRow(0, start);
  voxelkl::Moments                                  moments(length);
  std::vector<typename Superclass::SeriesValueType> scratch;
  for (SizeValueType t = 0; t < row.timePoints; ++t)
  {
    moments.PushTimePoint(0, length, row.Values(t, length, scratch), inside);
  }
  voxelkl::MomentsRow<typename OutputImageType::PixelType> out;
  for (unsigned int n = 0; n < voxelkl::MomentMapCount; ++n)
  {
    OutputImageType * output = this->GetOutput(n);
    out[n] = output->GetBufferPointer() + output->ComputeOffset(start);
  }
  moments.Finish(0, length, inside, out);
}

} // namespace itk

#endif
