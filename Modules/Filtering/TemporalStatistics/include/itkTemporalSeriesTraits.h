// How a 4D series is laid out in an ITK image: time as the last axis of an itk::Image<T, 4>,
// or as the components of an itk::VectorImage<T, 3> (how ITK reads a 4D NRRD from 3D
// Slicer, its frames on a `list` axis).
#ifndef itkTemporalSeriesTraits_h
#define itkTemporalSeriesTraits_h

#include "itkImage.h"
#include "itkVectorImage.h"

namespace itk
{

/** itk::Image<T, N>: N - 1 spatial axes, then time. */
template <typename TImage>
struct TemporalSeriesTraits
{
  static constexpr unsigned int SpatialDimension = TImage::ImageDimension - 1;
  static constexpr bool         TimeAsComponents = false;
  using ValueType = typename TImage::PixelType;

  static SizeValueType
  TimePoints(const TImage & image)
  {
    return image.GetLargestPossibleRegion().GetSize(SpatialDimension);
  }
};

/** itk::VectorImage<T, N>: N spatial axes; time point t is component t of every voxel. */
template <typename T, unsigned int N>
struct TemporalSeriesTraits<VectorImage<T, N>>
{
  static constexpr unsigned int SpatialDimension = N;
  static constexpr bool         TimeAsComponents = true;
  using ValueType = T;

  static SizeValueType
  TimePoints(const VectorImage<T, N> & image)
  {
    return image.GetNumberOfComponentsPerPixel();
  }
};

} // namespace itk

#endif
