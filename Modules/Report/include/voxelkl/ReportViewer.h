// The interactive viewer of a report: NiiVue (@niivue/niivue, pinned in viewer/package-lock.json
// and bundled at build time when npm is available) and the volumes it shows, NIfTI-1 files
// of uint8 codes, gzip-compressed, that the page holds in base64.
#ifndef voxelkl_ReportViewer_h
#define voxelkl_ReportViewer_h

#include "voxelkl/ReportColors.h"
#include "voxelkl/SpatialGrid.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace voxelkl
{

/** Whether this build holds the NiiVue bundle (CMake option VOXELKL_REPORT_VIEWER). */
bool
HasViewerBundle();

/** The bundle's JavaScript (an ES module that sets globalThis.VoxelKLNiivue), empty without. */
std::string_view
ViewerBundle();

/** The NiiVue version bundled ("0.69.0"), empty without a bundle. */
std::string_view
ViewerBundleVersion();

/** The report's own viewer code (an ES module reading the page's viewer data). */
std::string_view
ViewerScript();

/** A volume quantised for the viewer: value = intercept + slope * code. */
struct ViewerVolume
{
  std::vector<std::uint8_t> codes;
  double                    slope{ 1.0 };
  double                    intercept{ 0.0 };
  double                    displayLow{ 0.0 }; ///< the colour map's ends (cal_min, cal_max)
  double                    displayHigh{ 1.0 };
};

/** A map as codes 1..255 spanning its display range (values beyond it clipped to the ends;
 * code 1 = range.low, 255 = range.high) and 0 where it is not shown (below the colour map's
 * start: transparent in NiiVue's overlays). shown: nonzero = the voxel has a colour; empty:
 * every finite value. */
ViewerVolume
QuantiseMap(const float *                      values,
            std::size_t                        count,
            const std::vector<unsigned char> & shown,
            const DisplayRange &               range);

/** The anatomy as codes 0..255 over its grey range (clipped; 0 where not finite). */
ViewerVolume
QuantiseAnatomy(const float * values, std::size_t count, const DisplayRange & range);

/** The .nii.gz bytes of a quantised volume on grid: NIfTI-1, uint8, scl_slope/scl_inter of
 * the volume, cal_min/cal_max its display range, the sform (code 1) of the grid's
 * orientation in RAS as ITK writes it. */
std::string
ViewerNifti(const ViewerVolume & volume, const SpatialGrid & grid);

} // namespace voxelkl

#endif
