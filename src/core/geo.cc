#include "core/geo.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace pasip::geo {
namespace {

constexpr double kPi = std::numbers::pi;

double Radians(double degrees) { return degrees * kPi / 180.0; }
double Degrees(double radians) { return radians * 180.0 / kPi; }

// GRS80 first eccentricity, from its flattening 1/298.257222101.
const double kGrs80Eccentricity = [] {
  constexpr double f = 1.0 / 298.257222101;
  return std::sqrt(f * (2.0 - f));
}();

// Lambert-93 constants published by IGN: cone exponent n, projection constant c (metres),
// coordinates of the pole (xs, ys), central meridian (3° east of Greenwich).
constexpr double kN = 0.7256077650;
constexpr double kC = 11754255.426;
constexpr double kXs = 700000.0;
constexpr double kYs = 12655612.050;
constexpr double kLambdaC = 3.0;

// ALG0001: isometric latitude of geodetic latitude phi (radians) on an ellipsoid of first
// eccentricity e: ln(tan(pi/4 + phi/2) * ((1 - e sin phi) / (1 + e sin phi))^(e/2)).
double IsometricLatitude(double phi, double e) {
  const double e_sin = e * std::sin(phi);
  return std::log(std::tan(kPi / 4.0 + phi / 2.0) *
                  std::pow((1.0 - e_sin) / (1.0 + e_sin), e / 2.0));
}

}  // namespace

double DistanceKm(double lat1, double lon1, double lat2, double lon2) {
  const double phi1 = Radians(lat1);
  const double phi2 = Radians(lat2);
  const double sin_dphi = std::sin((phi2 - phi1) / 2.0);
  const double sin_dlambda = std::sin(Radians(lon2 - lon1) / 2.0);
  const double h =
      sin_dphi * sin_dphi + std::cos(phi1) * std::cos(phi2) * sin_dlambda * sin_dlambda;
  // min() keeps rounding from pushing h above 1 for antipodal points.
  return 2.0 * kEarthRadiusKm * std::asin(std::sqrt(std::min(1.0, h)));
}

BoundingBox BoxAround(double lat, double lon, double radius_km) {
  const double delta = std::max(0.0, radius_km) / kEarthRadiusKm;  // angular radius
  BoundingBox box{lat - Degrees(delta), lat + Degrees(delta), -180.0, 180.0};
  if (box.min_lat <= -90.0 || box.max_lat >= 90.0) {
    // The circle contains a pole: every longitude is within reach.
    box.min_lat = std::max(box.min_lat, -90.0);
    box.max_lat = std::min(box.max_lat, 90.0);
    return box;
  }
  // The widest longitude on the circle is where a meridian is tangent to it:
  // sin(dlambda) = sin(delta) / cos(lat).
  const double ratio = std::sin(delta) / std::cos(Radians(lat));
  if (ratio >= 1.0) return box;
  const double dlon = Degrees(std::asin(ratio));
  if (lon - dlon < -180.0 || lon + dlon > 180.0) return box;  // crosses the antimeridian
  box.min_lon = lon - dlon;
  box.max_lon = lon + dlon;
  return box;
}

Lambert93 ToLambert93(double lat, double lon) {
  const double l = IsometricLatitude(Radians(lat), kGrs80Eccentricity);
  // ALG0003: radius r = c exp(-n L) on the cone, angle gamma = n (lambda - lambda_c).
  const double r = kC * std::exp(-kN * l);
  const double gamma = kN * Radians(lon - kLambdaC);
  return {kXs + r * std::sin(gamma), kYs - r * std::cos(gamma)};
}

}  // namespace pasip::geo
