#include "voxelkl/SeriesInfo.h"

#include "RawDataSize.h"
#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/NiftiVolumeStream.h"
#include "voxelkl/PathText.h"

#include "itkImageIOBase.h"
#include "itkImageIOFactory.h"
#include "itkMetaDataObject.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace voxelkl
{
namespace
{

std::string
VoxelTypeName(itk::IOComponentEnum type)
{
  switch (type)
  {
    case itk::IOComponentEnum::UCHAR:
      return "uint8";
    case itk::IOComponentEnum::CHAR:
      return "int8";
    case itk::IOComponentEnum::USHORT:
      return "uint16";
    case itk::IOComponentEnum::SHORT:
      return "int16";
    case itk::IOComponentEnum::UINT:
      return "uint32";
    case itk::IOComponentEnum::INT:
      return "int32";
    case itk::IOComponentEnum::ULONG:
    case itk::IOComponentEnum::ULONGLONG:
      return "uint64";
    case itk::IOComponentEnum::LONG:
    case itk::IOComponentEnum::LONGLONG:
      return "int64";
    case itk::IOComponentEnum::FLOAT:
      return "float32";
    case itk::IOComponentEnum::DOUBLE:
      return "float64";
    default:
      return "unknown";
  }
}

bool
NeedsDouble(const std::string & voxelType)
{
  return voxelType == "float64" || voxelType == "int32" || voxelType == "uint32" || voxelType == "int64" ||
         voxelType == "uint64";
}

std::string
FormatName(const itk::ImageIOBase & io)
{
  const std::string name = io.GetNameOfClass();
  if (name == "NiftiImageIO")
  {
    return "NIfTI";
  }
  if (name == "NrrdImageIO")
  {
    return "NRRD";
  }
  if (name == "MetaImageIO")
  {
    return "MetaImage";
  }
  return name;
}

struct Header
{
  itk::ImageIOBase::Pointer io;
  std::vector<std::size_t>  size;
  std::size_t               frames{ 0 }; ///< > 0: a 4D NRRD whose frames ITK reads as components
};

// The `kinds:` field of a NRRD header (.nrrd or detached .nhdr), lowercase; empty when the
// file is no NRRD or has none. The header is text up to the first empty line.
std::vector<std::string>
NrrdKinds(const std::string & file)
{
  std::ifstream stream(file, std::ios::binary);
  std::string   line;
  if (!std::getline(stream, line) || line.rfind("NRRD", 0) != 0)
  {
    return {};
  }
  for (std::size_t lines = 0; lines < 10000 && std::getline(stream, line); ++lines)
  {
    if (!line.empty() && line.back() == '\r')
    {
      line.pop_back();
    }
    if (line.empty())
    {
      break; // the data follow
    }
    if (line.rfind("kinds:", 0) == 0)
    {
      std::istringstream       words(line.substr(6));
      std::vector<std::string> kinds;
      for (std::string kind; words >> kind;)
      {
        kinds.push_back(Lowercase(kind));
      }
      return kinds;
    }
  }
  return {};
}

std::string
MetaDataText(const itk::ImageIOBase & io, const std::string & key)
{
  std::string value;
  itk::ExposeMetaData<std::string>(io.GetMetaDataDictionary(), key, value);
  return value;
}

// How 3D Slicer writes a 4D volume (notes: slicer-cli.md, section 7): a NRRD with three
// domain axes and one axis of frames, last for a volume sequence (`kinds: domain domain
// domain list`), first for a MultiVolume (`kinds: list domain domain domain`, where 2, 3 or
// 4 frames get the kind complex, RGB-color or RGBA-color, and the header says
// MultiVolume.NumberOfFrames). ITK's NrrdImageIO reads either as a 3D image whose voxels
// have one component per frame. Returns "" when file is such a series, else why not.
std::string
FramesProblem(const std::string & file, const itk::ImageIOBase & io)
{
  if (std::string(io.GetNameOfClass()) != "NrrdImageIO")
  {
    return "not a NRRD file";
  }
  if (io.GetNumberOfDimensions() != 3)
  {
    return "not 3 spatial axes";
  }
  std::vector<std::string> frameKinds;
  for (const auto & kind : NrrdKinds(file))
  {
    if (kind != "domain" && kind != "space" && kind != "time")
    {
      frameKinds.push_back(kind);
    }
  }
  if (frameKinds.size() != 1)
  {
    return "no single non-spatial axis in its 'kinds'";
  }
  if (frameKinds.front() == "list")
  {
    return "";
  }
  const std::string frames = MetaDataText(io, "MultiVolume.NumberOfFrames");
  if (!frames.empty() && frames == std::to_string(io.GetNumberOfComponents()))
  {
    return "";
  }
  return "its non-spatial axis has the kind '" + frameKinds.front() + "', not 'list'";
}

// An uncompressed NIfTI must hold the voxels its header describes (ITK's reader fills what
// is missing with garbage). A .nii.gz is checked as it is inflated, to its CRC and length.
void
CheckNiftiSize(const std::string & file, const NiftiVolumeStream & stream)
{
  if (!EndsWith(Lowercase(file), ".nii"))
  {
    return;
  }
  const std::uintmax_t expected = stream.DataOffset() + static_cast<std::uintmax_t>(stream.VoxelsPerVolume()) *
                                                          stream.VolumeCount() * stream.BytesPerVoxel();
  std::error_code      error;
  const std::uintmax_t actual = std::filesystem::file_size(file, error);
  if (!error && actual < expected)
  {
    throw InputError(file,
                     "truncated: the header describes at least " + std::to_string(expected) + " bytes, the file has " +
                       std::to_string(actual));
  }
}

// The other file of a NIfTI/Analyze pair: x.hdr <-> x.img (x.hdr.gz <-> x.img.gz), in the
// name's own case. Empty for any other name.
std::string
PairSibling(const std::string & file)
{
  const std::string name = Lowercase(file);
  const std::size_t gz = EndsWith(name, ".gz") ? 3 : 0;
  const std::string stem = name.substr(0, name.size() - gz);
  if (!EndsWith(stem, ".hdr") && !EndsWith(stem, ".img"))
  {
    return "";
  }
  std::string sibling = file;
  for (std::size_t i = stem.size() - 3; i < stem.size(); ++i)
  {
    const bool upper = std::isupper(static_cast<unsigned char>(sibling[i])) != 0;
    const char swapped = std::string("hdrimg")[(std::string("hdrimg").find(name[i]) + 3) % 6];
    sibling[i] = upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(swapped))) : swapped;
  }
  return sibling;
}

// NIfTI pairs (and Analyze 7.5) would go to niftilib, which VoxelKL keeps away from every
// NIfTI byte (it reads what our reader refuses and fails without naming the file that is
// missing): they are refused, naming the missing half when one is.
void
RefuseNiftiPair(const std::string & file)
{
  const std::string sibling = PairSibling(file);
  if (sibling.empty())
  {
    return;
  }
  std::error_code error;
  const bool      hasSibling = std::filesystem::exists(sibling, error);
  throw InputError(file,
                   std::string("NIfTI pairs (.hdr/.img) are not read") +
                     (hasSibling ? "" : ", and its other half " + sibling + " does not exist") +
                     ": convert the pair to one .nii or .nii.gz file (e.g. nibabel.save(nibabel.load(\"x.hdr\"), "
                     "\"x.nii.gz\"))");
}

// The header as ITK's ImageIO reads it, with the checks that ask the ImageIO (any of
// them may throw itk::ExceptionObject: MetaIO's component size of an unknown type, say).
Header
ReadItkHeader(const std::string & file, bool allowFrames)
{
  Header header;
  header.io = itk::ImageIOFactory::CreateImageIO(file.c_str(), itk::CommonEnums::IOFileMode::ReadMode);
  if (header.io.IsNull())
  {
    throw InputError(file, "not an image ITK can read (expected NIfTI .nii/.nii.gz, NRRD or MetaImage)");
  }
  header.io->SetFileName(file);
  header.io->ReadImageInformation();
  const unsigned int components = header.io->GetNumberOfComponents();
  if (components != 1)
  {
    const std::string problem = FramesProblem(file, *header.io);
    if (!allowFrames || !problem.empty())
    {
      std::string message = "has " + std::to_string(components) + " components per voxel; expected scalar voxels";
      if (allowFrames && std::string(header.io->GetNameOfClass()) == "NrrdImageIO")
      {
        message +=
          " (a 4D NRRD must hold its frames on one axis of kind 'list', as 3D Slicer writes it: " + problem + ")";
      }
      throw InputError(file, message);
    }
    header.frames = components;
  }
  CheckRawDataSize(file, *header.io);
  for (unsigned int i = 0; i < header.io->GetNumberOfDimensions(); ++i)
  {
    header.size.push_back(header.io->GetDimensions(i));
  }
  return header;
}

// Opens the header of any image ITK can read; throws InputError otherwise, on one line
// naming the file. With allowFrames, a 4D NRRD as 3D Slicer writes it (FramesProblem) is
// accepted and its frames counted; every other image must have scalar voxels.
Header
ReadHeader(const std::string & file, bool allowFrames = false)
{
  std::error_code error;
  if (!std::filesystem::exists(file, error))
  {
    throw InputError(file, "no such file");
  }
  if (std::filesystem::is_directory(file, error))
  {
    throw InputError(file, "is a directory, not an image file");
  }
  RefuseNiftiPair(file);
  // A NIfTI name is read by VoxelKL's reader or refused with its reason: niftilib, behind
  // ITK's IO, reads a vox_offset below 352 as 352, turns NaN into 0, takes the voxels of an
  // x.nii beside x.nii.gz, and aborts or hangs on a non-finite or huge sform.
  if (NiftiVolumeStream::HasNiftiName(file))
  {
    const NiftiVolumeStream stream(file); // throws "invalid NIfTI header: ..." and the like
    CheckNiftiSize(file, stream);
  }
  // ITK's MetaIO loops forever on some headers (NDims -4, found by the series fuzzer):
  // the fields it trusts are checked here first.
  CheckMetaImageHeader(file);
  CheckNrrdHeader(file);
  Header header;
  try
  {
    header = ReadItkHeader(file, allowFrames);
  }
  catch (const itk::ExceptionObject & e)
  {
    if (NiftiVolumeStream::HasNiftiName(file))
    {
      // niftilib fails on a small .nii.gz with a bad CRC or cut short without the reason;
      // our reader names it.
      NiftiVolumeStream::Verify(file);
    }
    throw InputError(file, std::string("cannot read the header: ") + ItkErrorText(e.GetDescription()));
  }
  // Trailing axes of length 1 (e.g. a 3D volume stored with dim[4] = 1) carry nothing.
  while (header.size.size() > 3 && header.size.back() == 1)
  {
    header.size.pop_back();
  }
  if (header.size.size() < 3)
  {
    throw InputError(file, "is a " + std::to_string(header.size.size()) + "D image; expected 3D volumes or 4D series");
  }
  return header;
}

SpatialGrid
GridOf(const Header & header)
{
  const itk::ImageIOBase & io = *header.io;
  SpatialGrid              grid;
  for (unsigned int i = 0; i < 3; ++i)
  {
    grid.size[i] = header.size[i];
    grid.spacing[i] = io.GetSpacing(i);
    grid.origin[i] = io.GetOrigin(i);
    const auto column = io.GetDirection(i); // direction of axis i
    for (unsigned int j = 0; j < 3; ++j)
    {
      grid.direction[j * 3 + i] = j < column.size() ? column[j] : (i == j ? 1.0 : 0.0);
    }
  }
  return grid;
}

} // namespace

std::string
ToString(RunsHandling runs)
{
  return runs == RunsHandling::Demean ? "demean" : "concatenate";
}

RunsHandling
ParseRunsHandling(const std::string & text)
{
  if (text == "concatenate")
  {
    return RunsHandling::Concatenate;
  }
  if (text == "demean")
  {
    return RunsHandling::Demean;
  }
  throw UsageError("--runs must be concatenate or demean, not " + text);
}

std::string
SeriesInfo::Name() const
{
  if (files.size() == 1)
  {
    return files.front();
  }
  return files.front() + " ... " + files.back() + " (" + std::to_string(files.size()) +
         (runs.empty() ? " volumes)" : " runs)");
}

namespace
{

// Several 4D files: runs of one series, each described on its own, on one grid.
SeriesInfo
InspectRuns(const std::vector<std::string> & files)
{
  SeriesInfo info;
  info.files = files;
  for (const auto & file : files)
  {
    SeriesInfo run = InspectSeries({ file });
    if (!info.runs.empty())
    {
      RequireSameGrid(files.front(), info.grid, file, run.grid);
      if (run.voxelType != info.voxelType)
      {
        info.voxelType += "," + run.voxelType;
      }
      if (run.format != info.format)
      {
        info.format += "," + run.format;
      }
    }
    else
    {
      info.grid = run.grid;
      info.voxelType = run.voxelType;
      info.format = run.format;
    }
    info.timePoints += run.timePoints;
    info.scaled = info.scaled || run.scaled;
    info.quantisationStep = std::max(info.quantisationStep, run.quantisationStep);
    info.needsDouble = info.needsDouble || run.needsDouble;
    info.compressed = info.compressed || run.compressed;
    // One repetition time for the series when every run has the same; else 0 (none).
    info.timeStep = info.runs.empty() || run.timeStep == info.timeStep ? run.timeStep : 0.0;
    info.runs.push_back(std::move(run));
  }
  return info;
}

} // namespace

SeriesInfo
InspectSeries(const std::vector<std::string> & files)
{
  if (files.empty())
  {
    throw UsageError("no input series given");
  }
  SeriesInfo info;
  info.files = files;
  info.isVolumeList = files.size() > 1;
  const Header first = ReadHeader(files.front(), true);
  if (info.isVolumeList && (first.size.size() > 3 || first.frames > 0))
  {
    return InspectRuns(files); // several 4D files
  }

  info.grid = GridOf(first);
  info.voxelType = VoxelTypeName(first.io->GetComponentType());
  info.format = FormatName(*first.io);
  info.compressed = EndsWith(files.front(), ".gz") || EndsWith(files.front(), ".gzip");
  if (first.frames > 0)
  {
    info.timePoints = first.frames;
    info.framesAsComponents = true;
  }
  else if (!info.isVolumeList)
  {
    if (first.size.size() == 3)
    {
      throw InputError(files.front(),
                       "is a 3D image; expected a 4D series (for a list of 3D volumes, give each one, in time order)");
    }
    if (first.size.size() > 4)
    {
      throw InputError(files.front(), "is a " + std::to_string(first.size.size()) + "D image; expected a 4D series");
    }
    info.timePoints = first.size[3];
    const double spacing = first.io->GetSpacing(3); // NRRD, MetaImage: no units; seconds
    info.timeStep = std::isfinite(spacing) && spacing > 0.0 ? spacing : 0.0;
  }
  else
  {
    for (const auto & file : files)
    {
      const Header header = file == files.front() ? first : ReadHeader(file);
      if (header.size.size() != 3)
      {
        throw InputError(file,
                         "is a " + std::to_string(header.size.size()) +
                           "D image; a list of volumes must hold one 3D volume per file (several 4D runs must all be "
                           "4D)");
      }
      RequireSameGrid(files.front(), info.grid, file, GridOf(header));
    }
    info.timePoints = files.size();
  }
  if (NiftiVolumeStream::HasNiftiName(files.front()))
  {
    // ITK reports a scaled NIfTI as float; report what is stored.
    const NiftiVolumeStream stream(files.front());
    info.voxelType = stream.VoxelTypeName();
    info.scaled = stream.IsScaled();
    info.quantisationStep = std::fabs(stream.Slope());
    info.timeStep = info.isVolumeList ? 0.0 : stream.TimeStep();
  }
  const bool integer = info.voxelType.rfind("int", 0) == 0 || info.voxelType.rfind("uint", 0) == 0;
  if (!integer)
  {
    info.quantisationStep = 0.0;
  }
  else if (!(info.quantisationStep > 0.0))
  {
    info.quantisationStep = 1.0;
  }
  info.needsDouble = NeedsDouble(info.voxelType) && !info.scaled;
  if (info.scaled && info.voxelType == "float64")
  {
    info.needsDouble = true;
  }
  return info;
}

SpatialGrid
InspectVolume(const std::string & file)
{
  const Header header = ReadHeader(file);
  if (header.size.size() != 3)
  {
    throw InputError(file, "is a " + std::to_string(header.size.size()) + "D image; expected a 3D volume");
  }
  return GridOf(header);
}

} // namespace voxelkl
