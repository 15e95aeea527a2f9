// Slices of a report's mosaics: planes at world positions, resampled from the grid with
// nearest neighbour, drawn as RGB pixels (a map in colour over the anatomy in grey, the mask
// outlined).
//
// World coordinates are RAS millimetres (x to the subject's Right, y Anterior, z Superior;
// ITK's LPS with x and y negated, the scanner/MNI convention of NIfTI). Slices are drawn in
// the neurological convention, the subject's left on the left of the image:
//   axial    (z = const): left L, right R, top A, bottom P
//   coronal  (y = const): left L, right R, top S, bottom I
//   sagittal (x = const): left P, right A, top S, bottom I
// and the labels of the page say so on every tile. A plane is resampled from any grid,
// oblique included: pixel (c, r) is the world point top-left + c right + r down, and shows
// the voxel whose centre is nearest to it (nothing outside the grid).
#ifndef voxelkl_ReportSlices_h
#define voxelkl_ReportSlices_h

#include "voxelkl/ReportColors.h"
#include "voxelkl/SpatialGrid.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace voxelkl
{

enum class SliceView
{
  Axial,
  Coronal,
  Sagittal
};

/** "axial", "coronal", "sagittal". */
const char *
ToString(SliceView view);

/** The letters at the left, right, top and bottom edges of a tile of the view. */
struct ViewLetters
{
  char left, right, top, bottom;
};
ViewLetters
LettersOf(SliceView view);

/** The world axis (RAS: 0 x, 1 y, 2 z) a view's position is along; "x", "y", "z". */
int
NormalAxis(SliceView view);
const char *
AxisName(SliceView view);

using RasPoint = std::array<double, 3>;

/** The geometry of a grid in RAS millimetres. */
class GridGeometry
{
public:
  explicit GridGeometry(const SpatialGrid & grid);

  /** The RAS point of a (continuous) voxel index. */
  RasPoint
  IndexToRas(const std::array<double, 3> & index) const;
  /** The continuous voxel index of a RAS point. */
  std::array<double, 3>
  RasToIndex(const RasPoint & point) const;
  /** The smallest voxel spacing: the pixel size of the tiles. */
  double
  Step() const
  {
    return m_Step;
  }
  const SpatialGrid &
  Grid() const
  {
    return m_Grid;
  }

private:
  SpatialGrid           m_Grid;
  std::array<double, 9> m_IndexToRas{}; // row-major: RAS = m_Offset + M index
  std::array<double, 9> m_RasToIndex{};
  RasPoint              m_Offset{};
  double                m_Step{ 1.0 };
};

/** An axis-aligned box in RAS millimetres. */
struct RasBox
{
  RasPoint low{};
  RasPoint high{};
};

/** The box of the centres of the voxels where inside is nonzero (every voxel when inside is
 * empty; the whole grid when no voxel is inside). */
RasBox
VoxelCentreBox(const GridGeometry & geometry, const std::vector<unsigned char> & inside);

/** A plane of the mosaic: pixel (c, r) is at topLeft + c right + r down (RAS mm). */
struct SlicePlane
{
  SliceView   view{ SliceView::Axial };
  double      position{ 0.0 }; ///< RAS mm along the view's axis
  RasPoint    topLeft{};
  RasPoint    right{};
  RasPoint    down{};
  std::size_t width{ 0 };
  std::size_t height{ 0 };
};

/** The plane of view at position, covering the box of the whole grid's voxels (half a voxel
 * beyond the outer centres), square pixels of geometry.Step(). */
SlicePlane
MakePlane(const GridGeometry & geometry, SliceView view, double position);

/** count positions along the view's axis spread evenly over box (the centres of count equal
 * parts of it), each moved onto the nearest plane of voxel centres of the grid axis most
 * aligned with the view's axis (so that a plane of an unrotated grid passes through voxel
 * centres), in increasing order without repeats. */
std::vector<double>
SlicePositions(const GridGeometry & geometry, const RasBox & box, SliceView view, std::size_t count);

/** The voxel (index in the grid, x fastest) each pixel shows, row by row from the top; -1
 * outside the grid. */
std::vector<std::int64_t>
SampleVoxels(const GridGeometry & geometry, const SlicePlane & plane);

/** An 8-bit RGB picture, rows from the top. */
struct RgbImage
{
  std::size_t               width{ 0 };
  std::size_t               height{ 0 };
  std::vector<std::uint8_t> pixels; ///< 3 bytes per pixel

  Rgb
  At(std::size_t column, std::size_t row) const
  {
    const std::uint8_t * p = pixels.data() + 3 * (row * width + column);
    return { p[0], p[1], p[2] };
  }
};

/** A map drawn over the anatomy. */
struct SliceLayer
{
  const float *                      values{ nullptr }; ///< one per voxel of the grid
  const std::vector<unsigned char> * shown{ nullptr };  ///< voxels coloured: nonzero; null: every finite value
  DisplayRange                       range;
  const ColorMap *                   colors{ nullptr };
  double                             opacity{ 0.75 };
};

/** The colour of the mask's outline. */
constexpr Rgb OutlineColor{ 0, 255, 0 };

/** Draws the pixels of a plane: the anatomy in grey over anatomyRange (black where it is not
 * finite or outside the grid), the layer's colour mixed over it where the layer shows a voxel
 * (at the layer's opacity times the colour map's alpha of the entry), and the outline of the mask (pixels outside the
 * mask, 4-adjacent to a pixel inside it) in OutlineColor. anatomy may be null (black), layer and mask too. */
RgbImage
RenderSlice(const std::vector<std::int64_t> &  voxels,
            const SlicePlane &                 plane,
            const float *                      anatomy,
            const DisplayRange &               anatomyRange,
            const SliceLayer *                 layer,
            const std::vector<unsigned char> * mask);

} // namespace voxelkl

#endif
