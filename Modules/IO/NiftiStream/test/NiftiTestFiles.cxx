#include "NiftiTestFiles.h"

#include "nifti1.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace voxelkl
{
namespace test
{

TempDirectory::TempDirectory()
{
  std::string pattern = (std::filesystem::temp_directory_path() / "voxelkl-nifti-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr)
  {
    throw std::runtime_error("cannot create a temporary directory");
  }
  m_Path = pattern;
}

TempDirectory::~TempDirectory()
{
  std::error_code ignored;
  std::filesystem::remove_all(m_Path, ignored);
}

std::string
TempDirectory::File(const std::string & name) const
{
  return m_Path + "/" + name;
}

std::vector<unsigned char>
ReadBytes(const std::string & path)
{
  std::ifstream in(path, std::ios::binary);
  return std::vector<unsigned char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void
WriteBytes(const std::string & path, const std::vector<unsigned char> & bytes)
{
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out)
  {
    throw std::runtime_error("cannot write " + path);
  }
}

void
WriteGzip(const std::string & path, const std::vector<unsigned char> & bytes)
{
  gzFile file = gzopen(path.c_str(), "wb");
  if (file == nullptr ||
      gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) != static_cast<int>(bytes.size()))
  {
    throw std::runtime_error("cannot gzip " + path);
  }
  gzclose(file);
}

void
PatchFloat(std::vector<unsigned char> & bytes, std::size_t offset, float value)
{
  std::memcpy(bytes.data() + offset, &value, sizeof(value));
}

void
PatchShort(std::vector<unsigned char> & bytes, std::size_t offset, short value)
{
  std::memcpy(bytes.data() + offset, &value, sizeof(value));
}

namespace
{
void
SwapRun(unsigned char * p, std::size_t count, std::size_t size)
{
  for (std::size_t i = 0; i < count; ++i, p += size)
  {
    std::reverse(p, p + size);
  }
}
} // namespace

std::vector<unsigned char>
ByteSwappedNifti(const std::vector<unsigned char> & nii, std::size_t bytesPerVoxel)
{
  std::vector<unsigned char> out = nii;
  nifti_1_header             h;
  std::memcpy(&h, nii.data(), sizeof(h));
  unsigned char * base = out.data();
  // Field offsets from the struct itself, so that none is missed or mistyped.
  const auto at = [&h](const void * field) {
    return static_cast<std::size_t>(static_cast<const unsigned char *>(field) -
                                    reinterpret_cast<const unsigned char *>(&h));
  };
  const auto run = [&](const void * field, std::size_t count, std::size_t size) {
    SwapRun(base + at(field), count, size);
  };
  run(&h.sizeof_hdr, 1, 4);
  run(&h.extents, 1, 4);
  run(&h.session_error, 1, 2);
  run(h.dim, 8, 2);
  run(&h.intent_p1, 3, 4);   // intent_p1..p3
  run(&h.intent_code, 4, 2); // intent_code, datatype, bitpix, slice_start
  run(h.pixdim, 8, 4);
  run(&h.vox_offset, 3, 4); // vox_offset, scl_slope, scl_inter
  run(&h.slice_end, 1, 2);
  run(&h.cal_max, 4, 4); // cal_max, cal_min, slice_duration, toffset
  run(&h.glmax, 2, 4);
  run(&h.qform_code, 2, 2);
  run(&h.quatern_b, 6 + 12, 4); // quaternion, offsets and the three srow rows
  const std::size_t data = static_cast<std::size_t>(h.vox_offset);
  SwapRun(base + data, (out.size() - data) / bytesPerVoxel, bytesPerVoxel);
  return out;
}

} // namespace test
} // namespace voxelkl
