// Writes the inputs of the golden set (golden.sh): one synthetic series pair with NaN and
// inf samples, constant voxels and an oblique grid, in every input kind the executables
// read. The values are a closed-form function of (x, y, z, t), so the files are the same
// on every machine and build.
#include "NrrdFixtures.h"
#include "TestFiles.h"

#include <cmath>
#include <iostream>
#include <limits>
#include <string>

namespace
{
using voxelkl::test::Series;

// A smooth signal with per-voxel mean, spread and shape; background (x == 0) constant.
double
Value(long x, long y, long z, long t, double flatten, double shift)
{
  if (x == 0)
  {
    return 100.0;
  }
  const double phase = 0.37 * x + 0.61 * y + 1.13 * z;
  const double noise = std::sin(12.9898 * (t + 1) + 78.233 * phase) * 43758.5453;
  const double u = noise - std::floor(noise) - 0.5;
  return 500.0 + 10.0 * x + shift * (y % 3) + flatten * (20.0 * std::sin(0.3 * t + phase) + 15.0 * u * (1 + z % 2));
}

double
WithNonFinite(long x, long y, long z, long t, double value)
{
  if (x == 1 && y == 1 && t % 7 == 3)
  {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (x == 2 && y == 2 && z == 1 && t == 5)
  {
    return std::numeric_limits<double>::infinity();
  }
  return value;
}
} // namespace

int
main(int argc, char ** argv)
{
  if (argc != 2)
  {
    std::cerr << "usage: GoldenInputs OUTPUT_DIRECTORY\n";
    return 2;
  }
  const std::string         directory = argv[1];
  const std::array<long, 4> size{ 11, 9, 5, 40 };
  const auto                reference = voxelkl::test::MakeSeries(
    size, [](long x, long y, long z, long t) { return WithNonFinite(x, y, z, t, Value(x, y, z, t, 1.0, 0.0)); });
  const auto generated = voxelkl::test::MakeSeries(size, [](long x, long y, long z, long t) {
    return WithNonFinite(x, y, z, t, Value(x, y, z, (t * 7) % 40, 0.6, 2.0));
  });
  for (const auto & [name, series] : { std::pair{ std::string("reference"), reference.GetPointer() },
                                       std::pair{ std::string("generated"), generated.GetPointer() } })
  {
    const std::string stem = directory + "/" + name;
    voxelkl::test::WriteSeries(series, stem + ".nii", "float32");
    voxelkl::test::WriteSeries(series, stem + ".nii.gz", "float32");
    voxelkl::test::WriteSeries(series, stem + "_f64.nii", "float64");
    voxelkl::test::WriteSeries(series, stem + ".mha", "float32");
    voxelkl::test::WriteSeries(series, stem + ".nrrd", "float32");
    voxelkl::test::WriteVolumes(series, stem + "_volume", ".nii");
    voxelkl::test::WriteSlicerNrrd(series, stem + "_sequence.nrrd", voxelkl::test::SlicerNrrdLayout::Sequence);
    voxelkl::test::WriteSlicerNrrd(series, stem + "_multivolume.nrrd", voxelkl::test::SlicerNrrdLayout::MultiVolume);
  }
  voxelkl::test::WriteMask(reference, directory + "/mask.nii.gz", [](long x, long y, long) { return x + y > 2; });
  voxelkl::test::WriteMask(
    reference, directory + "/labels.nii.gz", [](long x, long y, long) { return 1 + (x + y) % 3; });
  return 0;
}
