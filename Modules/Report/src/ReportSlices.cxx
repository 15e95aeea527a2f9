#include "voxelkl/ReportSlices.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace voxelkl
{

const char *
ToString(SliceView view)
{
  switch (view)
  {
    case SliceView::Axial:
      return "axial";
    case SliceView::Coronal:
      return "coronal";
    case SliceView::Sagittal:
      return "sagittal";
  }
  return "";
}

ViewLetters
LettersOf(SliceView view)
{
  switch (view)
  {
    case SliceView::Axial:
      return { 'L', 'R', 'A', 'P' };
    case SliceView::Coronal:
      return { 'L', 'R', 'S', 'I' };
    case SliceView::Sagittal:
      return { 'P', 'A', 'S', 'I' };
  }
  return { '?', '?', '?', '?' };
}

int
NormalAxis(SliceView view)
{
  return view == SliceView::Sagittal ? 0 : view == SliceView::Coronal ? 1 : 2;
}

const char *
AxisName(SliceView view)
{
  static const char * names[] = { "x", "y", "z" };
  return names[NormalAxis(view)];
}

namespace
{
// The 3x3 inverse of a row-major matrix.
std::array<double, 9>
Inverse(const std::array<double, 9> & m)
{
  const double c00 = m[4] * m[8] - m[5] * m[7];
  const double c01 = m[5] * m[6] - m[3] * m[8];
  const double c02 = m[3] * m[7] - m[4] * m[6];
  const double determinant = m[0] * c00 + m[1] * c01 + m[2] * c02;
  if (!(std::abs(determinant) > 0.0) || !std::isfinite(determinant))
  {
    throw std::invalid_argument("a grid whose direction and spacing are not invertible");
  }
  const double d = 1.0 / determinant;
  return { c00 * d, (m[2] * m[7] - m[1] * m[8]) * d, (m[1] * m[5] - m[2] * m[4]) * d,
           c01 * d, (m[0] * m[8] - m[2] * m[6]) * d, (m[2] * m[3] - m[0] * m[5]) * d,
           c02 * d, (m[1] * m[6] - m[0] * m[7]) * d, (m[0] * m[4] - m[1] * m[3]) * d };
}

// The in-plane RAS axes of a view: the coordinate along the columns grows to the right, the
// one along the rows falls downwards (the top is high) in every view.
struct PlaneAxes
{
  int horizontal;
  int vertical;
};
PlaneAxes
AxesOf(SliceView view)
{
  switch (view)
  {
    case SliceView::Axial:
      return { 0, 1 }; // L..R, A at the top
    case SliceView::Coronal:
      return { 0, 2 }; // L..R, S at the top
    case SliceView::Sagittal:
      return { 1, 2 }; // P..A, S at the top
  }
  return { 0, 1 };
}

// The box of the grid's voxels: the corners half a voxel beyond the outer centres.
RasBox
GridBox(const GridGeometry & geometry)
{
  const auto & size = geometry.Grid().size;
  RasBox       box;
  box.low.fill(std::numeric_limits<double>::infinity());
  box.high.fill(-std::numeric_limits<double>::infinity());
  for (int corner = 0; corner < 8; ++corner)
  {
    std::array<double, 3> index{};
    for (int a = 0; a < 3; ++a)
    {
      index[a] = (corner >> a) & 1 ? static_cast<double>(size[a]) - 0.5 : -0.5;
    }
    const RasPoint p = geometry.IndexToRas(index);
    for (int a = 0; a < 3; ++a)
    {
      box.low[a] = std::min(box.low[a], p[a]);
      box.high[a] = std::max(box.high[a], p[a]);
    }
  }
  return box;
}
} // namespace

GridGeometry::GridGeometry(const SpatialGrid & grid)
  : m_Grid(grid)
{
  // LPS = origin + D diag(spacing) index; RAS = diag(-1, -1, 1) LPS.
  for (int r = 0; r < 3; ++r)
  {
    const double sign = r < 2 ? -1.0 : 1.0;
    for (int c = 0; c < 3; ++c)
    {
      m_IndexToRas[r * 3 + c] = sign * grid.direction[r * 3 + c] * grid.spacing[c];
    }
    m_Offset[r] = sign * grid.origin[r];
  }
  m_RasToIndex = Inverse(m_IndexToRas);
  m_Step = std::min({ grid.spacing[0], grid.spacing[1], grid.spacing[2] });
  if (!(m_Step > 0.0))
  {
    throw std::invalid_argument("a grid without a positive spacing");
  }
}

RasPoint
GridGeometry::IndexToRas(const std::array<double, 3> & index) const
{
  RasPoint p;
  for (int r = 0; r < 3; ++r)
  {
    p[r] = m_Offset[r] + m_IndexToRas[r * 3] * index[0] + m_IndexToRas[r * 3 + 1] * index[1] +
           m_IndexToRas[r * 3 + 2] * index[2];
  }
  return p;
}

std::array<double, 3>
GridGeometry::RasToIndex(const RasPoint & point) const
{
  const RasPoint        d{ point[0] - m_Offset[0], point[1] - m_Offset[1], point[2] - m_Offset[2] };
  std::array<double, 3> index;
  for (int r = 0; r < 3; ++r)
  {
    index[r] = m_RasToIndex[r * 3] * d[0] + m_RasToIndex[r * 3 + 1] * d[1] + m_RasToIndex[r * 3 + 2] * d[2];
  }
  return index;
}

RasBox
VoxelCentreBox(const GridGeometry & geometry, const std::vector<unsigned char> & inside)
{
  const auto & size = geometry.Grid().size;
  RasBox       box;
  box.low.fill(std::numeric_limits<double>::infinity());
  box.high.fill(-std::numeric_limits<double>::infinity());
  // The extremes of an affine function over a set of voxels are at the extremes of each
  // index: track the index box of the voxels, then take its corners.
  std::array<std::size_t, 3> lowIndex{ size[0], size[1], size[2] };
  std::array<std::size_t, 3> highIndex{ 0, 0, 0 };
  bool                       any = false;
  std::size_t                v = 0;
  for (std::size_t z = 0; z < size[2]; ++z)
  {
    for (std::size_t y = 0; y < size[1]; ++y)
    {
      for (std::size_t x = 0; x < size[0]; ++x, ++v)
      {
        if (!inside.empty() && inside[v] == 0)
        {
          continue;
        }
        any = true;
        const std::array<std::size_t, 3> i{ x, y, z };
        for (int a = 0; a < 3; ++a)
        {
          lowIndex[a] = std::min(lowIndex[a], i[a]);
          highIndex[a] = std::max(highIndex[a], i[a]);
        }
      }
    }
  }
  if (!any)
  {
    lowIndex = { 0, 0, 0 };
    highIndex = { size[0] - 1, size[1] - 1, size[2] - 1 };
  }
  for (int corner = 0; corner < 8; ++corner)
  {
    std::array<double, 3> index{};
    for (int a = 0; a < 3; ++a)
    {
      index[a] = static_cast<double>((corner >> a) & 1 ? highIndex[a] : lowIndex[a]);
    }
    const RasPoint p = geometry.IndexToRas(index);
    for (int a = 0; a < 3; ++a)
    {
      box.low[a] = std::min(box.low[a], p[a]);
      box.high[a] = std::max(box.high[a], p[a]);
    }
  }
  return box;
}

SlicePlane
MakePlane(const GridGeometry & geometry, SliceView view, double position)
{
  const RasBox    box = GridBox(geometry);
  const PlaneAxes axes = AxesOf(view);
  const double    step = geometry.Step();
  SlicePlane      plane;
  plane.view = view;
  plane.position = position;
  const int h = axes.horizontal;
  const int v = axes.vertical;
  // A small tolerance keeps an extent of exactly n steps at n pixels.
  plane.width = static_cast<std::size_t>(std::max(1.0, std::ceil((box.high[h] - box.low[h]) / step - 1e-6)));
  plane.height = static_cast<std::size_t>(std::max(1.0, std::ceil((box.high[v] - box.low[v]) / step - 1e-6)));
  plane.topLeft[NormalAxis(view)] = position;
  plane.topLeft[h] = box.low[h] + 0.5 * step;
  plane.topLeft[v] = box.high[v] - 0.5 * step;
  plane.right = { 0.0, 0.0, 0.0 };
  plane.down = { 0.0, 0.0, 0.0 };
  plane.right[h] = step;
  plane.down[v] = -step;
  return plane;
}

std::vector<double>
SlicePositions(const GridGeometry & geometry, const RasBox & box, SliceView view, std::size_t count)
{
  const int normal = NormalAxis(view);
  // The grid axis most aligned with the normal: planes of its voxel centres.
  int    aligned = 0;
  double best = -1.0;
  for (int a = 0; a < 3; ++a)
  {
    std::array<double, 3> unit{ 0.0, 0.0, 0.0 };
    unit[a] = 1.0;
    const RasPoint origin = geometry.IndexToRas({ 0.0, 0.0, 0.0 });
    const RasPoint moved = geometry.IndexToRas(unit);
    const double   along = std::abs(moved[normal] - origin[normal]) / geometry.Grid().spacing[a];
    if (along > best)
    {
      best = along;
      aligned = a;
    }
  }
  RasPoint centre;
  for (int a = 0; a < 3; ++a)
  {
    centre[a] = 0.5 * (box.low[a] + box.high[a]);
  }
  std::vector<double> positions;
  for (std::size_t k = 0; k < count; ++k)
  {
    RasPoint point = centre;
    point[normal] = box.low[normal] + (k + 0.5) * (box.high[normal] - box.low[normal]) / count;
    auto index = geometry.RasToIndex(point);
    index[aligned] = std::round(index[aligned]);
    const double position = geometry.IndexToRas(index)[normal];
    if (positions.empty() || std::abs(position - positions.back()) > 1e-9)
    {
      positions.push_back(position);
    }
  }
  std::sort(positions.begin(), positions.end());
  positions.erase(
    std::unique(positions.begin(), positions.end(), [](double a, double b) { return std::abs(a - b) <= 1e-9; }),
    positions.end());
  return positions;
}

std::vector<std::int64_t>
SampleVoxels(const GridGeometry & geometry, const SlicePlane & plane)
{
  const auto &              size = geometry.Grid().size;
  std::vector<std::int64_t> voxels(plane.width * plane.height, -1);
  for (std::size_t r = 0; r < plane.height; ++r)
  {
    for (std::size_t c = 0; c < plane.width; ++c)
    {
      RasPoint p;
      for (int a = 0; a < 3; ++a)
      {
        p[a] = plane.topLeft[a] + static_cast<double>(c) * plane.right[a] + static_cast<double>(r) * plane.down[a];
      }
      const auto               index = geometry.RasToIndex(p);
      std::array<long long, 3> i{};
      bool                     inside = true;
      for (int a = 0; a < 3; ++a)
      {
        i[a] = std::llround(index[a]);
        inside = inside && i[a] >= 0 && i[a] < static_cast<long long>(size[a]);
      }
      if (inside)
      {
        voxels[r * plane.width + c] = static_cast<std::int64_t>(
          (static_cast<std::size_t>(i[2]) * size[1] + static_cast<std::size_t>(i[1])) * size[0] +
          static_cast<std::size_t>(i[0]));
      }
    }
  }
  return voxels;
}

RgbImage
RenderSlice(const std::vector<std::int64_t> &  voxels,
            const SlicePlane &                 plane,
            const float *                      anatomy,
            const DisplayRange &               anatomyRange,
            const SliceLayer *                 layer,
            const std::vector<unsigned char> * mask)
{
  RgbImage image;
  image.width = plane.width;
  image.height = plane.height;
  image.pixels.assign(3 * voxels.size(), 0);
  static const ColorMap grey = ColorMap::Grey();
  if (mask != nullptr && mask->empty())
  {
    mask = nullptr;
  }
  auto inMask = [&](std::size_t pixel) {
    const std::int64_t v = voxels[pixel];
    return v >= 0 && (*mask)[static_cast<std::size_t>(v)] != 0;
  };
  for (std::size_t p = 0; p < voxels.size(); ++p)
  {
    const std::int64_t v = voxels[p];
    Rgb                color{ 0, 0, 0 };
    if (v >= 0)
    {
      const auto voxel = static_cast<std::size_t>(v);
      if (anatomy != nullptr && std::isfinite(anatomy[voxel]))
      {
        color = grey.At(anatomyRange.Fraction(anatomy[voxel]));
      }
      if (layer != nullptr)
      {
        const float value = layer->values[voxel];
        const bool  shown =
          layer->shown != nullptr ? (*layer->shown)[voxel] != 0 && std::isfinite(value) : std::isfinite(value);
        if (shown)
        {
          const std::size_t entry = ColorMap::Entry(layer->range.Fraction(value));
          const Rgb         over = layer->colors->Table()[entry];
          const double      a = layer->opacity * layer->colors->Alpha()[entry] / 255.0;
          auto              mix = [a](std::uint8_t top, std::uint8_t under) {
            return static_cast<std::uint8_t>(std::lround(a * top + (1.0 - a) * under));
          };
          color = { mix(over.r, color.r), mix(over.g, color.g), mix(over.b, color.b) };
        }
      }
    }
    if (mask != nullptr && !inMask(p))
    {
      const std::size_t c = p % plane.width;
      const std::size_t r = p / plane.width;
      if ((c > 0 && inMask(p - 1)) || (c + 1 < plane.width && inMask(p + 1)) || (r > 0 && inMask(p - plane.width)) ||
          (r + 1 < plane.height && inMask(p + plane.width)))
      {
        color = OutlineColor;
      }
    }
    image.pixels[3 * p] = color.r;
    image.pixels[3 * p + 1] = color.g;
    image.pixels[3 * p + 2] = color.b;
  }
  return image;
}

} // namespace voxelkl
