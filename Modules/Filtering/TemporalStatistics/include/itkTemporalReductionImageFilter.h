// Base of the filters that reduce 4D series (x, y, z, t) to 3D maps, voxel by voxel.
#ifndef itkTemporalReductionImageFilter_h
#define itkTemporalReductionImageFilter_h

#include "itkImage.h"
#include "itkImageToImageFilter.h"

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
 * - Input checks: the series must share the spatial grid (size, spacing, origin and
 *   direction within tolerances); their numbers of time points may differ.
 * - Work: GenerateData runs rows of voxels (lines along x) on oneTBB, in a task arena
 *   sized by this filter's MultiThreader maximum number of threads (ITK's global default
 *   unless set). A row is the unit of work, and each voxel's result depends only on its
 *   own time series read in time order, so results are identical for any tiling and any
 *   thread count.
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

  /** Largest allowed difference of origins and spacings between inputs, as a fraction
   * of the first input's smallest spatial spacing. Default 1e-4: NIfTI stores geometry
   * in float32, so files written by different tools differ in the 7th digit. */
  itkSetMacro(CoordinateTolerance, double);
  itkGetConstMacro(CoordinateTolerance, double);
  /** Largest allowed difference of any direction cosine between inputs. Default 1e-4. */
  itkSetMacro(DirectionTolerance, double);
  itkGetConstMacro(DirectionTolerance, double);

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
  double m_CoordinateTolerance{ 1e-4 };
  double m_DirectionTolerance{ 1e-4 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkTemporalReductionImageFilter.hxx"
#endif

#endif
