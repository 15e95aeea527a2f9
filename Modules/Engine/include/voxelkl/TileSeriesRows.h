// The whole series of a tile's voxels as rows, gathered from passes of a few time points.
#ifndef voxelkl_TileSeriesRows_h
#define voxelkl_TileSeriesRows_h

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

namespace voxelkl
{

/** One series of a tile of `count` voxels, `length` time points, read pass by pass as
 * [time][voxel] (a few time points per pass, so that a pass stays in cache) and kept as
 * rows, [voxel][time], for the estimators that need each voxel's whole series.
 *
 * Most voxels of a brain image's tile are background, with one value throughout. A voxel's
 * values go to its row only from the first pass in which one differs, bit for bit, from its
 * first value; Row() writes the first value into the earlier places (or the whole row) when
 * it is asked for, so every row holds the series' exact bits. (Gathering every voxel's
 * series from a tile-sized [time][voxel] block instead cost a cache miss per value: the
 * block is larger than L2, and a voxel's values are a time point apart.) */
template <typename T>
class TileSeriesRows
{
public:
  /** Starts a tile; the memory is kept from one tile to the next. */
  void
  Start(std::size_t count, std::size_t length)
  {
    m_Count = count;
    m_Length = length;
    m_Done = 0;
    m_Rows.resize(count * length);
    m_First.resize(count);
    m_Bits.resize(count);
    m_Kept.assign(count, NotKept);
  }

  /** Adds time points m_Done .. m_Done + steps: value s of voxel i at values[s * count + i].
   * Voxels whose inside flag is 0 are not kept (inside may be null). */
  void
  Add(const T * values, std::size_t steps, const unsigned char * inside)
  {
    if (m_Done == 0 && steps > 0)
    {
      std::copy_n(values, m_Count, m_First.begin());
    }
    // The bits in which any of the pass's values differs from the voxel's first value:
    // loops over the voxels, which vectorise; a full pass keeps each voxel's bits in a
    // register across its time points.
    if (steps == FullPass)
    {
      for (std::size_t i = 0; i < m_Count; ++i)
      {
        const Bits first = BitsOf(m_First[i]);
        Bits       bits = 0;
        for (std::size_t s = 0; s < FullPass; ++s)
        {
          bits |= BitsOf(values[s * m_Count + i]) ^ first;
        }
        m_Bits[i] = bits;
      }
    }
    else
    {
      std::fill(m_Bits.begin(), m_Bits.end(), Bits{ 0 });
      for (std::size_t s = 0; s < steps; ++s)
      {
        const T * line = values + s * m_Count;
        for (std::size_t i = 0; i < m_Count; ++i)
        {
          m_Bits[i] |= BitsOf(line[i]) ^ BitsOf(m_First[i]);
        }
      }
    }
    std::size_t i = 0;
#if defined(__SSE2__)
    if constexpr (sizeof(T) == 4)
    {
      // Four voxels at a time, a pass of 8 time points as two 4x4 transposes (moves of
      // bits only). A voxel that is not kept gets values in its row too: its row is
      // written whole when it is kept or asked for.
      for (; steps == FullPass && i + 4 <= m_Count; i += 4)
      {
        if (!KeepAny(i, 4, inside))
        {
          continue;
        }
        // The rows' next cache lines, written two passes on: fetched now, so that those
        // stores do not wait for them.
        if (m_Done + 2 * FullPass < m_Length)
        {
          const T * ahead = m_Rows.data() + i * m_Length + m_Done + 2 * FullPass;
          for (std::size_t j = 0; j < 4; ++j)
          {
            __builtin_prefetch(ahead + j * m_Length, 1, 3);
          }
        }
        for (std::size_t half = 0; half < FullPass; half += 4)
        {
          const auto * from = reinterpret_cast<const float *>(values) + half * m_Count + i;
          __m128       a = _mm_loadu_ps(from);
          __m128       b = _mm_loadu_ps(from + m_Count);
          __m128       c = _mm_loadu_ps(from + 2 * m_Count);
          __m128       d = _mm_loadu_ps(from + 3 * m_Count);
          _MM_TRANSPOSE4_PS(a, b, c, d);
          auto * to = reinterpret_cast<float *>(m_Rows.data() + i * m_Length + m_Done + half);
          _mm_storeu_ps(to, a);
          _mm_storeu_ps(to + m_Length, b);
          _mm_storeu_ps(to + 2 * m_Length, c);
          _mm_storeu_ps(to + 3 * m_Length, d);
        }
      }
    }
#endif
    for (; i < m_Count; ++i)
    {
      if (KeepAny(i, 1, inside))
      {
        T * row = m_Rows.data() + i * m_Length;
        if (m_Done + 2 * steps < m_Length)
        {
          __builtin_prefetch(row + m_Done + 2 * steps, 1, 3); // as above
        }
        for (std::size_t s = 0; s < steps; ++s)
        {
          row[m_Done + s] = values[s * m_Count + i];
        }
      }
    }
    m_Done += steps;
  }

  /** Voxel i's value at the first time point (its address: a series of one value). */
  const T &
  First(std::size_t i) const
  {
    return m_First[i];
  }

  /** Whether some value of voxel i (inside the mask) has other bits than its first value:
   * else its series is that value throughout. */
  bool
  Varies(std::size_t i) const
  {
    return m_Kept[i] == Varied;
  }

  /** Voxel i's whole series (after every time point was added). */
  const T *
  Row(std::size_t i)
  {
    T * row = m_Rows.data() + i * m_Length;
    if (m_Kept[i] == NotKept)
    {
      std::fill_n(row, m_Length, m_First[i]);
      m_Kept[i] = Filled;
    }
    return row;
  }

private:
  // Whether any of voxels i .. i + n - 1 (inside the mask) is to be kept from this pass on:
  // one whose row already holds every time point so far, or one whose values changed in
  // this pass (its row is then filled with its first value up to the pass).
  bool
  KeepAny(std::size_t i, std::size_t n, const unsigned char * inside)
  {
    if (n == 4)
    {
      // The usual cases without a branch per voxel: four voxels that never changed and do
      // not now (the background), or four kept ones (inside the mask, as only those are).
      std::uint32_t kept = 0;
      std::memcpy(&kept, m_Kept.data() + i, sizeof kept);
      if (kept == 0 && (m_Bits[i] | m_Bits[i + 1] | m_Bits[i + 2] | m_Bits[i + 3]) == 0)
      {
        return false;
      }
      if (kept == 0x01010101u * Varied)
      {
        return true;
      }
    }
    bool any = false;
    for (std::size_t j = i; j < i + n; ++j)
    {
      if ((inside != nullptr && inside[j] == 0) || (m_Kept[j] == NotKept && m_Bits[j] == 0))
      {
        continue;
      }
      if (m_Kept[j] == NotKept)
      {
        std::fill_n(m_Rows.data() + j * m_Length, m_Done, m_First[j]); // every value so far was the first
        m_Kept[j] = Varied;
      }
      any = true;
    }
    return any;
  }

  // Time points per pass that the loops over a pass are unrolled for: the passes of the
  // tile traversal (detail::TimePointsPerTilePass).
  static constexpr std::size_t FullPass = 8;

  using Bits = std::conditional_t<
    sizeof(T) == 8,
    std::uint64_t,
    std::conditional_t<sizeof(T) == 4, std::uint32_t, std::conditional_t<sizeof(T) == 2, std::uint16_t, std::uint8_t>>>;
  static_assert(sizeof(Bits) == sizeof(T), "a voxel type of 1, 2, 4 or 8 bytes");

  static Bits
  BitsOf(T value)
  {
    Bits bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  }

  std::size_t       m_Count{ 0 };
  std::size_t       m_Length{ 0 };
  std::size_t       m_Done{ 0 }; // time points added
  std::vector<T>    m_Rows;      // [voxel][time]
  std::vector<T>    m_First;
  std::vector<Bits> m_Bits; // the last pass's differences from the first value
  // Whether a row holds the voxel's values: from the pass in which one differed from the
  // first value (Varied), or written whole by Row() (Filled), or not (NotKept).
  enum : unsigned char
  {
    NotKept = 0,
    Varied = 1,
    Filled = 2
  };
  std::vector<unsigned char> m_Kept;
};

} // namespace voxelkl

#endif
