// What the report's tests share: PNG decoding by ITK, pages taken apart, percentiles by a
// loop of their own.
#ifndef voxelkl_test_ReportTestSupport_h
#define voxelkl_test_ReportTestSupport_h

#include "voxelkl/ReportSlices.h"

#include "itkImage.h"
#include "itkRGBPixel.h"

#include <string>
#include <vector>

namespace voxelkl::test
{

using PngImage = itk::Image<itk::RGBPixel<unsigned char>, 2>;

/** Decodes PNG bytes with ITK's PNGImageIO (through a temporary file). */
PngImage::Pointer
DecodePng(const std::string & bytes);

/** The bytes of a "data:<type>;base64,..." URI (a decoder of its own). */
std::string
DecodeDataUri(const std::string & uri);

/** numpy.percentile's default (linear interpolation between order statistics), written out:
 * the value at rank (n - 1) q / 100 of the sorted values. */
double
NumpyPercentile(std::vector<double> values, double q);

/** The value of every occurrence of attribute="..." in html, in order. */
std::vector<std::string>
AttributeValues(const std::string & html, const std::string & attribute);

/** How often needle occurs in text. */
std::size_t
Occurrences(const std::string & text, const std::string & needle);

/** A float image on a grid with values from f(x, y, z). */
itk::Image<float, 3>::Pointer
MakeVolume(const SpatialGrid & grid, float (*f)(long, long, long));

} // namespace voxelkl::test

#endif
