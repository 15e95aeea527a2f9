#include "voxelkl/StateFile.h"

#include "voxelkl/Errors.h"
#include "voxelkl/OutputTransaction.h"

#include <isa-l/crc64.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

namespace voxelkl
{
namespace
{

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "state files are written in the host's (little-endian) order");

constexpr std::array<unsigned char, 8> Magic{ 0x89, 'V', 'K', 'L', 'S', '\r', '\n', 0x1a };
constexpr std::size_t                  PrefixBytes = 8 + 4 + 4 + 8;
constexpr std::size_t                  ChecksumBytes = 8;
// The header holds the provenance of every state merged into it: thousands of entries fit.
constexpr std::uint32_t MaximumHeaderBytes = 64u << 20;
constexpr const char *  FormatName = "VoxelKL state";

std::uint64_t
Crc(std::uint64_t crc, const void * data, std::size_t size)
{
  return crc64_ecma_refl(crc, static_cast<const unsigned char *>(data), size);
}

std::string
Hex(std::uint64_t value)
{
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

template <typename T>
void
Put(std::vector<unsigned char> & bytes, T value)
{
  unsigned char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

template <typename T>
T
Get(const unsigned char * bytes)
{
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

std::size_t
StoredVoxels(const StateHeader & header)
{
  if (header.inside.empty())
  {
    return header.grid.VoxelCount();
  }
  return static_cast<std::size_t>(
    std::count_if(header.inside.begin(), header.inside.end(), [](unsigned char f) { return f != 0; }));
}

std::optional<StateKind>
ParseKind(const std::string & name)
{
  for (StateKind kind : { StateKind::Comparison, StateKind::PairedComparison, StateKind::Moments })
  {
    if (name == ToString(kind))
    {
      return kind;
    }
  }
  return std::nullopt;
}

// The header's fields, each checked, naming the field in the error.
class HeaderFields
{
public:
  HeaderFields(const std::string & file, const nlohmann::json & document)
    : m_File(file)
    , m_Document(document)
  {
    if (!m_Document.is_object())
    {
      throw InputError(m_File, "invalid VoxelKL state: the header is not a JSON object");
    }
  }

  const nlohmann::json &
  At(const std::string & key) const
  {
    const auto found = m_Document.find(key);
    if (found == m_Document.end())
    {
      throw Invalid("the header has no field '" + key + "'");
    }
    return *found;
  }
  std::string
  String(const std::string & key) const
  {
    const nlohmann::json & value = At(key);
    if (!value.is_string())
    {
      throw Invalid("header field '" + key + "' is not a string");
    }
    return value.get<std::string>();
  }
  std::uint64_t
  Count(const std::string & key) const
  {
    const nlohmann::json & value = At(key);
    if (!value.is_number_unsigned())
    {
      throw Invalid("header field '" + key + "' is not a count");
    }
    return value.get<std::uint64_t>();
  }
  template <std::size_t N>
  std::array<double, N>
  Numbers(const nlohmann::json & object, const std::string & key) const
  {
    const auto found = object.find(key);
    if (found == object.end() || !found->is_array() || found->size() != N)
    {
      throw Invalid("header field 'grid." + key + "' is not " + std::to_string(N) + " numbers");
    }
    std::array<double, N> values{};
    for (std::size_t i = 0; i < N; ++i)
    {
      if (!(*found)[i].is_number() || !std::isfinite((*found)[i].get<double>()))
      {
        throw Invalid("header field 'grid." + key + "' holds a value that is not a finite number");
      }
      values[i] = (*found)[i].get<double>();
    }
    return values;
  }
  InputError
  Invalid(const std::string & problem) const
  {
    return InputError(m_File, "invalid VoxelKL state: " + problem);
  }

private:
  std::string            m_File;
  const nlohmann::json & m_Document;
};

nlohmann::json
GridToJson(const SpatialGrid & grid)
{
  return {
    { "size", grid.size }, { "spacing", grid.spacing }, { "origin", grid.origin }, { "direction", grid.direction }
  };
}

SpatialGrid
GridFromJson(const HeaderFields & fields)
{
  const nlohmann::json & grid = fields.At("grid");
  if (!grid.is_object())
  {
    throw fields.Invalid("header field 'grid' is not an object");
  }
  SpatialGrid result;
  const auto  size = fields.Numbers<3>(grid, "size");
  double      voxels = 1.0;
  for (std::size_t i = 0; i < 3; ++i)
  {
    if (size[i] < 1 || size[i] != std::floor(size[i]) || size[i] > 1e6)
    {
      throw fields.Invalid("header field 'grid.size' holds " + nlohmann::json(size[i]).dump() +
                           ", not a size from 1 to 1000000");
    }
    result.size[i] = static_cast<std::size_t>(size[i]);
    voxels *= size[i];
  }
  if (voxels > 4e9)
  {
    throw fields.Invalid("header field 'grid.size' describes more than 4e9 voxels");
  }
  result.spacing = fields.Numbers<3>(grid, "spacing");
  if (std::any_of(result.spacing.begin(), result.spacing.end(), [](double s) { return !(s > 0.0); }))
  {
    throw fields.Invalid("header field 'grid.spacing' holds a spacing that is not positive");
  }
  result.origin = fields.Numbers<3>(grid, "origin");
  result.direction = fields.Numbers<9>(grid, "direction");
  return result;
}

// The whole file, its sizes checked against the prefix before anything is interpreted.
struct RawFile
{
  std::uint32_t              version{ 0 };
  std::string                header;
  std::vector<unsigned char> payload;
};

RawFile
ReadRaw(const std::string & path)
{
  std::error_code      error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error)
  {
    throw InputError(path, "cannot be read: " + error.message());
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream)
  {
    throw InputError(path, "cannot be read: " + std::string(std::strerror(errno)));
  }
  unsigned char prefix[PrefixBytes];
  if (size < PrefixBytes || !stream.read(reinterpret_cast<char *>(prefix), PrefixBytes))
  {
    throw InputError(path,
                     "is not a VoxelKL state: " + std::to_string(size) + " bytes, fewer than the " +
                       std::to_string(PrefixBytes + ChecksumBytes) + " of an empty state");
  }
  if (!std::equal(Magic.begin(), Magic.end(), prefix))
  {
    throw InputError(path, "is not a VoxelKL state (its first 8 bytes are not the magic number \\x89VKLS\\r\\n\\x1a)");
  }
  RawFile raw;
  raw.version = Get<std::uint32_t>(prefix + 8);
  if (raw.version != StateFormatVersion)
  {
    throw InputError(path,
                     "is a VoxelKL state of format version " + std::to_string(raw.version) +
                       "; this VoxelKL reads version " + std::to_string(StateFormatVersion));
  }
  const std::uint32_t headerBytes = Get<std::uint32_t>(prefix + 12);
  const std::uint64_t payloadBytes = Get<std::uint64_t>(prefix + 16);
  if (headerBytes > MaximumHeaderBytes)
  {
    throw InputError(
      path, "invalid VoxelKL state: its header size (" + std::to_string(headerBytes) + " bytes) is implausible");
  }
  const std::uintmax_t announced = PrefixBytes + std::uintmax_t{ headerBytes } + payloadBytes + ChecksumBytes;
  if (payloadBytes > size || announced != size)
  {
    throw InputError(path,
                     std::string(announced > size || payloadBytes > size ? "truncated" : "has trailing bytes") +
                       ": its sizes announce " + std::to_string(announced) + " bytes, the file holds " +
                       std::to_string(size));
  }
  raw.header.resize(headerBytes);
  raw.payload.resize(payloadBytes);
  unsigned char stored[ChecksumBytes];
  if (!stream.read(raw.header.data(), headerBytes) ||
      !stream.read(reinterpret_cast<char *>(raw.payload.data()), static_cast<std::streamsize>(payloadBytes)) ||
      !stream.read(reinterpret_cast<char *>(stored), ChecksumBytes))
  {
    throw InputError(path, "cannot be read to its end (" + std::to_string(size) + " bytes)");
  }
  std::uint64_t crc = Crc(0, prefix, PrefixBytes);
  crc = Crc(crc, raw.header.data(), raw.header.size());
  crc = Crc(crc, raw.payload.data(), raw.payload.size());
  if (crc != Get<std::uint64_t>(stored))
  {
    throw InputError(path,
                     "is corrupt: its CRC-64 is " + Hex(crc) + ", the file says " + Hex(Get<std::uint64_t>(stored)));
  }
  return raw;
}

// Every stored number is one the accumulators can hold: counts whole, from 0 to 2^53;
// sums finite (within 1e100), sums of squares not negative; min and max infinite only in an empty
// accumulator. A file that passes its checksum may still have been made (or resealed)
// by someone else: the maps are never computed from numbers no run could produce.
void
CheckValues(const std::string & file, const StateHeader & header, const MeasureState & state)
{
  const std::vector<std::string> names = StateFieldNames(header.kind);
  const std::size_t              voxels = state.Voxels();
  const auto                     isCount = [](const std::string & name) {
    return name.size() >= 5 &&
           (name.compare(name.size() - 5, 5, "count") == 0 || name.find("skipped") != std::string::npos);
  };
  const auto isSquares = [](const std::string & name) { return name.find("m2") != std::string::npos || name == "m4"; };
  // The count field that says whether an accumulator is empty, per field.
  std::vector<std::size_t> countOf(names.size(), 0);
  for (std::size_t f = 0; f < names.size(); ++f)
  {
    const std::string prefix = names[f].substr(0, names[f].find('.') + 1);
    countOf[f] = static_cast<std::size_t>(std::find(names.begin(), names.end(), prefix + "count") - names.begin());
  }
  for (std::size_t f = 0; f < names.size(); ++f)
  {
    const double * values = state.Field(f);
    const double * counts = state.Field(countOf[f]);
    const bool     count = isCount(names[f]);
    const bool     squares = isSquares(names[f]);
    const bool     extreme = names[f] == "min" || names[f] == "max";
    for (std::size_t v = 0; v < voxels; ++v)
    {
      if (!header.inside.empty() && header.inside[v] == 0)
      {
        continue;
      }
      const double x = values[v];
      // Beyond 1e100 the merge's products (n^3 d^4) overflow: no series of finite samples
      // has such sums.
      bool valid = std::isfinite(x) && std::fabs(x) <= 1e100;
      if (count)
      {
        valid = valid && x >= 0.0 && x <= 9007199254740992.0 && x == std::floor(x);
      }
      else if (squares)
      {
        valid = valid && x >= 0.0;
      }
      else if (extreme && counts[v] == 0.0)
      {
        valid = std::isinf(x) && (names[f] == "min") == (x > 0.0);
      }
      if (!valid)
      {
        std::ostringstream text;
        text << x;
        throw InputError(file,
                         "invalid VoxelKL state: field '" + names[f] + "' of voxel " + std::to_string(v) + " is " +
                           text.str() + ", which no run can produce");
      }
    }
  }
}

} // namespace

std::string
MaskDigest(const std::vector<unsigned char> & inside)
{
  if (inside.empty())
  {
    return "none";
  }
  // Flags as 0/1 bytes, whatever nonzero value marked a voxel.
  std::vector<unsigned char> flags(inside.size());
  std::transform(inside.begin(), inside.end(), flags.begin(), [](unsigned char f) { return f != 0 ? 1 : 0; });
  return "crc64:" + Hex(Crc(0, flags.data(), flags.size()));
}

void
WriteStateFile(const std::string &  path,
               const std::string &  displayName,
               const StateHeader &  header,
               const MeasureState & state)
{
  const std::size_t voxels = header.grid.VoxelCount();
  if (state.Voxels() != voxels || state.Kind() != header.kind ||
      (!header.inside.empty() && header.inside.size() != voxels))
  {
    throw std::logic_error("WriteStateFile: the state does not match its header");
  }
  const std::size_t stored = StoredVoxels(header);
  const std::string document = nlohmann::json{
    { "format", FormatName },
    { "measure", ToString(header.kind) },
    { "fields", StateFieldNames(header.kind) },
    { "grid", GridToJson(header.grid) },
    { "voxels", voxels },
    { "storedVoxels", stored },
    { "mask", MaskDigest(header.inside) },
    { "options", header.options },
    { "inputs", header.inputs },
    { "software", header.software }
  }.dump(1);
  const std::uint64_t payloadBytes =
    (header.inside.empty() ? 0 : voxels) + std::uint64_t{ state.FieldCount() } * stored * sizeof(double);
  std::vector<unsigned char> prefix(Magic.begin(), Magic.end());
  Put<std::uint32_t>(prefix, StateFormatVersion);
  Put<std::uint32_t>(prefix, static_cast<std::uint32_t>(document.size()));
  Put<std::uint64_t>(prefix, payloadBytes);

  CheckedFileWriter writer(path, displayName);
  std::uint64_t     crc = 0;
  auto              append = [&](const void * data, std::size_t size) {
    writer.Append(data, size);
    crc = Crc(crc, data, size);
  };
  append(prefix.data(), prefix.size());
  append(document.data(), document.size());
  if (!header.inside.empty())
  {
    std::vector<unsigned char> flags(voxels);
    std::transform(
      header.inside.begin(), header.inside.end(), flags.begin(), [](unsigned char f) { return f != 0 ? 1 : 0; });
    append(flags.data(), flags.size());
  }
  constexpr std::size_t chunk = std::size_t{ 1 } << 16;
  std::vector<double>   buffer;
  buffer.reserve(chunk);
  for (std::size_t f = 0; f < state.FieldCount(); ++f)
  {
    const double * values = state.Field(f);
    for (std::size_t v = 0; v < voxels; ++v)
    {
      if (header.inside.empty() || header.inside[v] != 0)
      {
        buffer.push_back(values[v]);
        if (buffer.size() == chunk)
        {
          append(buffer.data(), buffer.size() * sizeof(double));
          buffer.clear();
        }
      }
    }
  }
  append(buffer.data(), buffer.size() * sizeof(double));
  unsigned char checksum[ChecksumBytes];
  std::memcpy(checksum, &crc, ChecksumBytes);
  writer.Append(checksum, ChecksumBytes);
  writer.Close();
}

StateFile
ReadStateFile(const std::string & path)
{
  const RawFile  raw = ReadRaw(path);
  nlohmann::json document;
  try
  {
    document = nlohmann::json::parse(raw.header);
  }
  catch (const nlohmann::json::exception &)
  {
    throw InputError(path, "invalid VoxelKL state: its header is not valid JSON");
  }
  const HeaderFields fields(path, document);
  if (fields.String("format") != FormatName)
  {
    throw fields.Invalid("header field 'format' is '" + fields.String("format") + "', not '" + FormatName + "'");
  }
  StateFile                      file;
  const std::string              measure = fields.String("measure");
  const std::optional<StateKind> kind = ParseKind(measure);
  if (!kind)
  {
    throw fields.Invalid("header field 'measure' is '" + measure + "', not a measure this VoxelKL merges");
  }
  file.header.kind = *kind;
  if (fields.At("fields") != nlohmann::json(StateFieldNames(*kind)))
  {
    throw fields.Invalid("header field 'fields' is not the fields of a " + measure + " state");
  }
  file.header.grid = GridFromJson(fields);
  const std::size_t voxels = file.header.grid.VoxelCount();
  if (fields.Count("voxels") != voxels)
  {
    throw fields.Invalid("header field 'voxels' (" + std::to_string(fields.Count("voxels")) +
                         ") is not the grid's voxel count (" + std::to_string(voxels) + ")");
  }
  const std::uint64_t stored = fields.Count("storedVoxels");
  const std::string   mask = fields.String("mask");
  const bool          masked = mask != "none";
  const std::size_t   fieldCount = StateFieldNames(*kind).size();
  if (stored > voxels || (!masked && stored != voxels) ||
      raw.payload.size() != (masked ? voxels : 0) + fieldCount * stored * sizeof(double))
  {
    throw fields.Invalid("header field 'storedVoxels' (" + std::to_string(stored) + ") does not match the payload of " +
                         std::to_string(raw.payload.size()) + " bytes");
  }
  const unsigned char * data = raw.payload.data();
  if (masked)
  {
    file.header.inside.assign(data, data + voxels);
    if (std::any_of(file.header.inside.begin(), file.header.inside.end(), [](unsigned char f) { return f > 1; }) ||
        StoredVoxels(file.header) != stored)
    {
      throw fields.Invalid("its mask does not flag the " + std::to_string(stored) + " stored voxels");
    }
    if (MaskDigest(file.header.inside) != mask)
    {
      throw fields.Invalid("header field 'mask' (" + mask + ") is not the digest of the stored mask");
    }
    data += voxels;
  }
  for (const char * key : { "options", "inputs" })
  {
    if (!fields.At(key).is_object())
    {
      throw fields.Invalid(std::string("header field '") + key + "' is not an object");
    }
  }
  file.header.options = fields.At("options");
  file.header.inputs = fields.At("inputs");
  file.header.software = fields.String("software");
  file.state = MeasureState(*kind, voxels);
  for (std::size_t f = 0; f < fieldCount; ++f)
  {
    double * values = file.state.Field(f);
    for (std::size_t v = 0; v < voxels; ++v)
    {
      if (!masked || file.header.inside[v] != 0)
      {
        std::memcpy(values + v, data, sizeof(double));
        data += sizeof(double);
      }
    }
  }
  CheckValues(path, file.header, file.state);
  return file;
}

void
RequireMergeable(const std::string & fileA, const StateHeader & a, const std::string & fileB, const StateHeader & b)
{
  const auto refuse = [&](const std::string & what) {
    throw InputError(fileB + " cannot be merged with " + fileA + ": " + what);
  };
  if ((a.kind == StateKind::Moments) != (b.kind == StateKind::Moments))
  {
    refuse(std::string("measure differs: ") + ToString(b.kind) + " vs " + ToString(a.kind));
  }
  if (const std::string difference = CompareGrids(b.grid, a.grid); !difference.empty())
  {
    refuse("grid: " + difference);
  }
  if (MaskDigest(a.inside) != MaskDigest(b.inside))
  {
    refuse("mask differs (" + MaskDigest(b.inside) + " vs " + MaskDigest(a.inside) + ")");
  }
  for (const nlohmann::json * options : { &a.options, &b.options })
  {
    for (auto item = options->begin(); item != options->end(); ++item)
    {
      const std::string & key = item.key();
      const auto          inA = a.options.find(key);
      const auto          inB = b.options.find(key);
      if (inA == a.options.end() || inB == b.options.end() || *inA != *inB)
      {
        refuse("option '" + key + "' differs: " + (inB == b.options.end() ? "(none)" : inB->dump()) + " vs " +
               (inA == a.options.end() ? "(none)" : inA->dump()));
      }
    }
  }
}

} // namespace voxelkl
