// Base of the filters that reduce 4D series (x, y, z, t) to 3D maps, voxel by voxel.
#ifndef itkTemporalReductionImageFilter_h
#define itkTemporalReductionImageFilter_h

#include "itkImage.h"
#include "itkImageToImageFilter.h"
#include "itkTemporalSeriesTraits.h"
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
 *   of as many threads as the smaller of this filter's number of work units and its
 *   MultiThreader's maximum number of threads (ITK's global defaults unless set; ITK's
 *   pool threader keeps its threads once made, so SetNumberOfWorkUnits(n) is how a
 *   pipeline asks for n). A row is the unit of work, and each voxel's result depends only
 *   on its own time series read in time order, so results are identical for any tiling
 *   and any thread count. AbortGenerateDataOn() stops the work at the next row and throws
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
  using SeriesTraits = TemporalSeriesTraits<TInputImage>;
  static_assert(SeriesTraits::SpatialDimension == OutputImageDimension,
                "the series must have the output's spatial axes: Image<T, 4> (time last) or VectorImage<T, 3> "
                "(time points as components) for 3D maps");

  using InputImageType = TInputImage;
  using InputPixelType = typename InputImageType::PixelType;
  /** The type of one sample: the pixel type, or the component type of a VectorImage. */
  using SeriesValueType = typename SeriesTraits::ValueType;
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
  /** Brings the series' upstream pipelines up to date at once, each on its own task (two
   * file readers inflate two .nii.gz on two cores, where ITK would update them one after
   * the other), then does what ProcessObject does. */
  void
  UpdateOutputData(DataObject * output) override;
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
   * first[x * voxelStride + t * timeStride], for t in [0, timePoints). */
  struct SeriesRow
  {
    const SeriesValueType * first;       // voxel start at the first time point
    OffsetValueType         timeStride;  // elements between consecutive time points
    OffsetValueType         voxelStride; // elements between neighbours along x (1 unless time is components)
    SizeValueType           timePoints;

    /** The values of time point t of `length` voxels, contiguous: in place when the series
     * stores them so (Image<T, 4>), else gathered into scratch (VectorImage). */
    const SeriesValueType *
    Values(SizeValueType t, SizeValueType length, std::vector<SeriesValueType> & scratch) const
    {
      const SeriesValueType * values = first + static_cast<OffsetValueType>(t) * timeStride;
      if (voxelStride == 1)
      {
        return values;
      }
      scratch.resize(length);
      for (SizeValueType x = 0; x < length; ++x)
      {
        scratch[x] = values[static_cast<OffsetValueType>(x) * voxelStride];
      }
      return scratch.data();
    }
    /** Where voxel x's series starts (its samples are timeStride apart). */
    const SeriesValueType *
    Voxel(SizeValueType x) const
    {
      return first + static_cast<OffsetValueType>(x) * voxelStride;
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
  /** The threads of the task arena (see Work above). */
  int
  ThreadsToUse() const;

  voxelkl::GridTolerance m_GridTolerance{};
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkTemporalReductionImageFilter.hxx"
#endif

#endif
