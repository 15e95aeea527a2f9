// The NiiVue bundle of a build without it (VOXELKL_REPORT_VIEWER off): reports say so and
// keep their mosaics.
#include <string_view>

namespace voxelkl::embedded
{
extern const std::string_view NiivueBundle;
extern const std::string_view NiivueBundleVersion;
const std::string_view        NiivueBundle{};
const std::string_view        NiivueBundleVersion{};
} // namespace voxelkl::embedded
