// Base of the filters that compare a reference and a generated 4D series voxel by voxel.
#ifndef itkTemporalComparisonImageFilter_h
#define itkTemporalComparisonImageFilter_h

#include "itkTemporalReductionImageFilter.h"
#include "voxelkl/ComparisonMeasure.h"
#include "voxelkl/VoxelDivergence.h"

#include <algorithm>

#include <cstdint>
#include <type_traits>

namespace itk
{

/** \class TemporalComparisonImageFilter
 * \brief What every KL map filter shares: the reference (input 0, P, the real series) and
 * generated (input 1, Q) series, the direction of the divergence, the variance floor that
 * decides where a series is constant, and the voxel status output (output 1,
 * voxelkl::VoxelStatus as unsigned char). Output 0 is the divergence map. Streams: see
 * TemporalReductionImageFilter. Derived classes make their outputs and implement
 * ProcessRow(). */
template <typename TInputImage, typename TOutputImage>
class TemporalComparisonImageFilter : public TemporalReductionImageFilter<TInputImage, TOutputImage>
{
public:
  ITK_DISALLOW_COPY_AND_MOVE(TemporalComparisonImageFilter);

  using Self = TemporalComparisonImageFilter;
  using Superclass = TemporalReductionImageFilter<TInputImage, TOutputImage>;
  using Pointer = SmartPointer<Self>;
  using ConstPointer = SmartPointer<const Self>;

  itkTypeMacro(TemporalComparisonImageFilter, TemporalReductionImageFilter);
  static_assert(std::is_same_v<typename Superclass::SeriesValueType, float> ||
                  std::is_same_v<typename Superclass::SeriesValueType, double>,
                "read the series as float or double (itk::ImageFileReader converts any voxel type)");

  using typename Superclass::InputImageType;
  using typename Superclass::OutputImageType;
  static constexpr unsigned int OutputImageDimension = Superclass::OutputImageDimension;
  using StatusImageType = Image<unsigned char, OutputImageDimension>;

  /** The real series (P in the seed note). Input 0. */
  void
  SetReferenceImage(const InputImageType * image)
  {
    this->SetNthInput(0, const_cast<InputImageType *>(image));
  }
  /** The series produced by a model (Q). Input 1. */
  void
  SetGeneratedImage(const InputImageType * image)
  {
    this->SetNthInput(1, const_cast<InputImageType *>(image));
  }

  /** Which divergence: Forward KL(reference || generated) (default), Reverse, Symmetric
   * (their sum). Not an image direction: the images' direction cosines are the inputs'. */
  itkSetEnumMacro(DivergenceDirection, voxelkl::KLDirection);
  itkGetEnumMacro(DivergenceDirection, voxelkl::KLDirection);

  void
  SetVarianceFloor(const voxelkl::VarianceFloor & floor)
  {
    if (floor.relative != m_VarianceFloor.relative || floor.value != m_VarianceFloor.value)
    {
      m_VarianceFloor = floor;
      this->Modified();
    }
  }
  const voxelkl::VarianceFloor &
  GetVarianceFloor() const
  {
    return m_VarianceFloor;
  }

  /** The KL map, output 0. */
  OutputImageType *
  GetKLOutput()
  {
    return this->GetOutput(0);
  }
  StatusImageType *
  GetStatusOutput()
  {
    return dynamic_cast<StatusImageType *>(this->ProcessObject::GetOutput(1));
  }

protected:
  TemporalComparisonImageFilter() { this->SetNumberOfRequiredInputs(2); }
  ~TemporalComparisonImageFilter() override = default;

  using typename Superclass::OutputIndexType;

  /** Pushes the row of both series that starts at output voxel start, time point by time
   * point, into comparison (a measure of `length` voxels): what every comparison filter
   * does before it finishes its outputs. */
  void
  AccumulateRow(voxelkl::GaussianComparison & comparison,
                const OutputIndexType &       start,
                SizeValueType                 length,
                const unsigned char *         inside) const
  {
    const auto referenceRow = this->GetSeriesRow(0, start);
    const auto generatedRow = this->GetSeriesRow(1, start);
    // A row whose voxels are all inside (always, without a mask) goes through the kernels
    // for unmasked runs, which give the same bits.
    const bool everyVoxel = std::all_of(inside, inside + length, [](unsigned char flag) { return flag != 0; });
    if (referenceRow.voxelStride == 1 && generatedRow.voxelStride == 1) // Image<T, 4>: time points in place
    {
      comparison.PushTimePoints(0,
                                length,
                                referenceRow.first,
                                referenceRow.timeStride,
                                referenceRow.timePoints,
                                generatedRow.first,
                                generatedRow.timeStride,
                                generatedRow.timePoints,
                                everyVoxel ? nullptr : inside);
      return;
    }
    std::vector<typename Superclass::SeriesValueType> referenceScratch;
    std::vector<typename Superclass::SeriesValueType> generatedScratch;
    for (SizeValueType t = 0; t < std::max(referenceRow.timePoints, generatedRow.timePoints); ++t)
    {
      comparison.PushTimePoint(0,
                               length,
                               t < referenceRow.timePoints ? referenceRow.Values(t, length, referenceScratch) : nullptr,
                               t < generatedRow.timePoints ? generatedRow.Values(t, length, generatedScratch) : nullptr,
                               inside);
    }
  }

  /** The buffer of an output at voxel start. */
  template <typename TImage>
  static typename TImage::PixelType *
  At(TImage * image, const OutputIndexType & start)
  {
    return image->GetBufferPointer() + image->ComputeOffset(start);
  }

  std::string
  GetSeriesName(unsigned int n) const override
  {
    return n == 0 ? "reference" : "generated";
  }
  void
  PrintSelf(std::ostream & os, Indent indent) const override
  {
    Superclass::PrintSelf(os, indent);
    os << indent << "DivergenceDirection: " << voxelkl::ToString(m_DivergenceDirection) << std::endl;
    os << indent << "VarianceFloor: " << m_VarianceFloor.Describe() << std::endl;
  }

private:
  voxelkl::KLDirection   m_DivergenceDirection{ voxelkl::KLDirection::Forward };
  voxelkl::VarianceFloor m_VarianceFloor{};
};

} // namespace itk

#endif
