#ifndef itkTemporalReductionImageFilter_hxx
#define itkTemporalReductionImageFilter_hxx

#include "itkTemporalReductionImageFilter.h"
#include "voxelkl/ItkGlobals.h"

#include "itkMultiThreaderBase.h"
#include "itkTotalProgressReporter.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>
#include <thread>

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

namespace detail
{
// The spatial grid of an image of any dimension: its first three axes.
template <typename TImage>
voxelkl::SpatialGrid
SpatialGridOf(const TImage & image)
{
  voxelkl::SpatialGrid grid;
  const auto &         region = image.GetLargestPossibleRegion();
  for (unsigned int i = 0; i < 3; ++i)
  {
    grid.size[i] = region.GetSize(i);
    grid.spacing[i] = image.GetSpacing()[i];
    grid.origin[i] = image.GetOrigin()[i];
    for (unsigned int j = 0; j < 3; ++j)
    {
      grid.direction[i * 3 + j] = image.GetDirection()[i][j];
    }
  }
  return grid;
}
} // namespace detail

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::VerifyInputInformation() ITKv5_CONST
{
  // Not Superclass: it would also compare the time axis (the series may have different
  // repetition times and lengths). The check is the executables' own.
  static_assert(OutputImageDimension == 3, "series are 3D volumes over time");
  const InputImageType * first = this->GetInput(0);
  if (first == nullptr)
  {
    return;
  }
  const voxelkl::SpatialGrid grid = detail::SpatialGridOf(*first);
  auto                       compare = [&](const auto * other, const std::string & otherName) {
    const std::string problem = voxelkl::CompareGrids(grid, detail::SpatialGridOf(*other), m_GridTolerance);
    if (!problem.empty())
    {
      itkExceptionMacro(<< this->GetSeriesName(0) << " and " << otherName
                        << " are not on the same spatial grid: " << problem);
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
  if constexpr (!SeriesTraits::TimeAsComponents)
  {
    index[OutputImageDimension] = input->GetLargestPossibleRegion().GetIndex(OutputImageDimension);
  }
  if (!buffered.IsInside(index))
  {
    itkExceptionMacro(<< "the buffered region of " << this->GetSeriesName(series) << " does not hold voxel " << index);
  }
  const SizeValueType timePoints = SeriesTraits::TimePoints(*input);
  if constexpr (SeriesTraits::TimeAsComponents)
  {
    // Interleaved: a voxel's time points are adjacent, voxels `timePoints` apart.
    const auto components = static_cast<OffsetValueType>(timePoints);
    return { input->GetBufferPointer() + input->ComputeOffset(index) * components, 1, components, timePoints };
  }
  else
  {
    return { input->GetBufferPointer() + input->ComputeOffset(index),
             input->GetOffsetTable()[OutputImageDimension],
             1,
             timePoints };
  }
}

template <typename TInputImage, typename TOutputImage>
int
TemporalReductionImageFilter<TInputImage, TOutputImage>::ThreadsToUse() const
{
  const auto threads = std::min(this->GetMultiThreader()->GetMaximumNumberOfThreads(), this->GetNumberOfWorkUnits());
  return std::max(1, static_cast<int>(threads));
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
  const int             threads = ThreadsToUse();

  // Rows of x: the unit of work, of progress and of cancellation. Which thread computes a
  // row does not change what it computes. ITK 5.2's abort flag is a plain bool, set by
  // observers of progress events, which ITK invokes on the thread that called Update():
  // only that thread reads it (it works on rows in the arena too), and the others read
  // `aborted`. (ThreadSanitizer reported the flag read by the arena's threads as a race.)
  const std::thread::id updater = std::this_thread::get_id();
  std::atomic<bool>     aborted{ false };
  auto                  processRows = [&](const tbb::blocked_range<SizeValueType> & rows) {
    TotalProgressReporter      progress(this, region.GetNumberOfPixels());
    std::vector<unsigned char> inside(rowLength, 1);
    const bool                 readsAbort = std::this_thread::get_id() == updater;
    for (SizeValueType r = rows.begin(); r != rows.end(); ++r)
    {
      if (readsAbort && this->GetAbortGenerateData())
      {
        aborted = true;
      }
      if (aborted.load(std::memory_order_relaxed))
      {
        return;
      }
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
  if (aborted)
  {
    ProcessAborted error(__FILE__, __LINE__);
    error.SetDescription(std::string(this->GetNameOfClass()) + ": AbortGenerateData was set");
    throw error;
  }
  // The reporters' sums of row fractions can stop short of 1 by rounding.
  this->UpdateProgress(1.0f);
}

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::UpdateOutputData(DataObject * output)
{
  std::vector<DataObject *> series;
  for (unsigned int n = 0; n < this->GetNumberOfSeries(); ++n)
  {
    if (auto * input = const_cast<InputImageType *>(this->GetInput(n)); input != nullptr && input->GetSource())
    {
      series.push_back(input);
    }
  }
  if (series.size() > 1)
  {
    // The readers of different files share no state but ITK's globals, made here first;
    // each update is ITK's own, so an exception in either propagates here unchanged.
    voxelkl::PrepareItkForThreads();
    tbb::task_arena arena(std::max(ThreadsToUse(), static_cast<int>(series.size())));
    arena.execute([&] {
      tbb::parallel_for(std::size_t{ 0 }, series.size(), [&](std::size_t n) { series[n]->UpdateOutputData(); });
    });
  }
  Superclass::UpdateOutputData(output);
}

template <typename TInputImage, typename TOutputImage>
void
TemporalReductionImageFilter<TInputImage, TOutputImage>::PrintSelf(std::ostream & os, Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "GridTolerance: coordinate " << m_GridTolerance.coordinate << " (of the smallest spacing), direction "
     << m_GridTolerance.direction << std::endl;
  os << indent << "MaskImage: " << (this->GetMaskImage() != nullptr ? "set" : "none") << std::endl;
}

} // namespace itk

#endif
