// VoxelKL state files (.vkls): the per-voxel accumulators of a mergeable measure, so that
// runs, subjects or whole sites computed apart can be merged into the maps of all samples.
//
// Layout (little-endian), version 1:
//   bytes 0-7    magic: 0x89 'V' 'K' 'L' 'S' '\r' '\n' 0x1a (binary, and caught by text-mode
//                transfers, as PNG's)
//   u32          format version (1)
//   u32          H, the bytes of the JSON header
//   u64          P, the bytes of the payload
//   H bytes      JSON header: measure kind, field names, grid, stored voxels, mask digest,
//                options that must agree for a merge, inputs (provenance), software
//   P bytes      payload: the mask (one byte per grid voxel, 0 or 1) when the state is
//                masked, then each field's float64 values over the stored voxels (the mask's
//                voxels in grid order, else every voxel)
//   u64          CRC-64/XZ (ECMA-182, reflected; ISA-L crc64_ecma_refl) of every byte above
#ifndef voxelkl_StateFile_h
#define voxelkl_StateFile_h

#include "voxelkl/MeasureState.h"
#include "voxelkl/SpatialGrid.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace voxelkl
{

constexpr std::uint32_t StateFormatVersion = 1;

/** Everything a state file says besides the accumulators. */
struct StateHeader
{
  StateKind                  kind{ StateKind::Comparison };
  SpatialGrid                grid;
  std::vector<unsigned char> inside; ///< one flag per grid voxel; empty: every voxel stored
  /** What decides the maps besides the samples, which states must share to be merged
   * (direction, variance floor, runs handling): compared as JSON values. */
  nlohmann::json options = nlohmann::json::object();
  /** Provenance: the series a state was computed from, or the states a merge combined. */
  nlohmann::json inputs = nlohmann::json::object();
  std::string    software;
};

struct StateFile
{
  StateHeader  header;
  MeasureState state; ///< over the whole grid (zero accumulators outside the mask)
};

/** A digest of a mask ("crc64:" and 16 hex digits; "none" without a mask). */
std::string
MaskDigest(const std::vector<unsigned char> & inside);

/** Writes state (header.kind, over the whole grid) to path, storing the mask's voxels only.
 * displayName names the file in errors (path may be a staged temporary). */
void
WriteStateFile(const std::string &  path,
               const std::string &  displayName,
               const StateHeader &  header,
               const MeasureState & state);

/** Reads a state file, checking its magic number, version, sizes, checksum and every header
 * field; InputError naming path and the field otherwise (a truncated, corrupt or foreign
 * file, or a version this build does not read). */
StateFile
ReadStateFile(const std::string & path);

/** Throws InputError naming both files and the first field that differs unless a state
 * like b can be merged into one like a: same measure (a paired and an unpaired comparison
 * merge as unpaired: the caller drops the pairs), grid, mask and options. */
void
RequireMergeable(const std::string & fileA, const StateHeader & a, const std::string & fileB, const StateHeader & b);

} // namespace voxelkl

#endif
