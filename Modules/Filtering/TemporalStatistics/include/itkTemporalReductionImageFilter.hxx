#ifndef itkTemporalReductionImageFilter_hxx
#define itkTemporalReductionImageFilter_hxx

#include "itkTemporalReductionImageFilter.h"

#include "itkMultiThreaderBase.h"
#include "itkTotalProgressReporter.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace itk
{

template <typename TInputImage, typename TOutputImage>
TemporalReductionImageFilter<TInputImage, TOutputImage>::TemporalReductionImageFilter()
{
  // The mask is optional and lives on the output grid; it is not one of the series.
  this->AddOptionalInputName("MaskImage");
}

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::GenerateOutputInformation()
{
  // Not Superclass: ProcessObject would CopyInformation from a 4D image into 3D outputs,
  // which throws.
  const InputImageType * input = this->GetInput(0);
  if (input == nullptr)
  {
    return;
  }
  const auto &                                            inputRegion = input->GetLargestPossibleRegion();
  ImageRegion<OutputImageDimension>                       region;
  typename ImageBase<OutputImageDimension>::SpacingType   spacing;
  typename ImageBase<OutputImageDimension>::PointType     origin;
  typename ImageBase<OutputImageDimension>::DirectionType direction;
  for (unsigned int i = 0; i < OutputImageDimension; ++i)
  {
    region.SetIndex(i, inputRegion.GetIndex(i));
    region.SetSize(i, inputRegion.GetSize(i));
    spacing[i] = input->GetSpacing()[i];
    origin[i] = input->GetOrigin()[i];
    for (unsigned int j = 0; j < OutputImageDimension; ++j)
    {
      // The spatial block of the 4D direction: an oblique acquisition stays oblique.
      direction[i][j] = input->GetDirection()[i][j];
    }
  }
  for (unsigned int n = 0; n < this->GetNumberOfIndexedOutputs(); ++n)
  {
    auto * output = dynamic_cast<ImageBase<OutputImageDimension> *>(this->ProcessObject::GetOutput(n));
    if (output != nullptr)
    {
      output->SetLargestPossibleRegion(region);
      output->SetSpacing(spacing);
      output->SetOrigin(origin);
      output->SetDirection(direction);
    }
  }
}

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::GenerateInputRequestedRegion()
{
  // Each 3D tile of the output needs the same tile of every series over all time points.
  const OutputRegionType requested = this->GetOutput()->GetRequestedRegion();
  for (unsigned int n = 0; n < this->GetNumberOfSeries(); ++n)
  {
    auto * input = const_cast<InputImageType *>(this->GetInput(n));
    if (input == nullptr)
    {
      continue;
    }
    typename InputImageType::RegionType region = input->GetLargestPossibleRegion();
    for (unsigned int i = 0; i < OutputImageDimension; ++i)
    {
      region.SetIndex(i, requested.GetIndex(i));
      region.SetSize(i, requested.GetSize(i));
    }
    input->SetRequestedRegion(region);
  }
  if (auto * mask = const_cast<MaskImageType *>(this->GetMaskImage()))
  {
    mask->SetRequestedRegion(requested);
  }
}

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::VerifyInputInformation() ITKv5_CONST
{
  // Not Superclass: it would also compare the time axis (the series may have different
  // repetition times and lengths) and would not compare sizes.
  const InputImageType * first = this->GetInput(0);
  if (first == nullptr)
  {
    return;
  }
  double smallestSpacing = first->GetSpacing()[0];
  for (unsigned int i = 1; i < OutputImageDimension; ++i)
  {
    smallestSpacing = std::min(smallestSpacing, first->GetSpacing()[i]);
  }
  const double coordinateTolerance = m_CoordinateTolerance * smallestSpacing;

  auto compare = [&](const auto * other, const std::string & otherName) {
    std::ostringstream problem;
    for (unsigned int i = 0; i < OutputImageDimension && problem.str().empty(); ++i)
    {
      const auto & a = first->GetLargestPossibleRegion();
      const auto & b = other->GetLargestPossibleRegion();
      if (a.GetSize(i) != b.GetSize(i) || a.GetIndex(i) != b.GetIndex(i))
      {
        problem << "size differs along axis " << i << ": " << a.GetSize(i) << " vs " << b.GetSize(i);
      }
      else if (std::fabs(first->GetSpacing()[i] - other->GetSpacing()[i]) > coordinateTolerance)
      {
        problem << "spacing differs along axis " << i << ": " << first->GetSpacing()[i] << " vs "
                << other->GetSpacing()[i];
      }
      else if (std::fabs(first->GetOrigin()[i] - other->GetOrigin()[i]) > coordinateTolerance)
      {
        problem << "origin differs along axis " << i << ": " << first->GetOrigin()[i] << " vs "
                << other->GetOrigin()[i];
      }
      for (unsigned int j = 0; j < OutputImageDimension && problem.str().empty(); ++j)
      {
        if (std::fabs(first->GetDirection()[i][j] - other->GetDirection()[i][j]) > m_DirectionTolerance)
        {
          problem << "direction differs at (" << i << "," << j << "): " << first->GetDirection()[i][j] << " vs "
                  << other->GetDirection()[i][j];
        }
      }
    }
    if (!problem.str().empty())
    {
      itkExceptionMacro(<< this->GetSeriesName(0) << " and " << otherName
                        << " are not on the same spatial grid: " << problem.str());
    }
  };
  for (unsigned int n = 1; n < this->GetNumberOfSeries(); ++n)
  {
    if (const InputImageType * other = this->GetInput(n))
    {
      compare(other, this->GetSeriesName(n));
    }
  }
  if (const MaskImageType * mask = this->GetMaskImage())
  {
    compare(mask, "mask");
  }
}

template <typename TInputImage, typename TOutputImage>
auto
TemporalReductionImageFilter<TInputImage, TOutputImage>::GetSeriesRow(unsigned int            series,
                                                                      const OutputIndexType & start) const -> SeriesRow
{
  const InputImageType *             input = this->GetInput(series);
  const auto &                       buffered = input->GetBufferedRegion();
  typename InputImageType::IndexType index;
  for (unsigned int i = 0; i < OutputImageDimension; ++i)
  {
    index[i] = start[i];
  }
  index[OutputImageDimension] = input->GetLargestPossibleRegion().GetIndex(OutputImageDimension);
  if (!buffered.IsInside(index))
  {
    itkExceptionMacro(<< "the buffered region of " << this->GetSeriesName(series) << " does not hold voxel " << index);
  }
  return { input->GetBufferPointer() + input->ComputeOffset(index),
           input->GetOffsetTable()[OutputImageDimension],
           input->GetLargestPossibleRegion().GetSize(OutputImageDimension) };
}

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::GenerateData()
{
  this->AllocateOutputs();
  const OutputRegionType region = this->GetOutput()->GetRequestedRegion();
  const SizeValueType    rowLength = region.GetSize(0);
  if (rowLength == 0)
  {
    return;
  }
  const SizeValueType   rowCount = region.GetNumberOfPixels() / rowLength;
  const MaskImageType * mask = this->GetMaskImage();
  const int             threads = std::max(1, static_cast<int>(this->GetMultiThreader()->GetMaximumNumberOfThreads()));

  // Rows of x: the unit of work and of progress. Which thread computes a row does not
  // change what it computes.
  auto processRows = [&](const tbb::blocked_range<SizeValueType> & rows) {
    TotalProgressReporter      progress(this, region.GetNumberOfPixels());
    std::vector<unsigned char> inside(rowLength, 1);
    for (SizeValueType r = rows.begin(); r != rows.end(); ++r)
    {
      OutputIndexType start = region.GetIndex();
      SizeValueType   rest = r;
      for (unsigned int i = 1; i < OutputImageDimension; ++i)
      {
        start[i] += static_cast<IndexValueType>(rest % region.GetSize(i));
        rest /= region.GetSize(i);
      }
      if (mask != nullptr)
      {
        OutputIndexType voxel = start;
        for (SizeValueType x = 0; x < rowLength; ++x, ++voxel[0])
        {
          inside[x] = mask->GetPixel(voxel) != 0 ? 1 : 0;
        }
      }
      this->ProcessRow(start, rowLength, inside.data());
      progress.Completed(rowLength);
    }
  };
  tbb::task_arena arena(threads);
  arena.execute([&] { tbb::parallel_for(tbb::blocked_range<SizeValueType>(0, rowCount), processRows); });
}

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "CoordinateTolerance: " << m_CoordinateTolerance << std::endl;
  os << indent << "DirectionTolerance: " << m_DirectionTolerance << std::endl;
  os << indent << "MaskImage: " << (this->GetMaskImage() != nullptr ? "set" : "none") << std::endl;
}

} // namespace itk

#endif
