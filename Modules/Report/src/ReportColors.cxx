#include "voxelkl/ReportColors.h"

#include "voxelkl/SampleSummary.h"

#include "itkGreyColormapFunction.h"
#include "itkHotColormapFunction.h"
#include "itkRGBPixel.h"

#include <algorithm>
#include <cmath>

namespace voxelkl
{
namespace
{
using RgbPixel = itk::RGBPixel<unsigned char>;

// 256 samples of one of ITK's colormap functions over [0, 255].
template <typename TFunction>
std::array<Rgb, 256>
SampleItkColormap()
{
  auto function = TFunction::New();
  function->SetMinimumInputValue(0.0f);
  function->SetMaximumInputValue(255.0f);
  std::array<Rgb, 256> table;
  for (int i = 0; i < 256; ++i)
  {
    const RgbPixel pixel = (*function)(static_cast<float>(i));
    table[i] = { pixel[0], pixel[1], pixel[2] };
  }
  return table;
}

// Opacity rising linearly from 0 at distance 0 of `from` to 255 at distance `width` entries.
std::array<std::uint8_t, 256>
Ramp(double from, double width)
{
  std::array<std::uint8_t, 256> alpha;
  for (int i = 0; i < 256; ++i)
  {
    alpha[i] = static_cast<std::uint8_t>(std::lround(255.0 * std::min(1.0, std::abs(i - from) / width)));
  }
  return alpha;
}
} // namespace

ColorMap
ColorMap::Hot()
{
  return { "hot", SampleItkColormap<itk::Function::HotColormapFunction<float, RgbPixel>>(), Ramp(0.0, 64.0) };
}

ColorMap
ColorMap::Grey()
{
  std::array<std::uint8_t, 256> opaque;
  opaque.fill(255);
  return { "grey", SampleItkColormap<itk::Function::GreyColormapFunction<float, RgbPixel>>(), opaque };
}

ColorMap
ColorMap::Diverging()
{
  // ColorBrewer RdBu, 11 classes (Cynthia Brewer, colorbrewer2.org), from blue to red.
  static constexpr std::array<Rgb, 11> keys{ { { 5, 48, 97 },
                                               { 33, 102, 172 },
                                               { 67, 147, 195 },
                                               { 146, 197, 222 },
                                               { 209, 229, 240 },
                                               { 247, 247, 247 },
                                               { 253, 219, 199 },
                                               { 244, 165, 130 },
                                               { 214, 96, 77 },
                                               { 178, 24, 43 },
                                               { 103, 0, 31 } } };
  std::array<Rgb, 256>                 table;
  for (int i = 0; i < 256; ++i)
  {
    const double      position = i / 255.0 * (keys.size() - 1);
    const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(position), keys.size() - 2);
    const double      f = position - k;
    auto mix = [f](std::uint8_t a, std::uint8_t b) { return static_cast<std::uint8_t>(std::lround(a + f * (b - a))); };
    table[i] = { mix(keys[k].r, keys[k + 1].r), mix(keys[k].g, keys[k + 1].g), mix(keys[k].b, keys[k + 1].b) };
  }
  return { "diverging", table, Ramp(127.5, 51.0) };
}

std::size_t
ColorMap::Entry(double t)
{
  if (!(t > 0.0)) // also NaN
  {
    return 0;
  }
  if (t >= 1.0)
  {
    return 255;
  }
  return static_cast<std::size_t>(std::lround(t * 255.0));
}

DisplayRange
RobustRange(std::vector<double> values, bool symmetric)
{
  DisplayRange range;
  range.symmetric = symmetric;
  range.count = values.size();
  if (values.empty())
  {
    range.low = symmetric ? -1.0 : 0.0;
    range.high = 1.0;
    return range;
  }
  std::sort(values.begin(), values.end());
  range.p2 = SortedPercentile(values, 2.0);
  range.p98 = SortedPercentile(values, 98.0);
  if (symmetric)
  {
    const double m = std::max(std::abs(range.p2), std::abs(range.p98));
    range.low = -m;
    range.high = m;
  }
  else
  {
    range.low = range.p2;
    range.high = range.p98;
  }
  if (!(range.high > range.low))
  {
    const double half = range.low == 0.0 ? 0.5 : std::max(std::abs(range.low) * 1e-6, 1e-30);
    range.low -= symmetric ? 0.0 : half;
    range.high += half;
    if (symmetric)
    {
      range.low = -range.high;
    }
  }
  return range;
}

} // namespace voxelkl
