// The encodings a self-contained HTML page needs: PNG (libpng, in memory), base64 for data
// URIs, gzip for the viewer's NIfTI volumes (libdeflate), and text made safe for HTML and for
// JSON inside a <script> element.
#ifndef voxelkl_ReportEncoding_h
#define voxelkl_ReportEncoding_h

#include "voxelkl/ReportSlices.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace voxelkl
{

/** The PNG file (8-bit RGB, no interlace) of an image, encoded by libpng into memory.
 * std::runtime_error when libpng fails. */
std::string
EncodePng(const RgbImage & image);

/** Base64 (RFC 4648, with padding). */
std::string
EncodeBase64(std::string_view bytes);

/** A data URI: "data:<mediaType>;base64,<bytes in base64>". */
std::string
DataUri(const std::string & mediaType, std::string_view bytes);

/** A gzip member (RFC 1952) of bytes, compressed by libdeflate at level 6. */
std::string
Gzip(std::string_view bytes);

/** Text for HTML element content and attribute values: & < > " ' escaped as character
 * references, control characters other than tab and newline dropped, and bytes that are not
 * UTF-8 replaced by U+FFFD (names come from files of any encoding). */
std::string
EscapeHtml(std::string_view text);

/** A JSON document to place inside a <script> element: compact, every '<', '>' and '&' in
 * its strings written as \u003c, \u003e, \u0026 (so that no "</script>" or "<!--" can end
 * or change the element), invalid UTF-8 replaced by U+FFFD. */
std::string
ScriptJson(const nlohmann::json & document);

} // namespace voxelkl

#endif
