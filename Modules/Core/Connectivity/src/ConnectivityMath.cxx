#include "voxelkl/ConnectivityMath.h"

#include "voxelkl/GaussianKL.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace voxelkl
{
namespace
{
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::Map<const RowMajor>
View(const Matrix & m)
{
  return Eigen::Map<const RowMajor>(
    m.values.data(), static_cast<Eigen::Index>(m.rows), static_cast<Eigen::Index>(m.cols));
}

Matrix
ToMatrix(const Eigen::MatrixXd & m)
{
  Matrix out(static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols()));
  Eigen::Map<RowMajor>(out.values.data(), m.rows(), m.cols()) = m;
  return out;
}

Eigen::VectorXd
ToVector(const std::vector<double> & v)
{
  return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

// The columns of x minus their means (two-pass).
Eigen::MatrixXd
Centred(const Matrix & x, Eigen::VectorXd & mean)
{
  const Eigen::MatrixXd data = View(x);
  mean = data.colwise().sum().transpose() / static_cast<double>(x.rows);
  return data.rowwise() - mean.transpose();
}
} // namespace

Matrix
CorrelationMatrix(const Matrix & x)
{
  if (x.rows < 2)
  {
    throw std::invalid_argument("CorrelationMatrix: at least 2 observations are needed");
  }
  Eigen::VectorXd       mean;
  const Eigen::MatrixXd centred = Centred(x, mean);
  const Eigen::MatrixXd products = centred.transpose() * centred;
  const std::size_t     p = x.cols;
  Eigen::VectorXd       scale(static_cast<Eigen::Index>(p));
  for (std::size_t i = 0; i < p; ++i)
  {
    const double squares = products(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(i));
    if (!(squares > 0.0) || !std::isfinite(squares))
    {
      throw std::invalid_argument("CorrelationMatrix: a column does not vary");
    }
    scale(static_cast<Eigen::Index>(i)) = std::sqrt(squares);
  }
  Matrix r(p, p);
  for (std::size_t i = 0; i < p; ++i)
  {
    for (std::size_t j = 0; j < p; ++j)
    {
      const auto ii = static_cast<Eigen::Index>(i);
      const auto jj = static_cast<Eigen::Index>(j);
      // Symmetric by construction: (i, j) and (j, i) use the same product and scales.
      const double value =
        i == j ? 1.0
               : products(std::min(ii, jj), std::max(ii, jj)) / (scale(std::min(ii, jj)) * scale(std::max(ii, jj)));
      r(i, j) = std::clamp(value, -1.0, 1.0);
    }
  }
  return r;
}

double
FisherZ(double r)
{
  constexpr double limit = 1.0 - FisherZClamp;
  return std::atanh(std::clamp(r, -limit, limit));
}

std::optional<double>
PearsonCorrelation(const std::vector<double> & a, const std::vector<double> & b)
{
  if (a.size() != b.size())
  {
    throw std::invalid_argument("PearsonCorrelation: samples of different lengths");
  }
  const std::size_t n = a.size();
  if (n < 2)
  {
    return std::nullopt;
  }
  double meanA = 0.0, meanB = 0.0;
  for (std::size_t i = 0; i < n; ++i)
  {
    meanA += a[i];
    meanB += b[i];
  }
  meanA /= static_cast<double>(n);
  meanB /= static_cast<double>(n);
  double products = 0.0, squaresA = 0.0, squaresB = 0.0;
  for (std::size_t i = 0; i < n; ++i)
  {
    const double da = a[i] - meanA;
    const double db = b[i] - meanB;
    products += da * db;
    squaresA += da * da;
    squaresB += db * db;
  }
  if (!(squaresA > 0.0) || !(squaresB > 0.0))
  {
    return std::nullopt;
  }
  const double r = products / std::sqrt(squaresA * squaresB);
  if (!std::isfinite(r))
  {
    return std::nullopt;
  }
  return std::clamp(r, -1.0, 1.0);
}

LedoitWolfEstimate
LedoitWolf(const Matrix & x)
{
  if (x.rows < 2 || x.cols < 1)
  {
    throw std::invalid_argument("LedoitWolf: at least 2 observations of 1 variable are needed");
  }
  const double          n = static_cast<double>(x.rows);
  const double          p = static_cast<double>(x.cols);
  Eigen::VectorXd       mean;
  const Eigen::MatrixXd centred = Centred(x, mean);
  const Eigen::MatrixXd sample = (centred.transpose() * centred) / n;
  const Eigen::Index    size = sample.rows();

  LedoitWolfEstimate estimate;
  estimate.mean.assign(mean.data(), mean.data() + mean.size());
  estimate.mu = sample.trace() / p;
  estimate.delta2 = (sample - estimate.mu * Eigen::MatrixXd::Identity(size, size)).squaredNorm() / p;
  double spread = 0.0; // sum_k ||x_k x_k^T - S||_F^2, term by term (no cancellation)
  for (Eigen::Index k = 0; k < centred.rows(); ++k)
  {
    const Eigen::VectorXd row = centred.row(k).transpose();
    spread += (row * row.transpose() - sample).squaredNorm();
  }
  const double betaBar = spread / (n * n) / p;
  estimate.beta2 = std::min(betaBar, estimate.delta2);
  estimate.shrinkage = estimate.beta2 > 0.0 ? estimate.beta2 / estimate.delta2 : 0.0;
  const Eigen::MatrixXd shrunk =
    estimate.shrinkage * estimate.mu * Eigen::MatrixXd::Identity(size, size) + (1.0 - estimate.shrinkage) * sample;
  estimate.sample = ToMatrix(sample);
  estimate.shrunk = ToMatrix(shrunk);
  return estimate;
}

std::optional<double>
LogDeterminant(const Matrix & covariance)
{
  const Eigen::LLT<Eigen::MatrixXd> llt(Eigen::MatrixXd(View(covariance)));
  if (llt.info() != Eigen::Success)
  {
    return std::nullopt;
  }
  const double value = 2.0 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
  return std::isfinite(value) ? std::optional<double>(value) : std::nullopt;
}

std::optional<double>
MultivariateGaussianKL(const std::vector<double> & m1,
                       const Matrix &              s1,
                       const std::vector<double> & m2,
                       const Matrix &              s2)
{
  const std::size_t p = m1.size();
  if (m2.size() != p || s1.rows != p || s1.cols != p || s2.rows != p || s2.cols != p)
  {
    throw std::invalid_argument("MultivariateGaussianKL: sizes differ");
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(Eigen::MatrixXd(View(s2)));
  if (llt.info() != Eigen::Success)
  {
    return std::nullopt;
  }
  const auto            lower = llt.matrixL();
  const Eigen::MatrixXd half = lower.solve(Eigen::MatrixXd(View(s1))); // L^-1 s1
  Eigen::MatrixXd       whitened = lower.solve(half.transpose());      // L^-1 s1 L^-T
  whitened = 0.5 * (whitened + whitened.transpose()).eval();           // symmetric to the last bit
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(whitened, Eigen::EigenvaluesOnly);
  if (eigen.info() != Eigen::Success)
  {
    return std::nullopt;
  }
  double traceTerms = 0.0;
  for (Eigen::Index i = 0; i < eigen.eigenvalues().size(); ++i)
  {
    const double lambda = eigen.eigenvalues()(i);
    if (!(lambda > 0.0) || !std::isfinite(lambda))
    {
      return std::nullopt; // s1 is not positive definite
    }
    traceTerms += VarianceRatioTerm(lambda);
  }
  const Eigen::VectorXd difference = lower.solve(ToVector(m2) - ToVector(m1));
  const double          kl = 0.5 * (traceTerms + difference.squaredNorm());
  return std::isfinite(kl) ? std::optional<double>(kl) : std::nullopt;
}

} // namespace voxelkl
