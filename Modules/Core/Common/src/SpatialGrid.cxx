#include "voxelkl/SpatialGrid.h"

#include "voxelkl/Errors.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace voxelkl
{
namespace
{
// Prints -0 as 0: a direction cosine that is -0 in one file and 0 in another is the same.
double
Shown(double value)
{
  return value == 0.0 ? 0.0 : value;
}
} // namespace

std::string
CompareGrids(const SpatialGrid & a, const SpatialGrid & b, const GridTolerance & tolerance)
{
  std::ostringstream problem;
  const double       smallest = std::min({ a.spacing[0], a.spacing[1], a.spacing[2] });
  const double       coordinate = tolerance.coordinate * smallest;
  for (unsigned int i = 0; i < 3; ++i)
  {
    if (a.size[i] != b.size[i])
    {
      problem << "size differs along axis " << i << ": " << a.size[i] << " vs " << b.size[i];
      return problem.str();
    }
  }
  for (unsigned int i = 0; i < 3; ++i)
  {
    if (std::fabs(a.spacing[i] - b.spacing[i]) > coordinate)
    {
      problem << "spacing differs along axis " << i << ": " << a.spacing[i] << " vs " << b.spacing[i];
      return problem.str();
    }
  }
  for (unsigned int i = 0; i < 3; ++i)
  {
    if (std::fabs(a.origin[i] - b.origin[i]) > coordinate)
    {
      problem << "origin differs along axis " << i << ": " << Shown(a.origin[i]) << " vs " << Shown(b.origin[i]);
      return problem.str();
    }
  }
  for (unsigned int k = 0; k < 9; ++k)
  {
    if (std::fabs(a.direction[k] - b.direction[k]) > tolerance.direction)
    {
      problem << "direction differs at (" << k / 3 << "," << k % 3 << "): " << Shown(a.direction[k]) << " vs "
              << Shown(b.direction[k]);
      return problem.str();
    }
  }
  return "";
}

void
RequireSameGrid(const std::string &   nameA,
                const SpatialGrid &   a,
                const std::string &   nameB,
                const SpatialGrid &   b,
                const GridTolerance & tolerance)
{
  const std::string problem = CompareGrids(a, b, tolerance);
  if (!problem.empty())
  {
    throw InputError(nameA + " and " + nameB + " are not on the same grid: " + problem);
  }
}

} // namespace voxelkl
