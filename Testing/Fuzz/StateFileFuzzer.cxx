// libFuzzer target: the state file reader (ReadStateFile: magic, version, sizes, checksum,
// the JSON header and every field, the mask and the payload) and the merge check between
// the input and a valid state. A mutated file nearly always fails its CRC-64 first, so each
// input is also read with its checksum recomputed: the fields behind the checksum are what
// a damaged-but-resealed (or hand-made) file reaches.
#include "FuzzSupport.h"
#include "voxelkl/StateFile.h"

#include <isa-l/crc64.h>

#include <cstring>
#include <vector>

namespace
{

void
Read(const std::string & path)
{
  voxelkl::StateFile   file = voxelkl::ReadStateFile(path);
  voxelkl::StateHeader other = file.header;
  voxelkl::RequireMergeable(path, file.header, path, other);
  voxelkl::MeasureState copy = file.state;
  copy.Merge(file.state.WithoutPairs().Kind() == copy.Kind() ? file.state : copy);
}

} // namespace

extern "C" int
LLVMFuzzerTestOneInput(const std::uint8_t * data, std::size_t size)
{
  const std::string raw = voxelkl::fuzz::WriteInput(data, size, "state.vkls");
  voxelkl::fuzz::Expected([&] { Read(raw); });
  if (size >= 32)
  {
    std::vector<std::uint8_t> sealed(data, data + size);
    const std::uint64_t       crc = crc64_ecma_refl(0, sealed.data(), size - 8);
    std::memcpy(sealed.data() + size - 8, &crc, 8);
    const std::string path = voxelkl::fuzz::WriteInput(sealed.data(), size, "sealed.vkls");
    voxelkl::fuzz::Expected([&] { Read(path); });
  }
  return 0;
}
