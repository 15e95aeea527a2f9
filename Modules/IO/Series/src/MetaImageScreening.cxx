// The MetaImage screens: the header fields ITK's MetaIO would misread or fail on, and
// where a MetaImage's data are (for CheckRawDataSize).
#include "HeaderScreening.h"
#include "RawDataSize.h"

#include "voxelkl/Errors.h"
#include "voxelkl/PathText.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

namespace voxelkl
{
namespace detail
{
namespace
{

// MetaIO reads a boolean field from its value's first character: True, true or 1 is true.
bool
IsMetaIOTrue(const std::string & value)
{
  return !value.empty() && (value[0] == 'T' || value[0] == 't' || value[0] == '1');
}

// LOCAL, as MetaIO accepts it: the data follow the header.
bool
IsMetaIOLocal(const std::string & value)
{
  return value == "LOCAL" || value == "Local" || value == "local";
}

// A MetaImage's compressed data, as MetaIO inflates it (zlib's inflate, zlib or gzip header
// detected): MetaIO loops forever on a zlib stream that asks for a preset dictionary, and
// reads past the file when CompressedDataSize claims more bytes than it holds (found by the
// series fuzzer). Both are checked here, with the stream's header; a stream that is
// corrupt further on makes MetaIO fail, not hang.
void
CheckCompressedStream(const std::string & file, const std::string & data, std::uint64_t start, long long claimed)
{
  std::error_code error;
  if (!std::filesystem::exists(data, error))
  {
    // MetaIO takes the size of a missing compressed data file as -1 and allocates that many
    // bytes (found by the series fuzzer).
    throw InputError(file, "its compressed data file " + data + " does not exist");
  }
  const std::uintmax_t size =
    std::filesystem::is_regular_file(data, error) ? std::filesystem::file_size(data, error) : 0;
  if (error || !std::filesystem::is_regular_file(data, error))
  {
    throw InputError(file, "its data file " + data + " is not a regular file");
  }
  const std::uint64_t available = size > start ? size - start : 0;
  if (claimed > 0 && static_cast<std::uint64_t>(claimed) > available)
  {
    throw InputError(file,
                     "truncated: CompressedDataSize is " + std::to_string(claimed) + " bytes, the data file holds " +
                       std::to_string(available));
  }
  std::ifstream stream(data, std::ios::binary);
  unsigned char head[2] = { 0, 0 };
  stream.seekg(static_cast<std::streamoff>(start));
  if (available < 2 || !stream.read(reinterpret_cast<char *>(head), 2))
  {
    throw InputError(file, "truncated: no compressed data after the header");
  }
  const bool gzip = head[0] == 0x1f && head[1] == 0x8b;
  const bool zlib = (head[0] & 0x0f) == 8 && (head[0] >> 4) <= 7 && (head[0] * 256 + head[1]) % 31 == 0;
  if (!gzip && !zlib)
  {
    throw InputError(file, "invalid MetaImage data: CompressedData = True, but the data is neither zlib nor gzip");
  }
  if (zlib && (head[1] & 0x20) != 0)
  {
    throw InputError(file, "invalid MetaImage data: the zlib stream needs a preset dictionary, which no MetaImage has");
  }
}

// MetaIO's buffers for a field's name and its text values (MET_MAX_NAME_SIZE and the
// char arrays of MetaObject), and the length of the lines it reads (getline(500)).
constexpr std::size_t MetaIOTextBytes = 255;
constexpr std::size_t MetaIOLineBytes = 500;

// MetaIO splits a LIST or pattern ElementDataFile into words at spaces (only) and copies
// each into 80 bytes without a bound (MET_StringToWordArray): a longer word overflows.
constexpr std::size_t MetaIOWordBytes = 80;

std::vector<std::string>
MetaIOWords(const std::string & file, const std::string & value)
{
  std::vector<std::string> words;
  std::size_t              at = 0;
  while (at < value.size())
  {
    while (at < value.size() && value[at] == ' ')
    {
      ++at;
    }
    const std::size_t end = std::min(value.find(' ', at), value.size());
    if (end > at)
    {
      words.push_back(value.substr(at, end - at));
      if (words.back().size() >= MetaIOWordBytes)
      {
        throw InputError(file,
                         "invalid MetaImage header: ElementDataFile '" + value.substr(0, 100) + "' has a word of " +
                           std::to_string(words.back().size()) + " characters; MetaIO reads at most " +
                           std::to_string(MetaIOWordBytes - 1));
      }
    }
    at = end;
  }
  // MetaIO counts the words first, by a rule that counts a run of three or more spaces as
  // more than one gap; it then allocates that many, fills those it finds and frees them
  // all, the unfilled ones included (a crash, found by the series fuzzer).
  std::size_t counted = 0;
  bool        space = false;
  for (std::size_t i = value.find_first_not_of(' '); i < value.size(); ++i)
  {
    space = value[i] == ' ' && !space;
    counted += space ? 1 : 0;
  }
  counted += value.empty() || value.back() == ' ' ? 0 : 1;
  if (counted != words.size())
  {
    throw InputError(file,
                     "invalid MetaImage header: ElementDataFile '" + value.substr(0, 100) +
                       "' has a run of three or more spaces, which MetaIO miscounts as words");
  }
  return words;
}

// "ElementDataFile = name%03d.raw [first [last [step]]]": one file per slice of the last
// dimension. MetaIO derives the missing step as (last - first) / slices and divides by it
// (a zero step is a division by zero there: SIGFPE), and reads fewer files than slices
// without a word when the range is short, so the range is checked here first, as MetaIO
// would read it.
struct FilePattern
{
  std::string name; // holds one %d, %5d or %05d
  long long   first{ 1 };
  long long   step{ 1 };
};

FilePattern
ReadFilePattern(const std::string & file, const std::string & value, long slices)
{
  if (slices < 1)
  {
    throw InputError(file, "invalid MetaImage header: ElementDataFile '" + value + "' names files for no slices");
  }
  const std::vector<std::string> words = MetaIOWords(file, value);
  const auto                     number = [&](const std::string & word) {
    char *       end = nullptr;
    const double parsed = std::strtod(word.c_str(), &end);
    if (end == word.c_str() || !std::isfinite(parsed) || std::abs(parsed) > 1e9)
    {
      throw InputError(file,
                       "invalid MetaImage header: ElementDataFile '" + value + "' has a range that is not a number: '" +
                         word + "'");
    }
    return static_cast<long long>(parsed);
  };
  long long first = 1;
  long long last = slices;
  long long step = 1;
  if (words.size() >= 5)
  {
    first = number(words[words.size() - 3]);
    last = number(words[words.size() - 2]);
    step = number(words[words.size() - 1]);
  }
  else
  {
    if (words.size() >= 2)
    {
      first = number(words[1]);
      last = first + slices - 1;
    }
    if (words.size() >= 3)
    {
      last = number(words[2]);
      step = (last - first) / slices;
    }
    if (words.size() >= 4)
    {
      step = number(words[3]);
    }
  }
  // The name MetaIO formats each slice's number into (snprintf with the name as the format):
  // exactly one integer conversion, in a name that fits its 80-byte word.
  std::string name = words[0];
  for (std::size_t i = 1; words.size() >= 5 && i + 3 < words.size(); ++i)
  {
    name += " " + words[i];
  }
  if (name.size() >= MetaIOWordBytes)
  {
    throw InputError(file,
                     "invalid MetaImage header: the ElementDataFile pattern '" + name + "' is longer than MetaIO's " +
                       std::to_string(MetaIOWordBytes - 1) + " characters");
  }
  std::size_t conversions = 0;
  for (std::size_t at = name.find('%'); at != std::string::npos; at = name.find('%', at + 1))
  {
    std::size_t end = at + 1;
    while (end < name.size() && end - at <= 4 && std::isdigit(static_cast<unsigned char>(name[end])))
    {
      ++end;
    }
    if (end >= name.size() || name[end] != 'd')
    {
      throw InputError(file,
                       "invalid MetaImage header: the ElementDataFile pattern '" + name +
                         "' holds a '%' that is not one number conversion such as %d or %03d");
    }
    ++conversions;
    at = end;
  }
  if (conversions != 1)
  {
    throw InputError(file,
                     "invalid MetaImage header: the ElementDataFile pattern '" + name +
                       "' must hold exactly one %d, not " + std::to_string(conversions));
  }
  if (step < 1 || last < first || 1 + (last - first) / step < slices)
  {
    throw InputError(file,
                     "invalid MetaImage header: ElementDataFile '" + value + "' names files " + std::to_string(first) +
                       " to " + std::to_string(last) + " in steps of " + std::to_string(step) +
                       ", not one per slice of its " + std::to_string(slices) +
                       " (MetaIO's pattern: name first last step)");
  }
  return { name, first, step };
}

// The name MetaIO's snprintf(pattern, number) gives (the pattern checked above).
std::string
SliceFileName(const std::string & pattern, long long number)
{
  const std::size_t percent = pattern.find('%');
  const std::size_t d = pattern.find('d', percent);
  const std::string width = pattern.substr(percent + 1, d - percent - 1);
  const bool        zeros = !width.empty() && width[0] == '0';
  const std::size_t wide = width.empty() ? 0 : static_cast<std::size_t>(std::stoul(width));
  std::string       digits = std::to_string(number < 0 ? -number : number);
  const std::string sign = number < 0 ? "-" : "";
  std::string       text;
  if (zeros)
  {
    text =
      sign + std::string(wide > sign.size() + digits.size() ? wide - sign.size() - digits.size() : 0, '0') + digits;
  }
  else
  {
    text = sign + digits;
    text = std::string(wide > text.size() ? wide - text.size() : 0, ' ') + text;
  }
  return pattern.substr(0, percent) + text + pattern.substr(d + 1);
}

// The values a voxel of the component type can hold: MetaIO casts each number it reads to
// it (undefined beyond them). An integer type holds what truncates into its range.
std::pair<double, double>
ComponentRange(itk::IOComponentEnum type)
{
  const auto integer = [](auto lowest, auto highest) {
    return std::pair<double, double>(static_cast<double>(lowest) - 1.0, static_cast<double>(highest) + 1.0);
  };
  switch (type)
  {
    case itk::IOComponentEnum::UCHAR:
      return integer(std::numeric_limits<unsigned char>::lowest(), std::numeric_limits<unsigned char>::max());
    case itk::IOComponentEnum::CHAR:
      return integer(std::numeric_limits<signed char>::lowest(), std::numeric_limits<signed char>::max());
    case itk::IOComponentEnum::USHORT:
      return integer(std::numeric_limits<std::uint16_t>::lowest(), std::numeric_limits<std::uint16_t>::max());
    case itk::IOComponentEnum::SHORT:
      return integer(std::numeric_limits<std::int16_t>::lowest(), std::numeric_limits<std::int16_t>::max());
    case itk::IOComponentEnum::UINT:
      return integer(std::numeric_limits<std::uint32_t>::lowest(), std::numeric_limits<std::uint32_t>::max());
    case itk::IOComponentEnum::INT:
      return integer(std::numeric_limits<std::int32_t>::lowest(), std::numeric_limits<std::int32_t>::max());
    case itk::IOComponentEnum::FLOAT:
    {
      const double largest = std::numeric_limits<float>::max();
      return { -largest, largest };
    }
    case itk::IOComponentEnum::DOUBLE:
      return { std::numeric_limits<double>::lowest(), std::numeric_limits<double>::max() };
    default: // 64-bit integers: 2^63 and 2^64 are exact doubles
      return integer(
        static_cast<double>(std::numeric_limits<std::int64_t>::lowest()),
        std::ldexp(1.0, type == itk::IOComponentEnum::LONGLONG || type == itk::IOComponentEnum::LONG ? 63 : 64) - 1.0);
  }
}

} // namespace

// MetaIO reads text voxels with `stream >> double`, skipping one character after each:
// a word that is not a number, and every voxel after it, become 0, and with several
// channels it reads only the first share of them. Each voxel is read here as MetaIO would.
void
CheckTextVoxels(const std::string & file, const DataExtent & data, const itk::ImageIOBase & io)
{
  if (io.GetNumberOfComponents() != 1)
  {
    throw InputError(file,
                     "text voxels (BinaryData = False) with " + std::to_string(io.GetNumberOfComponents()) +
                       " components each are not read: MetaIO reads only the first of every " +
                       std::to_string(io.GetNumberOfComponents()));
  }
  std::ifstream stream(data.path, std::ios::binary);
  stream.seekg(static_cast<std::streamoff>(data.skip));
  const auto [below, above] = ComponentRange(io.GetComponentType());
  const auto voxels = static_cast<std::uint64_t>(io.GetImageSizeInPixels());
  for (std::uint64_t i = 0; i < voxels; ++i)
  {
    double value = 0;
    if (!(stream >> value))
    {
      throw InputError(file,
                       "its text voxels (BinaryData = False) hold " + std::to_string(i) +
                         " numbers, the header describes " + std::to_string(voxels));
    }
    if (!(value > below && value < above))
    {
      std::ostringstream number;
      number.precision(17);
      number << value;
      throw InputError(file,
                       "text voxel " + std::to_string(i) + " is " + number.str() + ", which a " +
                         itk::ImageIOBase::GetComponentTypeAsString(io.GetComponentType()) + " voxel cannot hold");
    }
    stream.get();
  }
}

namespace
{

// "ElementDataFile = LIST [dimensions]": the names of the files, one per line after it, each
// holding a block of that many dimensions. MetaIO skips a file it cannot open, a line it
// reads at the end of the header file, and a short file, with a message on stderr only,
// leaving those voxels as the buffer held them; it reads past an empty name (the last
// character of an empty string); it indexes DimSize by a negative dimension count.
std::vector<std::string>
ListedFiles(const std::string &                file,
            std::istream &                     stream,
            const std::string &                value,
            const std::vector<std::uint64_t> & sizes)
{
  const std::vector<std::string> words = MetaIOWords(file, value);
  std::size_t                    blockDimensions = sizes.size() - 1;
  if (words.size() > 1)
  {
    char *     end = nullptr;
    const long parsed = std::strtol(words[1].c_str(), &end, 10);
    if (*end != '\0' || parsed < 1 || parsed > static_cast<long>(sizes.size()))
    {
      throw InputError(file,
                       "invalid MetaImage header: ElementDataFile '" + value +
                         "': the dimensions of each listed file must be 1 to " + std::to_string(sizes.size()) +
                         ", not '" + words[1] + "'");
    }
    blockDimensions = static_cast<std::size_t>(parsed);
  }
  std::uint64_t count = 1;
  for (std::size_t i = blockDimensions; i < sizes.size(); ++i)
  {
    count *= sizes[i];
  }
  std::vector<std::string> names;
  std::string              line;
  while (names.size() < count && std::getline(stream, line) && !stream.eof())
  {
    // MetaIO strips trailing blanks and unprintable bytes, never the first character.
    std::size_t end = line.size();
    while (end > 1 && (std::isspace(static_cast<unsigned char>(line[end - 1])) != 0 ||
                       std::isprint(static_cast<unsigned char>(line[end - 1])) == 0))
    {
      --end;
    }
    const std::string name = line.substr(0, end);
    const bool        printable =
      std::all_of(name.begin(), name.end(), [](char c) { return std::isprint(static_cast<unsigned char>(c)) != 0; });
    if (name.empty() || !printable)
    {
      throw InputError(file,
                       "invalid MetaImage header: file " + std::to_string(names.size() + 1) + " of the LIST " +
                         (name.empty() ? std::string("is an empty line") : "holds a control character"));
    }
    names.push_back(name);
  }
  if (names.size() < count)
  {
    throw InputError(file,
                     "invalid MetaImage header: the LIST names " + std::to_string(names.size()) + " files, not " +
                       std::to_string(count) + " (one line each, each ended by a line break)");
  }
  return names;
}

} // namespace

// MetaImage: "Key = Value" (or "Key: Value") lines, keys compared as MetaIO does (case
// and all); ElementDataFile is the last, the data (LOCAL) follow it, or are in the file it
// names, or in one file per slice (a LIST or a pattern, each file holding its share of the
// image's bytes).
std::optional<DataFiles>
MetaImageData(const std::string & file, const itk::ImageIOBase & io)
{
  std::ifstream stream(file, std::ios::binary);
  long long     headerSize = 0;
  bool          compressed = false;
  bool          text = false;
  for (std::string line; std::getline(stream, line);)
  {
    const auto separator = line.find_first_of("=:");
    if (separator == std::string::npos)
    {
      continue;
    }
    const std::string key = Trimmed(line.substr(0, separator));
    const auto        start = std::min(line.find_first_not_of("=: \t", separator), line.size());
    const std::string value = Trimmed(line.substr(start));
    const bool        yes = IsMetaIOTrue(value);
    if (key == "CompressedData")
    {
      compressed = yes;
    }
    if (key == "BinaryData")
    {
      text = !yes;
    }
    if (key == "HeaderSize")
    {
      headerSize = std::atoll(value.c_str());
    }
    if (key != "ElementDataFile")
    {
      continue;
    }
    const bool list = value.rfind("LIST", 0) == 0;
    const bool pattern = !list && value.find('%') != std::string::npos;
    if (compressed && (list || pattern))
    {
      // MetaIO inflates each file into its slice and leaves what a short stream does not fill.
      throw InputError(file,
                       "compressed data in one file per slice (ElementDataFile '" + value.substr(0, 100) +
                         "') is not read: store the series in one file (e.g. .mha, .nrrd or .nii.gz)");
    }
    const bool local = IsMetaIOLocal(value);
    if (text && (list || pattern || compressed || headerSize < 0))
    {
      throw InputError(
        file,
        std::string("text voxels (BinaryData = False) are read from one uncompressed stream only, not ") +
          (list || pattern ? "one file per slice"
           : compressed    ? "compressed"
                           : "at the end of a file (HeaderSize = -1)"));
    }
    if (compressed)
    {
      return std::nullopt;
    }
    if (local)
    {
      const auto position = stream.tellg();
      if (position < 0)
      {
        return std::nullopt;
      }
      // MetaIO reads the data from HeaderSize when it is given, from the end for -1.
      const auto skip = static_cast<std::uint64_t>(headerSize > 0 ? headerSize : static_cast<long long>(position));
      return DataFiles{ { { file, skip, headerSize < 0 } },
                        static_cast<std::uint64_t>(io.GetImageSizeInBytes()),
                        text };
    }
    const DataExtent           data{ "", headerSize > 0 ? static_cast<std::uint64_t>(headerSize) : 0, headerSize < 0 };
    std::vector<std::string>   names;
    std::vector<std::uint64_t> sizes;
    for (unsigned int i = 0; i < io.GetNumberOfDimensions(); ++i)
    {
      sizes.push_back(io.GetDimensions(i));
    }
    if (sizes.empty() || std::find(sizes.begin(), sizes.end(), 0) != sizes.end())
    {
      return std::nullopt; // no voxels: nothing to read (CheckMetaImageHeader refuses a size of 0)
    }
    if (list)
    {
      names = ListedFiles(file, stream, value, sizes);
    }
    else if (pattern)
    {
      const FilePattern slices = ReadFilePattern(file, value, static_cast<long>(sizes.back()));
      for (std::uint64_t i = 0; i < sizes.back(); ++i)
      {
        names.push_back(SliceFileName(slices.name, slices.first + static_cast<long long>(i) * slices.step));
      }
    }
    else if (value.find(' ') == std::string::npos)
    {
      names.push_back(value);
    }
    else
    {
      return std::nullopt;
    }
    DataFiles files;
    for (const auto & name : names)
    {
      files.files.push_back(data);
      files.files.back().path = Beside(file, name);
    }
    files.bytesEach = static_cast<std::uint64_t>(io.GetImageSizeInBytes()) / names.size();
    files.text = text;
    return files;
  }
  return std::nullopt;
}

} // namespace detail

void
CheckMetaImageHeader(const std::string & file)
{
  using namespace detail; // the MetaIO helpers above
  if (!EndsWith(Lowercase(file), ".mha") && !EndsWith(Lowercase(file), ".mhd"))
  {
    return;
  }
  const auto invalid = [&](int number, const std::string & problem) {
    return InputError(file, "invalid MetaImage header: line " + std::to_string(number) + ": " + problem);
  };
  // MetaIO ends a key at '=', ':' or a line end, compares it as a C string (up to a NUL)
  // and then takes the value after the next separator, wherever it is. Only lines of
  // printable text of the form "Key = Value" (or "Key: Value") are let through, so the
  // fields read below are the fields MetaIO reads.
  std::ifstream     stream(file, std::ios::binary);
  std::string       line;
  long              dimensions = -1;
  std::vector<long> sizes;
  bool              compressed = false;
  long long         compressedSize = 0; // 0: the rest of the data file
  for (int number = 1; std::getline(stream, line); ++number)
  {
    if (number > 1000)
    {
      throw invalid(number, "no ElementDataFile in the first 1000 lines");
    }
    if (!line.empty() && line.back() == '\r')
    {
      line.pop_back();
    }
    for (const char c : line)
    {
      if (c != '\t' && (static_cast<unsigned char>(c) < 0x20 || c == 0x7f))
      {
        throw invalid(number, "holds a control character (byte " + std::to_string(static_cast<unsigned char>(c)) + ")");
      }
    }
    if (Trimmed(line).empty())
    {
      continue;
    }
    const auto separator = line.find_first_of("=:");
    if (separator == std::string::npos)
    {
      throw invalid(number, "'" + line.substr(0, 60) + "' is not 'Key = Value'");
    }
    const std::string  key = Trimmed(line.substr(0, separator));
    const std::string  value = Trimmed(line.substr(separator + 1));
    std::istringstream values(value);
    // MetaIO strcpy's a field's name, and the values of Comment, Name, ObjectType and the
    // like, into buffers of 255 bytes (a longer one overflows them: found by the series
    // fuzzer). ElementDataFile is kept in a std::string, but MetaIO reads every value with
    // getline(500), which would cut a longer name short.
    if (key.size() >= MetaIOTextBytes)
    {
      throw invalid(number,
                    "a field name of " + std::to_string(key.size()) + " characters; MetaIO reads at most " +
                      std::to_string(MetaIOTextBytes - 1));
    }
    // What MetaIO reads as the value: the line after the separators and blanks that follow
    // the name (getline(500): 499 characters at most, a line's '\r' among them), and what
    // it keeps of it: that without its trailing blanks.
    const auto        start = std::min(line.find_first_not_of("=: \t", separator), line.size());
    const std::size_t read = line.size() - start;
    const std::size_t kept = Trimmed(line.substr(start)).size();
    if (read > MetaIOLineBytes - 2 || (key != "ElementDataFile" && kept >= MetaIOTextBytes))
    {
      const bool cut = read > MetaIOLineBytes - 2;
      throw invalid(number,
                    "the value of " + key + " has " + std::to_string(cut ? read : kept) +
                      " characters; MetaIO reads at most " +
                      std::to_string(cut ? MetaIOLineBytes - 2 : MetaIOTextBytes - 1));
    }
    if (key == "NDims")
    {
      if (!(values >> dimensions) || dimensions < 1 || dimensions > 8 || !(values >> std::ws).eof())
      {
        throw invalid(number, "NDims must be 1 to 8, not '" + value + "'");
      }
    }
    else if (key == "DimSize")
    {
      sizes.clear();
      for (long size; values >> size;)
      {
        if (size < 1 || size > 2147483647L)
        {
          throw invalid(number, "a DimSize is " + std::to_string(size));
        }
        sizes.push_back(size);
      }
      if (!(values >> std::ws).eof() || dimensions < 1 || sizes.size() != static_cast<std::size_t>(dimensions))
      {
        throw invalid(number,
                      "DimSize '" + value + "' is not NDims (" + std::to_string(dimensions) + ") positive whole sizes");
      }
    }
    else if (key == "SequenceID" && dimensions > 4)
    {
      // MetaIO copies NDims of them into an array of 4.
      throw invalid(number, "SequenceID with NDims " + std::to_string(dimensions) + "; MetaIO keeps at most 4");
    }
    else if (key == "ElementNumberOfChannels")
    {
      long channels = 0;
      if (!(values >> channels) || channels < 1 || channels > 4096)
      {
        throw invalid(number, "ElementNumberOfChannels must be 1 to 4096, not '" + value + "'");
      }
    }
    else if (key == "ElementDataFile")
    {
      if (sizes.empty())
      {
        throw invalid(number, "ElementDataFile before NDims and DimSize");
      }
      if (sizes.size() != static_cast<std::size_t>(dimensions))
      {
        // MetaIO reads DimSize with the NDims of its line and keeps the last NDims: the
        // sizes it lacks are 0 (it divides by the last one for a file pattern).
        throw invalid(number,
                      "NDims (" + std::to_string(dimensions) + ") changed after DimSize gave " +
                        std::to_string(sizes.size()) + " sizes");
      }
      if (value.empty())
      {
        // MetaIO would open the header's directory as the data (and, compressed, allocate
        // its size: -1 bytes).
        throw invalid(number, "ElementDataFile names no data file");
      }
      if (value.rfind("LIST", 0) == 0)
      {
        MetaIOWords(file, value);
      }
      else if (value.find('%') != std::string::npos)
      {
        ReadFilePattern(file, value, sizes.back());
      }
      else if (compressed)
      {
        // One compressed stream, here (LOCAL) or in one data file.
        const bool        local = IsMetaIOLocal(value);
        const std::string data = local ? file : Beside(file, value);
        const auto        start = local ? static_cast<std::uint64_t>(stream.tellg()) : std::uint64_t{ 0 };
        CheckCompressedStream(file, data, start, compressedSize);
      }
      return; // the data follow
    }
    else if (key == "CompressedData")
    {
      compressed = IsMetaIOTrue(value);
    }
    else if (key == "CompressedDataSize")
    {
      std::istringstream size(value);
      if (!(size >> compressedSize) || compressedSize < 0)
      {
        throw invalid(number, "CompressedDataSize must be a byte count, not '" + value + "'");
      }
    }
  }
}

} // namespace voxelkl
