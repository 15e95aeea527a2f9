#include "voxelkl/MapWriter.h"

#include "voxelkl/Errors.h"

#include "itkImageFileWriter.h"
#include "itkImageIOFactory.h"

#include <zlib.h>

#include <cstdio>
#include <fstream>
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

// gzip of `from` into `to` at level 1: ITK 5.2's NIfTI writer ignores the compression level
// and deflates at zlib's default, three times slower on float maps for a file ~5% smaller.
// A .nii.gz is the gzip of the .nii, so any NIfTI reader reads the result.
void
Gzip(const std::string & from, const std::string & to)
{
  std::ifstream input(from, std::ios::binary);
  gzFile        output = gzopen(to.c_str(), "wb1");
  if (!input || output == nullptr)
  {
    if (output != nullptr)
    {
      gzclose(output);
    }
    throw std::runtime_error("cannot open " + (input ? to : from));
  }
  std::vector<char> buffer(1 << 20);
  bool              ok = true;
  while (ok && input)
  {
    input.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<unsigned>(input.gcount());
    ok = got == 0 || gzwrite(output, buffer.data(), got) == static_cast<int>(got);
  }
  ok = (gzclose(output) == Z_OK) && ok;
  if (!ok)
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
