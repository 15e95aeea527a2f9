// Voxel-wise moments over time of a 4D series.
#ifndef itkTemporalMomentsImageFilter_h
#define itkTemporalMomentsImageFilter_h

#include "itkTemporalReductionImageFilter.h"
#include "voxelkl/MomentsMeasure.h"

namespace itk
{

/** \class TemporalMomentsImageFilter
 * \brief Per-voxel mean, variance, standard deviation, skewness, excess kurtosis and
 * count of the finite samples of a 4D series over its last (time) axis.
 *
 * One pass, numerically stable (voxelkl::Moments, the measure VoxelMoments runs: shifted
 * Welford/Terriberry updates in double), non-finite samples skipped. Conventions: maximum-likelihood
 * variance (divide by n, as numpy.var); skewness and excess kurtosis as
 * scipy.stats.skew / scipy.stats.kurtosis with their defaults (bias=True), 0 for a
 * constant series. Voxels outside the optional mask are 0 in every map.
 *
 * Outputs (all of TOutputImage): 0 mean, 1 variance, 2 standard deviation, 3 skewness,
 * 4 excess kurtosis, 5 count. Streams: see TemporalReductionImageFilter. */
template <typename TInputImage, typename TOutputImage = Image<float, TInputImage::ImageDimension - 1>>
class TemporalMomentsImageFilter : public TemporalReductionImageFilter<TInputImage, TOutputImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(TemporalMomentsImageFilter);

  using Self = TemporalMomentsImageFilter;
  using Superclass = TemporalReductionImageFilter<TInputImage, TOutputImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  itkNewMacro(Self);
  itkTypeMacro(TemporalMomentsImageFilter, TemporalReductionImageFilter);

  using typename Superclass::OutputImageType;
  using typename Superclass::OutputIndexType;
  using MomentMap = voxelkl::MomentMap;

  /** The map of the given kind (an output of this filter). */
  OutputImageType *
  GetMomentOutput(MomentMap map)
  {
    return this->GetOutput(static_cast<unsigned int>(map));
  }
  OutputImageType *
  GetMeanOutput()
  {
    return GetMomentOutput(MomentMap::Mean);
  }
  OutputImageType *
  GetVarianceOutput()
  {
    return GetMomentOutput(MomentMap::Variance);
  }
  OutputImageType *
  GetStandardDeviationOutput()
  {
    return GetMomentOutput(MomentMap::StandardDeviation);
  }
  OutputImageType *
  GetSkewnessOutput()
  {
    return GetMomentOutput(MomentMap::Skewness);
  }
  OutputImageType *
  GetKurtosisOutput()
  {
    return GetMomentOutput(MomentMap::ExcessKurtosis);
  }
  OutputImageType *
  GetCountOutput()
  {
    return GetMomentOutput(MomentMap::Count);
  }

protected:
  TemporalMomentsImageFilter();
  ~TemporalMomentsImageFilter() override = default;

  void
  ProcessRow(const OutputIndexType & start, SizeValueType length, const unsigned char * inside) override;
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkTemporalMomentsImageFilter.hxx"
#endif

#endif
