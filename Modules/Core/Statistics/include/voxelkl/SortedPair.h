// The two series of a voxel sorted by value in one pooled pass, in the layout the k-NN and
// histogram estimators read: values and time points in separate arrays, each sample's
// place in the other series, and the ties that call for dequantisation (pure C++).
#ifndef voxelkl_SortedPair_h
#define voxelkl_SortedPair_h

#include <cstddef>
#include <cstdint>
#include <vector>

namespace voxelkl
{

/** A series sorted by value (ties by time): values ascending and the time point of each.
 * SortedPair pads its series: values[-16..-1] are -inf, values[size..size+15] +inf, and
 * the padding's time points are far from any real one, so that kernels reading a fixed
 * number of neighbours on each side need no bounds check. */
struct SortedSeries
{
  const double *       values;
  const std::int32_t * times;
  std::size_t          size;
};

/** Sorts the finite samples of both series of a voxel at once. Sorting the pooled samples
 * by (value, series, time) gives both series' orders and, from the same pooled order,
 * where each sample falls in the other series (what the k-NN cross distances start from)
 * and whether a value repeats. An LSD radix sort on an order-preserving integer image of the values:
 * exact (no comparison at all) when the values span at most 2^32 distinct steps, as
 * float32 data of one sign and octave range do; otherwise on the top 24 bits of that
 * image, with an insertion pass for what those bits cannot separate. One per thread: the
 * buffers are reused. */
class SortedPair
{
public:
  static constexpr std::size_t Padding = 16;

  /** values[s][i] taken at time point times[s][i], i < size[s], all finite; the times of
   * a series strictly increasing. */
  void
  Sort(const double * const values[2], const std::int32_t * const times[2], const std::size_t size[2]);

  /** Sorts again after the values of the last Sort changed (same sizes and times): the
   * same result as Sort, by insertion from the old order, so cheap when the values moved
   * little against each other (dequantisation by less than half the smallest gap). */
  void
  Resort(const double * const values[2]);

  /** Series s (0 or 1) sorted, padded as SortedSeries describes. */
  SortedSeries
  Series(unsigned int s) const;

  /** For each sample i of sorted series s, how many samples of the other series have a
   * smaller value: the index of the first one >= it. */
  const std::uint32_t *
  Insertion(unsigned int s) const
  {
    if (s == 1 && m_SecondInsertionPending)
    {
      FixSecondInsertion();
    }
    return m_Insertion.data() + (s == 0 ? 0 : m_Size[0]);
  }

  /** Whether a value occurs twice in series s. */
  bool
  HasTies(unsigned int s) const
  {
    return m_Tied[s];
  }

  /** Whether a value occurs in both series. */
  bool
  SharesValue() const
  {
    return m_Shared;
  }

  /** The smallest positive difference between values of series s (0 if all are equal). */
  double
  SmallestGap(unsigned int s) const;

private:
  void
  RadixSort(std::size_t total, unsigned int topDigits);
  void
  OrderEqualSortKeys(std::size_t total);
  void
  Split();
  void
  SplitPooled();
  void
  FindRepeats();
  /** Series 1's insertion points where the series share a value (see FindRepeats): done
   * when they are first asked for, as most runs never ask. */
  void
  FixSecondInsertion() const;
  /** Where series 1 starts in m_Values and m_Times. */
  std::size_t
  SecondStart() const
  {
    return m_Size[0] + 3 * Padding;
  }

  // The pooled samples: series 0 then series 1, each in time order.
  std::vector<double>        m_PooledValues;
  std::vector<std::int32_t>  m_PooledTimes;
  std::vector<std::uint64_t> m_Keys;  // order-preserving image of each pooled value
  std::vector<std::uint64_t> m_Items; // sort key << 32 | pooled index
  std::vector<std::uint64_t> m_Scratch;
  // Both series sorted, series 1 after series 0: values and times padded on both sides,
  // insertion points unpadded.
  std::vector<double>                m_Values;
  std::vector<std::int32_t>          m_Times;
  mutable std::vector<std::uint32_t> m_Insertion; // series 1's fixed on first use (FixSecondInsertion)
  mutable bool                       m_SecondInsertionPending{ false };
  std::size_t                        m_Size[2]{ 0, 0 };
  bool                               m_Tied[2]{ false, false };
  bool                               m_Shared{ false };
  unsigned int                       m_Passes{ 0 };           // radix passes over the sort key
  unsigned int                       m_LowDigitBits{ 8 };     // bits of the digits below the top one
  bool                               m_Exact{ false };        // the sort key is the whole key
  bool                               m_TimesInOrder{ false }; // each series' time points are 0, 1, ...: not pooled
  // Where the sort key is exact and no value is 0 (whose key does not tell -0 from +0), a
  // value is its key's: ((sort key << m_KeyShift) + m_LowestKey) turned back into a double.
  bool          m_ValuesFromKeys{ false };
  std::uint64_t m_LowestKey{ 0 };
  unsigned int  m_KeyShift{ 0 };
};

} // namespace voxelkl

#endif
