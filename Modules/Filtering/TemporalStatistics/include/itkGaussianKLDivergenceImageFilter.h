// Voxel-wise Gaussian KL divergence between a reference and a generated 4D series.
#ifndef itkGaussianKLDivergenceImageFilter_h
#define itkGaussianKLDivergenceImageFilter_h

#include "itkTemporalComparisonImageFilter.h"
#include "voxelkl/VoxelDivergence.h"

#include <cstdint>
#include <type_traits>

namespace itk
{

/** \class GaussianKLDivergenceImageFilter
 * \brief KL divergence, voxel by voxel, between Gaussians fitted over time to a reference
 * (real) and a generated 4D series.
 *
 * At each voxel the mean and maximum-likelihood variance of each series over its time
 * points give N(mu_ref, var_ref) and N(mu_gen, var_gen); the output is, in nats,
 *   Forward:   KL(reference || generated)  (the seed note's D_KL(P || Q), P = real)
 *   Reverse:   KL(generated || reference)  (MindAligner's order)
 *   Symmetric: their sum (Jeffreys).
 * The series need no pairing: their numbers of time points may differ.
 *
 * Variances below the floor (voxelkl::VarianceFloor; constant series outside the head
 * have variance 0) are raised to it; where both series are the same constant the KL is
 * exactly 0. Outputs: 0 the KL map (TOutputImage), 1 a voxel status map
 * (voxelkl::VoxelStatus as unsigned char), 2 the number of non-finite samples skipped at
 * each voxel, both series together, 5 the mean difference generated - reference, 6 the log
 * variance ratio ln(var_gen / var_ref) (variances floored as for the KL).
 *
 * With ComputePairedMaps on (the series must then have the same number of time points,
 * paired by index), the same pass also accumulates the co-moment of the pairs where both
 * values are finite and fills outputs 3, the mean squared error, and 4, Pearson's r over
 * time (UndefinedCorrelation, default 0, where a series is constant), and 7, the number of
 * finite pairs at each voxel (unsigned int). Streams: see
 * TemporalReductionImageFilter. */
template <typename TInputImage, typename TOutputImage = Image<float, TInputImage::ImageDimension - 1>>
class GaussianKLDivergenceImageFilter : public TemporalComparisonImageFilter<TInputImage, TOutputImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(GaussianKLDivergenceImageFilter);

  using Self = GaussianKLDivergenceImageFilter;
  using Superclass = TemporalComparisonImageFilter<TInputImage, TOutputImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  itkNewMacro(Self);
  itkTypeMacro(GaussianKLDivergenceImageFilter, TemporalComparisonImageFilter);

  using typename Superclass::InputImageType;
  using typename Superclass::OutputImageType;
  using typename Superclass::OutputIndexType;
  static constexpr unsigned int OutputImageDimension = Superclass::OutputImageDimension;
  using typename Superclass::StatusImageType;
  using SampleCountImageType = Image<std::uint32_t, OutputImageDimension>;

  /** Also compute the paired maps (MSE, correlation). Default off. */
  itkSetMacro(ComputePairedMaps, bool);
  itkGetConstMacro(ComputePairedMaps, bool);
  itkBooleanMacro(ComputePairedMaps);
  /** The correlation written where it does not exist (a constant series). Default 0. */
  itkSetMacro(UndefinedCorrelation, double);
  itkGetConstMacro(UndefinedCorrelation, double);

  SampleCountImageType *
  GetPairCountOutput()
  {
    return dynamic_cast<SampleCountImageType *>(this->ProcessObject::GetOutput(7));
  }
  OutputImageType *
  GetMeanSquaredErrorOutput()
  {
    return this->GetOutput(3);
  }
  OutputImageType *
  GetCorrelationOutput()
  {
    return this->GetOutput(4);
  }
  OutputImageType *
  GetMeanDifferenceOutput()
  {
    return this->GetOutput(5);
  }
  OutputImageType *
  GetVarianceLogRatioOutput()
  {
    return this->GetOutput(6);
  }
  SampleCountImageType *
  GetNonFiniteSampleCountOutput()
  {
    return dynamic_cast<SampleCountImageType *>(this->ProcessObject::GetOutput(2));
  }

protected:
  GaussianKLDivergenceImageFilter();
  ~GaussianKLDivergenceImageFilter() override = default;

  using Superclass::MakeOutput;
  ProcessObject::DataObjectPointer
  MakeOutput(ProcessObject::DataObjectPointerArraySizeType index) override;

  void
  VerifyInputInformation() ITKv5_CONST override;
  void
  ProcessRow(const OutputIndexType & start, SizeValueType length, const unsigned char * inside) override;
  void
  PrintSelf(std::ostream & os, Indent indent) const override;

private:
  bool   m_ComputePairedMaps{ false };
  double m_UndefinedCorrelation{ 0.0 };
};

} // namespace itk

#ifndef ITK_MANUAL_INSTANTIATION
#include "itkGaussianKLDivergenceImageFilter.hxx"
#endif

#endif
