// Byte swapping and conversion loops over a chunk of voxels (private to the module).
// Simple indexed loops on plain arrays, so that the compiler vectorises them; the type
// dispatch happens once per chunk, outside them.
#ifndef voxelkl_NiftiVoxelKernels_h
#define voxelkl_NiftiVoxelKernels_h

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace voxelkl
{
namespace detail
{

template <std::size_t Bytes>
struct UnsignedOfSize;
template <>
struct UnsignedOfSize<1>
{
  using Type = std::uint8_t;
};
template <>
struct UnsignedOfSize<2>
{
  using Type = std::uint16_t;
};
template <>
struct UnsignedOfSize<4>
{
  using Type = std::uint32_t;
};
template <>
struct UnsignedOfSize<8>
{
  using Type = std::uint64_t;
};

inline std::uint8_t
ByteSwap(std::uint8_t v)
{
  return v;
}
inline std::uint16_t
ByteSwap(std::uint16_t v)
{
  return __builtin_bswap16(v);
}
inline std::uint32_t
ByteSwap(std::uint32_t v)
{
  return __builtin_bswap32(v);
}
inline std::uint64_t
ByteSwap(std::uint64_t v)
{
  return __builtin_bswap64(v);
}

/** v with its bytes reversed, for any arithmetic type (header fields). */
template <typename V>
V
Swapped(V v)
{
  using U = typename UnsignedOfSize<sizeof(V)>::Type;
  U bits;
  std::memcpy(&bits, &v, sizeof(V));
  bits = ByteSwap(bits);
  std::memcpy(&v, &bits, sizeof(V));
  return v;
}

/** Reverses the bytes of each of n voxels of sizeof(V) bytes, in place. */
template <typename V>
void
SwapVoxels(V * voxels, std::size_t n)
{
  using U = typename UnsignedOfSize<sizeof(V)>::Type;
  if constexpr (sizeof(V) > 1)
  {
    // Through the unsigned type of the same size: memcpy of whole voxels, which GCC turns
    // into plain loads and stores, keeps a swapped float from ever being a float value.
    auto * bytes = reinterpret_cast<unsigned char *>(voxels);
    for (std::size_t i = 0; i < n; ++i)
    {
      U bits;
      std::memcpy(&bits, bytes + i * sizeof(U), sizeof(U));
      bits = ByteSwap(bits);
      std::memcpy(bytes + i * sizeof(U), &bits, sizeof(U));
    }
  }
  else
  {
    (void)voxels;
    (void)n;
  }
}

/** out[i] = T(in[i]): ImageFileReader's static_cast when no scaling applies. */
template <typename V, typename T>
void
CastVoxels(const V * __restrict in, std::size_t n, T * __restrict out)
{
  for (std::size_t i = 0; i < n; ++i)
  {
    out[i] = static_cast<T>(in[i]);
  }
}

/** ITK 5.2 NiftiImageIO::Read with MustRescale(): integer voxels are first cast to float
 * (CastCopy), every type but double is then rescaled in double and stored back as float
 * (RescaleFunction<float>), double stays double; ImageFileReader then casts to T.
 * in and out may be the same array (V == T). */
template <typename V, typename T>
void
ScaleVoxels(const V * in, std::size_t n, double slope, double intercept, T * out)
{
  for (std::size_t i = 0; i < n; ++i)
  {
    if constexpr (std::is_same_v<V, double>)
    {
      double value = in[i] * slope;
      value += intercept;
      out[i] = static_cast<T>(value);
    }
    else
    {
      double value = static_cast<double>(static_cast<float>(in[i])) * slope;
      value += intercept;
      out[i] = static_cast<T>(static_cast<float>(value));
    }
  }
}

} // namespace detail
} // namespace voxelkl

#endif
