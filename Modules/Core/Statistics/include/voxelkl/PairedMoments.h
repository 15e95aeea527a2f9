// Moments of paired samples (x_t, y_t): what voxel-wise MSE and Pearson correlation need.
#ifndef voxelkl_PairedMoments_h
#define voxelkl_PairedMoments_h

namespace voxelkl
{

/** Count, means, sums of squared deviations and co-moment C = sum (x - mean_x)(y - mean_y)
 * of the pairs where both values are finite (Pebay 2008). */
struct PairedMoments
{
  double count{ 0.0 };
  double meanX{ 0.0 };
  double meanY{ 0.0 };
  double m2X{ 0.0 };
  double m2Y{ 0.0 };
  double c{ 0.0 };

  /** Sum over pairs of (x - y)^2 = n (mean_x - mean_y)^2 + M2x + M2y - 2C: exact, from
   * the moments alone (never below 0). */
  double
  SumSquaredDifference() const;
  /** Mean of (x - y)^2 over the pairs; 0 without pairs. */
  double
  MeanSquaredError() const;
  /** Whether Pearson's r exists: at least two pairs and neither series constant. */
  bool
  HasCorrelation() const;
  /** Pearson's r = C / sqrt(M2x M2y), clamped to [-1, 1]; `undefined` where it does not
   * exist (a constant series has no correlation). */
  double
  Correlation(double undefined) const;
};

} // namespace voxelkl

#endif
