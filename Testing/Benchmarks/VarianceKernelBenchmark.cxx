// Times VarianceAccumulatorArray::PushTimePoints, the accumulation of the Gaussian KL map,
// with each version of its fused kernel this CPU runs: the benchmark pair's grid (91 x 109 x
// 91 voxels), 300 time points in blocks of 8 volumes, runs of 512 voxels, one thread.
//   VoxelKLVarianceKernelBenchmark [REPEATS]
// Prints, per version, the median time of REPEATS passes (default 5) and ns per voxel and
// time point, and checks that every version gives the same bits.
#include "voxelkl/VarianceAccumulatorArray.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

namespace
{
using voxelkl::detail::UniformKernel;

constexpr std::size_t Voxels = 91 * 109 * 91;
constexpr std::size_t Block = 8;
constexpr std::size_t TimePoints = 300;
constexpr std::size_t Run = 512;

// One pass over the series (the same block of volumes each time: what is timed is the
// kernel, not the making of values); returns the seconds taken and the accumulators' means.
double
Pass(const std::vector<float> & block, std::vector<double> & means)
{
  voxelkl::VarianceAccumulatorArray array(Voxels);
  const auto                        start = std::chrono::steady_clock::now();
  for (std::size_t t = 0; t < TimePoints; t += Block)
  {
    const std::size_t steps = std::min(Block, TimePoints - t);
    for (std::size_t first = 0; first < Voxels; first += Run)
    {
      array.PushTimePoints(first,
                           std::min(Run, Voxels - first),
                           block.data() + first,
                           static_cast<std::ptrdiff_t>(Voxels),
                           steps,
                           nullptr);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  means.resize(Voxels);
  for (std::size_t v = 0; v < Voxels; ++v)
  {
    means[v] = array.Get(v).Mean();
  }
  return seconds;
}
} // namespace

int
main(int argc, char ** argv)
{
  const int                       repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::vector<float>              block(Voxels * Block);
  std::mt19937                    engine(1);
  std::normal_distribution<float> normal(1000.0f, 10.0f);
  for (float & value : block)
  {
    value = normal(engine);
  }
  const char *        names[] = { "portable (2 doubles)", "AVX2 (4 doubles)", "AVX-512 (8 doubles)" };
  std::vector<double> reference;
  int                 status = 0;
  for (const UniformKernel kernel : { UniformKernel::Portable, UniformKernel::Avx2, UniformKernel::Avx512 })
  {
    const char * name = names[static_cast<int>(kernel)];
    if (!voxelkl::detail::UniformKernelRuns(kernel))
    {
      std::printf("%-22s not run by this CPU\n", name);
      continue;
    }
    voxelkl::detail::UseUniformKernel(kernel);
    std::vector<double> times;
    std::vector<double> means;
    for (int r = 0; r < repeats; ++r)
    {
      times.push_back(Pass(block, means));
    }
    std::sort(times.begin(), times.end());
    const double median = times[times.size() / 2];
    std::printf("%-22s %8.1f ms  %.3f ns per voxel and time point\n",
                name,
                1e3 * median,
                1e9 * median / (static_cast<double>(Voxels) * TimePoints));
    if (reference.empty())
    {
      reference = means;
    }
    else if (std::memcmp(reference.data(), means.data(), Voxels * sizeof(double)) != 0)
    {
      std::printf("  ERROR: its means differ from the portable kernel's\n");
      status = 1;
    }
  }
  return status;
}
