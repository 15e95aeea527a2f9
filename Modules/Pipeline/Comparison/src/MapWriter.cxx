#include "voxelkl/MapWriter.h"

#include "voxelkl/Errors.h"

#include "itkImageFileWriter.h"
#include "itkImageIOFactory.h"

#include <libdeflate.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

namespace voxelkl
{
namespace
{

bool
EndsWith(const std::string & text, const std::string & suffix)
{
  return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void
WriteWithItk(const itk::Image<float, 3> * image, const std::string & path, bool compress)
{
  auto writer = itk::ImageFileWriter<itk::Image<float, 3>>::New();
  writer->SetInput(image);
  writer->SetFileName(path);
  writer->SetUseCompression(compress);
  writer->Update();
}

// gzip of `from` into `to`, with libdeflate: ITK 5.2's NIfTI writer deflates with zlib at
// its default level, and even zlib's fastest level takes twice libdeflate's time on a map
// for a larger file. A .nii.gz is the gzip of the .nii, so any NIfTI reader reads the result.
void
Gzip(const std::string & from, const std::string & to)
{
  std::ifstream     input(from, std::ios::binary | std::ios::ate);
  std::vector<char> data(input ? static_cast<std::size_t>(input.tellg()) : 0);
  if (!input || !input.seekg(0) || !input.read(data.data(), static_cast<std::streamsize>(data.size())))
  {
    throw std::runtime_error("cannot read " + from);
  }
  const std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
    libdeflate_alloc_compressor(1), &libdeflate_free_compressor);
  if (!compressor)
  {
    throw std::runtime_error("out of memory");
  }
  std::vector<char> compressed(libdeflate_gzip_compress_bound(compressor.get(), data.size()));
  const std::size_t size =
    libdeflate_gzip_compress(compressor.get(), data.data(), data.size(), compressed.data(), compressed.size());
  std::ofstream output(to, std::ios::binary);
  if (size == 0 || !output.write(compressed.data(), static_cast<std::streamsize>(size)) || !output.flush())
  {
    throw std::runtime_error("cannot write " + to);
  }
}

} // namespace

bool
CanWriteImage(const std::string & path)
{
  return itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::CommonEnums::IOFileMode::WriteMode).IsNotNull();
}

void
WriteMap(const itk::Image<float, 3> * image, const std::string & path, const std::string & displayName)
{
  try
  {
    if (EndsWith(path, ".nii.gz"))
    {
      const std::string uncompressed = path.substr(0, path.size() - 3); // the staged name without .gz
      struct RemoveOnExit
      {
        const std::string & file;
        ~RemoveOnExit() { std::remove(file.c_str()); }
      } intermediate{ uncompressed };
      WriteWithItk(image, uncompressed, false);
      Gzip(uncompressed, path);
      return;
    }
    // Maps are small: compress where the format's readers all understand it.
    WriteWithItk(image, path, EndsWith(path, ".gz") || EndsWith(path, ".nrrd"));
  }
  catch (const itk::ExceptionObject & e)
  {
    throw InputError(displayName, std::string("cannot be written: ") + e.GetDescription());
  }
  catch (const std::runtime_error & e)
  {
    throw InputError(displayName, std::string("cannot be written: ") + e.what());
  }
}

} // namespace voxelkl
