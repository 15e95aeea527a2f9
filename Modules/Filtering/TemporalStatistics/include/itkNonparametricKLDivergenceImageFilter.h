// Voxel-wise k-NN or histogram KL divergence between a reference and a generated 4D series.
#ifndef itkNonparametricKLDivergenceImageFilter_h
#define itkNonparametricKLDivergenceImageFilter_h

#include "itkTemporalComparisonImageFilter.h"
#include "voxelkl/NonparametricVoxelKL.h"
#include "voxelkl/VoxelDivergence.h"

#include <cstdint>
#include <type_traits>

namespace itk
{

/** \class NonparametricKLDivergenceImageFilter
 * \brief KL divergence, voxel by voxel, estimated from the samples of a reference (real)
 * and a generated 4D series: k-nearest-neighbour or histogram (voxelkl::EstimatorSettings).
 *
 * Where the Gaussian KL sees only means and variances, these estimators also see the shape
 * of the two distributions (skew, tails, sharpness). Each voxel's estimate uses its whole
 * series at once; the per-voxel work is voxelkl::NonparametricVoxelKL (finite samples,
 * dequantisation, Theiler window, estimate), the same code VoxelKLDivergence runs, so the
 * maps are bit-identical to the executable's.
 *
 * Direction as in GaussianKLDivergenceImageFilter. Voxels where a series is constant
 * (variance below the VarianceFloor) have no density: they keep the floored Gaussian KL and
 * its status; voxels with too few finite samples for k-NN get status NoSamples and 0.
 *
 * Integer data read as float stand for intervals: set the quantisation step of each series
 * (the NIfTI scl_slope, 1 unscaled) so that they are dequantised; 0 (default) for data that
 * are really continuous. The jitter depends on the voxel's index in the largest possible
 * region, so results do not depend on tiling or threads.
 *
 * Outputs: 0 the KL map (TOutputImage), 1 the voxel status (voxelkl::VoxelStatus as
 * unsigned char), 2 the Theiler window used at each voxel (k-NN; 0 otherwise). Streams:
 * see TemporalReductionImageFilter; a tile holds tile x all time points of both series. */
template <typename TInputImage, typename TOutputImage = Image<float, TInputImage::ImageDimension - 1>>
class NonparametricKLDivergenceImageFilter : public TemporalComparisonImageFilter<TInputImage, TOutputImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(NonparametricKLDivergenceImageFilter);

  using Self = NonparametricKLDivergenceImageFilter;
  using Superclass = TemporalComparisonImageFilter<TInputImage, TOutputImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  itkNewMacro(Self);
  itkTypeMacro(NonparametricKLDivergenceImageFilter, TemporalComparisonImageFilter);

  using typename Superclass::InputImageType;
  using typename Superclass::OutputImageType;
  using typename Superclass::OutputIndexType;
  static constexpr unsigned int OutputImageDimension = Superclass::OutputImageDimension;
  using typename Superclass::StatusImageType;
  using WindowImageType = Image<std::uint16_t, OutputImageDimension>;

  /** Which estimator and its parameters; Gaussian is refused (use
   * GaussianKLDivergenceImageFilter). Default: k-NN, k = 5, automatic Theiler window. */
  void
  SetEstimatorSettings(const voxelkl::EstimatorSettings & settings)
  {
    m_EstimatorSettings = settings;
    this->Modified();
  }
  const voxelkl::EstimatorSettings &
  GetEstimatorSettings() const
  {
    return m_EstimatorSettings;
  }

  /** Quantisation steps of the series' stored values (0: continuous). */
  itkSetMacro(ReferenceQuantisationStep, double);
  itkGetConstMacro(ReferenceQuantisationStep, double);
  itkSetMacro(GeneratedQuantisationStep, double);
  itkGetConstMacro(GeneratedQuantisationStep, double);

  WindowImageType *
  GetTheilerWindowOutput()
  {
    return dynamic_cast<WindowImageType *>(this->ProcessObject::GetOutput(2));
  }

protected:
  NonparametricKLDivergenceImageFilter();
  ~NonparametricKLDivergenceImageFilter() override = default;

  using Superclass::MakeOutput;
  ProcessObject::DataObjectPointer
  MakeOutput(ProcessObject::DataObjectPointerArraySizeType index) override;

  void
  VerifyPreconditions() ITKv5_CONST override;
  void
  ProcessRow(const OutputIndexType & start, SizeValueType length, const unsigned char * inside) override;
  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  voxelkl::EstimatorSettings m_EstimatorSettings{ voxelkl::KLEstimator::NearestNeighbour };
  double                     m_ReferenceQuantisationStep{ 0.0 };
  double                     m_GeneratedQuantisationStep{ 0.0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkNonparametricKLDivergenceImageFilter.hxx"
#endif

#endif
