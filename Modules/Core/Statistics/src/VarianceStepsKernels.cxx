// The fused kernel of VarianceAccumulatorArray::PushTimePoints: a run of voxels taken
// through several time points with each voxel's mean and M2 in registers. Written once
// over GCC/clang vector types and instantiated per vector width: 8 doubles for AVX-512, 4
// for AVX2, 2 for any x86-64 (and other compilers). The width is chosen per instruction
// set rather than left to target_clones because vectors wider than the registers (64 bytes
// on AVX2) are split through the stack: the AVX2 clone of a 64-byte kernel ran about ten
// times slower than the AVX-512 one.
#include "voxelkl/CoMomentAccumulatorArray.h"
#include "voxelkl/VarianceAccumulatorArray.h"

#include <atomic>
#include <cstdint>
#include <cstring>

namespace voxelkl::detail
{
namespace
{
#if defined(__GNUC__)
#define VOXELKL_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define VOXELKL_ALWAYS_INLINE inline
#endif

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define VOXELKL_WIDE_VARIANCE_KERNELS 1
#endif

// Width lanes of T: a GCC and clang vector type (the attribute takes no dependent size,
// hence one specialisation per type and width).
template <typename T, std::size_t Width>
struct LaneType;
#define VOXELKL_LANE_TYPE(T, Width)                                                                                    \
  template <>                                                                                                          \
  struct LaneType<T, Width>                                                                                            \
  {                                                                                                                    \
    using Type = T __attribute__((vector_size(sizeof(T) * Width)));                                                    \
  };
VOXELKL_LANE_TYPE(double, 2)
VOXELKL_LANE_TYPE(double, 4)
VOXELKL_LANE_TYPE(double, 8)
VOXELKL_LANE_TYPE(float, 2)
VOXELKL_LANE_TYPE(float, 4)
VOXELKL_LANE_TYPE(float, 8)
#undef VOXELKL_LANE_TYPE
template <typename T, std::size_t Width>
using Lanes = typename LaneType<T, Width>::Type;

// Width values as doubles (exact: every float is a double).
template <typename TValue, std::size_t Width>
VOXELKL_ALWAYS_INLINE void
ToDoubles(const TValue * values, Lanes<double, Width> & x)
{
  Lanes<TValue, Width> raw;
  std::memcpy(&raw, values, sizeof(raw));
  x = __builtin_convertvector(raw, Lanes<double, Width>);
}

#if VOXELKL_WIDE_VARIANCE_KERNELS
// GCC lowers the conversion of a vector of floats to doubles as conversions of half the
// width joined by shuffles, on the ports the arithmetic needs: in the AVX-512 kernel a third
// of the instructions of a step, and the AVX-512 kernel ran ~25% faster without them. One
// vcvtps2pd (cvtps2pd for SSE2) converts a whole vector. Written as one instruction of
// inline assembly because the intrinsics are functions targeting their instruction set,
// which GCC does not inline into this template (default target) before the template is
// inlined into each kernel. Exact either way: every float is a double.
template <>
VOXELKL_ALWAYS_INLINE void
ToDoubles<float, 8>(const float * values, Lanes<double, 8> & x)
{
  asm("vcvtps2pd %1, %0" : "=v"(x) : "m"(*reinterpret_cast<const float(*)[8]>(values)));
}
template <>
VOXELKL_ALWAYS_INLINE void
ToDoubles<float, 4>(const float * values, Lanes<double, 4> & x)
{
  asm("vcvtps2pd %1, %0" : "=v"(x) : "m"(*reinterpret_cast<const float(*)[4]>(values)));
}
template <>
VOXELKL_ALWAYS_INLINE void
ToDoubles<float, 2>(const float * values, Lanes<double, 2> & x)
{
  asm("cvtps2pd %1, %0" : "=x"(x) : "m"(*reinterpret_cast<const float(*)[2]>(values)));
}
#endif

// A group's checks are sums over its vectors that are 0 exactly when every lane passes,
// folded to one value per group: x - x is +0 for finite x and NaN for NaN and inf, and
// (count - n0)^2 and detached^2 are never negative. (Vector comparisons tested lane by
// lane, which GCC lowers to moves of every lane into general registers and scalar tests
// before the kernel's target is known: a third of the pair kernel's instructions.)
template <std::size_t Width>
VOXELKL_ALWAYS_INLINE double
LaneSum(Lanes<double, Width> x)
{
  if constexpr (Width == 8)
  {
    return LaneSum<4>(__builtin_shufflevector(x, x, 0, 1, 2, 3) + __builtin_shufflevector(x, x, 4, 5, 6, 7));
  }
  else if constexpr (Width == 4)
  {
    return LaneSum<2>(__builtin_shufflevector(x, x, 0, 1) + __builtin_shufflevector(x, x, 2, 3));
  }
  else
  {
    static_assert(Width == 2);
    return x[0] + x[1];
  }
}

// 1 / n and n - 1 of each step after n0 values (n = n0 + 1, n0 + 2, ...: exact), as the
// one-step kernels compute them; returns the count after the steps.
VOXELKL_ALWAYS_INLINE double
StepFactors(double n0, std::size_t steps, double * inverses, double * previousCounts)
{
  double n = n0;
  for (std::size_t s = 0; s < steps; ++s)
  {
    n = n + 1.0;
    inverses[s] = 1.0 / n;
    previousCounts[s] = n - 1.0;
  }
  return n;
}

// `steps` time points (at most MaxUniformSteps) added to the run, Width * Vectors voxels at
// a time: their shift, mean and M2 are loaded once, go through the steps in registers, and
// are stored once. Per voxel and step, as in PushVarianceTimePoint's finite, equal-count
// case: delta = (x - shift) - mean, deltaN = delta * (1 / n), M2 += delta * deltaN * (n - 1),
// mean += deltaN. A group is stored only if its voxels had each taken n0 values and all its
// new values were finite: a NaN or inf leaves the mean non-finite (inf - inf and NaN carry
// through the later steps), so the finished mean is the check and the values are read once.
// Returns how many voxels, from the first, were updated: it stops at the first group that
// fails, and the caller takes the rest through the general kernel.
template <typename TValue, std::size_t Width, std::size_t Vectors>
VOXELKL_ALWAYS_INLINE std::size_t
PushSteps(std::size_t count, const TValue * values, std::size_t stride, std::size_t steps, double * state[5])
{
  using Doubles = Lanes<double, Width>;
  constexpr std::size_t Group = Width * Vectors;
  double * const __restrict counts = state[0];
  const double * const __restrict shifts = state[1];
  double * const __restrict means = state[2];
  double * const __restrict m2s = state[3];
  const double n0 = count > 0 ? counts[0] : 0.0;
  if (!(n0 > 0.0) || steps == 0 || steps > MaxUniformSteps)
  {
    return 0;
  }
  double       inverses[MaxUniformSteps];
  double       previousCounts[MaxUniformSteps]; // n - 1 of each step
  const double n = StepFactors(n0, steps, inverses, previousCounts);
  std::size_t  i = 0;
  for (; i + Group <= count; i += Group)
  {
    Doubles shift[Vectors], mean[Vectors], m2[Vectors];
    Doubles countErrors{}; // sum of (count - n0)^2: 0 when every voxel took n0 values
    for (std::size_t k = 0; k < Vectors; ++k)
    {
      Doubles c;
      std::memcpy(&c, counts + i + Width * k, sizeof(Doubles));
      countErrors += (c - n0) * (c - n0);
      std::memcpy(&shift[k], shifts + i + Width * k, sizeof(Doubles));
      std::memcpy(&mean[k], means + i + Width * k, sizeof(Doubles));
      std::memcpy(&m2[k], m2s + i + Width * k, sizeof(Doubles));
    }
    if (LaneSum<Width>(countErrors) != 0.0)
    {
      return i;
    }
    for (std::size_t s = 0; s < steps; ++s)
    {
      const TValue * step = values + s * stride + i;
      // The next run's values of this step, each cache line of them (the traversal's next
      // run starts where this one ends): fetched while this run computes. A prefetch
      // never faults.
      for (std::size_t line = 0; line < Group * sizeof(TValue); line += 64)
      {
        __builtin_prefetch(
          reinterpret_cast<const void *>(reinterpret_cast<std::uintptr_t>(step) + count * sizeof(TValue) + line));
      }
      for (std::size_t k = 0; k < Vectors; ++k)
      {
        Doubles x;
        ToDoubles<TValue, Width>(step + Width * k, x);
        const Doubles delta = (x - shift[k]) - mean[k];
        const Doubles deltaN = delta * inverses[s];
        m2[k] += delta * deltaN * previousCounts[s];
        mean[k] += deltaN;
      }
    }
    Doubles nonFinite{}; // sum of mean - mean: NaN when any mean is not finite, else 0
    for (std::size_t k = 0; k < Vectors; ++k)
    {
      nonFinite += mean[k] - mean[k];
    }
    if (!(LaneSum<Width>(nonFinite) == 0.0))
    {
      return i;
    }
    const Doubles updated = Doubles{} + n;
    for (std::size_t k = 0; k < Vectors; ++k)
    {
      std::memcpy(means + i + Width * k, &mean[k], sizeof(Doubles));
      std::memcpy(m2s + i + Width * k, &m2[k], sizeof(Doubles));
      std::memcpy(counts + i + Width * k, &updated, sizeof(Doubles));
    }
  }
  for (; i < count; ++i) // the run's last voxels, one by one
  {
    double mean = means[i];
    double m2 = m2s[i];
    for (std::size_t s = 0; s < steps; ++s)
    {
      const double delta = (static_cast<double>(values[s * stride + i]) - shifts[i]) - mean;
      const double deltaN = delta * inverses[s];
      m2 += delta * deltaN * previousCounts[s];
      mean += deltaN;
    }
    if (counts[i] != n0 || !(mean - mean == 0.0))
    {
      return i;
    }
    means[i] = mean;
    m2s[i] = m2;
    counts[i] = n;
  }
  return count;
}

// The same for the pairs of SeriesComparisonArray while its voxels are in step: both
// series' shifted means and M2 and the co-moment C in registers across the steps, through
// the operations of the one-step kernel (PushUniform in src/CoMomentAccumulatorArray.cxx) in
// the same order: dx = (x - shiftX) - meanX, likewise dy, dxN = dx * (1 / n), dyN = dy *
// (1 / n), m2X += dx * dxN * (n - 1), m2Y += dy * dyN * (n - 1), c += dx * dyN * (n - 1),
// meanX += dxN, meanY += dyN. A group is stored only if its voxels had each taken n0 > 0
// pairs, none is detached, and all their new values were finite (both finished means are).
template <typename TValue, std::size_t Width, std::size_t Vectors>
VOXELKL_ALWAYS_INLINE std::size_t
                      PushPairSteps(const PairSteps<TValue> & in)
{
  using Doubles = Lanes<double, Width>;
  constexpr std::size_t Group = Width * Vectors;
  const auto [count, x, y, stride, steps, state, detached] = in;
  double * const __restrict counts = state[0];
  const double * const __restrict shiftsX = state[1];
  const double * const __restrict shiftsY = state[2];
  double * const __restrict meansX = state[3];
  double * const __restrict meansY = state[4];
  double * const __restrict m2X = state[5];
  double * const __restrict m2Y = state[6];
  double * const __restrict c = state[7];
  const double n0 = count > 0 ? counts[0] : 0.0;
  if (!(n0 > 0.0) || steps == 0 || steps > MaxUniformSteps)
  {
    return 0;
  }
  double       inverses[MaxUniformSteps];
  double       previousCounts[MaxUniformSteps];
  const double n = StepFactors(n0, steps, inverses, previousCounts);
  auto         load = [](const double * at, Doubles & into) { std::memcpy(&into, at, sizeof(Doubles)); };
  auto         store = [](double * at, const Doubles & from) { std::memcpy(at, &from, sizeof(Doubles)); };
  std::size_t  i = 0;
  for (; i + Group <= count; i += Group)
  {
    Doubles shiftX[Vectors], shiftY[Vectors], meanX[Vectors], meanY[Vectors], sX[Vectors], sY[Vectors], sXY[Vectors];
    Doubles notInStep{}; // sum of (count - n0)^2 and detached^2: 0 when every voxel is in step
    for (std::size_t k = 0; k < Vectors; ++k)
    {
      const std::size_t at = i + Width * k;
      Doubles           lanes;
      load(counts + at, lanes);
      notInStep += (lanes - n0) * (lanes - n0);
      load(detached + at, lanes);
      notInStep += lanes * lanes;
      load(shiftsX + at, shiftX[k]);
      load(shiftsY + at, shiftY[k]);
      load(meansX + at, meanX[k]);
      load(meansY + at, meanY[k]);
      load(m2X + at, sX[k]);
      load(m2Y + at, sY[k]);
      load(c + at, sXY[k]);
    }
    if (LaneSum<Width>(notInStep) != 0.0)
    {
      return i;
    }
    for (std::size_t s = 0; s < steps; ++s)
    {
      for (std::size_t k = 0; k < Vectors; ++k)
      {
        const std::size_t at = s * stride + i + Width * k;
        Doubles           xs, ys;
        ToDoubles<TValue, Width>(x + at, xs);
        ToDoubles<TValue, Width>(y + at, ys);
        const Doubles dx = (xs - shiftX[k]) - meanX[k];
        const Doubles dy = (ys - shiftY[k]) - meanY[k];
        const Doubles dxN = dx * inverses[s];
        const Doubles dyN = dy * inverses[s];
        sX[k] += dx * dxN * previousCounts[s];
        sY[k] += dy * dyN * previousCounts[s];
        sXY[k] += dx * dyN * previousCounts[s];
        meanX[k] += dxN;
        meanY[k] += dyN;
      }
    }
    Doubles nonFinite{}; // NaN when any mean is not finite, else 0 (as in PushSteps)
    for (std::size_t k = 0; k < Vectors; ++k)
    {
      nonFinite += (meanX[k] - meanX[k]) + (meanY[k] - meanY[k]);
    }
    if (!(LaneSum<Width>(nonFinite) == 0.0))
    {
      return i;
    }
    const Doubles updated = Doubles{} + n;
    for (std::size_t k = 0; k < Vectors; ++k)
    {
      const std::size_t at = i + Width * k;
      store(meansX + at, meanX[k]);
      store(meansY + at, meanY[k]);
      store(m2X + at, sX[k]);
      store(m2Y + at, sY[k]);
      store(c + at, sXY[k]);
      store(counts + at, updated);
    }
  }
  for (; i < count; ++i) // the run's last voxels, one by one
  {
    double meanXi = meansX[i], meanYi = meansY[i], m2Xi = m2X[i], m2Yi = m2Y[i], ci = c[i];
    for (std::size_t s = 0; s < steps; ++s)
    {
      const double dx = (static_cast<double>(x[s * stride + i]) - shiftsX[i]) - meanXi;
      const double dy = (static_cast<double>(y[s * stride + i]) - shiftsY[i]) - meanYi;
      const double dxN = dx * inverses[s];
      const double dyN = dy * inverses[s];
      m2Xi += dx * dxN * previousCounts[s];
      m2Yi += dy * dyN * previousCounts[s];
      ci += dx * dyN * previousCounts[s];
      meanXi += dxN;
      meanYi += dyN;
    }
    if (counts[i] != n0 || detached[i] != 0.0 || !(meanXi - meanXi == 0.0) || !(meanYi - meanYi == 0.0))
    {
      return i;
    }
    meansX[i] = meanXi;
    meansY[i] = meanYi;
    m2X[i] = m2Xi;
    m2Y[i] = m2Yi;
    c[i] = ci;
    counts[i] = n;
  }
  return count;
}

// Four vectors a group: four independent chains of mean updates hide the latency of the
// add-multiply-add each step waits for, and their state (12 registers) fits in the 16
// registers of SSE2 and AVX2.
template <typename TValue>
std::size_t
PortableSteps(std::size_t count, const TValue * values, std::size_t stride, std::size_t steps, double * state[5])
{
  return PushSteps<TValue, 2, 4>(count, values, stride, steps, state);
}
// Pairs: two vectors a group, seven state registers each.
template <typename TValue>
std::size_t
PortablePairSteps(const PairSteps<TValue> & in)
{
  return PushPairSteps<TValue, 2, 2>(in);
}

#if VOXELKL_WIDE_VARIANCE_KERNELS
template <typename TValue>
__attribute__((target("arch=x86-64-v3"))) std::size_t
Avx2Steps(std::size_t count, const TValue * values, std::size_t stride, std::size_t steps, double * state[5])
{
  return PushSteps<TValue, 4, 4>(count, values, stride, steps, state);
}

template <typename TValue>
__attribute__((target("arch=x86-64-v4"))) std::size_t
Avx512Steps(std::size_t count, const TValue * values, std::size_t stride, std::size_t steps, double * state[5])
{
  return PushSteps<TValue, 8, 4>(count, values, stride, steps, state);
}

template <typename TValue>
__attribute__((target("arch=x86-64-v3"))) std::size_t
Avx2PairSteps(const PairSteps<TValue> & in)
{
  return PushPairSteps<TValue, 4, 2>(in);
}

// Pairs with AVX-512: three vectors a group (21 of the 32 registers for the state). Each
// step's chain (subtract, multiply, add) is 9 cycles long; a third chain hid more of it,
// and the kernel took 8% less time than with two (the benchmark pair's tiles, one thread,
// AMD EPYC).
template <typename TValue>
__attribute__((target("arch=x86-64-v4"))) std::size_t
Avx512PairSteps(const PairSteps<TValue> & in)
{
  return PushPairSteps<TValue, 8, 3>(in);
}
#endif

UniformKernel
WidestKernel()
{
#if VOXELKL_WIDE_VARIANCE_KERNELS
  if (__builtin_cpu_supports("x86-64-v4"))
  {
    return UniformKernel::Avx512;
  }
  if (__builtin_cpu_supports("x86-64-v3"))
  {
    return UniformKernel::Avx2;
  }
#endif
  return UniformKernel::Portable;
}

std::atomic<UniformKernel> &
ChosenKernel()
{
  static std::atomic<UniformKernel> chosen{ WidestKernel() };
  return chosen;
}

template <typename TValue>
std::size_t
Steps(std::size_t count, const TValue * values, std::size_t stride, std::size_t steps, double * state[5])
{
  switch (ChosenKernel().load(std::memory_order_relaxed))
  {
#if VOXELKL_WIDE_VARIANCE_KERNELS
    case UniformKernel::Avx512:
      return Avx512Steps(count, values, stride, steps, state);
    case UniformKernel::Avx2:
      return Avx2Steps(count, values, stride, steps, state);
#endif
    default:
      return PortableSteps(count, values, stride, steps, state);
  }
}

template <typename TValue>
std::size_t
ChosenPairSteps(const PairSteps<TValue> & in)
{
  switch (ChosenKernel().load(std::memory_order_relaxed))
  {
#if VOXELKL_WIDE_VARIANCE_KERNELS
    case UniformKernel::Avx512:
      return Avx512PairSteps(in);
    case UniformKernel::Avx2:
      return Avx2PairSteps(in);
#endif
    default:
      return PortablePairSteps(in);
  }
}
} // namespace

bool
UniformKernelRuns(UniformKernel kernel)
{
  return static_cast<int>(kernel) <= static_cast<int>(WidestKernel());
}

void
UseUniformKernel(UniformKernel kernel)
{
  ChosenKernel() = UniformKernelRuns(kernel) ? kernel : WidestKernel();
}

std::size_t
PushVarianceTimePointsUniform(std::size_t   count,
                              const float * values,
                              std::size_t   stride,
                              std::size_t   steps,
                              double *      state[5])
{
  return Steps(count, values, stride, steps, state);
}

std::size_t
PushVarianceTimePointsUniform(std::size_t    count,
                              const double * values,
                              std::size_t    stride,
                              std::size_t    steps,
                              double *       state[5])
{
  return Steps(count, values, stride, steps, state);
}

template <typename T>
std::size_t
PushPairTimePointsInStep(const PairSteps<T> & in)
{
  return ChosenPairSteps(in);
}
template std::size_t
PushPairTimePointsInStep(const PairSteps<float> &);
template std::size_t
PushPairTimePointsInStep(const PairSteps<double> &);

} // namespace voxelkl::detail
