// TileSeriesRows: every row asked for holds the series' exact bits, whatever the voxel did
// (constant throughout, constant for some passes and then varying, a -0 among +0s, NaN),
// for passes of 8 time points (the transposed path) and of other lengths, with and without
// a mask, for voxel types of 1, 2, 4 and 8 bytes. The expected rows are gathered directly
// from the [time][voxel] series.
#include "voxelkl/TileSeriesRows.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace
{

// Value t of voxel v, by the voxel's kind (v % 7).
template <typename T>
T
ValueOf(std::size_t v, std::size_t t, std::mt19937 & engine)
{
  const T base = static_cast<T>(v % 5 + 1);
  switch (v % 7)
  {
    case 0: // constant throughout (background)
      return base;
    case 1: // constant for the first 19 time points, then varying
      return t < 19 ? base : static_cast<T>(base + static_cast<T>(engine() % 3));
    case 2: // constant but for the last time point
      return t + 1 < 40 ? base : static_cast<T>(base + 1);
    case 3: // -0 among +0 (bits differ, the values compare equal); 0 for integer types
      if constexpr (std::is_floating_point_v<T>)
        return t == 11 ? static_cast<T>(-0.0) : static_cast<T>(0.0);
      else
        return static_cast<T>(0);
    case 4: // NaN at one time point (floating point types)
      if constexpr (std::is_floating_point_v<T>)
        if (t == 5)
          return std::numeric_limits<T>::quiet_NaN();
      return static_cast<T>(base + static_cast<T>(t % 2));
    default:
      return static_cast<T>(engine() % 100);
  }
}

template <typename T>
void
CheckRows(std::size_t count, std::size_t length, std::size_t passLength, bool masked)
{
  std::mt19937   engine(static_cast<unsigned int>(count * 131 + length + passLength));
  std::vector<T> series(length * count); // [time][voxel]
  for (std::size_t t = 0; t < length; ++t)
    for (std::size_t v = 0; v < count; ++v)
      series[t * count + v] = ValueOf<T>(v, t, engine);
  std::vector<unsigned char> inside(count);
  for (std::size_t v = 0; v < count; ++v)
    inside[v] = v % 11 != 6;
  voxelkl::TileSeriesRows<T> rows;
  for (int tile = 0; tile < 2; ++tile) // a second tile reuses the memory of the first
  {
    rows.Start(count, length);
    for (std::size_t pass = 0; pass < length; pass += passLength)
    {
      const std::size_t steps = std::min(passLength, length - pass);
      rows.Add(series.data() + pass * count, steps, masked ? inside.data() : nullptr);
    }
    for (std::size_t v = 0; v < count; ++v)
    {
      if (masked && inside[v] == 0)
        continue; // never asked for
      const T first = rows.First(v);
      EXPECT_EQ(std::memcmp(&first, &series[v], sizeof(T)), 0);
      const T * row = rows.Row(v);
      for (std::size_t t = 0; t < length; ++t)
        ASSERT_EQ(std::memcmp(row + t, &series[t * count + v], sizeof(T)), 0)
          << "voxel " << v << " time " << t << " of " << length << ", passes of " << passLength << ", tile " << tile
          << (masked ? ", masked" : "");
    }
  }
}

template <typename T>
void
CheckEveryLayout()
{
  for (std::size_t count : { 1u, 3u, 4u, 37u, 64u })
    for (std::size_t length : { 1u, 8u, 40u, 43u })
      for (std::size_t passLength : { 1u, 5u, 8u })
        for (bool masked : { false, true })
          CheckRows<T>(count, length, passLength, masked);
}

TEST(TileSeriesRows, RowsHoldTheSeriesBitsForEveryVoxelType)
{
  CheckEveryLayout<float>();
  CheckEveryLayout<double>();
  CheckEveryLayout<std::int16_t>();
  CheckEveryLayout<std::uint16_t>();
  CheckEveryLayout<std::int32_t>();
  CheckEveryLayout<std::uint8_t>();
}

} // namespace
