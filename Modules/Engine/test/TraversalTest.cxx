// The engine's traversals: every voxel and time point pushed once, in time order, the same
// state for any pairing, blocking and threads; progress to the end; cancellation.
#include "voxelkl/Traversal.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <vector>

namespace
{
using namespace voxelkl;

// An in-memory series of `volumes` volumes, value(v, t) = v * 1000 + t, handed out at most
// `step` volumes at a time.
class CountingSource final : public VolumeSource<double>
{
public:
  CountingSource(std::size_t voxels, std::size_t volumes, std::size_t step)
    : m_Voxels(voxels)
    , m_Volumes(volumes)
    , m_Step(step)
  {
  }
  std::size_t
  Read(std::size_t maxVolumes, double * out) override
  {
    const std::size_t count = std::min({ maxVolumes, m_Step, m_Volumes - m_Next });
    for (std::size_t t = 0; t < count; ++t)
      for (std::size_t v = 0; v < m_Voxels; ++v)
        out[t * m_Voxels + v] = double(v) * 1000.0 + double(m_Next + t);
    m_Next += count;
    return count;
  }

private:
  std::size_t m_Voxels, m_Volumes, m_Step, m_Next{ 0 };
};

// Per voxel and series: the time points seen, which must be 0, 1, 2, ... in order.
struct Seen
{
  std::vector<std::vector<double>> reference, generated;
  explicit Seen(std::size_t voxels)
    : reference(voxels)
    , generated(voxels)
  {
  }
};

TEST(Traversal, VolumesPushEveryValueOnceInTimeOrder)
{
  constexpr std::size_t voxels = 1500; // several runs of 512
  for (const SeriesPairing pairing : { SeriesPairing::InStep, SeriesPairing::Independent })
  {
    for (const std::size_t step : { 1u, 3u, 64u })
    {
      CountingSource             reference(voxels, 9, step);
      CountingSource             generated(voxels, 6, step); // shorter: unpaired lengths
      Seen                       seen(voxels);
      std::vector<unsigned char> mask(voxels, 1);
      mask[7] = 0;
      ProgressCounter  progress({}, 15.0);
      TraversalContext context{ 2, &progress, {}, 0 };
      TraverseVolumes<double>(
        reference,
        &generated,
        voxels,
        mask,
        context,
        [&](std::size_t first, std::size_t count, const double * r, const double * g, const unsigned char * inside) {
          for (std::size_t i = 0; i < count; ++i)
          {
            EXPECT_EQ(inside[i], mask[first + i]);
            if (r != nullptr)
              seen.reference[first + i].push_back(r[i] - double(first + i) * 1000.0);
            if (g != nullptr)
              seen.generated[first + i].push_back(g[i] - double(first + i) * 1000.0);
          }
        },
        pairing);
      for (std::size_t v = 0; v < voxels; ++v)
      {
        ASSERT_EQ(seen.reference[v].size(), 9u) << v;
        ASSERT_EQ(seen.generated[v].size(), 6u) << v;
        for (std::size_t t = 0; t < 9; ++t)
          EXPECT_EQ(seen.reference[v][t], double(t));
        for (std::size_t t = 0; t < 6; ++t)
          EXPECT_EQ(seen.generated[v][t], double(t));
      }
    }
  }
}

TEST(Traversal, TilesCoverTheGridOnceForAnyTileCount)
{
  constexpr std::size_t voxels = 1001;
  for (const unsigned int tiles : { 0u, 1u, 7u, 1001u, 5000u })
  {
    std::vector<std::atomic<int>> visits(voxels);
    TraversalContext              context{ 2, nullptr, {}, tiles };
    const std::size_t             tileVoxels = TileVoxels(context, voxels, 128);
    TraverseTiles(voxels, tileVoxels, context, [&](std::size_t first, std::size_t count) {
      for (std::size_t v = first; v < first + count; ++v)
        ++visits[v];
    });
    for (std::size_t v = 0; v < voxels; ++v)
      ASSERT_EQ(visits[v].load(), 1) << "voxel " << v << " with " << tiles << " tiles";
  }
}

TEST(Traversal, CancelledBetweenTilesAndBlocks)
{
  std::atomic<int> calls{ 0 };
  TraversalContext context{ 2, nullptr, [&calls] { return ++calls > 3; }, 0 };
  EXPECT_THROW(TraverseTiles(10000, 100, context, [](std::size_t, std::size_t) {}), Cancelled);
  CountingSource source(10, 100, 1);
  calls = 0;
  EXPECT_THROW(
    TraverseVolumes<double>(source,
                            nullptr,
                            10,
                            {},
                            context,
                            [](std::size_t, std::size_t, const double *, const double *, const unsigned char *) {}),
    Cancelled);
}

} // namespace
