// Colour maps of a report and the value ranges they span: the mosaics, colour bars,
// histograms and the viewer all use the same table and the same range.
#ifndef voxelkl_ReportColors_h
#define voxelkl_ReportColors_h

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace voxelkl
{

struct Rgb
{
  std::uint8_t r{ 0 };
  std::uint8_t g{ 0 };
  std::uint8_t b{ 0 };

  bool
  operator==(const Rgb & other) const
  {
    return r == other.r && g == other.g && b == other.b;
  }
};

/** A colour table of 256 entries, from ITK's colormap functions or a small table, with an
 * opacity per entry: the low end of a sequential map and the centre of a diverging one fade
 * out, so that the anatomy shows where a map is unremarkable and the colour where it is
 * high (or far from 0). The mosaics and the viewer (NiiVue uses a table's alpha for its
 * overlays) use the same table. */
class ColorMap
{
public:
  /** ITK's Hot colormap (itk::Function::HotColormapFunction: black, red, yellow, white) sampled
   * at 256 points: for maps where higher is worse (KL, MSE). Opacity rises from 0 to full
   * over the lowest quarter of the range. */
  static ColorMap
  Hot();
  /** ColorBrewer's RdBu (11 classes) reversed and interpolated: blue below the centre, near
   * white at it, red above: for signed maps, centred on 0. Opacity rises from 0 at the centre
   * to full at a fifth of the range on either side. */
  static ColorMap
  Diverging();
  /** ITK's Grey colormap (itk::Function::GreyColormapFunction): the anatomy. Opaque. */
  static ColorMap
  Grey();

  const std::string &
  Name() const
  {
    return m_Name;
  }
  const std::array<Rgb, 256> &
  Table() const
  {
    return m_Table;
  }
  /** The opacity of each entry, 0 (transparent) to 255. */
  const std::array<std::uint8_t, 256> &
  Alpha() const
  {
    return m_Alpha;
  }
  /** The entry of t in [0, 1] (clamped; NaN gives 0): round(255 t). */
  static std::size_t
  Entry(double t);
  /** The colour of t: Table()[Entry(t)]. */
  Rgb
  At(double t) const
  {
    return m_Table[Entry(t)];
  }

private:
  ColorMap(std::string name, const std::array<Rgb, 256> & table, const std::array<std::uint8_t, 256> & alpha)
    : m_Name(std::move(name))
    , m_Table(table)
    , m_Alpha(alpha)
  {
  }
  std::string                   m_Name;
  std::array<Rgb, 256>          m_Table;
  std::array<std::uint8_t, 256> m_Alpha;
};

/** The values a colour map spans. The robust range of a map is its 2nd and 98th percentiles
 * over the voxels it is shown for (numpy.percentile's linear interpolation); a diverging map
 * is shown symmetric about 0, from -m to m with m = max(|p2|, |p98|). */
struct DisplayRange
{
  double      low{ 0.0 };
  double      high{ 1.0 };
  double      p2{ 0.0 };
  double      p98{ 0.0 };
  bool        symmetric{ false };
  std::size_t count{ 0 }; ///< values it was computed from

  /** Where value falls in the range, 0 at low and 1 at high (not clamped). */
  double
  Fraction(double value) const
  {
    return (value - low) / (high - low);
  }
};

/** The robust range of finite values (taken by value: sorted). An empty sample gives
 * [0, 1] ([-1, 1] symmetric); a range of zero width is widened, by 0.5 on either side at 0
 * and by 1e-6 of its value elsewhere, so that every value still has a colour. */
DisplayRange
RobustRange(std::vector<double> values, bool symmetric);

} // namespace voxelkl

#endif
