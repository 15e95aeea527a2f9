#include "voxelkl/ReportEncoding.h"

#include <libdeflate.h>
#include <png.h>

#include <memory>
#include <stdexcept>

namespace voxelkl
{
namespace
{
void
AppendToString(png_structp png, png_bytep data, png_size_t length)
{
  auto * out = static_cast<std::string *>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char *>(data), length);
}

void
FlushNothing(png_structp)
{
}

// libpng reports errors through longjmp by default; an error function that throws instead
// unwinds through libpng's C frames, which hold no C++ objects (Debian's libpng16 has unwind
// tables, .eh_frame, as all x86-64 code), and keeps setjmp out of C++.
[[noreturn]] void
ThrowPngError(png_structp, png_const_charp message)
{
  throw std::runtime_error(std::string("PNG encoding failed: ") + message);
}

void
IgnorePngWarning(png_structp, png_const_charp)
{
}

// The length of the valid UTF-8 sequence starting at text[i], 0 if none.
std::size_t
Utf8SequenceLength(std::string_view text, std::size_t i)
{
  const auto          byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t         length = 0;
  unsigned int        minimum = 0;
  unsigned int        code = 0;
  if (lead < 0x80)
  {
    return 1;
  }
  if ((lead & 0xE0) == 0xC0)
  {
    length = 2;
    code = lead & 0x1F;
    minimum = 0x80;
  }
  else if ((lead & 0xF0) == 0xE0)
  {
    length = 3;
    code = lead & 0x0F;
    minimum = 0x800;
  }
  else if ((lead & 0xF8) == 0xF0)
  {
    length = 4;
    code = lead & 0x07;
    minimum = 0x10000;
  }
  else
  {
    return 0;
  }
  if (i + length > text.size())
  {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k)
  {
    if ((byte(i + k) & 0xC0) != 0x80)
    {
      return 0;
    }
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
  {
    return 0;
  }
  return length;
}
} // namespace

std::string
EncodePng(const RgbImage & image)
{
  if (image.width == 0 || image.height == 0 || image.pixels.size() != 3 * image.width * image.height)
  {
    throw std::invalid_argument("EncodePng: an empty image or one whose pixels do not match its size");
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, ThrowPngError, IgnorePngWarning);
  if (png == nullptr)
  {
    throw std::runtime_error("PNG encoding failed: libpng could not start");
  }
  png_infop info = png_create_info_struct(png);
  struct Release
  {
    png_structp * png;
    png_infop *   info;
    ~Release() { png_destroy_write_struct(png, info); }
  } release{ &png, &info };
  if (info == nullptr)
  {
    throw std::runtime_error("PNG encoding failed: libpng could not start");
  }
  std::string out;
  png_set_write_fn(png, &out, AppendToString, FlushNothing);
  png_set_IHDR(png,
               info,
               static_cast<png_uint_32>(image.width),
               static_cast<png_uint_32>(image.height),
               8,
               PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 9);
  png_write_info(png, info);
  for (std::size_t row = 0; row < image.height; ++row)
  {
    png_write_row(png, image.pixels.data() + 3 * image.width * row);
  }
  png_write_end(png, nullptr);
  return out;
}

std::string
EncodeBase64(std::string_view bytes)
{
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string           out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto        at = [&](std::size_t k) { return static_cast<unsigned int>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3)
  {
    const unsigned int n = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  if (i + 1 == bytes.size())
  {
    const unsigned int n = at(i) << 16;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += "==";
  }
  else if (i + 2 == bytes.size())
  {
    const unsigned int n = (at(i) << 16) | (at(i + 1) << 8);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string
DataUri(const std::string & mediaType, std::string_view bytes)
{
  return "data:" + mediaType + ";base64," + EncodeBase64(bytes);
}

std::string
Gzip(std::string_view bytes)
{
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> compressor(
    libdeflate_alloc_compressor(6), libdeflate_free_compressor);
  if (!compressor)
  {
    throw std::runtime_error("gzip: cannot allocate a compressor");
  }
  std::string       out(libdeflate_gzip_compress_bound(compressor.get(), bytes.size()), '\0');
  const std::size_t written =
    libdeflate_gzip_compress(compressor.get(), bytes.data(), bytes.size(), out.data(), out.size());
  if (written == 0)
  {
    throw std::runtime_error("gzip: compression failed");
  }
  out.resize(written);
  return out;
}

std::string
EscapeHtml(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();)
  {
    const std::size_t length = Utf8SequenceLength(text, i);
    if (length == 0)
    {
      out += "\xEF\xBF\xBD"; // U+FFFD
      ++i;
      continue;
    }
    if (length > 1)
    {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    const char c = text[i++];
    switch (c)
    {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if ((static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) || c == '\t' || c == '\n')
        {
          out += c;
        }
        break;
    }
  }
  return out;
}

std::string
ScriptJson(const nlohmann::json & document)
{
  const std::string text = document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string       out;
  out.reserve(text.size());
  // '<', '>' and '&' can only be inside strings in JSON text, where \u escapes mean the same.
  for (const char c : text)
  {
    switch (c)
    {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

} // namespace voxelkl
