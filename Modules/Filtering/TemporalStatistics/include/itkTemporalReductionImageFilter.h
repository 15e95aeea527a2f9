// Base of the filters that reduce 4D series (x, y, z, t) to 3D maps, voxel by voxel.
#ifndef itkTemporalReductionImageFilter_h
#define itkTemporalReductionImageFilter_h

#include "itkImage.h"
#include "itkImageToImageFilter.h"
#include "voxelkl/SpatialGrid.h"

#include <string>
#include <vector>

namespace itk
{

/** \class TemporalReductionImageFilter
 * \brief Reduces one or more 4D series to 3D maps, each voxel from its whole time series.
 *
 * Handles what every such reduction needs, so that the derived filters hold only their
 * per-voxel arithmetic:
 * - Output information: the input minus its last (time) axis. The spatial origin, spacing
 *   and 3x3 direction are kept; ITK's projection filters reset the direction to identity,
 *   which would move an oblique acquisition.
 * - Streaming: a requested 3D tile maps to the same tile x all time points of every
 *   series (and to the same tile of the optional mask), so an itk::StreamingImageFilter
 *   or any tile loop downstream makes the whole pipeline run tile by tile.
 * - Input checks: the series (and the mask) must share the spatial grid, by the same
 *   check and tolerances the executables use (voxelkl::CompareGrids, GridTolerance);
 *   their numbers of time points may differ.
 * - Work: GenerateData runs rows of voxels (lines along x) on oneTBB, in a task arena
 *   sized by this filter's MultiThreader maximum number of threads (ITK's global default
 *   unless set). A row is the unit of work, and each voxel's result depends only on its
 *   own time series read in time order, so results are identical for any tiling and any
 *   thread count. AbortGenerateDataOn() stops the work at the next row and throws
 *   itk::ProcessAborted; the last ProgressEvent of an update reports 1.
 *
 * Derived classes implement ProcessRow(). */
template <typename TInputImage, typename TOutputImage>
class TemporalReductionImageFilter : public ImageToImageFilter<TInputImage, TOutputImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(TemporalReductionImageFilter);

  using Self = TemporalReductionImageFilter;
  using Superclass = ImageToImageFilter<TInputImage, TOutputImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  itkTypeMacro(TemporalReductionImageFilter, ImageToImageFilter);

  static constexpr unsigned int InputImageDimension = TInputImage::ImageDimension;
  static constexpr unsigned int OutputImageDimension = TOutputImage::ImageDimension;
  static_assert(InputImageDimension == OutputImageDimension + 1,
                "the input must have one more (time) dimension than the output");

  using InputImageType = TInputImage;
  using InputPixelType = typename InputImageType::PixelType;
  using OutputImageType = TOutputImage;
  using OutputPixelType = typename OutputImageType::PixelType;
  using OutputRegionType = typename OutputImageType::RegionType;
  using OutputIndexType = typename OutputImageType::IndexType;
  using MaskImageType = Image<unsigned char, OutputImageDimension>;

  /** Optional mask on the output grid: voxels where it is 0 are not computed. */
  itkSetInputMacro(MaskImage, MaskImageType);
  itkGetInputMacro(MaskImage, MaskImageType);

  /** How far the grids of the inputs may differ (voxelkl::GridTolerance: origins and
   * spacings as a fraction of the smallest spacing, direction cosines absolutely; 1e-4
   * each by default, as in the executables: NIfTI stores geometry in float32). */
  void
  SetGridTolerance(const voxelkl::GridTolerance & tolerance)
  {
    if (tolerance.coordinate != m_GridTolerance.coordinate || tolerance.direction != m_GridTolerance.direction)
    {
      m_GridTolerance = tolerance;
      this->Modified();
    }
  }
  const voxelkl::GridTolerance &
  GetGridTolerance() const
  {
    return m_GridTolerance;
  }

protected:
  TemporalReductionImageFilter();
  ~TemporalReductionImageFilter() override = default;

  void
  GenerateOutputInformation() override;
  void
  GenerateInputRequestedRegion() override;
  void
  VerifyInputInformation() ITKv5_CONST override;
  void
  GenerateData() override;
  void
  PrintSelf(std::ostream & os, Indent indent) const override;

  /** Number of 4D series among the indexed inputs (1 for moments, 2 for comparisons). */
  unsigned int
  GetNumberOfSeries() const
  {
    return static_cast<unsigned int>(this->GetNumberOfIndexedInputs());
  }

  /** How errors name series n ("reference", "generated", ...). */
  virtual std::string
  GetSeriesName(unsigned int n) const
  {
    return "input " + std::to_string(n);
  }

  /** Where one row of a series lives in memory: the value of voxel (start + x, t) is
   * Values(t)[x], for t in [0, timePoints). */
  struct SeriesRow
  {
    const InputPixelType * first;      // voxel start at the first time point
    OffsetValueType        timeStride; // elements between consecutive time points
    SizeValueType          timePoints;
    const InputPixelType *
    Values(SizeValueType t) const
    {
      return first + static_cast<OffsetValueType>(t) * timeStride;
    }
  };

  /** The row of series `series` that starts at output voxel `start`. */
  SeriesRow
  GetSeriesRow(unsigned int series, const OutputIndexType & start) const;

  /** Computes output voxels start .. start + length - 1 along x. inside[x] says whether
   * voxel x of the row is in the mask (all ones without a mask). Runs concurrently for
   * different rows: write only the outputs of these voxels. */
  virtual void
  ProcessRow(const OutputIndexType & start, SizeValueType length, const unsigned char * inside) = 0;

private:
  voxelkl::GridTolerance m_GridTolerance{};
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkTemporalReductionImageFilter.hxx"
#endif

#endif
